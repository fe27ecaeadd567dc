"""Support: workers' grievances grouped by topic, each sent to the department that can help."""

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import STATUS_NAMES, TOPIC_NAMES, fmt_time, labels, lang, name, t
from triage.routing import department_for, routing_table
from triage.workflow import TRANSITIONS, WorkflowError

user = auth.require("viewer")
editor = auth.can("analyst")
tz = data.tz()
st.header(t("page_support"))
st.caption(t("support_help"))
statuses = st.multiselect(
    t("status"), options=list(STATUS_NAMES), default=["new", "in_review"], key="support_status",
    format_func=labels(STATUS_NAMES, lambda s: name(STATUS_NAMES, s)),
)
status_tuple = tuple(statuses) or ("new", "in_review")
st.metric(t("support_cases"), data.queue_size("support", status_tuple))
cards = data.queue_cards("support", status_tuple, None, None, limit=200)
if not cards:
    st.info(t("queue_empty"))
routes = routing_table(data.settings())

if "support_flash" in st.session_state:
    level, message = st.session_state.pop("support_flash")
    (st.error if level == "error" else st.success)(message)

by_topic: dict[str, list] = {}
for c in cards:
    by_topic.setdefault(c["topic"] or "other", []).append(c)
for topic, group in sorted(by_topic.items(), key=lambda kv: -len(kv[1])):
    dept = department_for(topic, routes)
    with st.expander(f"{name(TOPIC_NAMES, topic)} — {len(group)} · ➜ {dept.label(lang())}", expanded=True):
        st.caption(f"{t('department')}: **{dept.label(lang())}** · {t('contact')}: {dept.contact or '—'}")
        for c in group:
            cols = st.columns([6, 2.2, 0.9, 1.1])
            cols[0].markdown(f"**#{c['cluster_id']}** {c['text'][:300]}")
            facets = c.get("facets") or {}
            found = " · ".join(
                f"{t('facet_' + k)}: {', '.join(facets[k])}" for k in ("place", "company") if facets.get(k)
            )
            cols[1].caption(f"{c['source']} · {fmt_time(c['published_at'], tz)}  \n"
                            f"{name(STATUS_NAMES, c['status'])}" + (f"  \n{found}" if found else ""))
            if cols[2].button(t("open"), key=f"support_open_{c['cluster_id']}"):
                st.session_state["card_id"] = c["cluster_id"]
                st.switch_page("views/card.py")
            if editor and "forwarded" in TRANSITIONS.get(c["status"], ()):
                if cols[3].button(t("forward_short"), key=f"support_forward_{c['cluster_id']}",
                                  help=t("forward_to", dept=dept.label(lang()))):
                    try:
                        data.forward_card(c["cluster_id"], user, dept.label(lang()), dept.contact,
                                          seen={"status": c["status"], "topic": topic, "source": "support"})
                        st.session_state["support_flash"] = ("success", t("forward_to", dept=dept.label(lang())))
                    except WorkflowError as exc:
                        st.session_state["support_flash"] = ("error", str(exc))
                    st.rerun()
