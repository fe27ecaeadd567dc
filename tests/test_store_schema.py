"""Migrations on real SQLite and PostgreSQL: they build exactly the models' schema."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from langnghe.errors import UserError
from triage import migrate
from triage.db import forget_schema_checks, get_engine, parse_url, require_current_schema, session_scope
from triage.models import Base, Source


def test_upgrade_on_empty_database_then_down_and_up_again(db_settings):
    engine = get_engine(db_settings)
    assert migrate.current_revision(engine) is None
    before, after = migrate.upgrade(db_settings)
    assert (before, after) == (None, migrate.head_revision())
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert migrate.upgrade(db_settings) == (after, after)  # running it again is a no-op

    assert migrate.downgrade(db_settings, "base") == (after, None)
    assert set(inspect(engine).get_table_names()) <= {migrate.VERSION_TABLE}
    migrate.upgrade(db_settings)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_migrations_match_the_models_and_times_stay_utc(db_settings):
    migrate.upgrade(db_settings)
    with get_engine(db_settings).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []

    # timestamps come back timezone-aware UTC on both dialects
    local = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=7)))
    with session_scope(db_settings) as session:
        session.add(Source(name="giờ", kind="rss", created_at=local))
    with session_scope(db_settings, write=False) as session:
        stored = session.scalars(select(Source.created_at)).one()
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == local


def test_require_current_schema_says_what_to_run(db_settings):
    engine = get_engine(db_settings)
    with pytest.raises(UserError, match=r"the database is empty\. Run `langnghe db upgrade`\."):
        require_current_schema(engine)
    migrate.upgrade(db_settings)
    require_current_schema(engine)
    migrate.stamp(db_settings, "base")  # tables present, no revision: an old install
    with pytest.raises(UserError, match=r"older than this version of Lắng Nghe\. Run `langnghe db upgrade`\."):
        require_current_schema(engine)
    migrate.stamp(db_settings, "head")
    require_current_schema(engine)
    with engine.begin() as conn:  # a database migrated by a newer Lắng Nghe
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    forget_schema_checks()  # a positive check is remembered per process
    with pytest.raises(UserError, match="newer than this version"):
        require_current_schema(engine)


def test_sqlite_connections_are_tuned(settings):
    migrate.upgrade(settings)
    with get_engine(settings).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


@pytest.mark.parametrize(
    "raw, driver",
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_url_forms(raw, driver):
    assert parse_url(raw).drivername == driver


@pytest.mark.parametrize("raw", ["notaurl", "mysql://u@h/db", "postgresql://u@h"])
def test_bad_urls_are_user_errors(raw):
    with pytest.raises(UserError, match="Check LANGNGHE_DB"):
        parse_url(raw)


def test_migrations_do_not_depend_on_the_working_directory(tmp_path, monkeypatch, settings):
    monkeypatch.chdir(tmp_path)
    assert migrate.MIGRATIONS_DIR.is_absolute()
    assert migrate.upgrade(settings)[1] == migrate.head_revision()


def test_sqlite_write_sessions_take_the_lock_at_begin_and_readers_do_not(settings):
    import sqlite3

    migrate.upgrade(settings)
    path = str(settings.home / "langnghe.db")
    with session_scope(settings, write=False) as reader:
        reader.execute(select(Source.id)).all()
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # a reader does not block writers
        other.execute("ROLLBACK")
    with session_scope(settings) as writer:
        writer.execute(select(Source.id)).all()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.close()


def test_other_tables_in_the_database_are_left_alone(db_settings):
    engine = get_engine(db_settings)
    with engine.begin() as conn:  # e.g. the scheduler's job store, created first
        conn.execute(text("CREATE TABLE apscheduler_jobs (id VARCHAR(191) PRIMARY KEY)"))
    with pytest.raises(UserError, match="the database is empty"):
        require_current_schema(engine)
    migrate.upgrade(db_settings)
    require_current_schema(engine)
    assert "apscheduler_jobs" in inspect(engine).get_table_names()
