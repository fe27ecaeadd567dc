"""Lắng Nghe: social listening and misinformation triage for a Vietnamese trade union."""

__version__ = "0.1.0"
