"""Card: one story — its items, why the model flagged it, matching claims, the reply editor."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import CATEGORY_NAMES, STATUS_NAMES, STRINGS, TOPIC_NAMES, fmt_time, labels, lang, name, t
from triage.rebuttals import VERDICTS, Reply
from triage.workflow import TRANSITIONS, WorkflowError

user = auth.require("viewer")
editor = auth.can("analyst")
tz = data.tz()
card_id = st.session_state.get("card_id")
if card_id is None:
    st.info(t("pick_card"))
    st.stop()
card = data.card(int(card_id))
if card is None:
    st.warning(t("pick_card"))
    st.stop()

kind = name(CATEGORY_NAMES, card["category"])
st.header(f"{t('page_card')} #{card['id']} — {kind} · {name(TOPIC_NAMES, card['topic'])}")
m = st.columns(5)
m[0].metric(t("status"), name(STATUS_NAMES, card["status"]))
m[1].metric(t("priority"), f"{card['priority']:.2f}")
m[2].metric(t("size"), card["size"])
m[3].metric(t("reach"), card["total_reach"])
m[4].metric(t("due"), fmt_time(card["sla_due"], tz))
if card["overdue"]:
    st.error(f"⚠ {t('overdue')} — {t('due')}: {fmt_time(card['sla_due'], tz, with_year=True)}")
if card["lease_holder"]:
    st.caption("🔒 " + t("held_by", who=card["lease_holder"]))

seen = {
    "cluster_id": card["id"], "status": card["status"], "priority": card["priority"], "size": card["size"],
    "prediction_ids": [mm["prediction_id"] for mm in card["members"][:20]],
}
allowed = TRANSITIONS.get(card["status"], frozenset())


def act(fn, *args, **kwargs) -> None:
    try:
        fn(*args, **kwargs)
    except WorkflowError as exc:
        st.session_state["card_flash"] = ("error", str(exc))
    else:
        st.session_state["card_flash"] = ("success", t("done"))
    st.rerun()


if "card_flash" in st.session_state:
    level, message = st.session_state.pop("card_flash")
    (st.error if level == "error" else st.success)(message)

if editor:
    a = st.columns([1.2, 1, 1.3, 2, 1])
    if a[0].button(t("claim_card") if card["status"] not in ("responded", "dismissed") else t("reopen"),
                   key="card_claim"):
        act(data.take_card, card["id"], user, card["status"], seen)
    if a[1].button(t("release_card"), key="card_release"):
        act(data.release_card, card["id"], user)
    if "escalated" in allowed and a[2].button(t("escalate"), key="card_escalate"):
        act(data.set_status, card["id"], user, "escalated", seen=seen)
    if "dismissed" in allowed:
        reason = a[3].text_input(t("reason"), key="card_dismiss_reason")
        if a[4].button(t("dismiss"), key="card_dismiss"):
            act(data.set_status, card["id"], user, "dismissed", reason=reason, seen=seen)
    if card["support"] and "forwarded" in allowed and card["department"]:
        dept = card["department"]
        dept_name = dept["name_en"] if lang() == "en" and dept["name_en"] else dept["name"]
        f = st.columns([3, 1])
        fnote = f[0].text_input(t("note"), key="card_forward_note")
        if f[1].button(t("forward_to", dept=dept_name), key="card_forward"):
            act(data.forward_card, card["id"], user, dept_name, dept["contact"], fnote, seen)
else:
    st.caption(t("viewer_readonly"))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("members"))
    for mm in card["members"][:30]:
        with st.container(border=True):
            st.markdown(f"**{mm['title'] or ''}** {mm['text'][:600]}")
            st.caption(f"{mm['source']} · {mm['kind']} · {fmt_time(mm['published_at'], tz)} · "
                       f"👍 {mm['likes']} 💬 {mm['comments']} 🔁 {mm['shares']} · "
                       f"{name(CATEGORY_NAMES, mm['category'])} {mm['category_proba']:.0%} · [link]({mm['url']})")
    if card["n_members"] > 30:
        st.caption(t("more_members", n=card["n_members"] - 30))
    st.subheader(t("history"))
    if not card["events"]:
        st.caption(t("none"))
    for e in card["events"]:
        extra = " · ".join(x for x in (e["reason"], e["note"]) if x)
        st.markdown(f"- {fmt_time(e['created_at'], tz)} **{e['username'] or '?'}** → "
                    f"{name(STATUS_NAMES, e['status'])} {extra}")

with right:
    lead = card["members"][0] if card["members"] else None
    if lead:
        st.subheader(t("why"))
        expl = lead["explanation"] or {}
        words = ", ".join(w for w, _ in expl.get("category", [])[:6])
        st.markdown(f"**{name(CATEGORY_NAMES, lead['category'])}** ({lead['category_proba']:.0%}) — "
                    f"{t('words')}: {words or '—'}")
        twords = ", ".join(w for w, _ in expl.get("topic", [])[:5])
        st.markdown(f"{t('topic')}: **{name(TOPIC_NAMES, lead['topic'])}** ({lead['topic_proba']:.0%}) — {twords or '—'}")
        if card["facets"]:
            st.caption(t("facets") + ": " + " · ".join(
                f"{t('facet_' + k) if 'facet_' + k in STRINGS else k}: {', '.join(v)}"
                for k, v in card["facets"].items() if v))

    st.subheader(t("suggested_claims"))
    if not card["claims"]:
        st.caption(t("no_claims"))
    for c in card["claims"]:
        with st.expander(f"{c['text'][:90]} ({c['score']:.2f})", expanded=c is card["claims"][0]):
            st.markdown(f"**{t('verdict')}:** {t('verdict_' + c['verdict']) if c['verdict'] in VERDICTS else c['verdict']}")
            if c["first_reply_at"] is not None:
                st.warning(t("came_back", n=c["recurrences"], s=c["recurrence_stories"],
                             d=fmt_time(c["first_reply_at"], tz, with_year=True)))
            else:
                st.caption(t("not_answered"))
            if c["rebuttal"]:
                st.markdown(f"**{t('official_reply')}:** {c['rebuttal']}")
            if c["sources"]:
                st.caption("; ".join(c["sources"]))
            if c["earlier"]:
                st.markdown(f"**{t('earlier_replies')}:**")
                for r in c["earlier"]:
                    st.caption(f"#{r['cluster_id']} · {fmt_time(r['posted_at'], tz, with_year=True)} · "
                               f"{r['posted_where'] or '—'} — {r['text'][:160]}")

    if card["replies"]:
        st.subheader(t("replies_of_card"))
        for r in card["replies"]:
            st.markdown(f"- {fmt_time(r['posted_at'], tz, with_year=True)} · {r['posted_where'] or '—'} "
                        f"({r['username'] or '?'})  \n  {r['text'][:300]}")
            if r["sources"]:
                st.caption("; ".join(r["sources"]))

    if editor and card["flagged"]:
        st.subheader(t("rebuttal_draft"))
        bases = ["blank"] + [f"claim:{c['id']}" for c in card["claims"]] + \
                [f"tpl:{i}" for i in range(len(card["templates"]))]

        def base_label(key: str) -> str:
            if key == "blank":
                return t("blank")
            kind_, ref = key.split(":")
            if kind_ == "claim":
                claim = next(c for c in card["claims"] if c["id"] == int(ref))
                return f"{t('from_claim')}: {claim['text'][:60]}"
            tpl = card["templates"][int(ref)]
            return f"{t('from_template')}: {tpl['title_en'] if lang() == 'en' and tpl['title_en'] else tpl['title']}"

        def apply_base() -> None:
            key = st.session_state["card_base"]
            text, sources = "", []
            if key.startswith("claim:"):
                claim = next(c for c in card["claims"] if c["id"] == int(key.split(":")[1]))
                text, sources = claim["rebuttal"], claim["sources"]
            elif key.startswith("tpl:"):
                tpl = card["templates"][int(key.split(":")[1])]
                text, sources = tpl["text"], tpl["sources"]
            st.session_state["card_rebuttal_text"] = text
            st.session_state["card_rebuttal_sources"] = "\n".join(sources)

        if st.session_state.get("card_editor_for") != card["id"]:
            st.session_state["card_editor_for"] = card["id"]
            st.session_state["card_base"] = bases[1] if len(bases) > 1 else "blank"
            apply_base()
            now_local = datetime.now(ZoneInfo(tz))
            st.session_state["card_posted_date"] = now_local.date()
            st.session_state["card_posted_time"] = now_local.time().replace(second=0, microsecond=0)
            st.session_state["card_claim_text"] = (lead["text"] if lead else "")[:300]
        st.selectbox(t("start_from"), bases, key="card_base", format_func=labels(bases, base_label), on_change=apply_base)
        text = st.text_area(t("reply_text"), key="card_rebuttal_text", height=200)
        sources = st.text_area(t("reply_sources"), key="card_rebuttal_sources", height=80)
        where = st.text_input(t("posted_where"), key="card_posted_where")
        w = st.columns(2)
        posted_day = w[0].date_input(t("posted_date"), key="card_posted_date", format="DD/MM/YYYY")
        posted_time = w[1].time_input(t("posted_time"), key="card_posted_time")
        claim_id = int(st.session_state["card_base"].split(":")[1]) if st.session_state["card_base"].startswith("claim:") else None
        new_claim, verdict = "", "false"
        if claim_id is None and st.checkbox(t("add_claim"), key="card_add_claim"):
            new_claim = st.text_area(t("claim_text"), key="card_claim_text", height=80)
            verdict = st.selectbox(t("verdict"), VERDICTS, key="card_claim_verdict",
                                   format_func=labels(VERDICTS, lambda v: t("verdict_" + v)))
        if card["status"] in ("in_review", "escalated", "forwarded"):
            if st.button(t("save_rebuttal"), key="card_save_rebuttal", type="primary"):
                posted_at = None
                if where.strip():
                    posted_at = datetime.combine(posted_day, posted_time, ZoneInfo(tz)).astimezone(timezone.utc)
                reply = Reply(text=text, sources=sources.splitlines(), posted_where=where, posted_at=posted_at,
                              claim_id=claim_id, new_claim_text=new_claim, new_claim_verdict=verdict,
                              topic=card["topic"])
                act(data.respond, card["id"], user, reply, seen)
        else:
            st.info(t("take_first"))
