"""Schema migrations (Alembic), configured in code so they work from any folder.

The migration scripts live in ``triage/migrations`` inside the installed package; no
``alembic.ini`` is read. Upgrades run in one transaction: on PostgreSQL under an
advisory lock (two ``langnghe db upgrade`` at once wait for each other instead of
racing); on SQLite with the write lock taken at BEGIN and foreign keys switched off
meanwhile, as table-copying batch migrations need, and checked before committing.
"""

from __future__ import annotations

import functools
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator


def _only_steps(record: logging.LogRecord) -> bool:
    """Keep Alembic's "Running upgrade a -> b" progress lines, drop its chatter."""
    return record.getMessage().startswith("Running ")


# Before importing alembic, which logs its plugin set-up at import time.
logging.getLogger("alembic").setLevel(logging.WARNING)
logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
logging.getLogger("alembic.runtime.migration").addFilter(_only_steps)

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.util.exc import CommandError  # noqa: E402
from alembic.runtime.migration import MigrationContext  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from sqlalchemy import inspect  # noqa: E402
from sqlalchemy.engine import Connection, Engine  # noqa: E402
from sqlalchemy.exc import DBAPIError  # noqa: E402

from langnghe.errors import UserError  # noqa: E402
from triage.db import IMMEDIATE, first_line, forget_schema_checks, get_engine  # noqa: E402
from triage.models import Base  # noqa: E402

if TYPE_CHECKING:
    from langnghe.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
#: Key of the PostgreSQL advisory lock held while migrating.
PG_LOCK_KEY = 0x4C4E_4D49  # "LNMI"


def alembic_config() -> Config:
    """An Alembic Config pointing at the packaged migration scripts."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@functools.lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision this code knows."""
    head = _script().get_current_head()
    assert head is not None, "no migration scripts found"
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in _script().walk_revisions()}


def current_revision(engine: Engine | Connection) -> str | None:
    """The revision the database is at, or None when never migrated."""
    if isinstance(engine, Connection):
        return MigrationContext.configure(engine).get_current_revision()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """One connection, in one transaction, safe against a concurrent migration."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            raw = conn.connection.driver_connection
            raw.execute("PRAGMA foreign_keys=OFF")  # no effect inside a transaction
            try:
                conn.execution_options(**{IMMEDIATE: True})
                with conn.begin():
                    yield conn
                    problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if problems:
                        raise RuntimeError(f"migration left broken foreign keys: {problems[:5]}")
            finally:
                raw.execute("PRAGMA foreign_keys=ON")
        else:
            with conn.begin():
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK_KEY})")
                yield conn


UNVERSIONED_MESSAGE = (
    "the database has tables but no schema revision (made by hand or by an unreleased version), "
    "so it cannot be upgraded safely. Point LANGNGHE_DB or LANGNGHE_HOME at a new empty database, "
    "or, if its tables match this version exactly, run `langnghe db stamp head`."
)


def _run(settings: "Settings", action: str, revision: str) -> tuple[str | None, str | None]:
    engine = get_engine(settings)
    cfg = alembic_config()
    try:
        with _migration_connection(engine) as conn:
            before = current_revision(conn)
            ours = set(inspect(conn).get_table_names()) & set(Base.metadata.tables)
            if action == "upgrade" and before is None and ours:
                raise UserError(UNVERSIONED_MESSAGE)
            cfg.attributes["connection"] = conn
            if action == "upgrade":
                command.upgrade(cfg, revision)
            elif action == "downgrade":
                command.downgrade(cfg, revision)
            else:
                command.stamp(cfg, revision)
            after = current_revision(conn)
    except DBAPIError as exc:
        raise UserError(
            f"the schema {action} failed and was rolled back ({first_line(exc)}). "
            f"Fix the cause and run `langnghe db {action}` again."
        ) from exc
    except CommandError as exc:
        raise UserError(f"the schema {action} to {revision!r} is not possible ({exc}). Check the revision.") from exc
    finally:
        forget_schema_checks()
    return before, after


def upgrade(settings: "Settings", revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate up to ``revision``; returns (revision before, revision after)."""
    return _run(settings, "upgrade", revision)


def downgrade(settings: "Settings", revision: str) -> tuple[str | None, str | None]:
    """Migrate down to ``revision`` (``"base"`` drops everything)."""
    return _run(settings, "downgrade", revision)


def stamp(settings: "Settings", revision: str) -> tuple[str | None, str | None]:
    """Record ``revision`` as current without running anything (repairs, tests)."""
    return _run(settings, "stamp", revision)
