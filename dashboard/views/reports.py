"""Reports: volumes by category and topic for the chosen period."""

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import t

auth.require("viewer")
st.header(t("page_reports"))
df = data.daily_volume(365)
if df.empty:
    st.info(t("queue_empty"))
    st.stop()
st.dataframe(df.pivot_table(index="topic", columns="category", values="published_at", aggfunc="count", fill_value=0))
