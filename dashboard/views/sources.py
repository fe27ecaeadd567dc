"""Sources & crawl health: recent crawl runs per source, gaps highlighted."""

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import t

auth.require("viewer")
st.header(t("page_sources"))
runs = data.crawl_health()
if runs.empty:
    st.info(t("queue_empty"))
    st.stop()
gaps = runs[runs["gap"]]
if not gaps.empty:
    st.warning(", ".join(sorted(set(gaps["source"]))))
st.dataframe(runs, hide_index=True)
