"""Build small stores for triage tests through the ORM (real SQLite / PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from langnghe.records import content_hash
from triage.db import session_scope
from triage.models import Cluster, Item, Prediction, Source, User

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)


def add_users(settings) -> dict[str, int]:
    ids = {}
    with session_scope(settings) as s:
        for name, role in (("an", "analyst"), ("binh", "analyst"), ("xem", "viewer"), ("quan", "admin")):
            u = User(username=name, password_hash="x", role=role)
            s.add(u)
            s.flush()
            ids[name] = u.id
    return ids


def add_item(settings, text: str, category: str = "misinformation", topic: str = "union_dues_funds",
             toxicity: str = "clean", proba: float = 0.9, likes: int = 0, hours_ago: float = 1.0,
             source: str = "test-source", url: str | None = None, cluster: bool = False) -> int:
    """One item with a current prediction (and, if asked, its own cluster)."""
    from triage import priority as prio

    with session_scope(settings) as s:
        src = s.query(Source).filter_by(name=source).one_or_none()
        if src is None:
            src = Source(name=source, kind="rss", url="http://127.0.0.1/")
            s.add(src)
            s.flush()
        when = NOW - timedelta(hours=hours_ago)
        item = Item(source_id=src.id, kind="post", url=url or f"http://127.0.0.1/p/{abs(hash(text))}",
                    content_hash=content_hash(text), text=text, published_at=when, fetched_at=when,
                    likes=likes)
        s.add(item)
        s.flush()
        r = prio.route(category, proba, toxicity, proba)
        s.add(Prediction(item_id=item.id, model_version="test-1", category=category, category_proba=proba,
                         topic=topic, topic_proba=proba, toxicity=toxicity, toxicity_proba=proba,
                         flagged=r.flagged, support=r.support,
                         priority=prio.priority(r.confidence if r.flagged else 0, likes, 0, 0, when, 1.0, NOW)))
        if cluster:
            c = Cluster(key=item.content_hash, representative_item_id=item.id, size=1, category=category,
                        topic=topic, flagged=r.flagged, support=r.support, priority=1.0,
                        first_seen_at=when, last_seen_at=when)
            s.add(c)
            s.flush()
            item.cluster_id = c.id
        return item.id


def cluster_of(settings, item_id: int) -> int | None:
    with session_scope(settings, write=False) as s:
        return s.get(Item, item_id).cluster_id
