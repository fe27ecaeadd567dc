"""Users: who can sign in and with which role (admin). Add users with `langnghe users add`."""

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import t

auth.require("admin")
st.header(t("page_users"))
st.dataframe(data.users_list(), hide_index=True)
