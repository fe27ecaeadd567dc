"""Every query and action the dashboard runs, in one place (pages stay thin).

Reads are cached with ``st.cache_data`` (short TTL; cleared after every action);
settings are a ``st.cache_resource``. Actions go through ``triage.workflow``, which
checks roles again, so the dashboard is not the only guard.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import func, select

from langnghe.settings import Settings, load_settings
from triage import queue as tq
from triage import workflow
from triage.db import session_scope
from triage.models import Claim, Cluster, CrawlRun, Event, Item, Prediction, Rebuttal, Source, User
from triage.workflow import Actor

TTL = 30


@st.cache_resource
def settings() -> Settings:
    return load_settings()


def clear() -> None:
    st.cache_data.clear()


# --- auth -----------------------------------------------------------------------------
def authenticate(username: str, password: str) -> Actor | None:
    from triage.users import verify_password

    if not username or not password:
        return None
    user = verify_password(settings(), username, password)
    if user is None:
        return None
    return Actor(id=user.id, username=user.username, role=user.role)


# --- queue ------------------------------------------------------------------------------
@st.cache_data(ttl=TTL)
def queue_cards(queue: str, statuses: tuple[str, ...], category: str | None, topic: str | None,
                limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    with session_scope(settings(), write=False) as session:
        return [asdict(c) for c in tq.cards(session, queue, statuses, category, topic, limit, offset)]


@st.cache_data(ttl=TTL)
def queue_size(queue: str, statuses: tuple[str, ...]) -> int:
    with session_scope(settings(), write=False) as session:
        return tq.queue_size(session, queue, statuses)


# --- card -------------------------------------------------------------------------------
@st.cache_data(ttl=TTL)
def card(cluster_id: int) -> dict[str, Any] | None:
    """A card: the cluster, its items with current predictions, events, claims, rebuttals."""
    with session_scope(settings(), write=False) as session:
        cluster = session.get(Cluster, cluster_id)
        if cluster is None:
            return None
        members = session.execute(
            select(Item.id, Item.kind, Item.title, Item.text, Item.url, Item.published_at,
                   Item.likes, Item.comments, Item.shares, Item.author_pseudonym, Source.name.label("source"),
                   Prediction.id.label("prediction_id"), Prediction.category, Prediction.category_proba,
                   Prediction.topic, Prediction.topic_proba, Prediction.toxicity, Prediction.explanation,
                   Prediction.facets, Prediction.claim_matches, Prediction.model_version)
            .join(Source, Source.id == Item.source_id)
            .join(Prediction, (Prediction.item_id == Item.id) & Prediction.current.is_(True))
            .where(Item.cluster_id == cluster_id)
            .order_by(Prediction.priority.desc(), Item.id)
            .limit(200)
        ).mappings().all()
        events = session.execute(
            select(Event.id, Event.status, Event.note, Event.reason, Event.created_at, User.username)
            .outerjoin(User, User.id == Event.user_id)
            .where(Event.cluster_id == cluster_id).order_by(Event.id)
        ).mappings().all()
        claim_ids: dict[int, float] = {}
        for m in members:
            for hit in m["claim_matches"] or []:
                claim_ids[hit["claim_id"]] = max(claim_ids.get(hit["claim_id"], 0.0), hit["score"])
        claims = []
        if claim_ids:
            for c in session.scalars(select(Claim).where(Claim.id.in_(claim_ids))):
                earlier = session.scalars(select(Rebuttal.text).where(Rebuttal.claim_id == c.id)
                                          .order_by(Rebuttal.id.desc()).limit(3)).all()
                claims.append({"id": c.id, "text": c.text, "verdict": c.verdict, "rebuttal": c.rebuttal,
                               "sources": c.sources, "score": claim_ids[c.id], "earlier": list(earlier)})
            claims.sort(key=lambda c: -c["score"])
        holder = workflow.lease_holder(session, cluster_id)
        holder_name = session.get(User, holder[0]).username if holder else None
        status = workflow.status_of(session, cluster_id)
        return {
            "id": cluster.id, "size": cluster.size, "total_reach": cluster.total_reach,
            "category": cluster.category, "topic": cluster.topic, "priority": cluster.priority,
            "flagged": cluster.flagged, "support": cluster.support, "status": status,
            "first_seen_at": cluster.first_seen_at, "last_seen_at": cluster.last_seen_at,
            "sla_due": workflow.sla_due(cluster.priority, cluster.first_seen_at or cluster.created_at),
            "members": [dict(m) for m in members], "events": [dict(e) for e in events],
            "claims": claims, "lease_holder": holder_name,
        }


def claim_card(cluster_id: int, actor: Actor) -> datetime:
    try:
        return workflow.claim(settings(), cluster_id, actor)
    finally:
        clear()


def release_card(cluster_id: int, actor: Actor) -> None:
    workflow.release(settings(), cluster_id, actor)
    clear()


def set_status(cluster_id: int, actor: Actor, status: str, note: str = "", reason: str = "",
               seen: dict[str, Any] | None = None) -> int:
    try:
        return workflow.transition(settings(), cluster_id, actor, status, note=note, reason=reason, seen=seen)
    finally:
        clear()


def save_rebuttal(cluster_id: int, actor: Actor, text: str, claim_id: int | None, sources: list[str],
                  posted_where: str, seen: dict[str, Any]) -> int:
    """Store the reply, then mark the card responded (one event)."""
    workflow.require_editor(actor)
    with session_scope(settings(), write=False) as session:
        session.add(Rebuttal(cluster_id=cluster_id, claim_id=claim_id, text=text, sources=sources,
                             posted_where=posted_where, posted_at=datetime.now(timezone.utc) if posted_where else None,
                             created_by=actor.id))
    return set_status(cluster_id, actor, "responded", note=posted_where, seen=seen)


def label_item(item_id: int, actor: Actor, task: str, value: str, prediction_id: int | None,
               shown_value: str | None) -> int:
    try:
        return workflow.add_label(settings(), item_id, actor, task, value, prediction_id, shown_value)
    finally:
        clear()


# --- overview ---------------------------------------------------------------------------
@st.cache_data(ttl=TTL)
def daily_volume(days: int = 28) -> pd.DataFrame:
    since = datetime.now(timezone.utc) - timedelta(days=days)
    with session_scope(settings(), write=False) as session:
        rows = session.execute(
            select(Item.published_at, Prediction.category, Prediction.topic, Source.name)
            .join(Prediction, (Prediction.item_id == Item.id) & Prediction.current.is_(True))
            .join(Source, Source.id == Item.source_id)
            .where(Item.published_at >= since)
        ).all()
    df = pd.DataFrame(rows, columns=["published_at", "category", "topic", "source"])
    if not df.empty:
        df["day"] = pd.to_datetime(df["published_at"], utc=True).dt.tz_convert(settings().timezone).dt.date
    return df


@st.cache_data(ttl=TTL)
def crawl_health(limit: int = 200) -> pd.DataFrame:
    with session_scope(settings(), write=False) as session:
        rows = session.execute(
            select(Source.name, Source.kind, CrawlRun.started_at, CrawlRun.finished_at, CrawlRun.status,
                   CrawlRun.pages_fetched, CrawlRun.items_new, CrawlRun.items_updated, CrawlRun.gap,
                   CrawlRun.skips, CrawlRun.errors)
            .join(Source, Source.id == CrawlRun.source_id)
            .order_by(CrawlRun.started_at.desc()).limit(limit)
        ).all()
    return pd.DataFrame(rows, columns=["source", "kind", "started_at", "finished_at", "status", "pages",
                                       "new", "updated", "gap", "skips", "errors"])


@st.cache_data(ttl=TTL)
def counts() -> dict[str, int]:
    with session_scope(settings(), write=False) as session:
        return {
            "items": int(session.scalar(select(func.count(Item.id))) or 0),
            "clusters": int(session.scalar(select(func.count(Cluster.id))) or 0),
        }


@st.cache_data(ttl=TTL)
def users_list() -> pd.DataFrame:
    """Accounts (no password hashes)."""
    with session_scope(settings(), write=False) as session:
        rows = session.execute(select(User.username, User.display_name, User.role, User.active, User.created_at)).all()
    return pd.DataFrame(rows, columns=["username", "display_name", "role", "active", "created_at"])
