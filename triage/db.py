"""The database engine: one per URL per process, set up for the two dialects we run on.

SQLite (the default, under the home folder) is tuned for one machine where the crawler
writes while the dashboard reads: WAL journal, foreign keys on, a 30 s busy timeout and
``synchronous=NORMAL``. Python's ``sqlite3`` transaction handling is replaced by
SQLAlchemy's own ``BEGIN`` so transactions are real; write transactions start with
``BEGIN IMMEDIATE``, which takes the write lock up front and waits for it (a deferred
transaction that reads, then writes, fails at once with "database is locked" when
another process committed in between).

PostgreSQL URLs (``postgresql://`` or ``postgres://``) always use psycopg 3.

Every way ``LANGNGHE_DB`` can be wrong ends in a :class:`~langnghe.errors.UserError`
with one line saying what to fix, never a traceback.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session

from langnghe.errors import UserError

if TYPE_CHECKING:
    from langnghe.settings import Settings

URL_HINT = "Check LANGNGHE_DB; expected sqlite:///path or postgresql://user@host/db"
#: Execution option that makes a SQLite transaction start with ``BEGIN IMMEDIATE``.
IMMEDIATE = "langnghe_sqlite_immediate"
PG_CONNECT_TIMEOUT = 10

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def first_line(exc: BaseException) -> str:
    """The driver's message, first line only (psycopg adds multi-line details)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return (text[0] if text else orig.__class__.__name__).strip()[:300]


def _mask(raw: str) -> str:
    """Hide a password in a URL string we could not even parse."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", raw)


def parse_url(raw: str) -> URL:
    """Turn a ``LANGNGHE_DB`` value into the URL we connect with, or raise UserError."""
    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError) as exc:
        raise UserError(f"the database URL {_mask(raw)!r} cannot be parsed. {URL_HINT}.") from exc
    backend = url.drivername.split("+", 1)[0]
    if backend in ("postgresql", "postgres"):
        if not url.database:
            raise UserError(f"the database URL {safe_url(url)} names no database. {URL_HINT}.")
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url.set(drivername="sqlite")
    raise UserError(f"the database kind {url.drivername!r} is not supported. {URL_HINT}.")


def safe_url(url: URL | str) -> str:
    """The URL as it can be shown to people (password hidden)."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except (ArgumentError, ValueError):
            return _mask(url)
    return url.render_as_string(hide_password=True)


def _sqlite_path(url: URL) -> Path | None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _prepare_sqlite_folder(settings: "Settings", url: URL) -> None:
    path = _sqlite_path(url)
    if path is None:
        return
    if not settings.db:
        settings.ensure_home()
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"cannot create the folder {path.parent} for the SQLite database ({exc.strerror}). {URL_HINT}."
        ) from exc


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN (see the module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _connect_error(url: URL, raw: str, exc: BaseException) -> UserError:
    reason = first_line(exc)
    if url.get_backend_name() == "sqlite":
        return UserError(
            f"cannot open the SQLite database {url.database} ({reason}). "
            "Set LANGNGHE_HOME to a folder you can write to, or check LANGNGHE_DB."
        )
    return UserError(f"cannot connect to the database {safe_url(raw)} ({reason}). {URL_HINT}.")


def get_engine(settings: "Settings") -> Engine:
    """The engine for ``settings.db_url``, created and checked once per process.

    The first call connects once, so an unreachable server, a missing database or an
    unusable SQLite file is reported here as a UserError rather than later, mid-job.
    """
    url = parse_url(settings.db_url)
    key = url.render_as_string(hide_password=False)
    engine = _engines.get(key)
    if engine is not None:
        return engine
    with _lock:
        engine = _engines.get(key)
        if engine is not None:
            return engine
        try:
            if url.get_backend_name() == "sqlite":
                _prepare_sqlite_folder(settings, url)
                engine = create_engine(url)
                _install_sqlite_hooks(engine)
            else:
                engine = create_engine(
                    url,
                    pool_pre_ping=True,
                    connect_args={"connect_timeout": PG_CONNECT_TIMEOUT, "application_name": "langnghe"},
                )
        except (NoSuchModuleError, ArgumentError) as exc:
            raise UserError(f"cannot use the database URL {safe_url(url)} ({first_line(exc)}). {URL_HINT}.") from exc
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except (DBAPIError, SQLAlchemyError, OSError) as exc:
            engine.dispose()
            raise _connect_error(url, settings.db_url, exc) from exc
        _engines[key] = engine
        return engine


def dispose_engines() -> None:
    """Close every cached engine (tests, or a process about to fork)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def write_engine(engine: Engine) -> Engine:
    """The same engine, but its transactions take SQLite's write lock at BEGIN."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{IMMEDIATE: True})
    return engine


@contextmanager
def session_scope(settings: "Settings", *, write: bool = True) -> Iterator[Session]:
    """A Session committed on success and rolled back on any error.

    ``write=True`` (the default) takes SQLite's write lock at the start, which is
    what any transaction that may write needs; pass ``write=False`` for read-only
    work so readers never wait for the crawler.
    """
    engine = get_engine(settings)
    bind = write_engine(engine) if write else engine
    session = Session(bind=bind, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# --- schema version -------------------------------------------------------------------

_current_ok: set[int] = set()

EMPTY_MESSAGE = "the database is empty. Run `langnghe db upgrade`."
OLD_MESSAGE = "the database schema is older than this version of Lắng Nghe. Run `langnghe db upgrade`."


def forget_schema_checks() -> None:
    """Make :func:`require_current_schema` look again (after an upgrade/downgrade)."""
    _current_ok.clear()


def require_current_schema(engine: Engine) -> None:
    """Raise UserError unless the database is migrated to this code's head revision.

    Checked once per engine per process (a positive answer is remembered).
    """
    if id(engine) in _current_ok:
        return
    from triage.migrate import current_revision, head_revision, known_revisions
    from triage.models import Base

    try:
        # Only our tables count: others may share the database (the scheduler's job store).
        tables = set(inspect(engine).get_table_names()) & set(Base.metadata.tables)
        revision = current_revision(engine)
    except (DBAPIError, SQLAlchemyError) as exc:
        raise UserError(f"cannot read the database schema ({first_line(exc)}). {URL_HINT}.") from exc
    if revision is None and not tables:
        raise UserError(EMPTY_MESSAGE)
    head = head_revision()
    if revision == head:
        _current_ok.add(id(engine))
        return
    if revision is not None and revision not in known_revisions():
        raise UserError(
            f"the database schema (revision {revision}) is newer than this version of Lắng Nghe. "
            "Install the newer Lắng Nghe that created it."
        )
    raise UserError(OLD_MESSAGE)
