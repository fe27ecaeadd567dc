"""Every page in AppTest, for each role; the login gate; actions by role."""

from __future__ import annotations

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from langnghe.settings import PROJECT_ROOT
from tests.triage.factory import add_item, add_users, cluster_of
from triage.db import session_scope
from triage.migrate import upgrade
from triage.models import Event
from triage.workflow import Actor

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGES = {
    "viewer": ["queue", "card", "support", "trends", "reports", "sources"],
    "analyst": ["queue", "card", "support", "label", "trends", "reports", "sources"],
    "admin": ["queue", "card", "support", "label", "trends", "reports", "sources", "models", "users"],
}


@pytest.fixture
def dash(settings, monkeypatch):
    monkeypatch.setenv("LANGNGHE_HOME", str(settings.home))
    monkeypatch.setenv("LANGNGHE_PSEUDONYM_SECRET", "test-secret")
    upgrade(settings)
    users = add_users(settings)
    item = add_item(settings, "Nghe nói công đoàn sắp thu thêm 5% lương, chia sẻ ngay!", cluster=True)
    add_item(settings, "Cty nợ lương 3 tháng rồi, cđ giúp với", "grievance", "wages", cluster=True)
    st.cache_data.clear()
    st.cache_resource.clear()
    return settings, users, cluster_of(settings, item)


def app_as(users, role: str | None, name: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if role:
        name = name or {"viewer": "xem", "analyst": "an", "admin": "quan"}[role]
        at.session_state["user"] = Actor(users[name], name, role)
    return at


def test_unauthenticated_visitor_sees_only_the_login(dash):
    _, users, _ = dash
    at = app_as(users, None).run()
    assert not at.exception
    assert at.text_input(key="login_username") is not None
    assert not [b for b in at.button if b.key and b.key.startswith("open_")]


def test_login_with_a_real_password(dash):
    settings, users, _ = dash
    from triage.users import add_user

    add_user(settings, "lan", "mat-khau-dai", "analyst")
    at = app_as(users, None).run()
    at.text_input(key="login_username").input("lan")
    at.text_input(key="login_password").input("mat-khau-dai")
    at.button[0].click().run()  # the form's submit button is the only button
    assert not at.exception
    assert at.session_state["user"].username == "lan"


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_runs_for_every_role(dash, role):
    _, users, cid = dash
    at = app_as(users, role)
    at.session_state["card_id"] = cid
    at.run()
    assert not at.exception
    for page in PAGES[role]:
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (role, page, at.exception)


def test_viewer_sees_no_action_buttons_on_a_card(dash):
    _, users, cid = dash
    at = app_as(users, "viewer")
    at.session_state["card_id"] = cid
    at.run()
    at.switch_page("views/card.py").run()
    keys = {b.key for b in at.button}
    assert not keys & {"card_claim", "card_dismiss", "card_escalate", "card_save_rebuttal"}


def test_analyst_takes_a_card_into_review(dash):
    settings, users, cid = dash
    at = app_as(users, "analyst")
    at.session_state["card_id"] = cid
    at.run()
    at.switch_page("views/card.py").run()
    at.button(key="card_claim").click().run()
    assert not at.exception
    with session_scope(settings, write=False) as s:
        assert s.scalars(select(Event.status).where(Event.cluster_id == cid)).all() == ["in_review"]
