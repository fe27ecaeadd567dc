"""``langnghe db upgrade|current``: create or migrate the database schema.

Hidden helpers: ``langnghe db check`` exits 0 when the schema is current and 2 with
the usual "Run `langnghe db upgrade`." message otherwise (scripts, tests);
``langnghe db stamp REVISION`` records a revision without running anything, to adopt
a database whose tables were made another way (an admin's repair tool).
"""

from __future__ import annotations

import argparse
from typing import Any

TEXT = {
    "vi": {
        "database": "Cơ sở dữ liệu: {url}",
        "upgraded": "Đã nâng cấp lược đồ: {before} → {after}.",
        "already": "Lược đồ đã ở phiên bản mới nhất ({after}); không cần làm gì.",
        "current": "Phiên bản lược đồ: {current} (mới nhất: {head}).",
        "ok": "Lược đồ đã cập nhật.",
        "behind": "Lược đồ cũ hơn phiên bản này. Chạy `langnghe db upgrade`.",
        "empty": "(trống)",
        "tables": "{n} bảng.",
        "stamped": "Đã ghi phiên bản lược đồ: {before} → {after} (không chạy thay đổi nào).",
    },
    "en": {
        "database": "Database: {url}",
        "upgraded": "Schema upgraded: {before} → {after}.",
        "already": "Schema already at the newest revision ({after}); nothing to do.",
        "current": "Schema revision: {current} (newest: {head}).",
        "ok": "The schema is up to date.",
        "behind": "The schema is older than this version. Run `langnghe db upgrade`.",
        "empty": "(empty)",
        "tables": "{n} tables.",
        "stamped": "Schema revision recorded: {before} → {after} (nothing was run).",
    },
}


def _t(settings: Any, key: str, **kw: Any) -> str:
    lang = settings.language if settings.language in TEXT else "vi"
    return TEXT[lang][key].format(**kw)


def _upgrade(args: argparse.Namespace, settings: Any) -> int:
    from sqlalchemy import inspect

    from triage.db import get_engine, safe_url
    from triage.migrate import upgrade

    engine = get_engine(settings)
    before, after = upgrade(settings, args.revision)
    print(_t(settings, "database", url=safe_url(engine.url)))
    empty = _t(settings, "empty")
    tables = len(inspect(engine).get_table_names())
    if before == after:
        print(_t(settings, "already", after=after or empty) + " " + _t(settings, "tables", n=tables))
    else:
        print(_t(settings, "upgraded", before=before or empty, after=after or empty) + " "
              + _t(settings, "tables", n=tables))
    return 0


def _current(args: argparse.Namespace, settings: Any) -> int:
    from triage.db import get_engine, safe_url
    from triage.migrate import current_revision, head_revision

    engine = get_engine(settings)
    current, head = current_revision(engine), head_revision()
    print(_t(settings, "database", url=safe_url(engine.url)))
    print(_t(settings, "current", current=current or _t(settings, "empty"), head=head))
    print(_t(settings, "ok" if current == head else "behind"))
    return 0


def _check(args: argparse.Namespace, settings: Any) -> int:
    from triage.db import get_engine, require_current_schema

    require_current_schema(get_engine(settings))
    print(_t(settings, "ok"))
    return 0


def _stamp(args: argparse.Namespace, settings: Any) -> int:
    from triage.migrate import stamp

    before, after = stamp(settings, args.revision)
    empty = _t(settings, "empty")
    print(_t(settings, "stamped", before=before or empty, after=after or empty))
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "db",
        help="lược đồ cơ sở dữ liệu (database schema): upgrade, current",
        description="Tạo hoặc nâng cấp lược đồ cơ sở dữ liệu (create or migrate the database schema).",
    )
    sub = parser.add_subparsers(dest="db_command", metavar="{upgrade,current}", required=True)
    up = sub.add_parser("upgrade", help="tạo/nâng cấp lược đồ lên phiên bản mới nhất (migrate to the newest schema)")
    up.add_argument("--revision", default="head", help=argparse.SUPPRESS)
    up.set_defaults(func=_upgrade)
    cur = sub.add_parser("current", help="phiên bản lược đồ hiện tại (show the schema revision)")
    cur.set_defaults(func=_current)
    check = sub.add_parser("check")
    check.set_defaults(func=_check)
    stamp = sub.add_parser("stamp")
    stamp.add_argument("revision")
    stamp.set_defaults(func=_stamp)
