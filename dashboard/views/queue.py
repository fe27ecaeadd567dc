"""Queue: flagged stories (one card per cluster), worst first, with SLA and bulk actions."""

import math

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import CATEGORY_NAMES, STATUS_NAMES, TOPIC_NAMES, fmt_time, labels, name, t
from triage.workflow import WorkflowError

PAGE_SIZE = 25
BULK_ACTIONS = ("in_review", "escalated", "dismissed")

user = auth.require("viewer")
editor = auth.can("analyst")
tz = data.tz()
st.header(t("page_queue"))
st.caption(t("priority_help"))

f = st.columns([2.2, 1.4, 1.4, 1.4, 1.4])
statuses = f[0].multiselect(
    t("status"), options=list(STATUS_NAMES), default=["new", "in_review"], key="queue_status",
    format_func=labels(STATUS_NAMES, lambda s: name(STATUS_NAMES, s)),
)
category = f[1].selectbox(
    t("category"), options=[None, "misinformation", "scam", "criticism", "neutral", "positive"],
    key="queue_category", format_func=labels([None, *CATEGORY_NAMES], lambda c: t("all") if c is None else name(CATEGORY_NAMES, c)),
)
topic = f[2].selectbox(
    t("topic"), options=[None, *TOPIC_NAMES], key="queue_topic",
    format_func=labels([None, *TOPIC_NAMES], lambda c: t("all") if c is None else name(TOPIC_NAMES, c)),
)
source_options = [None, *data.source_names()]
source = f[3].selectbox(t("source"), options=source_options, key="queue_source",
                        format_func=labels(source_options, lambda s: t("all") if s is None else s))
overdue_only = f[4].toggle(t("overdue_only"), key="queue_overdue")

status_tuple = tuple(statuses) or ("new", "in_review")
total = data.queue_size("rebuttal", status_tuple, category, topic, source, overdue_only)
overdue_total = data.queue_size("rebuttal", status_tuple, category, topic, source, True)
m = st.columns([1, 1, 1, 2.5])
m[0].metric(t("open_cards"), total)
m[1].metric(t("overdue_cards"), overdue_total)
pages = max(1, math.ceil(total / PAGE_SIZE))
if st.session_state.get("queue_page", 1) > pages:  # the filters shrank the queue
    st.session_state["queue_page"] = 1
page = m[2].number_input(f"{t('page_no')} ({t('of_pages')} {pages})", min_value=1, max_value=pages,
                         step=1, key="queue_page")
cards = data.queue_cards("rebuttal", status_tuple, category, topic, PAGE_SIZE, (int(page) - 1) * PAGE_SIZE,
                         source, overdue_only)
if not cards:
    st.info(t("queue_empty"))

if editor and cards:
    with st.expander(t("bulk_title")):
        b = st.columns([2, 2, 1])
        action = b[0].selectbox(t("bulk_action"), BULK_ACTIONS, key="queue_bulk_action",
                                format_func=labels(BULK_ACTIONS, lambda s: t("take") if s == "in_review" else name(STATUS_NAMES, s)))
        bulk_reason = b[1].text_input(t("reason"), key="queue_bulk_reason")
        if b[2].button(t("bulk_apply"), key="queue_bulk_apply"):
            chosen = [c["cluster_id"] for c in cards if st.session_state.get(f"queue_sel_{c['cluster_id']}")]
            if not chosen:
                st.warning(t("bulk_none"))
            else:
                done, refused = data.bulk_status(chosen, user, action, reason=bulk_reason)
                st.session_state["queue_flash"] = (len(done), refused)
                for cid in chosen:
                    st.session_state.pop(f"queue_sel_{cid}", None)
                st.rerun()
if "queue_flash" in st.session_state:
    n_done, refused = st.session_state.pop("queue_flash")
    st.success(t("bulk_done", n=n_done))
    for cid, why in refused.items():
        st.error(t("bulk_refused", id=cid, why=why))

for c in cards:
    with st.container(border=True):
        cols = st.columns([0.35, 6, 1.5, 1.7, 1.1, 1.3] if editor else [6, 1.5, 1.7, 1.1, 1.3])
        if editor:
            cols[0].checkbox(t("select"), key=f"queue_sel_{c['cluster_id']}", label_visibility="collapsed")
            cols = cols[1:]
        head = f"**#{c['cluster_id']} · {c['title'][:160]}**  \n{c['text'][:260]}" if c["title"] else \
            f"**#{c['cluster_id']}** · {c['text'][:320]}"
        cols[0].markdown(f"{head}  \n:gray[{c['source']} · {fmt_time(c['published_at'], tz)}]")
        cols[1].markdown(f"{name(CATEGORY_NAMES, c['category'])}  \n{name(TOPIC_NAMES, c['topic'])}")
        due = fmt_time(c["sla_due"], tz)
        sla = f":red[**⚠ {t('overdue')}** {due}]" if c["overdue"] else f"{t('due')}: {due}"
        cols[2].markdown(f"{t('priority')}: **{c['priority']:.2f}**  \n{name(STATUS_NAMES, c['status'])}  \n{sla}")
        cols[3].markdown(f"{t('size')}: {c['size']}  \n{t('reach')}: {c['total_reach']}")
        if cols[4].button(t("open"), key=f"open_{c['cluster_id']}"):
            st.session_state["card_id"] = c["cluster_id"]
            st.switch_page("views/card.py")
        if editor and c["status"] == "new" and cols[4].button(t("take"), key=f"take_{c['cluster_id']}"):
            try:
                data.take_card(c["cluster_id"], user, c["status"], {"priority": c["priority"], "size": c["size"],
                                                                     "source": "queue"})
                st.session_state["card_id"] = c["cluster_id"]
                st.switch_page("views/card.py")
            except WorkflowError as exc:
                st.error(str(exc))
