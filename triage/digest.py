"""The daily digest: one local day's flagged stories, actions, open cards and support cases.

Statuses are as they stood at the end of that day (the latest event created before
midnight), so a digest of a past day reads the same whenever it is written. Written
as HTML (one page to mail or print) or XLSX (one sheet per table) by the output
file's extension.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select

from langnghe.errors import UserError
from langnghe.settings import Settings
from triage.db import session_scope
from triage.models import Cluster, Event, Item, Prediction, Rebuttal, Source, User
from triage.queue import current_prediction
from triage.reports import Table, write_html, write_xlsx
from triage.routing import department_for, routing_table
from triage.trends import day_bounds
from triage.vocabulary import CATEGORY_NAMES, STATUS_NAMES, TOPIC_NAMES, display
from triage.workflow import sla_due

OPEN = ("new", "in_review", "escalated")
TEXT_CHARS = 240
MAX_OPEN_ROWS = 200
FORMATS = (".html", ".htm", ".xlsx")


@dataclass
class Digest:
    day: date
    lang: str
    flagged: Table
    actions: Table
    replies: Table
    open_cards: Table
    support: Table
    figures: dict[str, int] = field(default_factory=dict)

    @property
    def tables(self) -> list[Table]:
        return [self.flagged, self.actions, self.replies, self.open_cards, self.support]

    @property
    def title(self) -> str:
        if self.lang == "en":
            return f"Lắng Nghe daily digest — {self.day:%d/%m/%Y}"
        return f"Lắng Nghe — bản tin ngày {self.day:%d/%m/%Y}"

    def intro(self) -> list[str]:
        f = self.figures
        if self.lang == "en":
            return [f"New or active flagged stories: {f['flagged']}",
                    f"Actions taken: {f['actions']} (replies posted: {f['replies']})",
                    f"Open cards at the end of the day: {f['open']} ({f['overdue']} overdue)",
                    f"Support cases (grievances) new or open: {f['support']}"]
        return [f"Tin cần xử lý mới hoặc có diễn biến trong ngày: {f['flagged']}",
                f"Hành động đã thực hiện: {f['actions']} (phản hồi đã đăng: {f['replies']})",
                f"Thẻ còn mở cuối ngày: {f['open']} (quá hạn: {f['overdue']})",
                f"Phản ánh của người lao động mới hoặc đang mở: {f['support']}"]

    def line(self) -> str:
        f = self.figures
        return (f"digest {self.day.isoformat()}: {f['flagged']} flagged stories, {f['actions']} actions, "
                f"{f['open']} open cards ({f['overdue']} overdue), {f['support']} support cases")


def _aware(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _statuses_at(session, cluster_ids: list[int], end: datetime) -> dict[int, str]:
    """Each card's status at ``end`` (``new`` when it had no event yet)."""
    out: dict[int, str] = {}
    for i in range(0, len(cluster_ids), 900):
        chunk = cluster_ids[i:i + 900]
        latest = (select(Event.cluster_id, func.max(Event.id).label("eid"))
                  .where(Event.cluster_id.in_(chunk), Event.created_at < end)
                  .group_by(Event.cluster_id).subquery())
        for cid, status in session.execute(
            select(latest.c.cluster_id, Event.status).join(Event, Event.id == latest.c.eid)
        ).all():
            out[cid] = status
    return {cid: out.get(cid, "new") for cid in cluster_ids}


