"""Leases, transitions and labels on real SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.triage.factory import NOW, add_item, add_users, cluster_of
from triage import workflow as wf
from triage.db import session_scope
from triage.migrate import upgrade
from triage.models import Event, Label
from triage.queue import cards, queue_size


@pytest.fixture
def store(db_settings):
    upgrade(db_settings)
    users = add_users(db_settings)
    item = add_item(db_settings, "Công đoàn sắp thu 5% lương, chia sẻ ngay", cluster=True)
    return db_settings, users, cluster_of(db_settings, item), item


def actor(users, name, role="analyst"):
    return wf.Actor(users[name], name, role)


def test_two_analysts_claim_the_same_card_one_wins(store):
    settings, users, cid, _ = store
    results = {}

    def take(name):
        try:
            wf.claim(settings, cid, actor(users, name), now=NOW)
            results[name] = "won"
        except wf.WorkflowError:
            results[name] = "lost"

    threads = [threading.Thread(target=take, args=(n,)) for n in ("an", "binh")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["lost", "won"]


def test_lease_expires_and_can_be_taken_over(store):
    settings, users, cid, _ = store
    wf.claim(settings, cid, actor(users, "an"), minutes=10, now=NOW)
    with pytest.raises(wf.WorkflowError):
        wf.claim(settings, cid, actor(users, "binh"), now=NOW + timedelta(minutes=5))
    wf.claim(settings, cid, actor(users, "binh"), now=NOW + timedelta(minutes=11))
    with pytest.raises(wf.WorkflowError):
        wf.transition(settings, cid, actor(users, "an"), "in_review", now=NOW + timedelta(minutes=12))


def test_card_worked_to_responded_is_an_append_only_history(store):
    settings, users, cid, _ = store
    an = actor(users, "an")
    wf.claim(settings, cid, an, now=NOW)
    wf.transition(settings, cid, an, "in_review", seen={"priority": 1.0}, now=NOW)
    wf.transition(settings, cid, an, "responded", note="đã đăng", now=NOW + timedelta(minutes=3))
    with session_scope(settings, write=False) as s:
        statuses = s.scalars(select(Event.status).where(Event.cluster_id == cid).order_by(Event.id)).all()
        assert statuses == ["in_review", "responded"]
        assert wf.status_of(s, cid) == "responded"
        assert s.scalar(select(Event.seen).where(Event.status == "in_review")) == {"priority": 1.0}
        assert queue_size(s) == 0
        assert queue_size(s, statuses=("responded",)) == 1


def test_illegal_transitions_and_dismissal_without_reason_are_refused(store):
    settings, users, cid, _ = store
    an = actor(users, "an")
    with pytest.raises(wf.WorkflowError):
        wf.transition(settings, cid, an, "responded")
    with pytest.raises(wf.WorkflowError):
        wf.transition(settings, cid, an, "dismissed")
    with pytest.raises(wf.WorkflowError):
        wf.transition(settings, cid, an, "forwarded")  # only grievances are forwarded
    wf.transition(settings, cid, an, "dismissed", reason="trùng lặp")


@pytest.mark.parametrize("call", ["claim", "transition", "label"])
def test_viewer_can_change_nothing(store, call):
    settings, users, cid, item = store
    viewer = actor(users, "xem", "viewer")
    with pytest.raises(wf.WorkflowError):
        if call == "claim":
            wf.claim(settings, cid, viewer)
        elif call == "transition":
            wf.transition(settings, cid, viewer, "in_review")
        else:
            wf.add_label(settings, item, viewer, "category", "neutral")
    with session_scope(settings, write=False) as s:
        assert s.scalar(select(func.count(Event.id))) == 0
        assert s.scalar(select(func.count(Label.id))) == 0


def test_queue_orders_by_priority_and_keeps_grievances_out(db_settings):
    upgrade(db_settings)
    low = cluster_of(db_settings, add_item(db_settings, "chỉ trích nhẹ", "criticism", proba=0.6, cluster=True))
    high = cluster_of(db_settings, add_item(db_settings, "lừa đảo", "scam", proba=0.95, likes=500, cluster=True))
    add_item(db_settings, "cty nợ lương 3 tháng", "grievance", toxicity="offensive", cluster=True)
    from triage.clustering import refresh_clusters

    with session_scope(db_settings) as s:
        refresh_clusters(s, {low, high}, NOW)
    with session_scope(db_settings, write=False) as s:
        got = [c.cluster_id for c in cards(s)]
        assert got == [high, low]
        support = cards(s, queue="support")
        assert len(support) == 1 and support[0].category == "grievance"
