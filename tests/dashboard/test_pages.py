"""Every page in AppTest, for each role; the login gate; language; no per-person views."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP, button_keys, texts
from langnghe.settings import PROJECT_ROOT

PAGES = {
    "viewer": ["queue", "card", "support", "trends", "reports", "sources"],
    "analyst": ["queue", "card", "support", "label", "trends", "reports", "sources"],
    "admin": ["queue", "card", "support", "label", "trends", "reports", "sources", "models", "users"],
}
#: Something each page must show with the scene's data (Vietnamese UI).
EXPECT = {
    "queue": "Nghe nói công đoàn sắp thu thêm 5% lương",
    "card": "Luận điểm này đã quay lại 2 lần",
    "support": "Ban Chính sách - Pháp luật",
    "label": "Mô hình đoán",
    "trends": "Số bài mỗi ngày",
    "reports": "Phản hồi và thời gian xử lý",
    "sources": "Nguồn có gián đoạn",
    "models": "Mô hình đang dùng",
    "users": "Nhật ký quản trị",
}


def test_unauthenticated_visitor_sees_only_the_login(dash):
    at = dash.app()
    assert not at.exception
    assert at.text_input(key="login_username") is not None
    assert button_keys(at) <= {"login_submit"}
    shown = texts(at)
    assert "công đoàn sắp thu thêm" not in shown and "Hàng đợi" not in shown


@pytest.mark.parametrize("page", ["queue", "card", "users", "models", "label"])
def test_a_page_opened_without_login_shows_nothing(dash, page):
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "views" / f"{page}.py"), default_timeout=30)
    at.session_state["card_id"] = dash.scene.cards["A"]
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Hãy đăng nhập để tiếp tục."]
    assert not at.button and not at.text_input and not at.dataframe


def test_login_with_a_real_password_and_a_wrong_one(dash):
    from triage.users import add_user, disable_user

    add_user(dash.settings, "lan", "mat-khau-dai", "analyst")
    add_user(dash.settings, "cu", "mat-khau-cu-1", "analyst")
    disable_user(dash.settings, "cu")
    at = dash.app()
    at.text_input(key="login_username").input("lan")
    at.text_input(key="login_password").input("sai-mat-khau")
    at.button(key="login_submit").click().run()
    assert "user" not in at.session_state and at.error[0].value == "Sai tên đăng nhập hoặc mật khẩu."
    at.text_input(key="login_username").input("cu")
    at.text_input(key="login_password").input("mat-khau-cu-1")
    at.button(key="login_submit").click().run()
    assert "user" not in at.session_state  # disabled accounts cannot sign in
    at.text_input(key="login_username").input("Lan ")
    at.text_input(key="login_password").input("mat-khau-dai")
    at.button(key="login_submit").click().run()
    assert not at.exception
    assert at.session_state["user"].username == "lan"
    assert "Nghe nói công đoàn sắp thu thêm 5% lương" in texts(at)  # lands on the queue


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_runs_for_every_role(dash, role):
    at = dash.app(role, card="A")
    assert not at.exception
    for page in PAGES[role]:
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (role, page, at.exception)
        assert EXPECT[page] in texts(at), (role, page)


@pytest.mark.parametrize("role,page", [("viewer", "label"), ("viewer", "models"), ("viewer", "users"),
                                       ("analyst", "models"), ("analyst", "users")])
def test_pages_above_the_role_are_refused(dash, role, page):
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "views" / f"{page}.py"), default_timeout=30)
    at.session_state["user"] = dash.actor({"viewer": "xem", "analyst": "an"}[role])
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Trang này dành cho vai trò khác."]
    assert not at.button and not at.dataframe and not at.text_input


def test_english_switch(dash):
    at = dash.app("admin", card="A", lang="en")
    assert at.header[0].value == "Queue"
    at.switch_page("views/card.py").run()
    assert "This claim came back 2 times" in texts(at)
    at.switch_page("views/reports.py").run()
    assert "Responses and response times" in texts(at)
    at.radio(key="lang").set_value("vi").run()
    assert "Phản hồi và thời gian xử lý" in texts(at)


def test_overdue_card_is_highlighted_with_its_due_time(dash):
    at = dash.app("viewer")
    shown = texts(at)
    assert ":red[**⚠ QUÁ HẠN**" in shown  # card B: priority 2.5, due 4 h after it came in
    assert shown.count("QUÁ HẠN") == 1 and "Hạn xử lý:" in shown
    at.toggle(key="queue_overdue").set_value(True).run()
    assert [m.value for m in at.metric][:1] == ["1"]


def test_queue_filters(dash):
    at = dash.app("viewer")
    at.selectbox(key="queue_category").set_value("scam").run()
    assert not at.exception
    assert [b.key for b in at.button if b.key.startswith("open_")] == [f"open_{dash.scene.cards['B']}"]
    at.selectbox(key="queue_category").set_value(None).run()
    at.multiselect(key="queue_status").set_value(["responded"]).run()
    assert [b.key for b in at.button if b.key.startswith("open_")] == [f"open_{dash.scene.cards['C']}"]


def test_no_page_shows_authors(dash):
    at = dash.app("admin", card="A")
    for page in PAGES["admin"]:
        at.switch_page(f"views/{page}.py").run()
        shown = texts(at) + "".join(str(df.value) for df in at.dataframe)
        assert "ps00" not in shown, page  # the scene's author pseudonyms
        assert "author" not in shown.lower() and "tác giả" not in shown.lower(), page


def test_every_widget_has_a_key(dash):
    at = dash.app("admin", card="A")
    for page in PAGES["admin"]:
        at.switch_page(f"views/{page}.py").run()
        for kind in ("button", "text_input", "text_area", "selectbox", "multiselect", "checkbox", "radio",
                     "toggle", "number_input", "date_input", "time_input", "slider"):
            for widget in getattr(at, kind):
                assert widget.key and not widget.key.startswith("$$"), (page, kind, widget.label)


def test_open_a_card_from_the_queue(dash):
    at = dash.app("viewer")
    at.button(key=f"open_{dash.scene.cards['A']}").click().run()
    assert not at.exception
    assert at.session_state["card_id"] == dash.scene.cards["A"]
    shown = texts(at)
    assert "Luận điểm đã được bác bỏ tương tự" in shown and "Tam Đường" in shown


def test_app_file_is_the_one_entry_point():
    assert APP.endswith("dashboard/app.py")
