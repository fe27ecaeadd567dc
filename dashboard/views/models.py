"""Models: the model versions in use (admin)."""

import json

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import t

auth.require("admin")
st.header(t("page_models"))
models_dir = data.settings().models_dir
for meta in sorted(models_dir.glob("*/metadata.json")):
    info = json.loads(meta.read_text(encoding="utf-8"))
    with st.expander(meta.parent.name):
        st.json({k: info.get(k) for k in ("task", "version", "created", "labels", "metrics") if k in info})
