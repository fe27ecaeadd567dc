"""Every dashboard action, by role: the widgets offered, what is stored, what is refused."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import func, select

from dashboard import data
from langnghe.errors import UserError
from tests.dashboard.conftest import button_keys, texts
from triage.db import session_scope
from triage.models import AuditLog, Claim, Event, Label, Lease, Rebuttal, User
from triage.rebuttals import Reply


def counts(settings) -> dict[str, int]:
    with session_scope(settings, write=False) as s:
        return {m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
                for m in (Event, Label, Lease, Rebuttal, Claim, User, AuditLog)}


def statuses(settings, cid) -> list[tuple[str, str]]:
    with session_scope(settings, write=False) as s:
        return [(st, u) for st, u in s.execute(
            select(Event.status, User.username).join(User, User.id == Event.user_id)
            .where(Event.cluster_id == cid).order_by(Event.id)).all()]


# --- a viewer can change nothing -------------------------------------------------------------
def test_viewer_is_offered_no_action_on_any_page(dash):
    at = dash.app("viewer", card="A")
    assert not {k for k in button_keys(at) if k.startswith(("take_", "queue_bulk"))}
    assert not [c for c in at.checkbox if c.key.startswith("queue_sel_")]
    at.switch_page("views/card.py").run()
    assert not button_keys(at) & {"card_claim", "card_release", "card_dismiss", "card_escalate",
                                  "card_save_rebuttal", "card_forward"}
    assert not at.text_area  # no reply editor
    at.session_state["card_id"] = dash.scene.cards["D"]
    at.switch_page("views/support.py").run()
    assert not [k for k in button_keys(at) if k.startswith("support_forward_")]


ACTIONS = {
    "take_card": lambda d, a: data.take_card(d.scene.cards["A"], a, "new", {}),
    "claim_card": lambda d, a: data.claim_card(d.scene.cards["A"], a),
    "release_card": lambda d, a: data.release_card(d.scene.cards["A"], a),
    "set_status": lambda d, a: data.set_status(d.scene.cards["A"], a, "escalated"),
    "bulk_status": lambda d, a: data.bulk_status([d.scene.cards["A"], d.scene.cards["B"]], a, "dismissed", "x"),
    "bulk_take": lambda d, a: data.bulk_status([d.scene.cards["A"]], a, "in_review"),
    "forward_card": lambda d, a: data.forward_card(d.scene.cards["D"], a, "Ban Chính sách", "x@example"),
    "respond": lambda d, a: data.respond(d.scene.cards["A"], a, Reply(text="x", new_claim_text="y"), {}),
    "label_item": lambda d, a: data.label_item(d.scene.items["A"][0], a, "category", "neutral", None, None),
    "label_both": lambda d, a: data.label_both(d.scene.items["A"][0], a, "neutral", "other", None, None, None),
}
ADMIN_ACTIONS = {
    "add_user": lambda d, a: data.add_user(a, "moi", "mat-khau-dai", "analyst"),
    "set_role": lambda d, a: data.set_role(a, "binh", "admin"),
    "disable": lambda d, a: data.set_active(a, "binh", False),
    "enable": lambda d, a: data.set_active(a, "binh", True),
    "promote": lambda d, a: data.promote_model(a, "category", "category-x", True),
    "rollback": lambda d, a: data.rollback_model(a, "category", None),
    "audit": lambda d, a: data.audit_entries(a),
}


@pytest.mark.parametrize("action", sorted(ACTIONS) + sorted(ADMIN_ACTIONS))
def test_viewer_cannot_take_any_action(dash, action):
    before = counts(dash.settings)
    models = (dash.settings.models_dir / "CURRENT.json").read_text()
    fn = ACTIONS.get(action) or ADMIN_ACTIONS[action]
    with pytest.raises(UserError):  # WorkflowError is a UserError
        result = fn(dash, dash.actor("xem"))
        if isinstance(result, tuple):  # bulk actions report refusals per card
            done, refused = result
            assert not done and refused
            raise UserError("refused")
    assert counts(dash.settings) == before
    assert (dash.settings.models_dir / "CURRENT.json").read_text() == models


@pytest.mark.parametrize("action", sorted(ADMIN_ACTIONS))
def test_analyst_cannot_take_admin_actions(dash, action):
    before = counts(dash.settings)
    with pytest.raises(UserError):
        ADMIN_ACTIONS[action](dash, dash.actor("an"))
    assert counts(dash.settings) == before


# --- analysts at work --------------------------------------------------------------------------
def test_take_a_card_write_a_reply_and_mark_it_responded(dash):
    cid = dash.scene.cards["A"]
    at = dash.app("analyst", card="A", page="card")
    assert "card_save_rebuttal" not in button_keys(at)  # take the card first
    at.button(key="card_claim").click().run()
    assert not at.exception and at.success[0].value == "Đã lưu."
    # the editor starts from the matching claim's reply; switch to a template of the topic
    assert at.text_area(key="card_rebuttal_text").value.startswith("Không có chủ trương thu thêm 5% lương")
    tpl = next(o for o in at.selectbox(key="card_base").options if o.startswith("Mẫu"))
    at.selectbox(key="card_base").select(tpl).run()
    assert "Tam Đường" in at.text_area(key="card_rebuttal_text").value  # facets filled in
    assert "Luật Công đoàn" in at.text_area(key="card_rebuttal_sources").value
    at.text_area(key="card_rebuttal_text").input("Công đoàn KHÔNG thu thêm 5% lương. Nguồn: Luật Công đoàn.")
    at.text_input(key="card_posted_where").input("https://facebook.com/ldld.laichau/posts/77")
    at.button(key="card_save_rebuttal").click().run()
    assert not at.exception
    assert statuses(dash.settings, cid) == [("in_review", "an"), ("responded", "an")]
    with session_scope(dash.settings, write=False) as s:
        reply = s.scalars(select(Rebuttal).where(Rebuttal.cluster_id == cid)).one()
        assert reply.text.startswith("Công đoàn KHÔNG") and reply.posted_where.endswith("/77")
        assert reply.posted_at is not None and reply.claim_id is None and reply.sources
        assert s.get(Lease, cid) is None  # released on responding
    shown = texts(at)
    assert "Phản hồi đã đăng cho thẻ này" in shown and "facebook.com/ldld.laichau/posts/77" in shown


def test_reply_to_a_matching_claim_counts_for_its_recurrences(dash):
    cid = dash.scene.cards["A"]
    at = dash.app("analyst", card="A", page="card")
    at.button(key="card_claim").click().run()
    assert at.selectbox(key="card_base").value == f"claim:{dash.scene.claim_id}"
    at.button(key="card_save_rebuttal").click().run()  # not posted yet: no place given
    with session_scope(dash.settings, write=False) as s:
        reply = s.scalars(select(Rebuttal).where(Rebuttal.cluster_id == cid)).one()
        assert reply.claim_id == dash.scene.claim_id and reply.posted_at is None


def test_dismiss_needs_a_reason(dash):
    cid = dash.scene.cards["B"]
    at = dash.app("analyst", card="B", page="card")
    at.button(key="card_dismiss").click().run()
    assert any("Hãy ghi lý do bỏ qua" in e.value for e in at.error)
    at.text_input(key="card_dismiss_reason").input("trùng lặp")
    at.button(key="card_dismiss").click().run()
    assert statuses(dash.settings, cid) == [("dismissed", "an")]


def test_bulk_actions_on_the_queue_apply_to_each_story(dash):
    a, b = dash.scene.cards["A"], dash.scene.cards["B"]
    at = dash.app("analyst")
    at.checkbox(key=f"queue_sel_{a}").check()
    at.checkbox(key=f"queue_sel_{b}").check()
    at.selectbox(key="queue_bulk_action").set_value("escalated")
    at.button(key="queue_bulk_apply").click().run()
    assert not at.exception and "Đã xử lý 2 thẻ." in texts(at)
    assert statuses(dash.settings, a) == [("escalated", "an")] and statuses(dash.settings, b) == [("escalated", "an")]
    assert not [c for c in at.checkbox if c.key.startswith("queue_sel_")]  # escalated cards left the view


def test_take_from_the_queue_opens_the_card(dash):
    a = dash.scene.cards["A"]
    at = dash.app("analyst")
    at.button(key=f"take_{a}").click().run()
    assert not at.exception and at.session_state["card_id"] == a
    assert statuses(dash.settings, a) == [("in_review", "an")]


def test_two_sessions_take_the_same_card_one_wins(dash):
    cid = dash.scene.cards["A"]
    an = dash.app("analyst", name="an", card="A", page="card")
    binh = dash.app("analyst", name="binh", card="A", page="card")  # both see it free
    an.button(key="card_claim").click().run()
    binh.button(key="card_claim").click().run()
    assert not an.exception and not binh.exception
    assert any("Thẻ này đang được an xử lý" in e.value for e in binh.error)
    assert statuses(dash.settings, cid) == [("in_review", "an")]
    with session_scope(dash.settings, write=False) as s:
        assert s.get(Lease, cid).user_id == dash.scene.users["an"]
    binh.button(key="card_escalate").click().run()  # and cannot act on it either
    assert any("Another analyst holds this card" in e.value for e in binh.error)
    assert statuses(dash.settings, cid) == [("in_review", "an")]


def test_forward_a_grievance_to_its_department(dash):
    cid = dash.scene.cards["D"]
    at = dash.app("analyst", page="support")
    assert "Doanh nghiệp: Doanh nghiệp may mặc" in texts(at)
    at.button(key=f"support_forward_{cid}").click().run()
    assert not at.exception
    with session_scope(dash.settings, write=False) as s:
        ev = s.scalars(select(Event).where(Event.cluster_id == cid)).one()
    assert ev.status == "forwarded" and ev.note == "Ban Chính sách - Pháp luật"
    assert ev.seen["contact"] == "chinhsach@ldld-laichau.example"


def test_label_confirm_or_correct_in_one_click(dash):
    at = dash.app("analyst", page="label")
    item = dash.scene.items["B"][0]
    assert at.selectbox(key=f"label_cat_{item}").value == "scam"
    at.selectbox(key=f"label_topic_{item}").set_value("union_activities")
    at.button(key=f"label_save_{item}").click().run()
    assert not at.exception
    with session_scope(dash.settings, write=False) as s:
        rows = s.execute(select(Label.task, Label.value, Label.shown_value, Label.prediction_id)
                         .where(Label.item_id == item).order_by(Label.task)).all()
    assert [(r[0], r[1], r[2]) for r in rows] == [("category", "scam", "scam"),
                                                  ("topic", "union_activities", "welfare_tet")]
    assert all(r[3] is not None for r in rows)
    assert f"label_save_{item}" not in button_keys(at)  # labelled items leave the list


def test_label_next_is_fed_by_active_learning(dash):
    at = dash.app("analyst", page="label")
    at.radio(key="label_mode").set_value("next").run()
    assert not at.exception
    saves = [k for k in button_keys(at) if k.startswith("label_save_")]
    assert len(saves) == 1  # one post at a time
    first = int(saves[0].rsplit("_", 1)[1])
    assert first in data.active_label_ids(10)
    at.button(key="label_skip").click().run()
    nxt = [k for k in button_keys(at) if k.startswith("label_save_")]
    assert nxt and nxt != saves
    at.button(key=nxt[0]).click().run()
    with session_scope(dash.settings, write=False) as s:
        assert s.scalar(select(func.count(Label.id))) == 2


# --- admins ---------------------------------------------------------------------------------
def test_admin_manages_users_with_an_audit_trail(dash):
    at = dash.app("admin", page="users")
    at.text_input(key="users_new_name").input("Hoa")
    at.text_input(key="users_new_password").input("mat-khau-rat-dai")
    at.selectbox(key="users_new_role").set_value("viewer")
    at.button(key="users_add_submit").click().run()
    assert not at.exception and "Đã tạo tài khoản Hoa." in texts(at)
    at.selectbox(key="users_target").set_value("hoa")
    at.selectbox(key="users_target_role").set_value("analyst")
    at.button(key="users_set_role").click().run()
    at.selectbox(key="users_target").set_value("hoa")
    at.button(key="users_disable").click().run()
    at.selectbox(key="users_target").set_value("quan")
    at.button(key="users_disable").click().run()
    assert "cannot disable your own account" in at.error[0].value
    with session_scope(dash.settings, write=False) as s:
        hoa = s.scalars(select(User).where(User.username == "hoa")).one()
        assert (hoa.role, hoa.active) == ("analyst", False)
        log = s.execute(select(AuditLog.actor, AuditLog.action).order_by(AuditLog.id)).all()
    assert log == [("quan", "user.add"), ("quan", "user.role"), ("quan", "user.disable")]


def test_a_role_change_applies_to_a_signed_in_session(dash):
    at = dash.app("analyst")
    assert [c for c in at.checkbox if c.key.startswith("queue_sel_")]
    data.set_role(dash.actor("quan"), "an", "viewer")
    at.run()
    assert at.session_state["user"].role == "viewer"
    assert not [c for c in at.checkbox if c.key.startswith("queue_sel_")]
    data.set_active(dash.actor("quan"), "an", False)
    at.run()
    assert at.text_input(key="login_username") is not None  # signed out


def test_admin_promotes_a_candidate_and_rolls_back(dash):
    models = dash.settings.models_dir
    current = json.loads((models / "CURRENT.json").read_text())["category"]
    candidate = current.replace(current.split("-")[1], "9.9.9")
    shutil.copytree(models / current, models / candidate)
    meta = json.loads((models / candidate / "metadata.json").read_text())
    meta["created"] = "2999-01-01T00:00:00+00:00"
    (models / candidate / "metadata.json").write_text(json.dumps(meta))
    at = dash.app("admin", page="models")
    assert f"models_promote_{candidate}" in button_keys(at)
    at.button(key=f"models_promote_{candidate}").click().run()
    assert not at.exception, at.exception
    assert json.loads((models / "CURRENT.json").read_text())["category"] == candidate
    assert "Đã đưa" in at.success[0].value
    at.selectbox(key="models_rollback_to_category").set_value(current)
    at.button(key="models_rollback_category").click().run()
    assert json.loads((models / "CURRENT.json").read_text())["category"] == current
    with session_scope(dash.settings, write=False) as s:
        log = s.execute(select(AuditLog.actor, AuditLog.action, AuditLog.detail).order_by(AuditLog.id)).all()
    assert [(a, b) for a, b, _ in log] == [("quan", "model.promote"), ("quan", "model.rollback")]
    assert log[0][2]["from"] == current and log[0][2]["to"] == candidate


def test_reports_offer_the_downloads(dash):
    at = dash.app("viewer", page="reports")
    assert not at.exception
    xlsx = data.summary_xlsx(dash.scene.now.year, None, "vi")
    assert xlsx[:2] == b"PK"
    html = data.digest_bytes(dash.scene.now.date(), "html", "vi").decode("utf-8")
    assert "Lắng Nghe — bản tin ngày" in html
