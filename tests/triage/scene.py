"""A small, realistic store for the dashboard and report tests (through the ORM).

Times are relative to ``now`` (default: the real clock, which the dashboard uses):

- card A: misinformation story of two reposts (10 h old, priority 1.6, due in 2 h), both
  matching claim 1, naming Tam Đường;
- card B: a scam story with six posts today (a spike), priority 2.5, 6 h old: overdue;
- card C: criticism answered five days ago with a reply to claim 1, so card A's posts
  are recurrences of that claim;
- card D: a grievance about wages at a garment company in Tam Đường (support queue);
- one neutral post per day for 28 days (the baseline of the trends);
- crawl runs: daily ok runs, a gap yesterday, a failed run two days ago.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from langnghe.records import content_hash
from tests.triage.factory import add_users
from triage.db import session_scope
from triage.models import Claim, Cluster, CrawlRun, Event, Item, Prediction, Rebuttal, Source

CLAIM_TEXT = "Công đoàn sắp thu thêm 5% lương của công nhân"


@dataclass
class Scene:
    now: datetime
    users: dict[str, int]
    cards: dict[str, int] = field(default_factory=dict)
    items: dict[str, list[int]] = field(default_factory=dict)
    claim_id: int = 0
    sources: dict[str, int] = field(default_factory=dict)


def build(settings, now: datetime | None = None) -> Scene:
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    scene = Scene(now=now, users=add_users(settings))
    counter = iter(range(1, 10_000))
    with session_scope(settings) as s:
        for name, kind in (("Báo Lai Châu", "rss"), ("Nhóm Công nhân Lai Châu", "facebook_graph")):
            src = Source(name=name, kind=kind, url="http://127.0.0.1/", weight=1.0)
            s.add(src)
            s.flush()
            scene.sources[name] = src.id
        claim = Claim(text=CLAIM_TEXT, verdict="false",
                      rebuttal="Không có chủ trương thu thêm 5% lương. Đoàn phí theo Luật Công đoàn.",
                      sources=["Luật Công đoàn số 50/2024/QH15"], topic="union_dues_funds",
                      created_at=now - timedelta(days=30))
        s.add(claim)
        s.flush()
        scene.claim_id = claim.id

        def item(text: str, hours_ago: float, category: str, topic: str, *, source: str = "Nhóm Công nhân Lai Châu",
                 flagged: bool = False, support: bool = False, priority: float = 0.0, likes: int = 0,
                 facets: dict | None = None, claims: list | None = None, title: str = "") -> Item:
            n = next(counter)
            when = now - timedelta(hours=hours_ago)
            it = Item(source_id=scene.sources[source], kind="post", url=f"http://127.0.0.1/scene/{n}",
                      content_hash=content_hash(f"{text} {n}"), title=title, text=text, published_at=when,
                      fetched_at=when, first_seen_at=when, likes=likes, author_pseudonym=f"ps{n:04d}")
            s.add(it)
            s.flush()
            s.add(Prediction(
                item_id=it.id, model_version="scene-1", category=category, category_proba=0.88, topic=topic,
                topic_proba=0.7, toxicity="clean", toxicity_proba=0.9,
                explanation={"category": [["thu thêm", 0.8], ["chia sẻ", 0.5]], "topic": [["lương", 0.6]]},
                facets=facets or {}, claim_matches=claims or [], flagged=flagged, support=support,
                priority=priority, created_at=when,
            ))
            return it

        def cluster(key: str, members: list[Item], category: str, topic: str, priority: float, created_hours: float,
                    flagged: bool = True, support: bool = False) -> int:
            c = Cluster(key=f"scene-{key}", representative_item_id=members[0].id, size=len(members),
                        total_reach=sum(m.likes for m in members), category=category, topic=topic, flagged=flagged,
                        support=support, priority=priority, created_at=now - timedelta(hours=created_hours),
                        first_seen_at=min(m.published_at for m in members),
                        last_seen_at=max(m.published_at for m in members))
            s.add(c)
            s.flush()
            for m in members:
                m.cluster_id = c.id
            scene.cards[key] = c.id
            scene.items[key] = [m.id for m in members]
            return c.id

        hit = [{"claim_id": claim.id, "score": 0.82}]
        a = [item("Nghe nói công đoàn sắp thu thêm 5% lương của công nhân, chia sẻ ngay!", 10, "misinformation",
                  "union_dues_funds", flagged=True, priority=1.6, likes=120, facets={"place": ["Tam Đường"]},
                  claims=hit),
             item("Chia sẻ ngay: CĐ thu thêm 5% lương từ tháng sau!!!", 9, "misinformation", "union_dues_funds",
                  flagged=True, priority=1.2, likes=40, claims=hit)]
        cluster("A", a, "misinformation", "union_dues_funds", 1.6, 10)
        b = [item(f"Nhận quà Tết công đoàn, bấm link và nhập mã OTP để nhận 2 triệu (lần {i})", 5 - 0.5 * i, "scam",
                  "welfare_tet", flagged=True, priority=2.5, likes=10) for i in range(6)]
        cluster("B", b, "scam", "welfare_tet", 2.5, 6)
        c_items = [item("Công đoàn chẳng làm gì cho công nhân cả, chỉ thu tiền", 24 * 6, "criticism",
                        "union_activities", flagged=True, priority=0.4, likes=5)]
        cid_c = cluster("C", c_items, "criticism", "union_activities", 0.4, 24 * 6)
        d = [item("Công ty may ở Tam Đường nợ lương công nhân 3 tháng rồi, công đoàn giúp với", 3, "grievance",
                  "wages", support=True, facets={"place": ["Tam Đường"], "company": ["Doanh nghiệp may mặc"]})]
        cluster("D", d, "grievance", "wages", 0.0, 3, flagged=False, support=True)
        for day in range(1, 29):
            item(f"Hội nghị người lao động ngày {day}", 24 * day + 1, "neutral", "union_activities",
                 source="Báo Lai Châu")
        answered = now - timedelta(days=5)
        s.add(Event(cluster_id=cid_c, user_id=scene.users["an"], status="in_review", created_at=answered - timedelta(hours=1)))
        s.add(Event(cluster_id=cid_c, user_id=scene.users["an"], status="responded", note="fanpage",
                    created_at=answered))
        s.add(Rebuttal(cluster_id=cid_c, claim_id=claim.id, text="Không có chủ trương thu thêm 5% lương.",
                       sources=["Luật Công đoàn số 50/2024/QH15"], posted_where="https://facebook.com/ldld.laichau/1",
                       posted_at=answered, created_by=scene.users["an"], created_at=answered))
        for day in range(0, 6):
            started = now - timedelta(days=day, hours=1)
            for name, sid in scene.sources.items():
                failed = name == "Báo Lai Châu" and day == 2
                s.add(CrawlRun(source_id=sid, started_at=started, finished_at=started + timedelta(minutes=3),
                               status="failed" if failed else "ok", pages_fetched=5, items_new=2,
                               errors={"timeout": 3} if failed else {},
                               gap=(name == "Nhóm Công nhân Lai Châu" and day == 1)))
    return scene
