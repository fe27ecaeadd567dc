"""Daily volumes, spikes and collection gaps, on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.triage import scene as sc
from triage import trends as tr
from triage.db import session_scope
from triage.migrate import upgrade

NOW = datetime(2026, 11, 27, 5, 0, tzinfo=timezone.utc)  # 12:00 in Hà Nội
TZ = "Asia/Ho_Chi_Minh"
TODAY = NOW.date()


@pytest.fixture
def world(db_settings):
    upgrade(db_settings)
    return db_settings, sc.build(db_settings, now=NOW)


def test_daily_volume_by_category_counts_local_days(world):
    settings, _ = world
    with session_scope(settings, write=False) as s:
        rows = tr.daily_volume(s, TZ, "category", days=28, until=TODAY)
    today = {r.key: r.count for r in rows if r.day == TODAY}
    assert today == {"misinformation": 2, "scam": 6, "grievance": 1}
    neutral_days = [r for r in rows if r.key == "neutral"]
    assert len(neutral_days) == 27 and all(r.count == 1 for r in neutral_days)  # 28th is outside the window


def test_district_comes_from_the_place_facets(world):
    settings, _ = world
    with session_scope(settings, write=False) as s:
        rows = tr.daily_volume(s, TZ, "district", days=1, until=TODAY)
    got = {r.key: r.count for r in rows}
    assert got == {"Tam Đường": 2, tr.UNKNOWN: 7}


def test_district_map_knows_communes_province_and_outside():
    dmap = tr.district_map()
    assert dmap.district(["Bình Lư"]) == "Tam Đường"
    assert dmap.district(["Tân Phong"]) == "Thành phố Lai Châu"
    assert dmap.district(["Lai Châu"]) == tr.PROVINCE_WIDE
    assert dmap.district(["Hà Nội"]) == tr.OUTSIDE
    assert dmap.district(["Hà Nội", "Mường Tè"]) == "Mường Tè"
    assert dmap.district([]) == tr.UNKNOWN


def test_a_spike_is_found_with_the_story_behind_it(world):
    settings, scene = world
    with session_scope(settings, write=False) as s:
        found = tr.spikes(s, TZ, "category", day=TODAY)
    assert [(x.key, x.count) for x in found] == [("scam", 6)]
    assert found[0].clusters == [(scene.cards["B"], 6)]
    with session_scope(settings, write=False) as s:
        assert tr.spikes(s, TZ, "category", day=TODAY - timedelta(days=3)) == []


def test_collection_gaps_name_gap_failed_and_missing_runs(world):
    settings, _ = world
    with session_scope(settings, write=False) as s:
        gaps = tr.collection_gaps(s, TZ, days=14, until=TODAY)
    kinds = {(g.source, g.day, g.kind) for g in gaps}
    assert ("Nhóm Công nhân Lai Châu", TODAY - timedelta(days=1), "gap") in kinds
    assert ("Báo Lai Châu", TODAY - timedelta(days=2), "failed") in kinds
    assert ("Báo Lai Châu", TODAY - timedelta(days=2), "no_run") in kinds
    # before a source's first run nothing is expected of it
    assert all(g.day >= TODAY - timedelta(days=5) for g in gaps)


def test_unknown_dimension_is_a_clear_error(world):
    settings, _ = world
    from langnghe.errors import UserError

    with session_scope(settings, write=False) as s, pytest.raises(UserError):
        tr.daily_volume(s, TZ, "author")
