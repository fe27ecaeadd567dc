"""Shared fixtures: settings in a temporary home, and the real services.

PostgreSQL and Redis tests use ``LANGNGHE_TEST_PG_URL`` / ``LANGNGHE_TEST_REDIS_URL``
(defaults: the local servers). When a server is unreachable the tests skip with the
reason, unless ``LANGNGHE_TEST_REQUIRE_SERVICES=1`` (as in CI), where they fail.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from langnghe.settings import Settings, load_settings

PG_URL = os.environ.get("LANGNGHE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("LANGNGHE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("LANGNGHE_TEST_REQUIRE_SERVICES") == "1"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _unavailable(what: str, exc: Exception) -> None:
    message = f"{what} is not reachable ({exc.__class__.__name__}: {exc})"
    if REQUIRE_SERVICES:
        pytest.fail(message + "; LANGNGHE_TEST_REQUIRE_SERVICES=1 requires it")
    pytest.skip(message + "; start it or set its URL to run these tests")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh home (SQLite there), no download delay, fixed secret."""
    return load_settings(
        env={},
        home=tmp_path / "home",
        download_delay=0.0,
        pseudonym_secret="test-secret",
    )


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """URL of a fresh PostgreSQL database for this test session (dropped at the end)."""
    try:
        import psycopg

        conn = psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        _unavailable("PostgreSQL", exc)
    name = f"langnghe_t_{uuid.uuid4().hex[:10]}"
    conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_settings(request, tmp_path: Path) -> Settings:
    """Settings whose store is real SQLite, then real PostgreSQL (each test runs on both).

    On PostgreSQL every test gets its own empty database.
    """
    base = load_settings(env={}, home=tmp_path / "home", download_delay=0.0, pseudonym_secret="test-secret")
    if request.param == "sqlite":
        return base
    server = request.getfixturevalue("pg_server_url")
    import psycopg

    admin_url = server.replace("postgresql+psycopg://", "postgresql://")
    name = f"langnghe_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from sqlalchemy import create_engine  # noqa: F401  (engines are disposed by tests)

        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    request.addfinalizer(drop)
    return base.replace(db=server.rsplit("/", 1)[0] + f"/{name}")


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        _unavailable("Redis", exc)
    return REDIS_URL
