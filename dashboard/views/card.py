"""Card: one story — its items, why the model flagged it, history, and the actions."""

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import CATEGORY_NAMES, STATUS_NAMES, TOPIC_NAMES, name, t
from triage.workflow import WorkflowError

user = auth.require("viewer")
card_id = st.session_state.get("card_id")
if card_id is None:
    st.info(t("pick_card"))
    st.stop()
card = data.card(int(card_id))
if card is None:
    st.warning(t("pick_card"))
    st.stop()

st.header(f"{t('page_card')} #{card['id']} — {name(CATEGORY_NAMES, card['category'])}")
m = st.columns(5)
m[0].metric(t("status"), name(STATUS_NAMES, card["status"]))
m[1].metric(t("priority"), f"{card['priority']:.2f}")
m[2].metric(t("size"), card["size"])
m[3].metric(t("reach"), card["total_reach"])
m[4].metric("SLA", f"{card['sla_due']:%d/%m %H:%M}")
if card["lease_holder"]:
    st.caption(f"🔒 {card['lease_holder']}")

lead = card["members"][0] if card["members"] else None
seen = {
    "cluster_id": card["id"], "status": card["status"], "priority": card["priority"],
    "size": card["size"], "prediction_ids": [mm["prediction_id"] for mm in card["members"][:20]],
}

def act(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
        st.success(t("done"))
        st.rerun()
    except WorkflowError as exc:
        st.error(str(exc))

if auth.can("analyst"):
    a = st.columns(5)
    if a[0].button(t("claim_card"), key="card_claim"):
        try:
            data.claim_card(card["id"], user)
            if card["status"] == "new":
                data.set_status(card["id"], user, "in_review", seen=seen)
            st.rerun()
        except WorkflowError as exc:
            st.error(str(exc))
    if a[1].button(t("release_card"), key="card_release"):
        act(data.release_card, card["id"], user)
    if a[2].button(t("escalate"), key="card_escalate"):
        act(data.set_status, card["id"], user, "escalated", seen=seen)
    reason = a[3].text_input(t("reason"), key="card_dismiss_reason")
    if a[4].button(t("dismiss"), key="card_dismiss"):
        act(data.set_status, card["id"], user, "dismissed", reason=reason, seen=seen)
else:
    st.caption(t("viewer_readonly"))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("members"))
    for mm in card["members"]:
        with st.container(border=True):
            st.markdown(f"**{mm['title'] or ''}** {mm['text'][:600]}")
            st.caption(
                f"{mm['source']} · {mm['kind']} · {mm['published_at']:%d/%m/%Y %H:%M} · 👍 {mm['likes']} 💬 {mm['comments']} 🔁 {mm['shares']} · [link]({mm['url']})"
                if mm["published_at"] else f"{mm['source']} · {mm['kind']} · [link]({mm['url']})"
            )
    st.subheader(t("history"))
    for e in card["events"]:
        st.markdown(f"- {e['created_at']:%d/%m %H:%M} **{e['username'] or '?'}** → {name(STATUS_NAMES, e['status'])} {e['reason'] or ''} {e['note'] or ''}")
with right:
    if lead:
        st.subheader(t("why"))
        words = ", ".join(f"{w}" for w, _ in (lead["explanation"] or {}).get("category", [])[:5])
        st.markdown(f"{name(CATEGORY_NAMES, lead['category'])} ({lead['category_proba']:.0%}) — {words}")
        st.markdown(f"{t('topic')}: {name(TOPIC_NAMES, lead['topic'])} ({lead['topic_proba']:.0%})")
        facets = lead["facets"] or {}
        if any(facets.values()):
            st.caption(" · ".join(f"{k}: {', '.join(v)}" for k, v in facets.items() if v))
    st.subheader(t("suggested_claims"))
    for c in card["claims"]:
        with st.expander(f"{c['text'][:90]} ({c['score']:.2f})"):
            st.markdown(c["rebuttal"])
            st.caption("; ".join(c["sources"]))
    if auth.can("analyst") and card["flagged"]:
        st.subheader(t("rebuttal_draft"))
        default = card["claims"][0]["rebuttal"] if card["claims"] else ""
        text = st.text_area(t("rebuttal_draft"), value=default, key="card_rebuttal_text", height=180)
        where = st.text_input(t("posted_where"), key="card_posted_where")
        if st.button(t("save_rebuttal"), key="card_save_rebuttal"):
            claim_id = card["claims"][0]["id"] if card["claims"] else None
            sources = card["claims"][0]["sources"] if card["claims"] else []
            act(data.save_rebuttal, card["id"], user, text, claim_id, sources, where, seen)
