"""Six-monthly and yearly summaries, and the table writers shared with the digest.

A summary counts, for a period of local calendar days: items by category and topic
(current predictions, by publication day), items per month, and how the office
answered the cards created in the period — answered share, dismissed, still open, and
response times (card created → first ``responded``, or ``forwarded`` for support
cases), median and 90th percentile, and the share answered within the SLA.

Tables are plain :class:`Table` records (title and column names in both languages),
written to XLSX with openpyxl or to HTML, so the dashboard, the CLI and tests read the
same numbers.
"""

from __future__ import annotations

import html
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Sequence

from sqlalchemy import func, or_, select

from langnghe.errors import UserError
from triage.models import Cluster, Event, Item, Prediction
from triage.queue import current_prediction
from triage.trends import day_bounds
from triage.vocabulary import CATEGORY_NAMES, QUEUE_NAMES, TOPIC_NAMES, display
from triage.workflow import sla_due

ANSWERED = {"rebuttal": ("responded",), "support": ("forwarded", "responded")}


@dataclass
class Table:
    """One sheet or HTML table: titles and column names in (vi, en)."""

    key: str
    title: tuple[str, str]
    columns: list[tuple[str, str]]
    rows: list[list[Any]] = field(default_factory=list)

    def title_in(self, lang: str) -> str:
        return self.title[1] if lang == "en" else self.title[0]

    def header(self, lang: str) -> list[str]:
        return [c[1] if lang == "en" else c[0] for c in self.columns]

    def as_records(self, lang: str = "vi") -> list[dict[str, Any]]:
        head = self.header(lang)
        return [dict(zip(head, row)) for row in self.rows]


@dataclass(frozen=True)
class Period:
    label: str
    first: date
    last: date  # inclusive

    @classmethod
    def half_year(cls, year: int, half: int) -> "Period":
        if half not in (1, 2):
            raise UserError(f"half {half} does not exist. Use 1 (January-June) or 2 (July-December).")
        if half == 1:
            return cls(f"6 tháng đầu năm {year}", date(year, 1, 1), date(year, 6, 30))
        return cls(f"6 tháng cuối năm {year}", date(year, 7, 1), date(year, 12, 31))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(f"Năm {year}", date(year, 1, 1), date(year, 12, 31))


@dataclass
class Summary:
    period: Period
    tables: list[Table]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600.0, 1)


def _quantile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    cuts = statistics.quantiles(sorted(values), n=100, method="inclusive")
    return round(cuts[int(q * 100) - 1], 1)


def summarize(session, tz: str, period: Period, lang: str = "vi") -> Summary:
    """All summary tables of a period (names of categories/topics in ``lang``)."""

    def counts(lo: datetime, hi: datetime, *cols):
        """Items per value of ``cols`` published in [lo, hi), counted by the database."""
        return session.execute(
            select(*cols, func.count())
            .select_from(Item)
            .join(Prediction, (Prediction.item_id == Item.id) & current_prediction())
            .where(Item.published_at >= lo, Item.published_at < hi)
            .group_by(*cols)
        ).all()

    by_cat: Counter[str] = Counter()
    by_topic: Counter[str] = Counter()
    cross: Counter[tuple[str, str]] = Counter()
    monthly: dict[str, Counter[str]] = defaultdict(Counter)
    month = period.first.replace(day=1)
    while month <= period.last:  # one pass over the period, a month at a time
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        lo, _ = day_bounds(max(month, period.first), tz)
        hi, _ = day_bounds(min(following, period.last + timedelta(days=1)), tz)
        for topic, category, n in counts(lo, hi, Prediction.topic, Prediction.category):
            monthly[month.strftime("%Y-%m")][category] += n
            by_cat[category] += n
            by_topic[topic] += n
            cross[(topic, category)] += n
        month = following
    total = sum(by_cat.values()) or 1
    cats = [c for c in CATEGORY_NAMES if by_cat[c]] + sorted(set(by_cat) - set(CATEGORY_NAMES))

    volume_cat = Table("volume_category", ("Số bài theo loại", "Items by category"),
                       [("Loại", "Category"), ("Số bài", "Items"), ("Tỷ lệ %", "Share %")],
                       [[display(CATEGORY_NAMES, c, lang), by_cat[c], round(100 * by_cat[c] / total, 1)]
                        for c in cats])
    volume_topic = Table("volume_topic", ("Số bài theo chủ đề và loại", "Items by topic and category"),
                         [("Chủ đề", "Topic"), *[(display(CATEGORY_NAMES, c, "vi"), display(CATEGORY_NAMES, c, "en"))
                                                   for c in cats], ("Tổng", "Total")],
                         [[display(TOPIC_NAMES, tp, lang), *[cross[(tp, c)] for c in cats], n]
                          for tp, n in by_topic.most_common()])
    months = Table("volume_month", ("Số bài theo tháng", "Items by month"),
                   [("Tháng", "Month"), *[(display(CATEGORY_NAMES, c, "vi"), display(CATEGORY_NAMES, c, "en"))
                                           for c in cats], ("Tổng", "Total")],
                   [[m, *[monthly[m][c] for c in cats], sum(monthly[m].values())] for m in sorted(monthly)])
    start, _ = day_bounds(period.first, tz)
    _, end = day_bounds(period.last, tz)
    return Summary(period, [volume_cat, volume_topic, months, response_table(session, start, end, lang)])


