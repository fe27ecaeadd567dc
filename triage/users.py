"""Dashboard accounts: argon2id password hashes, three roles, disable instead of delete.

Usernames are NFC-normalised, trimmed and lower-cased; passwords are NFC-normalised
before hashing and checking, so the same password typed with a different Vietnamese
input method (composed vs decomposed accents) still matches. Accounts are disabled,
never deleted, because events and labels keep pointing at who made them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from langnghe.errors import UserError
from langnghe.records import utcnow
from triage.db import get_engine, require_current_schema, session_scope
from triage.models import AuditLog, User

if TYPE_CHECKING:
    from langnghe.settings import Settings

ROLES: tuple[str, ...] = ("admin", "analyst", "viewer")
MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"^[\w.@-]{2,100}$")


@functools.lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so both cases take as long."""
    return _hasher().hash("langnghe-no-such-user")


def normalise_username(username: str) -> str:
    name = unicodedata.normalize("NFC", username or "").strip().lower()
    if not _USERNAME.match(name):
        raise UserError(
            f"the username {username!r} is not valid. "
            "Use 2-100 letters, digits, dots, dashes, underscores or @, without spaces."
        )
    return name


def _password(password: str) -> str:
    password = unicodedata.normalize("NFC", password or "")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password is too short. Use at least {MIN_PASSWORD_LENGTH} characters.")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"the role {role!r} does not exist. Use one of: {', '.join(ROLES)}.")
    return role


def _ready(settings: "Settings") -> None:
    require_current_schema(get_engine(settings))


def add_user(
    settings: "Settings", username: str, password: str, role: str, display_name: str = "", actor: str = "cli"
) -> User:
    """Create an active account; UserError if the name is taken or anything is invalid."""
    name = normalise_username(username)
    check_role(role)
    hashed = _hasher().hash(_password(password))
    _ready(settings)
    taken = UserError(f"the user {name!r} already exists. Choose another username or disable the old account.")
    try:
        with session_scope(settings) as session:
            if session.scalar(select(User.id).where(User.username == name)) is not None:
                raise taken
            user = User(
                username=name,
                display_name=unicodedata.normalize("NFC", display_name).strip(),
                password_hash=hashed,
                role=role,
                active=True,
                created_at=utcnow(),
            )
            session.add(user)
            session.add(AuditLog(at=utcnow(), actor=actor, action="user.add", detail={"username": name, "role": role}))
            session.flush()
    except IntegrityError as exc:  # created by someone else at the same moment
        raise taken from exc
    return user


def list_users(settings: "Settings") -> list[User]:
    _ready(settings)
    with session_scope(settings, write=False) as session:
        return list(session.scalars(select(User).order_by(User.username)))


def get_user(settings: "Settings", username: str) -> User | None:
    _ready(settings)
    name = unicodedata.normalize("NFC", username or "").strip().lower()
    with session_scope(settings, write=False) as session:
        return session.scalars(select(User).where(User.username == name)).one_or_none()


def disable_user(settings: "Settings", username: str, actor: str = "cli") -> User:
    """Stop an account from logging in (kept for the history it is part of)."""
    _ready(settings)
    name = unicodedata.normalize("NFC", username or "").strip().lower()
    with session_scope(settings) as session:
        user = session.scalars(select(User).where(User.username == name)).one_or_none()
        if user is None:
            raise UserError(f"there is no user {name!r}. See the accounts with `langnghe users list`.")
        user.active = False
        session.add(AuditLog(at=utcnow(), actor=actor, action="user.disable", detail={"username": name}))
    return user


def verify_password(settings: "Settings", username: str, password: str) -> User | None:
    """The active user with this password, else None.

    Takes the same time whether the user exists or not (a dummy hash is checked), and
    upgrades the stored hash when the hashing parameters have changed since.
    """
    _ready(settings)
    name = unicodedata.normalize("NFC", username or "").strip().lower()
    password = unicodedata.normalize("NFC", password or "")
    hasher = _hasher()
    with session_scope(settings, write=False) as session:
        user = session.scalars(select(User).where(User.username == name)).one_or_none()
    stored = user.password_hash if user is not None else _dummy_hash()
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if hasher.check_needs_rehash(stored):
        user.password_hash = hasher.hash(password)
        with session_scope(settings) as session:
            session.execute(update(User).where(User.id == user.id).values(password_hash=user.password_hash))
    return user
