"""Fill an empty store with a year of synthetic traffic for the dashboard scale benchmark.

    .venv/bin/python bench/generate_items.py --home /tmp/langnghe-scale [--items 200000] [--flagged 10000]

Texts are the seed sentences (``data/seed``) with a serial number, so categories, topics
and facets look real; every item has a current prediction; ``--flagged`` rebuttal cards
(clusters, some with several reposts) and a tenth as many support cases are made, with
workflow events on part of them, claims, rebuttals, crawl runs and three users. Rows go
in with bulk ``executemany`` inserts and explicit ids (no ORM objects), so 200,000 items
take well under a minute on SQLite. Deterministic (``--seed``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, func, insert, select, update  # noqa: E402

from langnghe.records import content_hash  # noqa: E402
from langnghe.settings import load_settings  # noqa: E402
from triage import priority as prio  # noqa: E402
from triage.db import get_engine, write_engine  # noqa: E402
from triage.migrate import upgrade  # noqa: E402
from triage.models import (  # noqa: E402
    Claim, Cluster, CrawlRun, Event, Item, Prediction, Rebuttal, Source, User,
)

CHUNK = 5000
MODEL_VERSION = "category-bench+topic-bench+toxicity-bench"
PLACES = ["Tam Đường", "Phong Thổ", "Sìn Hồ", "Mường Tè", "Than Uyên", "Tân Uyên", "Nậm Nhùn",
          "Lai Châu", "Bình Lư", "Mường Kim", "Pa Tần", "Hà Nội"]
COMPANIES = ["Thủy điện Lai Châu", "Cao su Lai Châu", "Chè Tam Đường", "Doanh nghiệp may mặc"]
SOURCES = [("Báo Lai Châu", "rss", 1.2), ("Lao Động", "rss", 1.0), ("Diễn đàn công nhân", "xenforo", 0.8),
           ("Trang LĐLĐ tỉnh", "facebook_graph", 1.0), ("Nhóm Việc làm Lai Châu", "facebook_graph", 0.9),
           ("Kênh YouTube tin tức", "youtube", 0.7), ("Người Lao Động", "rss", 1.0), ("VnExpress", "sitemap", 1.0),
           ("Dân Trí", "sitemap", 1.0), ("Nhóm Công nhân Thủy điện", "facebook_graph", 0.9)]


def seed_rows() -> list[dict]:
    rows = []
    for path in sorted((ROOT / "data" / "seed").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("text") and row.get("category"):
                    rows.append(row)
    if not rows:
        sys.exit("no seed data under data/seed; the generator needs it for realistic texts")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", required=True, help="data folder of the store to fill (must be empty)")
    ap.add_argument("--db", help="database URL instead of SQLite under --home")
    ap.add_argument("--items", type=int, default=200_000)
    ap.add_argument("--flagged", type=int, default=10_000, help="rebuttal cards (flagged clusters)")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    settings = load_settings(home=args.home, db=args.db, pseudonym_secret="bench")
    started = time.perf_counter()
    upgrade(settings)
    engine = get_engine(settings)
    with engine.connect() as conn:
        if conn.execute(select(func.count(Item.id))).scalar_one():
            sys.exit(f"the store at {settings.db_url} already has items; use a new --home")
    stats = generate(write_engine(engine), args.items, args.flagged, args.days, random.Random(args.seed))
    print(f"generated {stats['items']} items, {stats['flagged_clusters']} flagged cards "
          f"({stats['flagged_items']} items), {stats['support_clusters']} support cases, "
          f"{stats['events']} events in {time.perf_counter() - started:.1f}s -> {settings.db_url}")
    return 0


def _chunks(rows: list[dict], size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def generate(engine, n_items: int, n_flagged: int, days: int, rng: random.Random) -> dict[str, int]:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    seeds = seed_rows()
    by_cat: dict[str, list[dict]] = {}
    for row in seeds:
        by_cat.setdefault(row["category"], []).append(row)
    flag_cats = [c for c in ("misinformation", "scam", "criticism") if c in by_cat]
    other_cats = [c for c in ("neutral", "positive") if c in by_cat]
    n_support = max(1, n_flagged // 10)
    # Stories: flagged clusters of 1-4 items (mean ~1.4), support clusters mostly single.
    flagged_sizes = [rng.choice((1, 1, 1, 1, 2, 2, 3, 4)) for _ in range(n_flagged)]
    support_sizes = [rng.choice((1, 1, 1, 2)) for _ in range(n_support)]
    n_routed = sum(flagged_sizes) + sum(support_sizes)
    if n_routed > n_items:
        sys.exit(f"--items {n_items} is too small for {n_flagged} flagged cards ({n_routed} routed items)")

    with engine.begin() as conn:
        conn.execute(insert(Source), [
            {"id": i + 1, "name": name, "kind": kind, "url": f"https://example.org/{i}", "weight": w,
             "enabled": True, "config": {}, "created_at": now - timedelta(days=days + 1)}
            for i, (name, kind, w) in enumerate(SOURCES)
        ])
        conn.execute(insert(User), [
            {"id": 1, "username": "admin", "display_name": "", "password_hash": "x", "role": "admin",
             "active": True, "created_at": now},
            {"id": 2, "username": "an", "display_name": "", "password_hash": "x", "role": "analyst",
             "active": True, "created_at": now},
            {"id": 3, "username": "xem", "display_name": "", "password_hash": "x", "role": "viewer",
             "active": True, "created_at": now},
        ])

    # Routing plan: item index -> (cluster id, kind of queue)
    plan: list[tuple[int | None, str]] = []
    cid = 0
    for size in flagged_sizes:
        cid += 1
        plan.extend([(cid, "flag")] * size)
    for size in support_sizes:
        cid += 1
        plan.extend([(cid, "support")] * size)
    plan.extend([(None, "other")] * (n_items - len(plan)))
    rng.shuffle(plan)

    items: list[dict] = []
    preds: list[dict] = []
    members: dict[int, list[tuple[int, float, datetime, int, str, str]]] = {}
    span = days * 86400
    for idx, (cluster_id, kind) in enumerate(plan, start=1):
        if kind == "flag":
            cat = rng.choice(flag_cats)
        elif kind == "support":
            cat = "grievance"
        else:
            cat = rng.choice(other_cats)
        seed = rng.choice(by_cat[cat])
        # Recent days carry more traffic (growth); cards of flagged stories are mostly recent.
        age = span * (rng.random() ** (2.5 if kind != "other" else 1.3))
        published = now - timedelta(seconds=int(age))
        text = f"{seed['text']} [{idx}]"
        likes, comments, shares = int(rng.paretovariate(1.3)) - 1, rng.randint(0, 40), rng.randint(0, 15)
        source_id = rng.randint(1, len(SOURCES))
        items.append({
            "id": idx, "source_id": source_id, "kind": rng.choice(("article", "post", "comment", "comment")),
            "url": f"https://example.org/bench/{idx}", "external_id": None, "parent_id": None, "parent_url": None,
            "content_hash": content_hash(text), "title": "", "text": text, "author_pseudonym": f"p{rng.randint(1, 40000):06d}",
            "published_at": published, "fetched_at": published + timedelta(minutes=30),
            "first_seen_at": published + timedelta(minutes=30), "likes": likes, "comments": comments,
            "shares": shares, "views": 0, "lang": "vi", "extra": {}, "cluster_id": cluster_id,
        })
        proba = round(rng.uniform(0.55, 0.99), 3)
        routing = prio.route(cat, proba, "clean", 0.1)
        weight = SOURCES[source_id - 1][2]
        p = prio.priority(routing.confidence if routing.flagged else 0.0, likes, comments, shares, published, weight, now)
        facets: dict[str, list[str]] = {}
        if rng.random() < 0.35:
            facets["place"] = [rng.choice(PLACES)]
        if kind == "support" and rng.random() < 0.5:
            facets["company"] = [rng.choice(COMPANIES)]
        topic = seed.get("topic") or "other"
        preds.append({
            "item_id": idx, "model_version": MODEL_VERSION, "created_at": published + timedelta(hours=1),
            "category": cat, "category_proba": proba, "topic": topic, "topic_proba": round(rng.uniform(0.4, 0.95), 3),
            "toxicity": "clean", "toxicity_proba": 0.9, "probabilities": {},
            "explanation": {"category": [[w, 0.5] for w in seed["text"].split()[:3]]},
            "facets": facets, "claim_matches": [], "flagged": routing.flagged, "support": routing.support,
            "priority": p, "current": True,
        })
        if cluster_id is not None:
            members.setdefault(cluster_id, []).append((idx, p, published, likes + comments + shares, cat, topic))

    clusters: list[dict] = []
    rep: list[dict] = []
    for cluster_id, ms in members.items():
        best = max(ms, key=lambda m: m[1])
        support = plan_kind(ms, preds)
        first, last = min(m[2] for m in ms), max(m[2] for m in ms)
        reach = sum(m[3] for m in ms)
        clusters.append({
            "id": cluster_id, "key": f"bench-{cluster_id}", "created_at": first + timedelta(hours=1),
            "updated_at": last + timedelta(hours=1), "representative_item_id": None, "size": len(ms),
            "total_reach": reach, "category": best[4], "topic": best[5], "flagged": not support,
            "support": support, "priority": round(best[1] * (1 + 0.1 * (len(ms) - 1)), 6),
            "first_seen_at": first, "last_seen_at": last,
        })
        rep.append({"cid": cluster_id, "rid": best[0]})

    with engine.begin() as conn:
        for chunk in _chunks(clusters):
            conn.execute(insert(Cluster), chunk)
    with engine.begin() as conn:
        for i, chunk in enumerate(_chunks(items)):
            conn.execute(insert(Item), chunk)
            print(f"\ritems {min((i + 1) * CHUNK, len(items))}/{len(items)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    with engine.begin() as conn:
        for chunk in _chunks(preds):
            conn.execute(insert(Prediction), chunk)
        stmt = update(Cluster).where(Cluster.id == bindparam("cid")).values(representative_item_id=bindparam("rid"))
        conn.execute(stmt, rep)

    # Workflow history on part of the cards (so the latest-status query has work to do).
    events: list[dict] = []
    eid = 0
    for c in clusters:
        roll = rng.random()
        if roll > 0.45:
            continue
        t0 = c["created_at"] + timedelta(minutes=rng.randint(5, 600))
        eid += 1
        events.append({"id": eid, "cluster_id": c["id"], "item_id": None, "user_id": 2, "status": "in_review",
                       "note": "", "reason": "", "seen": {"priority": c["priority"]}, "created_at": t0})
        if roll < 0.25:
            final = "forwarded" if c["support"] else rng.choice(("responded", "responded", "dismissed", "escalated"))
            eid += 1
            events.append({"id": eid, "cluster_id": c["id"], "item_id": None, "user_id": 2, "status": final,
                           "note": "", "reason": "trùng lặp" if final == "dismissed" else "", "seen": {},
                           "created_at": t0 + timedelta(minutes=rng.randint(10, 900))})
    with engine.begin() as conn:
        for chunk in _chunks(events):
            conn.execute(insert(Event), chunk)
        conn.execute(insert(Claim), [
            {"id": i + 1, "text": s["text"], "verdict": "false", "rebuttal": "Thông tin này không đúng.",
             "sources": ["Luật Công đoàn 2024"], "topic": s.get("topic"), "claim_date": now - timedelta(days=90),
             "created_at": now - timedelta(days=90), "created_by": 1}
            for i, s in enumerate(by_cat.get("misinformation", [])[:50])
        ])
        n_claims = min(50, len(by_cat.get("misinformation", [])))
        responded = [e for e in events if e["status"] == "responded"][:200] if n_claims else []
        if responded:
            conn.execute(insert(Rebuttal), [
                {"cluster_id": e["cluster_id"], "claim_id": (i % n_claims) + 1, "text": "Thông tin này không đúng.",
                 "sources": [], "posted_where": "https://facebook.com/ldld", "posted_at": e["created_at"],
                 "created_by": 2, "created_at": e["created_at"]}
                for i, e in enumerate(responded)
            ])
        runs = []
        for d in range(60):
            for sid in range(1, len(SOURCES) + 1):
                start = now - timedelta(days=d, hours=2)
                failed = rng.random() < 0.03
                runs.append({"source_id": sid, "cycle_id": f"bench-{d}", "started_at": start,
                             "finished_at": start + timedelta(minutes=4), "status": "failed" if failed else "ok",
                             "pages_fetched": rng.randint(5, 80), "items_new": 0 if failed else rng.randint(0, 60),
                             "items_updated": 0, "items_unchanged": 0, "skips": {}, "errors": {},
                             "gap": (not failed) and rng.random() < 0.02})
        conn.execute(insert(CrawlRun), runs)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    return {"items": len(items), "flagged_clusters": n_flagged, "flagged_items": sum(flagged_sizes),
            "support_clusters": n_support, "events": len(events)}


def plan_kind(ms, preds) -> bool:
    """True when the story is a support case (its members are grievances)."""
    return preds[ms[0][0] - 1]["category"] == "grievance"


if __name__ == "__main__":
    sys.exit(main())
