"""Subcommands of ``langnghe``: one module each, each with ``register(subparsers)``."""
