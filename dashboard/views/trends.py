"""Trends: daily volume by category, topic, source and district; spikes; collection gaps."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.i18n import CATEGORY_NAMES, DISTRICT_NAMES, TOPIC_NAMES, fmt_day, labels, name, t

auth.require("viewer")
st.header(t("page_trends"))
DIMS = ("category", "topic", "source", "district")


def key_name(dimension: str, key: str) -> str:
    table = {"category": CATEGORY_NAMES, "topic": TOPIC_NAMES, "district": DISTRICT_NAMES}.get(dimension)
    return name(table, key) if table else key


c = st.columns([3, 2, 1.2])
dimension = c[0].radio(t("dimension"), DIMS, key="trends_dimension", horizontal=True,
                       format_func=labels(DIMS, lambda d: t("dim_" + d)))
days = c[1].slider(t("days"), min_value=7, max_value=90, value=28, step=7, key="trends_days")
flagged_only = c[2].toggle(t("flagged_only"), key="trends_flagged")

df = data.volume(dimension, days, flagged_only)
st.subheader(t("daily_volume"))
if df.empty:
    st.info(t("no_data"))
else:
    df = df.assign(key=df["key"].map(lambda k: key_name(dimension, k)), day=pd.to_datetime(df["day"]))
    chart = alt.Chart(df).mark_bar().encode(
        x=alt.X("day:T", title=t("day"), axis=alt.Axis(format="%d/%m")),
        y=alt.Y("sum(count):Q", title=t("count")),
        color=alt.Color("key:N", title=t("dim_" + dimension)),
        tooltip=[alt.Tooltip("day:T", title=t("day"), format="%d/%m/%Y"),
                 alt.Tooltip("key:N", title=t("dim_" + dimension)), alt.Tooltip("count:Q", title=t("count"))],
    ).properties(height=320)
    st.altair_chart(chart, width="stretch")
    totals = df.groupby("key", as_index=False)["count"].sum().sort_values("count", ascending=False)
    st.dataframe(totals.rename(columns={"key": t("dim_" + dimension), "count": t("count")}), hide_index=True)

st.subheader(t("spikes"))
found = data.spike_list(dimension, flagged_only)
if not found:
    st.caption(t("no_spikes"))
for s in found:
    st.warning("📈 " + t("spike_line", key=key_name(dimension, s["key"]), n=s["count"], mean=f"{s['mean']:.1f}"))
    if s["stories"]:
        st.caption(t("stories_behind"))
    for story in s["stories"]:
        cols = st.columns([7, 1.5, 1])
        text = (story["title"] or story["text"] or "")[:200]
        cols[0].markdown(f"**#{story['id']}** {text}")
        cols[1].caption(f"{name(CATEGORY_NAMES, story['category'])} · {story['items_today']}")
        if cols[2].button(t("open"), key=f"trends_open_{s['key']}_{story['id']}"):
            st.session_state["card_id"] = story["id"]
            st.switch_page("views/card.py")

st.subheader(t("gaps"))
gaps = data.gaps(14)
if gaps.empty:
    st.caption(t("no_gaps"))
else:
    gaps = gaps.assign(day=gaps["day"].map(fmt_day), kind=gaps["kind"].map(lambda k: t("gap_" + k)))
    st.dataframe(gaps.rename(columns={"source": t("source"), "day": t("day"), "kind": t("status"),
                                      "detail": t("note")}), hide_index=True)
