"""Two real processes storing the same URLs at once end with one row per URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from triage import migrate
from triage.models import Item
from triage.store import Store

N_POSTS = 300
N_COMMENTS = 2  # per post: 900 items, two batches per process

WRITER = r"""
import json, random, sys, time
from pathlib import Path
from langnghe.records import CrawledItem, Engagement
from langnghe.settings import load_settings
from triage.store import Store

seed, go = int(sys.argv[1]), Path(sys.argv[2])
items = []
for p in range(N_POSTS):
    url = f"https://facebook.com/ldld.laichau/posts/{p}"
    items.append(CrawledItem(source="fb-ldld", kind="post", url=url, text=f"Bài đăng {p}",
                             engagement=Engagement(likes=seed)))
    for c in range(N_COMMENTS):
        items.append(CrawledItem(source="fb-ldld", kind="comment", url=f"{url}?comment_id={c}",
                                 parent_url=url, text=f"Bình luận {c} dưới bài {p}",
                                 author_pseudonym=f"{c:064d}"))
random.Random(seed).shuffle(items)  # each process meets the URLs in its own order
store = Store(load_settings())  # connect and check the schema before the start signal
while not go.exists():
    time.sleep(0.005)
result = store.upsert_items(items)
print(json.dumps(result._asdict()))
""".replace("N_POSTS", str(N_POSTS)).replace("N_COMMENTS", str(N_COMMENTS))


def child_env(settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGNGHE_") or k.startswith("LANGNGHE_TEST_")}
    env["LANGNGHE_HOME"] = str(settings.home)
    env["LANGNGHE_PSEUDONYM_SECRET"] = "test-secret"
    if settings.db:
        env["LANGNGHE_DB"] = settings.db
    return env


def spawn_writers(script: str, args: tuple[int, int], settings, tmp_path: Path) -> list[subprocess.Popen]:
    """One writer process per argument, each waiting for ``tmp_path/go`` to start."""
    return [
        subprocess.Popen([sys.executable, "-c", script, str(arg), str(tmp_path / "go")], env=child_env(settings),
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for arg in args
    ]


def test_two_processes_upserting_the_same_urls(db_settings, tmp_path: Path):
    migrate.upgrade(db_settings)
    go = tmp_path / "go"
    procs = spawn_writers(WRITER, (1, 2), db_settings, tmp_path)
    time.sleep(0.3)
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]

    total = N_POSTS * (1 + N_COMMENTS)
    store = Store(db_settings)
    assert store.count_items() == total
    assert all(sum(r.values()) == total for r in results)  # every item accounted for
    assert results[0]["new"] + results[1]["new"] == total  # each row inserted exactly once
    with store.session(write=False) as s:
        orphans = s.scalar(select(func.count()).where(Item.kind == "comment", Item.parent_id.is_(None)))
        assert orphans == 0
        assert s.scalar(select(func.count(func.distinct(Item.url)))) == total


SPLIT_WRITER = r"""
import sys, time
from pathlib import Path
from langnghe.records import CrawledItem
from langnghe.settings import load_settings
from triage.store import Store

half, go = int(sys.argv[1]), Path(sys.argv[2])
items = []
for p in range(N_POSTS):
    url = f"https://baolaichau.vn/bai-{p}.html"
    if p % 2 == half:  # this process stores the article, the other one its comment
        items.append(CrawledItem(source="bao", kind="article", url=url, text=f"Bài báo {p}"))
    else:
        items.append(CrawledItem(source="bao", kind="comment", url=f"{url}#c{p}", parent_url=url,
                                 text=f"Bình luận dưới bài {p}", author_pseudonym="0" * 64))
store = Store(load_settings())
store.ensure_source("bao", "rss")  # as a crawl does first; else the source row serialises the two
(go.parent / f"ready-{half}").touch()
while not go.exists():
    time.sleep(0.005)
for start in range(0, len(items), 6):  # the two processes' small batches cover the same posts
    store.upsert_items(items[start:start + 6])
""".replace("N_POSTS", str(2 * N_POSTS))


def test_a_comment_and_its_article_stored_at_once_by_two_processes_are_linked(db_settings, tmp_path: Path):
    # Each process stores half the articles and the comments of the other half, in small
    # batches that run in step. A batch's linking must see what the other process
    # committed, whichever commits first (linking inside the batch transaction left
    # 6 to 150 orphans in 4 runs of 6).
    migrate.upgrade(db_settings)
    go = tmp_path / "go"
    procs = spawn_writers(SPLIT_WRITER, (0, 1), db_settings, tmp_path)
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{half}").exists() for half in (0, 1)) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()  # both have imported and connected: their batches start together
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err

    store = Store(db_settings)
    assert store.count_items() == 4 * N_POSTS
    with store.session(write=False) as s:
        orphans = s.scalar(select(func.count()).where(Item.kind == "comment", Item.parent_id.is_(None)))
    assert orphans == 0
