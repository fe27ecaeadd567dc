"""Volumes over time, spikes and collection gaps (the Trends page and the digest).

Days are calendar days in ``settings.timezone`` (the office's day, not UTC's).
Dimensions: ``category``, ``topic``, ``source`` and ``district`` — the district-level
unit of the places found in the text (prediction facets ``place``), mapped through
``config/districts.toml``; items naming no place count as "unknown".

A spike is a day whose count reaches ``max(SPIKE_MIN, mean + SPIKE_SIGMAS × sd)`` of
the trailing 28 days (the same rule as the alerts), shown with the stories (clusters)
behind it. Gaps come from the crawl runs: runs flagged ``gap`` (a source that used to
yield items yielded none), failed runs, and days on which a source had no successful run.
"""

from __future__ import annotations

import statistics
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from langnghe.errors import UserError
from langnghe.settings import PROJECT_ROOT
from triage.models import Cluster, CrawlRun, Item, Prediction, Source
from triage.queue import current_prediction

DIMENSIONS = ("category", "topic", "source", "district")
DISTRICTS_FILE = PROJECT_ROOT / "config" / "districts.toml"
UNKNOWN = "unknown"
OUTSIDE = "outside"
PROVINCE_WIDE = "province"
SPIKE_MIN = 5
SPIKE_SIGMAS = 3.0
BASELINE_DAYS = 28


@dataclass(frozen=True)
class DailyCount:
    day: date
    key: str
    count: int


@dataclass
class Spike:
    dimension: str
    key: str
    day: date
    count: int
    mean: float
    sd: float
    #: (cluster id, items of that story on the day), biggest first.
    clusters: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Gap:
    source: str
    day: date
    kind: str  # gap | failed | no_run
    detail: str = ""


# --- districts ------------------------------------------------------------------------
@dataclass(frozen=True)
class DistrictMap:
    province: str
    of_place: dict[str, str]
    outside: frozenset[str]

    def district(self, places: Iterable[str] | None) -> str:
        """The first place naming a district of the province, else outside/province/unknown."""
        places = [p for p in places or [] if p]
        for p in places:
            if p in self.of_place:
                return self.of_place[p]
        if any(p == self.province for p in places):
            return PROVINCE_WIDE
        if any(p in self.outside for p in places):
            return OUTSIDE
        return UNKNOWN


@lru_cache(maxsize=4)
def district_map(path: Path = DISTRICTS_FILE) -> DistrictMap:
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raw = {}
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"the districts file {path} is not valid TOML ({exc}). Fix the file.") from exc
    of_place: dict[str, str] = {}
    for district, communes in raw.get("district", {}).items():
        of_place[district] = district
        short = district.removeprefix("Thành phố ").strip()
        if short != district:  # "Thành phố Lai Châu" is also written as the province name
            of_place.setdefault(f"TP {short}", district)
        for commune in communes:
            of_place[commune] = district
    return DistrictMap(str(raw.get("province", "")), of_place, frozenset(raw.get("outside", {}).get("names", [])))


# --- helpers --------------------------------------------------------------------------------
def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day, as aware datetimes."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time.min, zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, zone)


def local_day(when: datetime, tz: str) -> date:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(ZoneInfo(tz)).date()


def today(tz: str, now: datetime | None = None) -> date:
    return local_day(now or datetime.now(timezone.utc), tz)


def _rows(session, dimension: str, start: datetime, end: datetime, flagged_only: bool = False):
    """(published_at, key-or-facets, cluster_id) of items published in [start, end)."""
    if dimension not in DIMENSIONS:
        raise UserError(f"unknown trend dimension {dimension!r}. Use one of: {', '.join(DIMENSIONS)}.")
    col = {"category": Prediction.category, "topic": Prediction.topic, "source": Source.name,
           "district": Prediction.facets}[dimension]
    query = (
        select(Item.published_at, col, Item.cluster_id)
        .join(Prediction, (Prediction.item_id == Item.id) & current_prediction())
        .where(Item.published_at >= start, Item.published_at < end)
    )
    if dimension == "source":
        query = query.join(Source, Source.id == Item.source_id)
    if flagged_only:
        query = query.where(Prediction.flagged.is_(True))
    rows = session.execute(query).all()
    if dimension != "district":
        return rows
    dmap = district_map()
    return [(p, dmap.district((facets or {}).get("place")), c) for p, facets, c in rows]


