"""Login and roles. Every page and every action asks here first.

Roles: admin (everything), analyst (work cards, label), viewer (read only).
Unauthenticated visitors see only the login form.
"""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.i18n import t
from triage.workflow import Actor

ROLE_RANK = {"viewer": 0, "analyst": 1, "admin": 2}


def current_user() -> Actor | None:
    """The signed-in user, re-checked against the accounts table (a disabled account is
    signed out and a changed role applies at once, not at the next login)."""
    user = st.session_state.get("user")
    if user is None:
        return None
    state = data.account_state(user.id)
    if state is None or not state[1]:
        st.session_state.pop("user", None)
        return None
    if state[0] != user.role:
        user = Actor(user.id, user.username, state[0])
        st.session_state["user"] = user
    return user


def can(action_role: str) -> bool:
    """True when the signed-in user has at least ``action_role``."""
    user = current_user()
    return user is not None and ROLE_RANK.get(user.role, -1) >= ROLE_RANK[action_role]


def require(role: str = "viewer") -> Actor:
    """Stop the page unless the user has the role (pages call this first)."""
    user = current_user()
    if user is None or not can(role):
        st.error(t("no_access") if user else t("login_needed"))
        st.stop()
    return user


def login_form() -> None:
    st.title(t("app_title"))
    st.caption(t("tagline"))
    with st.form("login_form"):
        username = st.text_input(t("username"), key="login_username")
        password = st.text_input(t("password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login"), key="login_submit")
    if submitted:
        user = data.authenticate(username.strip(), password)
        if user is None:
            st.error(t("login_failed"))
        else:
            st.session_state["user"] = user
            st.rerun()


def logout() -> None:
    st.session_state.pop("user", None)
