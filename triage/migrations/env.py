"""Alembic environment: run by :mod:`triage.migrate`, which passes an open connection.

``render_as_batch`` lets future revisions alter tables on SQLite (which has almost no
ALTER TABLE). ``UTCDateTime`` is written into new revisions as plain
``sa.DateTime(timezone=True)`` so revisions never import application code.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context

from triage.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> Any:
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Autogenerate only looks at our tables (others, e.g. the scheduler's, share the DB)."""
    if type_ == "table":
        return name in target_metadata.tables
    return True


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
        include_name=include_name,
    )


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        url = config.get_main_option("sqlalchemy.url")
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            _configure(conn)
            context.run_migrations()
        engine.dispose()
        return
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_online()
