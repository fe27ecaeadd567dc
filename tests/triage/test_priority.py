"""The documented priority formula and the routing rule (a grievance is never flagged)."""

from datetime import datetime, timedelta, timezone

import pytest

from triage import priority as p

NOW = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)


def test_grievance_goes_to_support_even_when_offensive():
    r = p.route("grievance", 0.9, "offensive", 0.99)
    assert r.support and not r.flagged


@pytest.mark.parametrize("category", ["misinformation", "scam", "criticism"])
def test_flag_categories_are_flagged(category):
    r = p.route(category, 0.8, "clean", 0.9)
    assert r.flagged and not r.support
    assert r.confidence == pytest.approx(0.8 * p.FLAG_CATEGORIES[category])


def test_offensive_neutral_is_flagged_with_lower_weight():
    r = p.route("neutral", 0.9, "offensive", 0.8)
    assert r.flagged and r.confidence == pytest.approx(0.8 * p.OFFENSIVE_WEIGHT)


def test_half_sure_offensive_is_not_flagged():
    assert p.route("neutral", 0.9, "offensive", 0.6) == p.Routing(False, False, 0.0)


def test_neutral_clean_is_not_routed():
    assert p.route("neutral", 0.9, "clean", 0.9) == p.Routing(False, False, 0.0)


def test_priority_is_the_product_of_the_four_factors():
    when = NOW - timedelta(hours=48)
    got = p.priority(0.8, likes=10, comments=5, shares=4, when=when, source_weight=1.5, now=NOW)
    assert got == pytest.approx(0.8 * p.reach(10, 5, 4) * 0.5 * 1.5)


def test_reach_is_log_scaled_and_recency_halves_every_two_days():
    assert p.reach(0, 0, 0) == 1.0
    assert p.reach(10_000, 0, 0) < 11
    assert p.recency(NOW, NOW) == 1.0
    assert p.recency(NOW - timedelta(hours=96), NOW) == pytest.approx(0.25)
    assert p.recency(NOW.replace(tzinfo=None), NOW) == 1.0  # naive timestamps are UTC


def test_unflagged_priority_is_zero():
    assert p.priority(0.0, 100, 100, 100, NOW, 2.0, NOW) == 0.0
