"""Sources & crawl health: recent crawl runs per source, gaps and failures highlighted."""

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import fmt_day, t

auth.require("viewer")
st.header(t("page_sources"))
gaps = data.gaps(14)
if not gaps.empty:
    st.warning(f"{t('gap_sources')}: " + ", ".join(sorted(set(gaps["source"]))))
    shown = gaps.assign(day=gaps["day"].map(fmt_day), kind=gaps["kind"].map(lambda k: t("gap_" + k)))
    st.dataframe(shown.rename(columns={"source": t("source"), "day": t("day"), "kind": t("status"),
                                       "detail": t("note")}), hide_index=True)
st.subheader(t("recent_cycles"))
cycles = data.cycle_history()
if cycles.empty:
    st.info(t("no_data"))
else:
    st.dataframe(cycles, hide_index=True)
st.subheader(t("recent_runs"))
runs = data.crawl_health()
if runs.empty:
    st.info(t("no_data"))
else:
    st.dataframe(runs, hide_index=True)
