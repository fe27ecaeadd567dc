"""Alembic migrations of the store (driven by :mod:`triage.migrate`, no alembic.ini)."""
