"""Users (admin): add accounts, change roles, disable or enable — every change audit-logged."""

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import labels, t
from langnghe.errors import UserError
from triage.users import ROLES

user = auth.require("admin")
st.header(t("page_users"))

if "users_flash" in st.session_state:
    level, message = st.session_state.pop("users_flash")
    (st.error if level == "error" else st.success)(message)


def run(fn, *args, ok: str) -> None:
    try:
        fn(*args)
        st.session_state["users_flash"] = ("success", ok)
    except UserError as exc:
        st.session_state["users_flash"] = ("error", str(exc))
    st.rerun()


accounts = data.users_list()
st.subheader(t("users"))
st.dataframe(accounts.rename(columns={"username": t("username"), "display_name": t("display_name"),
                                      "role": t("role"), "active": t("active")}), hide_index=True)

with st.form("users_add_form", clear_on_submit=True):
    st.markdown(f"**{t('add_user')}**")
    a = st.columns(4)
    new_name = a[0].text_input(t("username"), key="users_new_name")
    new_display = a[1].text_input(t("display_name"), key="users_new_display")
    new_password = a[2].text_input(t("password"), type="password", key="users_new_password")
    new_role = a[3].selectbox(t("role"), ROLES, index=ROLES.index("analyst"), key="users_new_role",
                              format_func=labels(ROLES, lambda r: t("role_" + r)))
    if st.form_submit_button(t("add_user"), key="users_add_submit"):
        run(data.add_user, user, new_name, new_password, new_role, new_display, ok=t("user_added", name=new_name))

names = list(accounts["username"])
if names:
    st.markdown(f"**{t('change_role')}**")
    c = st.columns([2, 2, 1, 1, 1])
    who = c[0].selectbox(t("user"), names, key="users_target")
    role = c[1].selectbox(t("role"), ROLES, key="users_target_role", format_func=labels(ROLES, lambda r: t("role_" + r)))
    if c[2].button(t("save"), key="users_set_role"):
        run(data.set_role, user, who, role, ok=t("done"))
    if c[3].button(t("disable"), key="users_disable"):
        run(data.set_active, user, who, False, ok=t("done"))
    if c[4].button(t("enable"), key="users_enable"):
        run(data.set_active, user, who, True, ok=t("done"))

st.subheader(t("audit"))
st.dataframe(data.audit_entries(user), hide_index=True)
