"""Models: the model in use per task, candidates trained from labels side by side, and
promotion or rollback by an admin (audit-logged)."""

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.i18n import t
from langnghe.errors import UserError

user = auth.require("admin")
st.header(t("page_models"))
st.caption(t("rescore_note"))

if "models_flash" in st.session_state:
    level, message = st.session_state.pop("models_flash")
    (st.error if level == "error" else st.success)(message)


def run(fn, *args, ok: str) -> None:
    try:
        result = fn(*args)
        st.session_state["models_flash"] = ("success", ok + (f" {result.reason}" if getattr(result, "reason", "") else ""))
    except UserError as exc:
        st.session_state["models_flash"] = ("error", str(exc))
    st.rerun()


TASKS = ("category", "topic", "toxicity")
for task, tab in zip(TASKS, st.tabs([t("task_" + task) for task in TASKS])):
    with tab:
        info = data.model_overview(task)
        arts = info["artifacts"]
        current = next((a for a in arts if a["current"]), None)
        st.markdown(f"**{t('current_model')}:** `{current['name']}` — macro-F1 {current['macro_f1']}"
                    if current else f"**{t('current_model')}:** —")
        cands = [a for a in arts if not a["current"] and (current is None or (a["created"] or "") > (current["created"] or ""))]
        st.subheader(t("candidates"))
        if not cands:
            st.caption(t("no_candidates"))
        for cand in cands:
            with st.container(border=True):
                st.markdown(f"`{cand['name']}` · {cand['created']}")
                cmp = next((c for c in info["comparisons"] if c.get("candidate") == cand["name"]), None)
                if cmp and cmp.get("candidate_metrics"):
                    cm, om = cmp["candidate_metrics"], cmp.get("current_metrics") or {}
                    rows = [["macro-F1", cm["macro_f1"], om.get("macro_f1")],
                            ["accuracy", cm["accuracy"], om.get("accuracy")]]
                    for label in sorted(set(cm.get("f1", {})) | set(om.get("f1", {}))):
                        rows.append([f"F1 {label}", cm.get("f1", {}).get(label), om.get("f1", {}).get(label)])
                    st.caption(f"{t('compare')}: {cmp.get('eval_set')} (n = {cmp.get('n_eval')})")
                    st.dataframe(pd.DataFrame(rows, columns=[t("metric"), cand["name"], cmp.get("current") or "—"]),
                                 hide_index=True)
                    if om and cm["macro_f1"] < om.get("macro_f1", 0):
                        st.warning(t("worse_warning"))
                else:
                    st.dataframe(pd.DataFrame(
                        [["macro-F1", cand["macro_f1"], current["macro_f1"] if current else None],
                         [t("eval_set"), cand["eval_set"], current["eval_set"] if current else None]],
                        columns=[t("metric"), cand["name"], current["name"] if current else "—"]), hide_index=True)
                p = st.columns([1, 2])
                force = p[1].checkbox(t("promote_anyway"), key=f"models_force_{cand['name']}")
                if p[0].button(t("promote"), key=f"models_promote_{cand['name']}", type="primary"):
                    run(data.promote_model, user, task, cand["name"], force, ok=t("promoted", name=cand["name"]))
        st.subheader(t("rollback"))
        others = [a["name"] for a in arts if not a["current"]]
        if others:
            r = st.columns([3, 1])
            target = r[0].selectbox(t("rollback"), others, key=f"models_rollback_to_{task}",
                                    label_visibility="collapsed")
            if r[1].button(t("rollback_do"), key=f"models_rollback_{task}"):
                run(data.rollback_model, user, task, target, ok=t("rolled_back", name=target))
        with st.expander(t("all_models")):
            st.dataframe(pd.DataFrame(arts), hide_index=True)
        if info["history"]:
            st.markdown(f"**{t('model_history')}**")
            st.dataframe(pd.DataFrame(info["history"]), hide_index=True)
