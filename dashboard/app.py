"""Lắng Nghe dashboard: the one entry file (``st.navigation``); pages live in views/.

Unauthenticated visitors see only the login form; pages are offered by role, and each
page checks the role again (``auth.require``) before showing anything.
"""

from __future__ import annotations

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import t

st.set_page_config(page_title="Lắng Nghe", page_icon="👂", layout="wide")

if "lang" not in st.session_state:  # the office's setting; each person may switch
    st.session_state["lang"] = "en" if data.settings().language == "en" else "vi"

with st.sidebar:
    st.radio(
        t("language"), options=["vi", "en"], key="lang", horizontal=True,
        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code],
    )

user = auth.current_user()
if user is None:
    auth.login_form()
    st.stop()

PAGES = [
    # (file, title key, icon, minimum role)
    ("views/queue.py", "page_queue", "🚨", "viewer"),
    ("views/card.py", "page_card", "🗂️", "viewer"),
    ("views/support.py", "page_support", "🤝", "viewer"),
    ("views/label.py", "page_label", "🏷️", "analyst"),
    ("views/trends.py", "page_trends", "📈", "viewer"),
    ("views/reports.py", "page_reports", "📄", "viewer"),
    ("views/sources.py", "page_sources", "🛰️", "viewer"),
    ("views/models.py", "page_models", "🧠", "admin"),
    ("views/users.py", "page_users", "👥", "admin"),
]
pages = [
    st.Page(path, title=t(key), icon=icon, url_path=path.split("/")[-1].removesuffix(".py"))
    for path, key, icon, role in PAGES
    if auth.can(role)
]
with st.sidebar:
    st.caption(f"{t('signed_in_as')}: **{user.username}** ({t('role_' + user.role)})")
    if st.button(t("logout"), key="logout_button"):
        auth.logout()
        st.rerun()

st.navigation(pages).run()
