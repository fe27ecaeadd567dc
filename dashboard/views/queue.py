"""Queue: flagged stories (one card per cluster), worst first."""

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import CATEGORY_NAMES, STATUS_NAMES, TOPIC_NAMES, name, t

auth.require("viewer")
st.header(t("page_queue"))

cols = st.columns(3)
statuses = cols[0].multiselect(
    t("status"), options=list(STATUS_NAMES), default=["new", "in_review"], key="queue_status",
    format_func=lambda s: name(STATUS_NAMES, s),
)
category = cols[1].selectbox(
    t("category"), options=[None, "misinformation", "scam", "criticism", "neutral", "positive"],
    key="queue_category", format_func=lambda c: t("all") if c is None else name(CATEGORY_NAMES, c),
)
topic = cols[2].selectbox(
    t("topic"), options=[None, *TOPIC_NAMES], key="queue_topic",
    format_func=lambda c: t("all") if c is None else name(TOPIC_NAMES, c),
)

status_tuple = tuple(statuses) or ("new", "in_review")
st.metric(t("open_cards"), data.queue_size("rebuttal", status_tuple))
cards = data.queue_cards("rebuttal", status_tuple, category, topic, limit=50)
if not cards:
    st.info(t("queue_empty"))
for c in cards:
    with st.container(border=True):
        head = st.columns([6, 1.3, 1.2, 1.2, 1])
        title = c["title"] or c["text"][:140]
        head[0].markdown(f"**{title[:160]}**  \n{c['text'][:280]}")
        head[1].markdown(f"{name(CATEGORY_NAMES, c['category'])}  \n{name(TOPIC_NAMES, c['topic'])}")
        head[2].markdown(f"{t('priority')}: **{c['priority']:.2f}**  \n{name(STATUS_NAMES, c['status'])}")
        head[3].markdown(f"{t('size')}: {c['size']}  \n{t('reach')}: {c['total_reach']}")
        if head[4].button(t("open"), key=f"open_{c['cluster_id']}"):
            st.session_state["card_id"] = c["cluster_id"]
            st.switch_page("views/card.py")
