"""Reports: six-monthly and yearly summary tables (XLSX download) and the daily digest."""

from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.i18n import labels, lang, t

auth.require("viewer")
st.header(t("page_reports"))

c = st.columns([1, 2])
year = c[0].selectbox(t("year"), data.years_with_data(), key="reports_year")
this_half = 1 if datetime.now(ZoneInfo(data.tz())).month <= 6 else 2
half = c[1].radio(t("period"), [1, 2, None], index=this_half - 1, key="reports_half", horizontal=True,
                  format_func=labels([1, 2, None], lambda h: t("full_year") if h is None else t(f"half_{h}")))
summary = data.summary(int(year), half, lang())
st.subheader(summary.period.label)
for table in summary.tables:
    st.markdown(f"**{table.title_in(lang())}**")
    if table.rows:
        st.dataframe(pd.DataFrame(table.rows, columns=table.header(lang())), hide_index=True)
    else:
        st.caption(t("none"))
    if table.key == "volume_category" and table.rows:
        chart = pd.DataFrame(table.rows, columns=table.header(lang())).set_index(table.header(lang())[0])
        st.bar_chart(chart.iloc[:, [0]], height=220)
suffix = f"{year}" + (f"-H{half}" if half else "")
# Files are made when the button is clicked (a callable), not on every run of the page.
st.download_button(t("download_xlsx"), data=partial(data.summary_xlsx, int(year), half, lang()),
                   file_name=f"langnghe-{suffix}.xlsx", key="reports_download_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

st.subheader(t("digest"))
today = datetime.now(ZoneInfo(data.tz())).date()
day = st.date_input(t("digest_day"), value=today, max_value=today, key="reports_digest_day", format="DD/MM/YYYY")
d = st.columns(2)
d[0].download_button(t("download_digest_html"), data=partial(data.digest_bytes, day, "html", lang()),
                     file_name=f"langnghe-digest-{day.isoformat()}.html", mime="text/html",
                     key="reports_digest_html")
d[1].download_button(t("download_digest_xlsx"), data=partial(data.digest_bytes, day, "xlsx", lang()),
                     file_name=f"langnghe-digest-{day.isoformat()}.xlsx", key="reports_digest_xlsx",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
