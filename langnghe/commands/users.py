"""``langnghe users add|list|disable``: dashboard accounts (argon2 hashes, three roles)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from langnghe.errors import UserError

TEXT = {
    "vi": {
        "password": "Mật khẩu: ",
        "again": "Nhập lại mật khẩu: ",
        "added": "Đã tạo người dùng {name} (vai trò: {role}).",
        "disabled": "Đã khoá người dùng {name}.",
        "header": ("tên đăng nhập", "vai trò", "trạng thái", "ngày tạo"),
        "active": "hoạt động",
        "inactive": "đã khoá",
        "none": "Chưa có người dùng nào. Tạo bằng `langnghe users add TÊN --role admin`.",
        "count": "{n} người dùng.",
    },
    "en": {
        "password": "Password: ",
        "again": "Password again: ",
        "added": "Created user {name} (role: {role}).",
        "disabled": "Disabled user {name}.",
        "header": ("username", "role", "status", "created"),
        "active": "active",
        "inactive": "disabled",
        "none": "No users yet. Create one with `langnghe users add NAME --role admin`.",
        "count": "{n} users.",
    },
}


def _t(settings: Any, key: str, **kw: Any) -> Any:
    lang = settings.language if settings.language in TEXT else "vi"
    value = TEXT[lang][key]
    return value.format(**kw) if isinstance(value, str) else value


def _read_password(args: argparse.Namespace, settings: Any) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise UserError("no password was given on standard input. Pipe it in, e.g. `echo PASSWORD | langnghe users add ...`.")
        return password
    if not sys.stdin.isatty():
        raise UserError("there is no terminal to ask for the password. Pipe it in and add --password-stdin.")
    import getpass

    first = getpass.getpass(_t(settings, "password"))
    second = getpass.getpass(_t(settings, "again"))
    if first != second:
        raise UserError("the two passwords differ. Run the command again and type the same password twice.")
    return first


def _add(args: argparse.Namespace, settings: Any) -> int:
    from triage.users import add_user, check_role, normalise_username

    name = normalise_username(args.username)
    check_role(args.role)
    password = _read_password(args, settings)
    user = add_user(settings, name, password, args.role, display_name=args.display_name or "")
    print(_t(settings, "added", name=user.username, role=user.role))
    return 0


def _list(args: argparse.Namespace, settings: Any) -> int:
    from triage.users import list_users

    from datetime import timezone
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    users = list_users(settings)
    if not users:
        print(_t(settings, "none"))
        return 0
    try:
        zone = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = timezone.utc
    rows = [_t(settings, "header")] + [
        (u.username, u.role, _t(settings, "active" if u.active else "inactive"),
         u.created_at.astimezone(zone).date().isoformat())
        for u in users
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    print(_t(settings, "count", n=len(users)), file=sys.stderr)
    return 0


def _disable(args: argparse.Namespace, settings: Any) -> int:
    from triage.users import disable_user

    user = disable_user(settings, args.username)
    print(_t(settings, "disabled", name=user.username))
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "users",
        help="tài khoản bảng điều khiển (dashboard accounts): add, list, disable",
        description="Quản lý tài khoản bảng điều khiển (manage dashboard accounts).",
    )
    sub = parser.add_subparsers(dest="users_command", metavar="{add,list,disable}", required=True)
    add = sub.add_parser("add", help="tạo tài khoản (create an account)")
    add.add_argument("username", metavar="USERNAME")
    add.add_argument("--role", required=True, metavar="admin|analyst|viewer",
                     help="vai trò (role): admin, analyst hoặc viewer")
    add.add_argument("--display-name", default="", help="tên hiển thị (display name)")
    add.add_argument("--password-stdin", action="store_true",
                     help="đọc mật khẩu từ stdin (read the password from standard input)")
    add.set_defaults(func=_add)
    lst = sub.add_parser("list", help="liệt kê tài khoản (list accounts)")
    lst.set_defaults(func=_list)
    dis = sub.add_parser("disable", help="khoá tài khoản (disable an account)")
    dis.add_argument("username", metavar="USERNAME")
    dis.set_defaults(func=_disable)
