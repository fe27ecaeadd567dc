"""``langnghe demo``: the whole chain on bundled sample sources, on this machine.

A replay server on 127.0.0.1 (free port) serves the demo site rendered from
``data/demo/content/`` (dates relative to today); the real spiders crawl it in a child
process; the shipped models score it; stories are clustered; a demo user is created.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from langnghe.settings import PROJECT_ROOT, Settings

DEMO_CONTENT = PROJECT_ROOT / "data" / "demo" / "content"
DEMO_CLAIMS = PROJECT_ROOT / "data" / "demo" / "claims.jsonl"
#: The demo sites' address. It never changes (the replay server's port does): the crawler
#: reaches it through the replay server acting as its HTTP proxy, so the items' URLs, and
#: with them the items' identities, are the same on every run and re-runs add nothing.
DEMO_BASE_URL = "http://demo.langnghe.test"
DEMO_USERS = (("demo", "langnghe-demo", "analyst"), ("admin", "langnghe-admin", "admin"), ("xem", "langnghe-xem", "viewer"))


@dataclass
class DemoSummary:
    items_by_kind: dict[str, int] = field(default_factory=dict)
    flagged_by_category: dict[str, int] = field(default_factory=dict)
    support_cases: int = 0
    queue_size: int = 0
    crawl_returncode: int | None = None
    seconds: float = 0.0

    def lines(self) -> list[str]:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.items_by_kind.items()))
        flagged = ", ".join(f"{k} {v}" for k, v in sorted(self.flagged_by_category.items()))
        return [
            f"items by kind: {kinds or 'none'} (total {sum(self.items_by_kind.values())})",
            f"flagged by category: {flagged or 'none'}",
            f"support cases (grievances): {self.support_cases}",
            f"rebuttal queue: {self.queue_size} open cards",
            f"demo finished in {self.seconds:.1f}s",
        ]


def run_demo(settings: Settings, log=print) -> DemoSummary:
    """Build, serve and crawl the demo sources, then score and cluster. Idempotent."""
    from crawler.demo_site import build_demo_site
    from crawler.replay import ReplayServer
    from triage.clustering import cluster_items
    from langnghe.cycle import crawl_subprocess
    from triage.migrate import upgrade
    from triage.scoring import print_progress, score_pending

    started = time.perf_counter()
    settings.ensure_home()
    upgrade(settings)
    site = settings.home / "demo-site"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    summary = DemoSummary()
    with ReplayServer(site) as server:
        demo = build_demo_site(DEMO_CONTENT, site, DEMO_BASE_URL, datetime.now(timezone.utc))
        sources_file = settings.home / "demo-sources.toml"
        sources_file.write_text(demo.toml(), encoding="utf-8")
        log(f"demo sources {DEMO_BASE_URL} served by {server.base_url}; crawling ({sources_file})", file=sys.stderr)
        summary.crawl_returncode = crawl_subprocess(
            settings,
            sources_file,
            extra_env={
                "LANGNGHE_DOWNLOAD_DELAY": "0",
                "LANGNGHE_FACEBOOK_TOKEN": "demo-token",
                "http_proxy": server.base_url,
                "HTTP_PROXY": server.base_url,
                "no_proxy": "",
                "NO_PROXY": "",
            },
        )
    _load_demo_claims(settings)
    log("scoring with the shipped models", file=sys.stderr)
    log(score_pending(settings, progress=print_progress).line(), file=sys.stderr)
    log(cluster_items(settings).line(), file=sys.stderr)
    _ensure_demo_users(settings)
    _fill_summary(settings, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def _load_demo_claims(settings: Settings) -> None:
    """The demo's rebuttal library (claims the union already answered), loaded once."""
    if not DEMO_CLAIMS.exists():
        return
    import json

    from sqlalchemy import func, select

    from triage.db import session_scope
    from triage.models import Claim

    with session_scope(settings) as session:
        if session.scalar(select(func.count(Claim.id))):
            return
        for line in DEMO_CLAIMS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                session.add(Claim(text=row["text"], verdict=row["verdict"], rebuttal=row.get("rebuttal", ""),
                                  sources=row.get("sources", []), topic=row.get("topic")))


def _ensure_demo_users(settings: Settings) -> None:
    from triage.users import add_user, get_user

    for username, password, role in DEMO_USERS:
        if get_user(settings, username) is None:
            add_user(settings, username, password, role)


def _fill_summary(settings: Settings, summary: DemoSummary) -> None:
    from sqlalchemy import func, select

    from triage.db import session_scope
    from triage.models import Item, Prediction
    from triage.queue import queue_size

    with session_scope(settings) as session:
        summary.items_by_kind = dict(session.execute(select(Item.kind, func.count()).group_by(Item.kind)).all())
        flagged = session.execute(
            select(Prediction.category, func.count())
            .where(Prediction.current.is_(True), Prediction.flagged.is_(True))
            .group_by(Prediction.category)
        ).all()
        summary.flagged_by_category = dict(Counter({k: v for k, v in flagged}))
        summary.support_cases = int(session.scalar(
            select(func.count()).select_from(Prediction).where(Prediction.current.is_(True), Prediction.support.is_(True))
        ) or 0)
        summary.queue_size = queue_size(session)
