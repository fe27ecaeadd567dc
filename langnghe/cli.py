"""The one command-line entry point, ``langnghe``, with subcommands.

Each subcommand lives in ``langnghe/commands/<name>.py`` and exposes
``register(subparsers)``, which adds its parser and sets ``func(args, settings) -> int``.
Heavy imports happen inside the command functions, so ``langnghe --help`` is quick.
A :class:`~langnghe.errors.UserError` ends the run with one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from langnghe import __version__
from langnghe.errors import UserError

import langnghe.commands as commands_pkg


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="langnghe",
        description="Lắng Nghe — theo dõi dư luận và phân loại tin cho công đoàn "
        "(social listening and misinformation triage).",
    )
    parser.add_argument("--version", action="version", version=f"langnghe {__version__}")
    parser.add_argument("--config", help="config file (TOML); default: LANGNGHE_CONFIG or <home>/langnghe.toml")
    parser.add_argument("--home", help="data folder (LANGNGHE_HOME, default ./var)")
    parser.add_argument("--db", help="database URL (LANGNGHE_DB); default SQLite under the home folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"langnghe.commands.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        from pathlib import Path

        from langnghe import logs
        from langnghe.settings import load_settings

        settings = load_settings(
            config_file=Path(args.config) if args.config else None,
            home=args.home,
            db=args.db,
        )
        logs.setup("DEBUG" if args.verbose else settings.log_level, settings.log_format)
        return int(args.func(args, settings) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if args.verbose:
            raise
        print(
            f"error: internal error ({exc.__class__.__name__}: {exc}). This is a bug in Lắng Nghe; "
            "run the command again with -v to see the details and report them.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing half-written was kept. Run the command again to continue.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
