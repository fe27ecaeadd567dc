"""Group near-duplicates and reposts into clusters: one queue card per story.

MinHash LSH (datasketch) over word shingles of the normalised, diacritic-free text,
so "Chia sẻ ngay!!! CĐ thu 5% lương" and "chia se ngay cd thu 5% luong 😡" meet.

Clusters are stable: an item keeps its cluster for life (analysts' events hang on the
card), new items join the cluster of the most similar existing member or start their
own. Only routed items (flagged or support) within the window get cards.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from datasketch import MinHash, MinHashLSH
from sqlalchemy import or_, select, update

from langnghe.records import utcnow
from langnghe.settings import Settings
from triage import priority as prio
from triage.db import session_scope
from triage.models import Cluster, Item, Prediction, Source

log = logging.getLogger(__name__)

NUM_PERM = 64
THRESHOLD = 0.5
SHINGLE = 3
#: Fewer tokens than this and an item is not compared (too short to call a repost).
MIN_TOKENS = 5
_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str) -> set[bytes]:
    """Word 3-shingles of the normalised diacritic-free text (teencode expanded)."""
    from nlp.normalize import normalize

    norm = normalize(text)
    tokens = _TOKEN.findall(norm.shadow)
    if len(tokens) < MIN_TOKENS:
        return set()
    return {" ".join(tokens[i : i + SHINGLE]).encode("utf-8") for i in range(len(tokens) - SHINGLE + 1)}


def minhash(sh: set[bytes]) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=7)
    m.update_batch(list(sh))
    return m


@dataclass
class ClusterSummary:
    items: int = 0
    new_clusters: int = 0
    joined: int = 0
    cards: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"clustered {self.items} new items: {self.joined} joined an existing story, "
            f"{self.new_clusters} new stories; {self.cards} cards in the window ({self.seconds:.1f}s)"
        )


def cluster_items(settings: Settings, window_days: int = 30, now: datetime | None = None) -> ClusterSummary:
    """Assign every routed item in the window to a cluster, then refresh cluster stats."""
    started = time.perf_counter()
    now = now or datetime.now(timezone.utc)
    since = now - timedelta(days=window_days)
    summary = ClusterSummary()
    with session_scope(settings) as session:
        rows = session.execute(
            select(Item.id, Item.title, Item.text, Item.cluster_id, Item.content_hash)
            .join(Prediction, Prediction.item_id == Item.id)
            .where(Prediction.current.is_(True))
            .where(or_(Prediction.flagged.is_(True), Prediction.support.is_(True)))
            .where(or_(Item.published_at >= since, Item.published_at.is_(None), Item.fetched_at >= since))
            .order_by(Item.id)
        ).all()
        lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        hashes: dict[int, MinHash] = {}
        cluster_of: dict[int, int] = {}
        pending = []
        for row in rows:
            sh = shingles(f"{row.title}\n{row.text}" if row.title else row.text)
            if row.cluster_id is not None:
                cluster_of[row.id] = row.cluster_id
                if sh:
                    hashes[row.id] = minhash(sh)
                    lsh.insert(row.id, hashes[row.id])
            else:
                pending.append((row, sh))
        by_hash: dict[str, int] = {}
        for row, sh in pending:
            target = None
            if sh:
                mh = minhash(sh)
                candidates = [c for c in lsh.query(mh) if c in cluster_of]
                if candidates:
                    best = max(candidates, key=lambda c: hashes[c].jaccard(mh))
                    target = cluster_of[best]
                hashes[row.id] = mh
                lsh.insert(row.id, mh)
            if target is None and row.content_hash in by_hash:
                target = by_hash[row.content_hash]
            if target is None:
                cluster = _get_or_create_cluster(session, row.content_hash, now)
                target = cluster.id
                summary.new_clusters += 1
            else:
                summary.joined += 1
            cluster_of[row.id] = target
            by_hash.setdefault(row.content_hash, target)
            session.execute(update(Item).where(Item.id == row.id).values(cluster_id=target))
            summary.items += 1
        session.flush()
        summary.cards = refresh_clusters(session, set(cluster_of.values()), now)
    summary.seconds = time.perf_counter() - started
    return summary


def _get_or_create_cluster(session, key: str, now: datetime) -> Cluster:
    existing = session.scalar(select(Cluster).where(Cluster.key == key))
    if existing is not None:
        return existing
    cluster = Cluster(key=key, created_at=now, updated_at=now)
    session.add(cluster)
    session.flush()
    return cluster


def refresh_clusters(session, cluster_ids: set[int], now: datetime) -> int:
    """Recompute size, reach, category, flags and priority of the given clusters.

    Cluster priority = the best member confidence × reach of the whole story
    (summed engagement) × recency of its newest member × the best source weight.
    """
    if not cluster_ids:
        return 0
    ids = sorted(cluster_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        members = session.execute(
            select(
                Item.id, Item.cluster_id, Item.likes, Item.comments, Item.shares,
                Item.published_at, Item.fetched_at, Source.weight,
                Prediction.category, Prediction.category_proba, Prediction.topic,
                Prediction.toxicity, Prediction.toxicity_proba, Prediction.flagged,
                Prediction.support, Prediction.priority,
            )
            .join(Source, Source.id == Item.source_id)
            .join(Prediction, (Prediction.item_id == Item.id) & Prediction.current.is_(True))
            .where(Item.cluster_id.in_(chunk))
        ).all()
        grouped: dict[int, list] = {}
        for m in members:
            grouped.setdefault(m.cluster_id, []).append(m)
        for cid, ms in grouped.items():
            best = max(ms, key=lambda m: (m.priority, m.category_proba))
            conf = max(prio.route(m.category, m.category_proba, m.toxicity, m.toxicity_proba).confidence
                       for m in ms if m.flagged) if any(m.flagged for m in ms) else 0.0
            likes = sum(m.likes or 0 for m in ms)
            comments = sum(m.comments or 0 for m in ms)
            shares = sum(m.shares or 0 for m in ms)
            times = [m.published_at or m.fetched_at for m in ms]
            newest = max(times)
            oldest = min(times)
            flagged = any(m.flagged for m in ms)
            session.execute(
                update(Cluster).where(Cluster.id == cid).values(
                    size=len(ms),
                    total_reach=likes + comments + shares,
                    representative_item_id=best.id,
                    category=best.category,
                    topic=best.topic,
                    flagged=flagged,
                    support=any(m.support for m in ms) and not flagged,
                    priority=prio.priority(conf, likes, comments, shares, newest,
                                           max(m.weight or 1.0 for m in ms), now),
                    first_seen_at=oldest,
                    last_seen_at=newest,
                    updated_at=utcnow(),
                )
            )
    return len(ids)
