"""Label: confirm or correct the model's category and topic (feeds retraining)."""

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import CATEGORY_NAMES, TOPIC_NAMES, name, t

user = auth.require("analyst")
st.header(t("page_label"))
cards = data.queue_cards("rebuttal", ("new", "in_review"), None, None, limit=20)
if not cards:
    st.info(t("queue_empty"))
for c in cards[:10]:
    card = data.card(c["cluster_id"])
    if not card or not card["members"]:
        continue
    item = card["members"][0]
    with st.container(border=True):
        st.markdown(item["text"][:400])
        cols = st.columns([2, 2, 1])
        cat = cols[0].selectbox(t("category"), list(CATEGORY_NAMES), index=list(CATEGORY_NAMES).index(item["category"]),
                                key=f"label_cat_{item['id']}", format_func=lambda k: name(CATEGORY_NAMES, k))
        top = cols[1].selectbox(t("topic"), list(TOPIC_NAMES), index=list(TOPIC_NAMES).index(item["topic"]) if item["topic"] in TOPIC_NAMES else 0,
                                key=f"label_topic_{item['id']}", format_func=lambda k: name(TOPIC_NAMES, k))
        if cols[2].button(t("confirm"), key=f"label_save_{item['id']}"):
            data.label_item(item["id"], user, "category", cat, item["prediction_id"], item["category"])
            data.label_item(item["id"], user, "topic", top, item["prediction_id"], item["topic"])
            st.success(t("done"))
