"""Where a grievance goes: the department per topic (``config/routing.toml``).

The support queue is for helping workers, so each topic names the department that
can act and how to reach it. A ``[routing.<topic>]`` table in the user's config file
(``Settings.extra["routing"]``) overrides the shipped entry for that topic.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from langnghe.errors import UserError
from langnghe.settings import PROJECT_ROOT, Settings

ROUTING_FILE = PROJECT_ROOT / "config" / "routing.toml"


@dataclass(frozen=True)
class Department:
    topic: str
    name: str
    name_en: str
    contact: str

    def label(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"the routing file {path} is not valid TOML ({exc}). Fix the file and reload.") from exc


def routing_table(settings: Settings | None = None, path: Path = ROUTING_FILE) -> dict[str, Department]:
    """topic -> Department; always has a ``default`` entry."""
    raw: dict[str, Any] = dict(_read(path))
    extra: Mapping[str, Any] = (settings.extra.get("routing") or {}) if settings is not None else {}
    for topic, entry in extra.items():
        if isinstance(entry, Mapping):
            raw[topic] = {**raw.get(topic, {}), **entry}
    table: dict[str, Department] = {}
    for topic, entry in raw.items():
        if not isinstance(entry, Mapping) or not entry.get("department"):
            continue
        table[topic] = Department(topic, str(entry["department"]), str(entry.get("department_en", "")),
                                  str(entry.get("contact", "")))
    table.setdefault("default", Department("default", "Văn phòng LĐLĐ tỉnh", "Federation office", ""))
    return table


def department_for(topic: str | None, table: Mapping[str, Department]) -> Department:
    return table.get(topic or "", table["default"])