# --- volumes ------------------------------------------------------------------------------
def daily_volume(session, tz: str, dimension: str = "category", days: int = 28,
                 until: date | None = None, flagged_only: bool = False) -> list[DailyCount]:
    """Items per local day and dimension value over ``days`` days ending ``until`` (today)."""
    until = until or today(tz)
    first = until - timedelta(days=days - 1)
    start, _ = day_bounds(first, tz)
    _, end = day_bounds(until, tz)
    counts: Counter[tuple[date, str]] = Counter()
    for published, key, _cluster in _rows(session, dimension, start, end, flagged_only):
        counts[(local_day(published, tz), key or UNKNOWN)] += 1
    return [DailyCount(d, k, n) for (d, k), n in sorted(counts.items())]


def spikes(session, tz: str, dimension: str = "category", day: date | None = None,
           flagged_only: bool = False, top_clusters: int = 5) -> list[Spike]:
    """Values of the dimension whose count on ``day`` is a spike against the 28 days before."""
    day = day or today(tz)
    start, _ = day_bounds(day - timedelta(days=BASELINE_DAYS), tz)
    _, end = day_bounds(day, tz)
    per: dict[str, Counter[date]] = defaultdict(Counter)
    stories: dict[str, Counter[int]] = defaultdict(Counter)
    for published, key, cluster_id in _rows(session, dimension, start, end, flagged_only):
        d = local_day(published, tz)
        key = key or UNKNOWN
        per[key][d] += 1
        if d == day and cluster_id is not None:
            stories[key][cluster_id] += 1
    out = []
    for key, days in per.items():
        history = [days.get(day - timedelta(days=i), 0) for i in range(1, BASELINE_DAYS + 1)]
        mean = statistics.fmean(history)
        sd = statistics.pstdev(history)
        count = days.get(day, 0)
        if count >= max(SPIKE_MIN, mean + SPIKE_SIGMAS * sd):
            out.append(Spike(dimension, key, day, count, round(mean, 2), round(sd, 2),
                             stories[key].most_common(top_clusters)))
    return sorted(out, key=lambda s: -(s.count - s.mean))


def cluster_briefs(session, cluster_ids: Iterable[int]) -> dict[int, dict]:
    """Short descriptions of stories (for spike lists): text, category, priority, size."""
    ids = list(cluster_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Cluster.id, Cluster.category, Cluster.topic, Cluster.priority, Cluster.size, Cluster.flagged,
               Cluster.support, Item.title, Item.text, Item.url)
        .outerjoin(Item, Item.id == Cluster.representative_item_id)
        .where(Cluster.id.in_(ids))
    ).mappings().all()
    return {r["id"]: dict(r) for r in rows}


# --- collection gaps --------------------------------------------------------------------------
def collection_gaps(session, tz: str, days: int = 14, until: date | None = None) -> list[Gap]:
    """Gap and failed runs, and days without a successful run, per source, newest first.

    A source is only expected on days after its first run, so a newly added source
    does not show a fortnight of gaps.
    """
    until = until or today(tz)
    first = until - timedelta(days=days - 1)
    start, _ = day_bounds(first, tz)
    _, end = day_bounds(until, tz)
    first_run = dict(session.execute(
        select(CrawlRun.source_id, func.min(CrawlRun.started_at)).group_by(CrawlRun.source_id)
    ).all())
    sources = dict(session.execute(select(Source.id, Source.name).where(Source.enabled.is_(True))).all())
    runs = session.execute(
        select(CrawlRun.source_id, CrawlRun.started_at, CrawlRun.status, CrawlRun.gap, CrawlRun.errors)
        .where(CrawlRun.started_at >= start, CrawlRun.started_at < end)
    ).all()
    ok_days: dict[int, set[date]] = defaultdict(set)
    out: list[Gap] = []
    for source_id, started, status, gap, errors in runs:
        name = sources.get(source_id)
        if name is None:
            continue
        d = local_day(started, tz)
        if status == "ok":
            ok_days[source_id].add(d)
        if gap:
            out.append(Gap(name, d, "gap", "0 items where earlier runs had items"))
        if status == "failed":
            detail = ", ".join(f"{k} {v}" for k, v in sorted((errors or {}).items()))
            out.append(Gap(name, d, "failed", detail))
    for source_id, name in sources.items():
        began = first_run.get(source_id)
        if began is None:
            continue
        began_day = local_day(began, tz)
        for i in range(days):
            d = first + timedelta(days=i)
            if d >= began_day and d not in ok_days[source_id] and d < until:
                out.append(Gap(name, d, "no_run", ""))
    return sorted(out, key=lambda g: (g.day, g.source, g.kind), reverse=True)
