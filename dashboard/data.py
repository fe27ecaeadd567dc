"""Every query and action the dashboard runs, in one place (pages stay thin).

Reads are cached with ``st.cache_data`` (short TTL; cleared after every action) and
return plain, picklable values (dicts, DataFrames, triage records); settings, the
claim matcher and the active-learning model are ``st.cache_resource``. Actions go
through triage (``workflow``, ``rebuttals``, ``accounts``, ``retrain``), which checks
the role again, so the dashboard is never the only guard.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timezone
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import func, select

from langnghe.records import nfc
from langnghe.settings import Settings, load_settings
from triage import queue as tq
from triage import workflow
from triage.db import session_scope
from triage.queue import current_prediction
from triage.models import Claim, Cluster, CrawlRun, Event, Item, Label, Prediction, Rebuttal, Source, User
from triage.workflow import Actor

TTL = 30
#: Unlabelled recent items the active learner chooses from (predicting them is the cost).
LABEL_POOL = 400


@st.cache_resource
def settings() -> Settings:
    return load_settings()


def clear() -> None:
    st.cache_data.clear()


def tz() -> str:
    return settings().timezone


# --- auth -----------------------------------------------------------------------------
def authenticate(username: str, password: str) -> Actor | None:
    from triage.users import verify_password

    if not username or not password:
        return None
    user = verify_password(settings(), username, password)
    if user is None:
        return None
    return Actor(id=user.id, username=user.username, role=user.role)


@st.cache_data(ttl=15)
def account_state(user_id: int) -> tuple[str, bool] | None:
    """(role, active) of an account as stored now."""
    with session_scope(settings(), write=False) as session:
        row = session.execute(select(User.role, User.active).where(User.id == user_id)).one_or_none()
    return (row[0], bool(row[1])) if row else None


# --- queue ------------------------------------------------------------------------------
def _with_sla(card: dict[str, Any], now: datetime) -> dict[str, Any]:
    since = card.get("created_at") or card.get("first_seen_at") or now
    card["sla_due"] = workflow.sla_due(card["priority"] or 0.0, since)
    card["overdue"] = card["status"] in ("new", "in_review", "escalated") and card["sla_due"] < now
    return card


@st.cache_data(ttl=TTL)
def queue_cards(queue: str, statuses: tuple[str, ...], category: str | None, topic: str | None,
                limit: int = 25, offset: int = 0, source: str | None = None,
                overdue_only: bool = False) -> list[dict[str, Any]]:
    now = datetime.now(timezone.utc)
    with session_scope(settings(), write=False) as session:
        rows = tq.cards(session, queue, statuses, category, topic, limit, offset, source=source,
                        overdue_only=overdue_only, now=now)
        out = [_with_sla(asdict(c), now) for c in rows]
        if queue == "support" and out:
            facets = dict(session.execute(
                select(Prediction.item_id, Prediction.facets)
                .where(Prediction.item_id.in_([c["item_id"] for c in out]), current_prediction())
            ).all())
            for c in out:
                c["facets"] = facets.get(c["item_id"]) or {}
        return out


@st.cache_data(ttl=TTL)
def queue_size(queue: str, statuses: tuple[str, ...], category: str | None = None, topic: str | None = None,
               source: str | None = None, overdue_only: bool = False) -> int:
    with session_scope(settings(), write=False) as session:
        return tq.queue_size(session, queue, statuses, category, topic, source, overdue_only)


@st.cache_data(ttl=300)
def source_names() -> list[str]:
    with session_scope(settings(), write=False) as session:
        return list(session.scalars(select(Source.name).order_by(Source.name)))


# --- card -------------------------------------------------------------------------------
@st.cache_resource(ttl=300)
def _claim_matcher(version: tuple[int, int]):
    """A matcher over the claim library (refitted when claims are added)."""
    if not version[0]:
        return None
    try:
        from nlp.claims import ClaimMatcher
    except ImportError:  # pragma: no cover - nlp without claim matching
        return None
    with session_scope(settings(), write=False) as session:
        claims = [(c.id, c.text) for c in session.scalars(select(Claim))]
    return ClaimMatcher().fit(claims) if claims else None


def _live_claim_matches(session, text: str) -> list[tuple[int, float]]:
    version = tuple(session.execute(select(func.count(Claim.id), func.coalesce(func.max(Claim.id), 0))).one())
    matcher = _claim_matcher(version)
    if matcher is None or not text.strip():
        return []
    return matcher.match([text], k=3)[0]


@st.cache_data(ttl=TTL)
def card(cluster_id: int) -> dict[str, Any] | None:
    """A card: the cluster, its items with current predictions, events, claims, replies."""
    from triage.rebuttals import earlier_replies, load_templates, recurrences
    from triage.routing import department_for, routing_table

    with session_scope(settings(), write=False) as session:
        cluster = session.get(Cluster, cluster_id)
        if cluster is None:
            return None
        members = session.execute(
            select(Item.id, Item.kind, Item.title, Item.text, Item.url, Item.published_at,
                   Item.likes, Item.comments, Item.shares, Source.name.label("source"),
                   Prediction.id.label("prediction_id"), Prediction.category, Prediction.category_proba,
                   Prediction.topic, Prediction.topic_proba, Prediction.toxicity, Prediction.toxicity_proba,
                   Prediction.explanation, Prediction.facets, Prediction.claim_matches, Prediction.model_version,
                   Prediction.priority)
            .join(Source, Source.id == Item.source_id)
            .join(Prediction, (Prediction.item_id == Item.id) & current_prediction())
            .where(Item.cluster_id == cluster_id)
            .order_by((Item.id == cluster.representative_item_id).desc(), Prediction.priority.desc(), Item.id)
            .limit(100)
        ).mappings().all()
        n_members = int(session.scalar(select(func.count(Item.id)).where(Item.cluster_id == cluster_id)) or 0)
        events = session.execute(
            select(Event.id, Event.status, Event.note, Event.reason, Event.created_at, User.username)
            .outerjoin(User, User.id == Event.user_id)
            .where(Event.cluster_id == cluster_id).order_by(Event.id)
        ).mappings().all()
        claim_scores: dict[int, float] = {}
        for m in members:
            for hit in m["claim_matches"] or []:
                cid = int(hit["claim_id"])
                claim_scores[cid] = max(claim_scores.get(cid, 0.0), float(hit["score"]))
        lead = members[0] if members else None
        if lead is not None:
            lead_text = f"{lead['title']}\n{lead['text']}" if lead["title"] else lead["text"]
            for cid, score in _live_claim_matches(session, lead_text):
                claim_scores[cid] = max(claim_scores.get(cid, 0.0), score)
        claims = []
        if claim_scores:
            back = recurrences(session, claim_scores)
            for c in session.scalars(select(Claim).where(Claim.id.in_(list(claim_scores)))):
                rec = back.get(c.id)
                claims.append({
                    "id": c.id, "text": c.text, "verdict": c.verdict, "rebuttal": c.rebuttal,
                    "sources": list(c.sources or []), "topic": c.topic, "score": claim_scores[c.id],
                    "earlier": earlier_replies(session, c.id),
                    "first_reply_at": rec.first_reply_at if rec else None,
                    "recurrences": rec.items if rec else 0, "recurrence_stories": rec.stories if rec else 0,
                })
            claims.sort(key=lambda c: -c["score"])
        replies = session.execute(
            select(Rebuttal.id, Rebuttal.text, Rebuttal.sources, Rebuttal.posted_where, Rebuttal.posted_at,
                   Rebuttal.claim_id, Rebuttal.created_at, User.username)
            .outerjoin(User, User.id == Rebuttal.created_by)
            .where(Rebuttal.cluster_id == cluster_id).order_by(Rebuttal.id)
        ).mappings().all()
        holder = workflow.lease_holder(session, cluster_id)
        holder_name = session.get(User, holder[0]).username if holder else None
        status = workflow.status_of(session, cluster_id)
    facets: dict[str, list[str]] = {}
    for m in members:
        for key, values in (m["facets"] or {}).items():
            for v in values or []:
                if v not in facets.setdefault(key, []):
                    facets[key].append(v)
    templates = load_templates()
    fitting = templates.for_card(cluster.topic, cluster.category)
    created = cluster.created_at or cluster.first_seen_at
    now = datetime.now(timezone.utc)
    due = workflow.sla_due(cluster.priority or 0.0, created)
    dept = department_for(cluster.topic, routing_table(settings())) if cluster.support else None
    return {
        "id": cluster.id, "size": cluster.size, "n_members": n_members, "total_reach": cluster.total_reach,
        "category": cluster.category, "topic": cluster.topic, "priority": cluster.priority,
        "flagged": cluster.flagged, "support": cluster.support, "status": status,
        "created_at": created, "first_seen_at": cluster.first_seen_at, "last_seen_at": cluster.last_seen_at,
        "sla_due": due, "overdue": status in ("new", "in_review", "escalated") and due < now,
        "members": [dict(m) for m in members], "events": [dict(e) for e in events],
        "claims": claims, "lease_holder": holder_name, "facets": facets,
        "replies": [dict(r) for r in replies],
        "templates": [{"title": tp.title, "title_en": tp.title_en, "sources": list(tp.sources),
                       "text": templates.render(tp, facets)} for tp in fitting],
        "department": asdict(dept) if dept else None,
    }


# --- actions (each clears the cache; triage checks the role again) ---------------------------
def take_card(cluster_id: int, actor: Actor, status: str, seen: dict[str, Any]) -> None:
    """Claim the lease, and move a new (or closed, to reopen it) card into review."""
    try:
        workflow.claim(settings(), cluster_id, actor)
        if status in ("new", "responded", "dismissed"):
            workflow.transition(settings(), cluster_id, actor, "in_review", seen=seen)
    finally:
        clear()


def claim_card(cluster_id: int, actor: Actor) -> datetime:
    try:
        return workflow.claim(settings(), cluster_id, actor)
    finally:
        clear()


def release_card(cluster_id: int, actor: Actor) -> None:
    workflow.require_editor(actor)
    try:
        workflow.release(settings(), cluster_id, actor)
    finally:
        clear()


def set_status(cluster_id: int, actor: Actor, status: str, note: str = "", reason: str = "",
               seen: dict[str, Any] | None = None) -> int:
    try:
        return workflow.transition(settings(), cluster_id, actor, status, note=nfc(note).strip(),
                                   reason=nfc(reason).strip(), seen=seen)
    finally:
        clear()


def bulk_status(cluster_ids: list[int], actor: Actor, status: str, reason: str = "") -> tuple[list[int], dict[int, str]]:
    """One decision on several cards (each card is a whole story)."""
    try:
        if status == "in_review":  # "take": lease each card first, then move the new ones
            done: list[int] = []
            refused: dict[int, str] = {}
            for cid in cluster_ids:
                try:
                    with session_scope(settings(), write=False) as session:
                        current = workflow.status_of(session, cid)
                    workflow.claim(settings(), cid, actor)
                    if current != "in_review":
                        workflow.transition(settings(), cid, actor, "in_review", seen={"bulk": True})
                    done.append(cid)
                except workflow.WorkflowError as exc:
                    refused[cid] = str(exc)
            return done, refused
        return workflow.bulk_transition(settings(), cluster_ids, actor, status, reason=nfc(reason).strip(),
                                        seen={"source": "queue"})
    finally:
        clear()


def forward_card(cluster_id: int, actor: Actor, department: str, contact: str, note: str = "",
                 seen: dict[str, Any] | None = None) -> int:
    seen = {**(seen or {}), "department": department, "contact": contact}
    text = f"{department}" + (f" — {note}" if note else "")
    return set_status(cluster_id, actor, "forwarded", note=text, seen=seen)


def respond(cluster_id: int, actor: Actor, reply, seen: dict[str, Any]) -> int:
    """Store the reply and mark the card responded (``triage.rebuttals.respond``)."""
    from triage.rebuttals import respond as _respond

    try:
        return _respond(settings(), cluster_id, actor, reply, seen=seen)
    finally:
        clear()


def label_item(item_id: int, actor: Actor, task: str, value: str, prediction_id: int | None,
               shown_value: str | None) -> int:
    try:
        return workflow.add_label(settings(), item_id, actor, task, value, prediction_id, shown_value)
    finally:
        clear()


def label_both(item_id: int, actor: Actor, category: str, topic: str, prediction_id: int | None,
               shown_category: str | None, shown_topic: str | None) -> None:
    """Category and topic in one click (each label keeps what the model showed)."""
    label_item(item_id, actor, "category", category, prediction_id, shown_category)
    label_item(item_id, actor, "topic", topic, prediction_id, shown_topic)


# --- labelling -------------------------------------------------------------------------------
_ITEM_COLS = (Item.id, Item.title, Item.text, Item.url, Source.name.label("source"), Item.published_at,
              Prediction.id.label("prediction_id"), Prediction.category, Prediction.category_proba,
              Prediction.topic, Prediction.topic_proba, Prediction.explanation)


def _labelled_ids(session, item_ids: list[int]) -> set[int]:
    if not item_ids:
        return set()
    return set(session.scalars(select(Label.item_id).where(Label.item_id.in_(item_ids), Label.task == "category")))


@st.cache_data(ttl=TTL)
def label_items(item_ids: tuple[int, ...]) -> list[dict[str, Any]]:
    """Items (text + current prediction) to label, in the given order; labelled ones dropped."""
    if not item_ids:
        return []
    with session_scope(settings(), write=False) as session:
        rows = session.execute(
            select(*_ITEM_COLS)
            .join(Source, Source.id == Item.source_id)
            .join(Prediction, (Prediction.item_id == Item.id) & current_prediction())
            .where(Item.id.in_(list(item_ids)))
        ).mappings().all()
        done = _labelled_ids(session, list(item_ids))
    by_id = {r["id"]: dict(r) for r in rows}
    return [by_id[i] for i in item_ids if i in by_id and i not in done]


@st.cache_data(ttl=TTL)
def queue_label_ids(limit: int = 10) -> tuple[int, ...]:
    """Representative items of the top open rebuttal cards that nobody labelled yet."""
    with session_scope(settings(), write=False) as session:
        ids = [c.item_id for c in tq.cards(session, "rebuttal", tq.OPEN_STATUSES, limit=limit * 3)]
        done = _labelled_ids(session, ids)
    return tuple(i for i in ids if i not in done)[:limit]


@st.cache_resource(ttl=600)
def _category_pipeline():
    from nlp.artifacts import current_path, load_artifact

    return load_artifact(current_path(settings().models_dir, "category")).pipeline


@st.cache_data(ttl=300)
def active_label_ids(k: int = 10) -> tuple[int, ...]:
    """``k`` unlabelled recent items chosen by ``nlp.active`` (uncertain and diverse)."""
    from nlp.active import select_for_labelling

    with session_scope(settings(), write=False) as session:
        labelled = select(Label.item_id).where(Label.task == "category")
        rows = session.execute(
            select(Item.id, Item.title, Item.text)
            .join(Prediction, (Prediction.item_id == Item.id) & current_prediction())
            .where(Item.id.not_in(labelled))
            .order_by(Item.id.desc()).limit(LABEL_POOL)
        ).all()
    if not rows:
        return ()
    texts = [f"{r.title}\n{r.text}" if r.title else r.text for r in rows]
    picked = select_for_labelling(_category_pipeline(), texts, k)
    return tuple(rows[i].id for i in picked)


@st.cache_data(ttl=TTL)
def label_count() -> int:
    with session_scope(settings(), write=False) as session:
        return int(session.scalar(select(func.count(func.distinct(Label.item_id)))) or 0)


# --- trends -------------------------------------------------------------------------------
@st.cache_data(ttl=120)
def volume(dimension: str, days: int = 28, flagged_only: bool = False) -> pd.DataFrame:
    from triage.trends import daily_volume

    with session_scope(settings(), write=False) as session:
        rows = daily_volume(session, tz(), dimension, days, flagged_only=flagged_only)
    return pd.DataFrame([asdict(r) for r in rows], columns=["day", "key", "count"])


@st.cache_data(ttl=120)
def spike_list(dimension: str, flagged_only: bool = False) -> list[dict[str, Any]]:
    from triage.trends import cluster_briefs, spikes

    with session_scope(settings(), write=False) as session:
        found = spikes(session, tz(), dimension, flagged_only=flagged_only)
        briefs = cluster_briefs(session, {cid for s in found for cid, _ in s.clusters})
    return [{**asdict(s), "stories": [{**briefs[cid], "items_today": n} for cid, n in s.clusters if cid in briefs]}
            for s in found]


@st.cache_data(ttl=120)
def gaps(days: int = 14) -> pd.DataFrame:
    from triage.trends import collection_gaps

    with session_scope(settings(), write=False) as session:
        found = collection_gaps(session, tz(), days)
    return pd.DataFrame([asdict(g) for g in found], columns=["source", "day", "kind", "detail"])


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
    df = pd.DataFrame(rows, columns=["source", "kind", "started_at", "finished_at", "status", "pages",
                                     "new", "updated", "gap", "skips", "errors"])
    for col in ("started_at", "finished_at"):
        df[col] = pd.to_datetime(df[col], utc=True).dt.tz_convert(tz()).dt.tz_localize(None)
    for col in ("skips", "errors"):
        df[col] = df[col].map(lambda d: ", ".join(f"{k}: {v}" for k, v in (d or {}).items()))
    return df


# --- reports -------------------------------------------------------------------------------
def _period(year: int, half: int | None):
    from triage.reports import Period

    return Period.year(year) if half is None else Period.half_year(year, half)


@st.cache_data(ttl=300)
def summary(year: int, half: int | None, lang: str):
    from triage.reports import summarize

    with session_scope(settings(), write=False) as session:
        return summarize(session, tz(), _period(year, half), lang)


@st.cache_data(ttl=300)
def summary_xlsx(year: int, half: int | None, lang: str) -> bytes:
    from triage.reports import xlsx_bytes

    s = summary(year, half, lang)
    return xlsx_bytes(s.tables, lang, cover=[(s.period.label, ""), ("Lắng Nghe", "")])


@st.cache_data(ttl=120)
def digest(day: date, lang: str):
    from triage.digest import build_digest

    return build_digest(settings(), day, lang)


@st.cache_data(ttl=120)
def digest_bytes(day: date, fmt: str, lang: str) -> bytes:
    import tempfile
    from pathlib import Path

    from triage.digest import write_digest

    with tempfile.TemporaryDirectory() as tmp:
        path = write_digest(digest(day, lang), Path(tmp) / f"digest.{fmt}")
        return path.read_bytes()


@st.cache_data(ttl=300)
def years_with_data() -> list[int]:
    with session_scope(settings(), write=False) as session:
        first, last = session.execute(select(func.min(Item.published_at), func.max(Item.published_at))).one()
    this_year = datetime.now(timezone.utc).year
    if first is None:
        return [this_year]
    return list(range(max(last.year, this_year), first.year - 1, -1))


# --- models -------------------------------------------------------------------------------
@st.cache_data(ttl=60)
def model_overview(task: str) -> dict[str, Any]:
    from triage.retrain import artifacts_of, comparisons, model_history

    with session_scope(settings(), write=False) as session:
        return {"artifacts": artifacts_of(settings(), task), "comparisons": comparisons(session, task),
                "history": model_history(session, task)}


def promote_model(actor: Actor, task: str, name: str, force: bool = False):
    from triage.retrain import promote_candidate

    try:
        return promote_candidate(settings(), actor, task, name, force=force)
    finally:
        clear()
        st.cache_resource.clear()


def rollback_model(actor: Actor, task: str, to_name: str | None):
    from triage.retrain import rollback

    try:
        return rollback(settings(), actor, task, to_name)
    finally:
        clear()
        st.cache_resource.clear()


# --- users -------------------------------------------------------------------------------
@st.cache_data(ttl=TTL)
def users_list() -> pd.DataFrame:
    """Accounts (no password hashes)."""
    with session_scope(settings(), write=False) as session:
        rows = session.execute(select(User.username, User.display_name, User.role, User.active, User.created_at)
                               .order_by(User.username)).all()
    return pd.DataFrame(rows, columns=["username", "display_name", "role", "active", "created_at"])


def add_user(actor: Actor, username: str, password: str, role: str, display_name: str = ""):
    from triage.accounts import add_account

    try:
        return add_account(settings(), actor, username, password, role, display_name)
    finally:
        clear()


def set_role(actor: Actor, username: str, role: str) -> None:
    from triage.accounts import set_role as _set_role

    try:
        _set_role(settings(), actor, username, role)
    finally:
        clear()


def set_active(actor: Actor, username: str, active: bool) -> None:
    from triage.accounts import set_active as _set_active

    try:
        _set_active(settings(), actor, username, active)
    finally:
        clear()


def audit_entries(actor: Actor, limit: int = 100) -> pd.DataFrame:
    """Not cached: the admin check in ``triage.accounts`` runs on every call."""
    from triage.accounts import audit_log

    rows = audit_log(settings(), actor, limit)
    df = pd.DataFrame(rows, columns=["at", "actor", "action", "detail"])
    df["at"] = pd.to_datetime(df["at"], utc=True).dt.tz_convert(tz()).dt.tz_localize(None)
    df["detail"] = df["detail"].map(lambda d: ", ".join(f"{k}: {v}" for k, v in (d or {}).items()))
    return df


@st.cache_data(ttl=TTL)
def counts() -> dict[str, int]:
    with session_scope(settings(), write=False) as session:
        return {
            "items": int(session.scalar(select(func.count(Item.id))) or 0),
            "clusters": int(session.scalar(select(func.count(Cluster.id))) or 0),
        }



@st.cache_data(ttl=TTL)
def cycle_history(limit: int = 30) -> pd.DataFrame:
    """The scheduler's run history (one row per cycle, with per-stage counts)."""
    from triage.models import CycleRun

    with session_scope(settings(), write=False) as session:
        rows = session.execute(
            select(CycleRun.cycle_key, CycleRun.status, CycleRun.started_at, CycleRun.finished_at,
                   CycleRun.attempts, CycleRun.stages, CycleRun.error)
            .order_by(CycleRun.started_at.desc()).limit(limit)
        ).all()
    df = pd.DataFrame(rows, columns=["cycle", "status", "started_at", "finished_at", "attempts", "stages", "error"])
    df["stages"] = df["stages"].map(lambda s: "; ".join(f"{k}: {v}" for k, v in (s or {}).items()))
    return df
