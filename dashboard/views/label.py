"""Label: confirm or correct the model's category and topic in one click (feeds retraining).

Two modes: the open cards of the queue, or "label next", where ``nlp.active`` picks the
posts the model is least sure about and that differ from each other. Every label keeps
the prediction that was on screen.
"""

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import CATEGORY_NAMES, TOPIC_NAMES, fmt_time, labels, name, t
from langnghe.errors import UserError
from triage.workflow import WorkflowError

user = auth.require("analyst")
tz = data.tz()
st.header(t("page_label"))
st.metric(t("labelled_count"), data.label_count())
mode = st.radio(t("label_mode"), ["queue", "next"], key="label_mode", horizontal=True,
                format_func=labels(["queue", "next"], lambda m: t("label_mode_queue") if m == "queue" else t("label_mode_next")))

if "label_flash" in st.session_state:
    level, message = st.session_state.pop("label_flash")
    (st.error if level == "error" else st.success)(message)

CATS = list(CATEGORY_NAMES)
TOPICS = list(TOPIC_NAMES)


def label_form(item: dict) -> None:
    iid = item["id"]
    with st.container(border=True):
        body = f"**{item['title']}**  \n{item['text'][:700]}" if item["title"] else item["text"][:700]
        st.markdown(body)
        st.caption(f"{item['source']} · {fmt_time(item['published_at'], tz)} · [link]({item['url']})")
        words = ", ".join(w for w, _ in (item["explanation"] or {}).get("category", [])[:5])
        st.caption(f"{t('model_said')}: **{name(CATEGORY_NAMES, item['category'])}** ({item['category_proba']:.0%}), "
                   f"**{name(TOPIC_NAMES, item['topic'])}** ({item['topic_proba']:.0%}) — {words}")
        cols = st.columns([2, 2, 1.4])
        cat = cols[0].selectbox(t("category"), CATS, index=CATS.index(item["category"]) if item["category"] in CATS else 0,
                                key=f"label_cat_{iid}", format_func=labels(CATS, lambda k: name(CATEGORY_NAMES, k)))
        top = cols[1].selectbox(t("topic"), TOPICS, index=TOPICS.index(item["topic"]) if item["topic"] in TOPICS else 0,
                                key=f"label_topic_{iid}", format_func=labels(TOPICS, lambda k: name(TOPIC_NAMES, k)))
        if cols[2].button(t("label_save"), key=f"label_save_{iid}", type="primary"):
            try:
                data.label_both(iid, user, cat, top, item["prediction_id"], item["category"], item["topic"])
                st.session_state["label_flash"] = ("success", t("done"))
            except WorkflowError as exc:
                st.session_state["label_flash"] = ("error", str(exc))
            st.rerun()
        return None


if mode == "queue":
    items = data.label_items(data.queue_label_ids(10))
    if not items:
        st.info(t("queue_empty"))
    for item in items:
        label_form(item)
else:
    st.caption(t("label_next_help"))
    try:
        ids = data.active_label_ids(10)
    except UserError:
        ids = None
        st.warning(t("no_model"))
    if ids is not None:
        skipped = st.session_state.setdefault("label_skipped", [])
        items = [i for i in data.label_items(ids) if i["id"] not in skipped]
        if not items:
            st.info(t("label_done_all"))
        else:
            label_form(items[0])
            if st.button(t("label_skip"), key="label_skip"):
                skipped.append(items[0]["id"])
                st.rerun()
