"""Replies, templates and recurrences of answered claims, on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.triage import scene as sc
from triage import rebuttals as rb
from triage import workflow as wf
from triage.db import session_scope
from triage.migrate import upgrade
from triage.models import Claim, Event, Item, Prediction, Rebuttal


@pytest.fixture
def world(db_settings):
    upgrade(db_settings)
    return db_settings, sc.build(db_settings)


def analyst(scene, name="an"):
    return wf.Actor(scene.users[name], name, "analyst")


def test_items_matching_a_claim_after_its_first_reply_are_counted(world):
    settings, scene = world
    with session_scope(settings, write=False) as s:
        back = rb.recurrences(s)
    rec = back[scene.claim_id]
    assert rec.items == 2 and rec.stories == 1  # card A's two reposts, after card C's reply
    assert rec.first_reply_at == scene.now - timedelta(days=5)


def test_items_before_the_reply_or_below_the_score_do_not_count(world):
    settings, scene = world
    with session_scope(settings) as s:
        # move one repost of card A to before the reply, and weaken the other's match
        first, second = scene.items["A"]
        s.get(Item, first).published_at = scene.now - timedelta(days=6)
        pred = s.scalars(select(Prediction).where(Prediction.item_id == second)).one()
        pred.claim_matches = [{"claim_id": scene.claim_id, "score": 0.1}]
    with session_scope(settings, write=False) as s:
        assert rb.recurrences(s)[scene.claim_id].items == 0


def test_reply_and_responded_event_are_stored_together(world):
    settings, scene = world
    an = analyst(scene)
    cid = scene.cards["A"]
    wf.claim(settings, cid, an)
    wf.transition(settings, cid, an, "in_review")
    posted = scene.now - timedelta(minutes=5)
    reply = rb.Reply(text="Không có chủ trương thu thêm 5% lương.", sources=["Luật Công đoàn", " "],
                     posted_where="https://facebook.com/ldld/2", posted_at=posted, claim_id=scene.claim_id)
    rid = rb.respond(settings, cid, an, reply, seen={"priority": 1.6})
    with session_scope(settings, write=False) as s:
        row = s.get(Rebuttal, rid)
        assert row.sources == ["Luật Công đoàn"] and row.posted_at == posted and row.claim_id == scene.claim_id
        assert wf.status_of(s, cid) == "responded"
        assert s.scalar(select(Event.seen).where(Event.cluster_id == cid, Event.status == "responded")) == \
            {"priority": 1.6, "claim_id": scene.claim_id}


def test_a_refused_transition_stores_no_reply(world):
    settings, scene = world
    an = analyst(scene)
    with pytest.raises(wf.WorkflowError):  # still "new": must be taken first
        rb.respond(settings, scene.cards["A"], an, rb.Reply(text="Trả lời", new_claim_text="Luận điểm mới"))
    with session_scope(settings, write=False) as s:
        assert s.scalar(select(func.count(Rebuttal.id)).where(Rebuttal.cluster_id == scene.cards["A"])) == 0
        assert s.scalar(select(func.count(Claim.id))) == 1


def test_a_reply_can_add_its_claim_to_the_library(world):
    settings, scene = world
    an = analyst(scene)
    cid = scene.cards["B"]
    wf.claim(settings, cid, an)
    wf.transition(settings, cid, an, "in_review")
    rb.respond(settings, cid, an, rb.Reply(text="Cảnh báo lừa đảo", new_claim_text="Công đoàn tặng quà Tết qua mã OTP",
                                           new_claim_verdict="scam", topic="welfare_tet"))
    with session_scope(settings, write=False) as s:
        claim = s.scalars(select(Claim).where(Claim.verdict == "scam")).one()
        assert claim.rebuttal == "Cảnh báo lừa đảo" and claim.topic == "welfare_tet"
        assert s.scalar(select(Rebuttal.claim_id).where(Rebuttal.cluster_id == cid)) == claim.id
        assert s.scalar(select(Rebuttal.posted_at).where(Rebuttal.cluster_id == cid)) is None  # not posted yet


def test_viewer_cannot_reply(world):
    settings, scene = world
    with pytest.raises(wf.WorkflowError):
        rb.respond(settings, scene.cards["A"], wf.Actor(scene.users["xem"], "xem", "viewer"), rb.Reply(text="x"))


def test_templates_fit_the_topic_and_fill_facets():
    templates = rb.load_templates()
    fitting = templates.for_card("union_dues_funds", "misinformation")
    assert fitting[0].topic == "union_dues_funds"
    assert all(t.category in (None, "misinformation") for t in fitting)
    assert any(t.category == "scam" for t in templates.for_card("welfare_tet", "scam"))
    text = templates.render(fitting[0], {"place": ["Tam Đường"]})
    assert "Tam Đường" in text and "{" not in text
    assert "trên địa bàn tỉnh" in templates.render(fitting[0], {})
    assert all(t.sources or t.topic == "*" for t in templates.items)