def build_digest(settings: Settings, day: date, lang: str = "vi", now: datetime | None = None) -> Digest:
    """The digest of local ``day``; overdue is judged at the day's end (or ``now`` if earlier)."""
    tz = settings.timezone
    start, end = day_bounds(day, tz)
    local = ZoneInfo(tz)

    def loc(when: datetime | None) -> datetime | None:
        when = _aware(when)
        return when.astimezone(local).replace(tzinfo=None) if when else None

    def short(title: str | None, text: str | None) -> str:
        body = (title or text or "").strip().replace("\n", " ")
        return body[:TEXT_CHARS] + ("…" if len(body) > TEXT_CHARS else "")

    cols = [Cluster.id, Cluster.priority, Cluster.category, Cluster.topic, Cluster.size, Cluster.total_reach,
            Cluster.created_at, Cluster.flagged, Cluster.support, Item.title, Item.text, Item.url,
            Source.name.label("source")]
    with session_scope(settings, write=False) as session:
        base = (select(*cols).outerjoin(Item, Item.id == Cluster.representative_item_id)
                .outerjoin(Source, Source.id == Item.source_id))
        active = or_(and_(Cluster.created_at >= start, Cluster.created_at < end),
                     and_(Cluster.last_seen_at >= start, Cluster.last_seen_at < end))
        day_flagged = session.execute(
            base.where(Cluster.flagged.is_(True), active, Cluster.created_at < end)
            .order_by(Cluster.priority.desc(), Cluster.id)
        ).mappings().all()
        all_open_candidates = session.execute(
            base.where(or_(Cluster.flagged.is_(True), Cluster.support.is_(True)), Cluster.created_at < end)
            .order_by(Cluster.priority.desc(), Cluster.id)
        ).mappings().all()
        statuses = _statuses_at(session, [r["id"] for r in all_open_candidates], end)
        events = session.execute(
            select(Event.created_at, Event.cluster_id, Event.status, Event.note, Event.reason, User.username)
            .outerjoin(User, User.id == Event.user_id)
            .where(Event.created_at >= start, Event.created_at < end).order_by(Event.id)
        ).mappings().all()
        replies = session.execute(
            select(Rebuttal.posted_at, Rebuttal.cluster_id, Rebuttal.posted_where, Rebuttal.claim_id, Rebuttal.text,
                   Rebuttal.sources)
            .where(Rebuttal.posted_at >= start, Rebuttal.posted_at < end).order_by(Rebuttal.posted_at)
        ).mappings().all()
        support_ids = [r["id"] for r in all_open_candidates if r["support"]]
        facets = {}
        if support_ids:
            for cid, f in session.execute(
                select(Cluster.id, Prediction.facets)
                .join(Prediction, (Prediction.item_id == Cluster.representative_item_id) & current_prediction())
                .where(Cluster.id.in_(support_ids[:2000]))
            ).all():
                facets[cid] = f or {}

    deadline_ref = min(end, now or datetime.now(timezone.utc))

    def sla_cells(r: Any) -> tuple[datetime | None, str]:
        due = sla_due(r["priority"] or 0.0, _aware(r["created_at"]))
        late = statuses.get(r["id"], "new") in OPEN and due < deadline_ref
        return loc(due), ("QUÁ HẠN" if lang == "vi" else "OVERDUE") if late else ""

    yes = "có" if lang == "vi" else "yes"
    flagged = Table("flagged", ("Tin cần xử lý trong ngày", "Flagged stories of the day"),
                    [("Thẻ", "Card"), ("Ưu tiên", "Priority"), ("Loại", "Category"), ("Chủ đề", "Topic"),
                     ("Số bài", "Items"), ("Tương tác", "Reach"), ("Trạng thái cuối ngày", "Status at day end"),
                     ("Hạn xử lý", "Due"), ("Quá hạn", "Overdue"), ("Nguồn", "Source"), ("Nội dung", "Text"),
                     ("Đường dẫn", "Link")])
    for r in day_flagged:
        due, late = sla_cells(r)
        flagged.rows.append([r["id"], round(r["priority"] or 0.0, 3), display(CATEGORY_NAMES, r["category"], lang),
                             display(TOPIC_NAMES, r["topic"], lang), r["size"], r["total_reach"],
                             display(STATUS_NAMES, statuses.get(r["id"], "new"), lang), due, late, r["source"],
                             short(r["title"], r["text"]), r["url"]])
    actions = Table("actions", ("Hành động trong ngày", "Actions taken"),
                    [("Lúc", "At"), ("Thẻ", "Card"), ("Chuyển sang", "New status"), ("Cán bộ", "Staff"),
                     ("Lý do", "Reason"), ("Ghi chú", "Note")],
                    [[loc(e["created_at"]), e["cluster_id"], display(STATUS_NAMES, e["status"], lang),
                      e["username"] or "", e["reason"], e["note"]] for e in events])
    reply_table = Table("replies", ("Phản hồi đã đăng", "Replies posted"),
                        [("Lúc", "At"), ("Thẻ", "Card"), ("Đăng ở", "Posted where"), ("Luận điểm", "Claim"),
                         ("Nguồn chính thức", "Official sources"), ("Nội dung", "Text")],
                        [[loc(r["posted_at"]), r["cluster_id"], r["posted_where"], r["claim_id"],
                          "; ".join(r["sources"] or []), short(None, r["text"])] for r in replies])
    open_rows = [r for r in all_open_candidates if r["flagged"] and statuses.get(r["id"]) in OPEN]
    open_table = Table("open", ("Thẻ còn mở cuối ngày", "Open cards at day end"),
                       [("Thẻ", "Card"), ("Ưu tiên", "Priority"), ("Loại", "Category"),
                        ("Trạng thái", "Status"), ("Hạn xử lý", "Due"), ("Quá hạn", "Overdue"),
                        ("Nội dung", "Text"), ("Đường dẫn", "Link")])
    overdue = 0
    for r in open_rows:
        due, late = sla_cells(r)
        overdue += bool(late)
        if len(open_table.rows) < MAX_OPEN_ROWS:
            open_table.rows.append([r["id"], round(r["priority"] or 0.0, 3),
                                    display(CATEGORY_NAMES, r["category"], lang),
                                    display(STATUS_NAMES, statuses[r["id"]], lang), due, late,
                                    short(r["title"], r["text"]), r["url"]])
    routes = routing_table(settings)
    support = Table("support", ("Phản ánh của người lao động", "Support cases"),
                    [("Thẻ", "Card"), ("Chủ đề", "Topic"), ("Bộ phận", "Department"), ("Liên hệ", "Contact"),
                     ("Trạng thái", "Status"), ("Mới trong ngày", "New today"), ("Địa bàn", "Place"),
                     ("Doanh nghiệp", "Company"), ("Nội dung", "Text"), ("Đường dẫn", "Link")])
    for r in all_open_candidates:
        if not r["support"]:
            continue
        status = statuses.get(r["id"], "new")
        created = _aware(r["created_at"])
        new_today = start <= created < end
        if not new_today and status not in OPEN:
            continue
        dept = department_for(r["topic"], routes)
        f = facets.get(r["id"], {})
        support.rows.append([r["id"], display(TOPIC_NAMES, r["topic"], lang), dept.label(lang), dept.contact,
                             display(STATUS_NAMES, status, lang), yes if new_today else "",
                             ", ".join(f.get("place", [])), ", ".join(f.get("company", [])),
                             short(r["title"], r["text"]), r["url"]])
    figures = {"flagged": len(flagged.rows), "actions": len(actions.rows), "replies": len(reply_table.rows),
               "open": len(open_rows), "overdue": overdue, "support": len(support.rows)}
    return Digest(day, lang, flagged, actions, reply_table, open_table, support, figures)


def write_digest(digest: Digest, out: Path) -> Path:
    """Write the digest as HTML or XLSX, chosen by the file's extension."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"cannot write a digest as {out.name!r}. Give a file ending in .html or .xlsx.")
    if not out.parent.exists():
        raise UserError(f"the folder {out.parent} does not exist. Create it or choose another --out.")
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        if suffix == ".xlsx":
            cover = [(digest.title, "")] + [(line, "") for line in digest.intro()]
            write_xlsx(digest.tables, tmp, digest.lang, cover=cover)
        else:
            write_html(digest.title, digest.intro(), digest.tables, tmp, digest.lang)
        tmp.replace(out)
    except PermissionError as exc:
        raise UserError(f"cannot write {out} ({exc.strerror}). Choose a folder you can write to.") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return out
