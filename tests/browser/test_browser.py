"""The real dashboard in a real browser: log in, take a card, reply, mark it responded.

Starts ``langnghe dashboard --headless`` as a child process on a free port over a store
filled by :mod:`tests.triage.scene`, and drives Debian's headless Chromium with
selenium. Saves a screenshot of the queue to ``artifacts/queue.png``. Skipped when
Chromium is missing, unless ``LANGNGHE_TEST_REQUIRE_SERVICES=1`` (CI), where it fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from langnghe.settings import PROJECT_ROOT
from tests.conftest import REQUIRE_SERVICES
from tests.triage import scene as sc
from triage.db import session_scope
from triage.migrate import upgrade
from triage.models import Event, Rebuttal, User

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = PROJECT_ROOT / "artifacts"
WAIT = 30


def _need_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        message = f"{', '.join(missing)} not found (apt-get install chromium chromium-driver)"
        if REQUIRE_SERVICES:
            pytest.fail(message + "; LANGNGHE_TEST_REQUIRE_SERVICES=1 requires it")
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(settings, tmp_path):
    """A store like the demo's, and the dashboard serving it."""
    _need_browser()
    from triage.users import add_user

    models = tmp_path / "models"
    shutil.copytree(PROJECT_ROOT / "models", models)
    upgrade(settings)
    scene = sc.build(settings)
    add_user(settings, "lan", "mat-khau-dai", "analyst")
    port = _free_port()
    env = dict(os.environ, LANGNGHE_HOME=str(settings.home), LANGNGHE_MODELS_DIR=str(models),
               LANGNGHE_PSEUDONYM_SECRET="test-secret")
    env.pop("LANGNGHE_DB", None)
    log = (tmp_path / "dashboard.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "langnghe", "--home", str(settings.home), "dashboard", "--port", str(port), "--headless"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("the dashboard did not start:\n" + (tmp_path / "dashboard.log").read_text()[-3000:])
            time.sleep(0.3)
        yield url, settings, scene
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture
def browser(tmp_path):
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update",
                "--disable-gpu", "--no-first-run", "--disable-sync", f"--user-data-dir={tmp_path / 'chrome'}",
                "--window-size=1400,1800", "--lang=vi"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def test_analyst_answers_a_card_in_the_browser(server, browser):
    from selenium.common.exceptions import ElementClickInterceptedException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    url, settings, scene = server
    cid = scene.cards["A"]
    wait = WebDriverWait(browser, WAIT)

    def widget(key: str, tag: str):
        return wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, f".st-key-{key} {tag}")))

    def settle() -> None:
        """Wait until Streamlit has finished the rerun a click or a commit started."""
        time.sleep(0.4)
        wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]'))

    def click(key: str) -> None:
        # A rerun may replace the element between finding and clicking it, and a table
        # still laying out may cover it for a moment: bring it to the middle and retry.
        for _ in range(8):
            try:
                el = widget(key, "button")
                browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", el)
                el.click()
                break
            except (StaleElementReferenceException, ElementClickInterceptedException):
                time.sleep(0.4)
        else:  # still covered after 3 s: let the browser deliver the click to the button itself
            browser.execute_script("arguments[0].click();", widget(key, "button"))
        settle()

    def fill(key: str, tag: str, text: str) -> None:
        """Type into a text widget and commit it (blur), until the page holds the value."""
        for _ in range(5):
            try:
                el = widget(key, tag)
                el.send_keys(Keys.CONTROL, "a")
                el.send_keys(Keys.DELETE)
                el.send_keys(text)
                el.send_keys(Keys.TAB)
                settle()
                if widget(key, tag).get_attribute("value") == text:
                    return
            except StaleElementReferenceException:
                time.sleep(0.3)
        raise AssertionError(f"could not fill {key}")

    browser.get(url)
    fill("login_username", "input", "lan")
    fill("login_password", "input", "mat-khau-dai")
    click("login_submit")

    widget(f"open_{cid}", "button")
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), "QUÁ HẠN"))
    time.sleep(1.0)  # let fonts settle for the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "queue.png"))
    click(f"open_{cid}")

    click("card_claim")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".st-key-card_save_rebuttal button")))
    fill("card_rebuttal_text", "textarea", "Công đoàn không thu thêm 5% lương của công nhân. Xem Luật Công đoàn 2024.")
    fill("card_posted_where", "input", "https://facebook.com/ldld.laichau/posts/101")
    click("card_save_rebuttal")

    deadline = time.monotonic() + WAIT
    while True:
        with session_scope(settings, write=False) as s:
            events = s.execute(select(Event.status, User.username).join(User, User.id == Event.user_id)
                               .where(Event.cluster_id == cid).order_by(Event.id)).all()
            reply = s.scalars(select(Rebuttal).where(Rebuttal.cluster_id == cid)).one_or_none()
        if reply is not None or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert [tuple(e) for e in events] == [("in_review", "lan"), ("responded", "lan")]
    assert reply.text == "Công đoàn không thu thêm 5% lương của công nhân. Xem Luật Công đoàn 2024."
    assert reply.posted_where == "https://facebook.com/ldld.laichau/posts/101" and reply.posted_at is not None
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), "Phản hồi đã đăng cho thẻ này"))
    assert (ARTIFACTS / "queue.png").stat().st_size > 10_000
