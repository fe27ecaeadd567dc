"""Alerts without opening the dashboard: new urgent stories, spikes, collection gaps.

Each alert has a key (``cluster:42``, ``spike:2026-11-27:scam``, ``gap:demo-news:2026-11-27``);
a key is sent once (``alert_log`` has it unique). At most ``alert_max_per_hour`` alerts
go out per hour; the rest are recorded as ``suppressed`` and named in the next sent
alert's footer, so nothing is silently lost. Channels: email (SMTP settings) and a JSON
webhook POST.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from langnghe.settings import Settings
from triage.db import session_scope
from triage.models import AlertLog, Cluster, CrawlRun, Item, Source

log = logging.getLogger(__name__)

@dataclass
class Alert:
    key: str
    kind: str  # cluster | spike | gap
    title: str
    body: str
    payload: dict[str, Any] = field(default_factory=dict)


def detect(settings: Settings, now: datetime | None = None) -> list[Alert]:
    """The alerts that hold now (sent or not)."""
    now = now or datetime.now(timezone.utc)
    alerts: list[Alert] = []
    with session_scope(settings, write=False) as session:
        for c in session.scalars(
            select(Cluster).where(Cluster.flagged.is_(True), Cluster.priority >= settings.alert_min_priority,
                                  Cluster.created_at >= now - timedelta(days=1))
            .order_by(Cluster.priority.desc()).limit(50)
        ):
            item = session.get(Item, c.representative_item_id) if c.representative_item_id else None
            text = (item.title or item.text)[:200] if item else ""
            alerts.append(Alert(
                f"cluster:{c.id}", "cluster",
                f"Tin cần xử lý gấp ({c.category}, ưu tiên {c.priority:.2f}, {c.size} bài)",
                text, {"cluster_id": c.id, "category": c.category, "priority": c.priority, "size": c.size,
                       "reach": c.total_reach, "url": item.url if item else None},
            ))
        alerts.extend(_spikes(session, settings, now))
        for name, started in session.execute(
            select(Source.name, CrawlRun.started_at).join(Source, Source.id == CrawlRun.source_id)
            .where(CrawlRun.gap.is_(True), CrawlRun.started_at >= now - timedelta(days=1))
        ).all():
            day = started.astimezone(ZoneInfo(settings.timezone)).date().isoformat()
            alerts.append(Alert(
                f"gap:{name}:{day}", "gap", f"Nguồn '{name}' không thu được dữ liệu",
                f"Lần thu thập lúc {started:%H:%M %d/%m} không có bài nào trong khi trước đó có. Kiểm tra nguồn.",
                {"source": name, "day": day},
            ))
    return alerts


def _spikes(session, settings: Settings, now: datetime) -> list[Alert]:
    """Flagged items per category today against the trailing 28 days (the Trends rule)."""
    from triage.trends import spikes

    day = now.astimezone(ZoneInfo(settings.timezone)).date()
    return [
        Alert(
            f"spike:{s.day.isoformat()}:{s.key}", "spike",
            f"Tăng đột biến: {s.count} bài '{s.key}' hôm nay",
            f"Trung bình 28 ngày qua: {s.mean:.1f}/ngày.",
            {"category": s.key, "today": s.count, "mean_28d": s.mean, "day": s.day.isoformat(),
             "clusters": [cid for cid, _ in s.clusters]},
        )
        for s in spikes(session, settings.timezone, "category", day=day, flagged_only=True)
    ]


def _record(settings: Settings, alert: Alert, status: str, now: datetime) -> bool:
    """Insert the alert's key; False when it was already recorded (dedup).

    A key whose sending failed earlier is taken again (retried), not deduplicated.
    """
    try:
        with session_scope(settings) as session:
            session.add(AlertLog(key=alert.key, kind=alert.kind, status=status, created_at=now,
                                 payload={"title": alert.title, "body": alert.body, **alert.payload}))
        return True
    except IntegrityError:
        with session_scope(settings) as session:
            row = session.scalar(select(AlertLog).where(AlertLog.key == alert.key, AlertLog.status == "failed"))
            if row is None:
                return False
            row.status, row.created_at = status, now
            return True


def _sent_last_hour(settings: Settings, now: datetime) -> int:
    with session_scope(settings, write=False) as session:
        return int(session.scalar(
            select(func.count(AlertLog.id)).where(AlertLog.status == "sent", AlertLog.created_at >= now - timedelta(hours=1))
        ) or 0)


def send_email(settings: Settings, alert: Alert, footer: str = "") -> None:
    msg = EmailMessage()
    msg["Subject"] = f"[Lắng Nghe] {alert.title}"
    msg["From"] = settings.smtp_from
    msg["To"] = ", ".join(settings.alert_emails)
    msg.set_content(f"{alert.body}\n\n{json.dumps(alert.payload, ensure_ascii=False, default=str)}\n{footer}")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_user:
            smtp.starttls()
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(msg)


def send_webhook(settings: Settings, alert: Alert, footer: str = "") -> None:
    body = json.dumps({**asdict(alert), "footer": footer}, ensure_ascii=False, default=str).encode("utf-8")
    request = urllib.request.Request(settings.alert_webhook, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - configured URL
        response.read()


def check_and_send(settings: Settings, now: datetime | None = None) -> int:
    """Detect, deduplicate, rate-limit and send. Returns the number sent."""
    now = now or datetime.now(timezone.utc)
    budget = max(0, settings.alert_max_per_hour - _sent_last_hour(settings, now))
    sent = 0
    suppressed: list[str] = []
    for alert in detect(settings, now):
        if budget <= 0:
            if _record(settings, alert, "suppressed", now):
                suppressed.append(alert.key)
            continue
        if not _record(settings, alert, "sent", now):
            continue  # already sent or suppressed before
        footer = f"(+{len(suppressed)} cảnh báo bị hoãn do giới hạn tần suất)" if suppressed else ""
        try:
            if settings.alert_emails and settings.smtp_host:
                send_email(settings, alert, footer)
            if settings.alert_webhook:
                send_webhook(settings, alert, footer)
        except (OSError, smtplib.SMTPException, urllib.error.URLError) as exc:
            log.warning("alert %s could not be sent: %s", alert.key, exc)
            _mark(settings, alert.key, "failed")
            continue
        sent += 1
        budget -= 1
    return sent


def _mark(settings: Settings, key: str, status: str) -> None:
    with session_scope(settings) as session:
        row = session.scalar(select(AlertLog).where(AlertLog.key == key))
        if row is not None:
            row.status = status
