"""Trends: daily volume by category, topic and source."""

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import t

auth.require("viewer")
st.header(t("page_trends"))
df = data.daily_volume(28)
if df.empty:
    st.info(t("queue_empty"))
    st.stop()
dimension = st.radio(t("category"), ["category", "topic", "source"], key="trends_dimension", horizontal=True)
pivot = df.pivot_table(index="day", columns=dimension, values="published_at", aggfunc="count", fill_value=0)
st.bar_chart(pivot)