def response_table(session, start: datetime, end: datetime, lang: str = "vi") -> Table:
    """How the cards created in [start, end) were answered, per queue and category."""
    clusters = session.execute(
        select(Cluster.id, Cluster.created_at, Cluster.priority, Cluster.category, Cluster.flagged, Cluster.support)
        .where(Cluster.created_at >= start, Cluster.created_at < end)
        .where(or_(Cluster.flagged.is_(True), Cluster.support.is_(True)))
    ).all()
    info = {c.id: c for c in clusters}
    events: dict[int, list[tuple[int, str, datetime]]] = defaultdict(list)
    ids = list(info)
    for chunk_start in range(0, len(ids), 900):
        chunk = ids[chunk_start:chunk_start + 900]
        for cid, eid, status, at in session.execute(
            select(Event.cluster_id, Event.id, Event.status, Event.created_at).where(Event.cluster_id.in_(chunk))
        ).all():
            events[cid].append((eid, status, at))
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for cid, c in info.items():
        queue = "rebuttal" if c.flagged else "support"
        g = groups.setdefault((queue, c.category or "—"), {"cards": 0, "answered": 0, "dismissed": 0,
                                                            "open": 0, "hours": [], "in_sla": 0})
        g["cards"] += 1
        history = sorted(events.get(cid, []))
        status = history[-1][1] if history else "new"
        answered_at = next((at for _, s, at in history if s in ANSWERED[queue]), None)
        if answered_at is not None:
            g["answered"] += 1
            created = c.created_at if c.created_at.tzinfo else c.created_at.replace(tzinfo=timezone.utc)
            g["hours"].append(max(0.0, _hours(answered_at - created)))
            if answered_at <= sla_due(c.priority or 0.0, created):
                g["in_sla"] += 1
        elif status == "dismissed":
            g["dismissed"] += 1
        elif status in ("new", "in_review", "escalated"):
            g["open"] += 1
    rows = []
    for (queue, category), g in sorted(groups.items()):
        cards = g["cards"]
        rows.append([
            display(QUEUE_NAMES, queue, lang), display(CATEGORY_NAMES, category, lang), cards, g["answered"],
            round(100 * g["answered"] / cards, 1) if cards else 0.0, g["dismissed"], g["open"],
            _quantile(g["hours"], 0.5), _quantile(g["hours"], 0.9),
            round(100 * g["in_sla"] / g["answered"], 1) if g["answered"] else None,
        ])
    return Table("responses", ("Phản hồi và thời gian xử lý", "Responses and response times"),
                 [("Hàng đợi", "Queue"), ("Loại", "Category"), ("Số thẻ", "Cards"), ("Đã trả lời", "Answered"),
                  ("Tỷ lệ trả lời %", "Share answered %"), ("Bỏ qua", "Dismissed"), ("Còn mở", "Open"),
                  ("Trung vị (giờ)", "Median hours"), ("90% trong (giờ)", "90th percentile hours"),
                  ("Đúng hạn %", "Within SLA %")], rows)


# --- writers --------------------------------------------------------------------------------
def write_xlsx(tables: Iterable[Table], target: Path | BinaryIO, lang: str = "vi",
               cover: list[tuple[str, Any]] | None = None) -> None:
    """One sheet per table (plus an optional cover sheet of key/value lines)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    first = wb.active
    used: set[str] = set()

    def sheet_name(title: str) -> str:
        name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
        base, n = name, 2
        while name in used:
            name = f"{base[:28]}({n})"
            n += 1
        used.add(name)
        return name

    if cover:
        first.title = sheet_name("Tóm tắt" if lang == "vi" else "Summary")
        for key, value in cover:
            first.append([key, value])
        first["A1"].font = Font(bold=True)
        first.column_dimensions["A"].width = 40
        first.column_dimensions["B"].width = 60
    else:
        wb.remove(first)
    for table in tables:
        ws = wb.create_sheet(sheet_name(table.title_in(lang)))
        ws.append(table.header(lang))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            ws.append([_cell(v) for v in row])
        for i, head in enumerate(table.header(lang), start=1):
            width = max([len(str(head))] + [len(str(r[i - 1] or "")) for r in table.rows[:200]])
            ws.column_dimensions[get_column_letter(i)].width = min(80, max(10, width + 2))
        ws.freeze_panes = "A2"
    wb.save(target)


def xlsx_bytes(tables: Iterable[Table], lang: str = "vi", cover: list[tuple[str, Any]] | None = None) -> bytes:
    buf = io.BytesIO()
    write_xlsx(tables, buf, lang, cover)
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones; values are already local
    if isinstance(value, (list, tuple, dict)):
        return ", ".join(map(str, value)) if not isinstance(value, dict) else str(value)
    return value


def html_table(table: Table, lang: str = "vi") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header(lang))
    body = []
    for row in table.rows:
        cells = []
        for v in row:
            if isinstance(v, str) and v.startswith(("http://", "https://")):
                cells.append(f'<td><a href="{html.escape(v)}">{html.escape(_short_url(v))}</a></td>')
            else:
                cells.append(f"<td>{html.escape(_text(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    empty = "Không có." if lang == "vi" else "None."
    rows = "".join(body) or f'<tr><td colspan="{len(table.columns)}">{empty}</td></tr>'
    return (f"<h2>{html.escape(table.title_in(lang))}</h2>\n"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def _short_url(url: str) -> str:
    return url if len(url) <= 60 else url[:57] + "…"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


HTML_STYLE = """
body { font-family: "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } .overdue { color: #b00020; font-weight: bold; }
.meta { color: #555; } ul.figures li { margin: 0.2em 0; }
"""


def write_html(title: str, intro: list[str], tables: Iterable[Table], target: Path, lang: str = "vi") -> None:
    parts = [f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">",
             f"<title>{html.escape(title)}</title><style>{HTML_STYLE}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>"]
    if intro:
        parts.append('<ul class="figures">' + "".join(f"<li>{html.escape(line)}</li>" for line in intro) + "</ul>")
    parts.extend(html_table(t, lang) for t in tables)
    parts.append("</body></html>")
    Path(target).write_text("\n".join(parts), encoding="utf-8")
