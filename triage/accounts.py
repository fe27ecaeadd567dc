"""Account changes made by an admin from the dashboard, each checked and audit-logged.

``triage.users`` holds the accounts themselves (hashing, adding, disabling); this adds
the admin's side: the role check, role changes and re-enabling, with the admin's name
in the audit log. An admin cannot demote or disable their own account, so the last
admin cannot lock everyone out by a slip of the mouse.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import select

from langnghe.errors import UserError
from langnghe.records import utcnow
from langnghe.settings import Settings
from triage.db import session_scope
from triage.models import AuditLog, User
from triage.users import add_user as _add_user
from triage.users import check_role, disable_user
from triage.workflow import Actor, require_admin


def _name(username: str) -> str:
    return unicodedata.normalize("NFC", username or "").strip().lower()


def add_account(settings: Settings, actor: Actor, username: str, password: str, role: str,
                display_name: str = "") -> User:
    require_admin(actor)
    return _add_user(settings, username, password, role, display_name=display_name, actor=actor.username)


def set_role(settings: Settings, actor: Actor, username: str, role: str) -> None:
    require_admin(actor)
    check_role(role)
    name = _name(username)
    if name == actor.username and role != "admin":
        raise UserError("you cannot take the admin role from your own account. Ask another admin to do it.")
    with session_scope(settings) as session:
        user = session.scalars(select(User).where(User.username == name)).one_or_none()
        if user is None:
            raise UserError(f"there is no user {name!r}. Reload the Users page.")
        if user.role == role:
            return
        old = user.role
        user.role = role
        session.add(AuditLog(at=utcnow(), actor=actor.username, action="user.role",
                             detail={"username": name, "from": old, "to": role}))


def set_active(settings: Settings, actor: Actor, username: str, active: bool) -> None:
    require_admin(actor)
    name = _name(username)
    if name == actor.username and not active:
        raise UserError("you cannot disable your own account. Ask another admin to do it.")
    if not active:
        disable_user(settings, name, actor=actor.username)
        return
    with session_scope(settings) as session:
        user = session.scalars(select(User).where(User.username == name)).one_or_none()
        if user is None:
            raise UserError(f"there is no user {name!r}. Reload the Users page.")
        user.active = True
        session.add(AuditLog(at=utcnow(), actor=actor.username, action="user.enable", detail={"username": name}))


def audit_log(settings: Settings, actor: Actor, limit: int = 100) -> list[dict]:
    """Recent audit entries (admin only): who changed accounts and models, and when."""
    require_admin(actor)
    with session_scope(settings, write=False) as session:
        rows = session.execute(
            select(AuditLog.at, AuditLog.actor, AuditLog.action, AuditLog.detail)
            .order_by(AuditLog.id.desc()).limit(limit)
        ).mappings().all()
    return [dict(r) for r in rows]
