"""Support: workers' grievances grouped by topic, to be helped (never rebutted)."""

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import STATUS_NAMES, TOPIC_NAMES, name, t

auth.require("viewer")
st.header(t("page_support"))
statuses = st.multiselect(
    t("status"), options=list(STATUS_NAMES), default=["new", "in_review"], key="support_status",
    format_func=lambda s: name(STATUS_NAMES, s),
)
status_tuple = tuple(statuses) or ("new", "in_review")
cards = data.queue_cards("support", status_tuple, None, None, limit=200)
st.metric(t("open_cards"), data.queue_size("support", status_tuple))
if not cards:
    st.info(t("queue_empty"))
by_topic: dict[str, list] = {}
for c in cards:
    by_topic.setdefault(c["topic"] or "other", []).append(c)
for topic, group in sorted(by_topic.items(), key=lambda kv: -len(kv[1])):
    with st.expander(f"{name(TOPIC_NAMES, topic)} — {len(group)}", expanded=True):
        for c in group:
            cols = st.columns([7, 1.5, 1])
            cols[0].markdown(f"{c['text'][:300]}")
            cols[1].caption(f"{c['source']} · {name(STATUS_NAMES, c['status'])}")
            if cols[2].button(t("open"), key=f"support_open_{c['cluster_id']}"):
                st.session_state["card_id"] = c["cluster_id"]
                st.switch_page("views/card.py")
