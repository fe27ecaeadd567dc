"""Alerts through a real local SMTP server (aiosmtpd) and a local HTTP receiver."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from tests.triage.factory import add_item, cluster_of
from triage import alerts
from triage.clustering import refresh_clusters
from triage.db import session_scope
from triage.migrate import upgrade
from triage.models import AlertLog, Cluster


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope.content.decode("utf-8", "replace"))
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield "127.0.0.1", port, sink.messages
    controller.stop()


@pytest.fixture
def webhook():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


def _urgent_stories(settings, n: int) -> list[int]:
    now = datetime.now(timezone.utc)
    ids = []
    for i in range(n):
        item = add_item(settings, f"Lừa đảo nhận hỗ trợ công đoàn số {i} qua link lạ, nhắn mã OTP ngay",
                        "scam", proba=0.95, likes=2000, hours_ago=0.5, cluster=True)
        ids.append(cluster_of(settings, item))
    with session_scope(settings) as s:
        for cid in ids:
            s.get(Cluster, cid).created_at = now
        refresh_clusters(s, set(ids), now)
    return ids


def test_new_urgent_story_is_mailed_and_posted_once(settings, smtp, webhook):
    host, port, mails = smtp
    url, posts = webhook
    settings = settings.replace(smtp_host=host, smtp_port=port, alert_emails=("truyenthong@ldld.example",),
                                alert_webhook=url)
    upgrade(settings)
    _urgent_stories(settings, 1)
    assert alerts.check_and_send(settings) == 1
    assert len(mails) == 1 and "Subject:" in mails[0]
    assert len(posts) == 1 and posts[0]["kind"] == "cluster"
    # Deduplicated: the same story is not announced twice.
    assert alerts.check_and_send(settings) == 0
    assert len(mails) == 1 and len(posts) == 1


def test_rate_limit_suppresses_and_records_the_rest(settings, webhook):
    url, posts = webhook
    settings = settings.replace(alert_webhook=url, alert_max_per_hour=3)
    upgrade(settings)
    _urgent_stories(settings, 5)
    assert alerts.check_and_send(settings) == 3
    assert len(posts) == 3
    with session_scope(settings, write=False) as s:
        statuses = sorted(s.scalars(select(AlertLog.status)).all())
    # 5 urgent stories + 1 spike (5 scams today against an empty month): 3 sent, 3 held back.
    assert statuses == ["sent"] * 3 + ["suppressed"] * 3
    # Still within the hour: nothing more goes out.
    assert alerts.check_and_send(settings, now=datetime.now(timezone.utc) + timedelta(minutes=10)) == 0


def test_failed_delivery_is_retried_next_time(settings, webhook):
    url, posts = webhook
    broken = settings.replace(alert_webhook="http://127.0.0.1:9/unreachable")
    upgrade(broken)
    _urgent_stories(broken, 1)
    assert alerts.check_and_send(broken) == 0
    assert alerts.check_and_send(broken.replace(alert_webhook=url)) == 1
    assert len(posts) == 1


def test_collection_gap_alert(settings, webhook):
    from langnghe.records import CrawlStats
    from triage.store import Store

    url, posts = webhook
    settings = settings.replace(alert_webhook=url)
    upgrade(settings)
    store = Store(settings)
    run = store.start_crawl_run("bao-demo")
    store.finish_crawl_run(run, CrawlStats(source="bao-demo", pages_fetched=3))
    assert alerts.check_and_send(settings) == 1
    assert posts[0]["kind"] == "gap" and posts[0]["payload"]["source"] == "bao-demo"
