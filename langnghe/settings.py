"""The one Settings object: code defaults < config file < ``LANGNGHE_*`` environment.

This is the only module that reads ``os.environ``. Everything else receives a
``Settings`` (or a value taken from one), so tests can build settings explicitly.

Config file: ``LANGNGHE_CONFIG`` if set, else ``<home>/langnghe.toml`` if it exists,
else ``./langnghe.toml`` if it exists. Keys are the field names below, at top level
(``[alerts]``-style tables are flattened with ``_``: ``[smtp] host`` -> ``smtp_host``).
Environment: ``LANGNGHE_<FIELD>`` in upper case, e.g. ``LANGNGHE_DB``,
``LANGNGHE_DOWNLOAD_DELAY``, ``LANGNGHE_HOME``.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from langnghe.errors import UserError

#: The repository / installation root (holds ``models/``, ``data/``, ``config/``).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "LANGNGHE_"


@dataclass(frozen=True)
class Settings:
    """Every tunable of Lắng Nghe, typed. Build with :func:`load_settings`."""

    # --- storage -----------------------------------------------------------------
    home: Path = Path("./var")
    #: SQLAlchemy URL. Empty means SQLite at ``<home>/langnghe.db``.
    db: str = ""
    #: Secret for author pseudonyms (HMAC-SHA256). Empty: generated once and kept in
    #: ``<home>/pseudonym.key`` (mode 0600).
    pseudonym_secret: str = ""

    # --- crawling ----------------------------------------------------------------
    sources_file: Path = PROJECT_ROOT / "config" / "sources.toml"
    watchlist_file: Path = PROJECT_ROOT / "config" / "watchlist.toml"
    user_agent: str = "LangNgheBot/0.1 (+union communications office; public sources only)"
    download_delay: float = 1.0
    concurrent_per_domain: int = 2
    download_timeout: float = 30.0
    max_page_bytes: int = 5 * 1024 * 1024
    redirect_max: int = 5
    retry_times: int = 3
    redis_url: str = ""
    facebook_token: str = ""
    youtube_key: str = ""
    #: Comment threads of items younger than this are revisited.
    revisit_days: int = 7

    # --- models --------------------------------------------------------------------
    models_dir: Path = PROJECT_ROOT / "models"

    # --- dashboard -----------------------------------------------------------------
    dashboard_port: int = 8501
    language: str = "vi"

    # --- operations ----------------------------------------------------------------
    timezone: str = "Asia/Ho_Chi_Minh"
    retention_months: int = 24
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "langnghe@localhost"
    alert_emails: tuple[str, ...] = ()
    alert_webhook: str = ""
    alert_max_per_hour: int = 10
    #: Clusters at or above this priority trigger an alert.
    alert_min_priority: float = 1.5
    log_level: str = "INFO"
    #: text | json (one JSON object per line, with the run id)
    log_format: str = "text"

    #: Anything else from the config file (tables like ``[routing]``), kept as read.
    extra: Mapping[str, Any] = field(default_factory=dict)

    # --- derived ---------------------------------------------------------------------
    @property
    def db_url(self) -> str:
        """The database URL in force: ``db`` or SQLite under ``home``."""
        if self.db:
            return self.db
        return f"sqlite:///{(self.home / 'langnghe.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)

    def ensure_home(self) -> Path:
        """Create ``home`` if needed; fail with a clear message if it is unusable."""
        home = self.home
        try:
            home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(
                f"cannot create the data folder {home} ({exc.strerror}). "
                "Set LANGNGHE_HOME to a folder you can write to."
            ) from exc
        if not os.access(home, os.W_OK | os.X_OK):
            raise UserError(
                f"the data folder {home} is not writable. "
                "Fix its permissions or set LANGNGHE_HOME to a folder you can write to."
            )
        return home

    def secret_bytes(self) -> bytes:
        """The pseudonym key: from settings, else generated once under ``home``."""
        if self.pseudonym_secret:
            return self.pseudonym_secret.encode("utf-8")
        path = self.ensure_home() / "pseudonym.key"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        return path.read_text().strip().encode("utf-8")


_FIELDS = {f.name: f for f in fields(Settings) if f.name != "extra"}


def _coerce(name: str, value: Any) -> Any:
    """Turn a config/env value into the field's type, or raise a UserError."""
    default = getattr(Settings, name, None)
    ftype = _FIELDS[name].type
    try:
        if "Path" in str(ftype):
            return Path(os.path.expanduser(str(value)))
        if "tuple" in str(ftype):
            if isinstance(value, str):
                return tuple(v.strip() for v in value.split(",") if v.strip())
            return tuple(value)
        if isinstance(default, bool):
            if isinstance(value, str):
                return value.strip().lower() in {"1", "true", "yes", "on"}
            return bool(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise UserError(
            f"setting {name!r} has an invalid value {value!r} ({exc}). "
            f"Fix it in the config file or in {ENV_PREFIX}{name.upper()}."
        ) from exc


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and name not in _FIELDS:
            out.update(_flatten(value, f"{name}_"))
        out[name] = value
    return out


def _read_config(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise UserError(f"config file {path} does not exist. Create it or unset LANGNGHE_CONFIG.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"config file {path} is not valid TOML ({exc}). Fix the file and run again.") from exc


def load_settings(
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
    **overrides: Any,
) -> Settings:
    """Build Settings from defaults, then the config file, then the environment.

    ``overrides`` (e.g. from command-line flags) win over everything.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}

    home_hint = Path(env.get(ENV_PREFIX + "HOME", "./var"))
    if config_file is None:
        if env.get(ENV_PREFIX + "CONFIG"):
            config_file = Path(env[ENV_PREFIX + "CONFIG"])
        else:
            for candidate in (home_hint / "langnghe.toml", Path("langnghe.toml")):
                if candidate.is_file():
                    config_file = candidate
                    break
    raw: dict[str, Any] = {}
    if config_file is not None:
        raw = _read_config(config_file)
    flat = _flatten(raw)
    extra = {k: v for k, v in raw.items() if k not in _FIELDS}
    for name in _FIELDS:
        if name in flat:
            values[name] = _coerce(name, flat[name])
    for name in _FIELDS:
        key = ENV_PREFIX + name.upper()
        if key in env and env[key] != "":
            values[name] = _coerce(name, env[key])
    for name, value in overrides.items():
        if value is not None:
            values[name] = _coerce(name, value) if name in _FIELDS else value
    return Settings(extra=extra, **values)


def subprocess_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment for a child ``langnghe`` process that must see these settings.

    The parent's environment plus ``LANGNGHE_*`` for every field that differs from the
    default, so the child (e.g. a crawl started by the scheduler) loads the same settings.
    """
    env = dict(os.environ)
    defaults = Settings()
    for name in _FIELDS:
        value = getattr(settings, name)
        if value == getattr(defaults, name):
            continue
        if isinstance(value, tuple):
            value = ",".join(value)
        env[ENV_PREFIX + name.upper()] = str(value)
    env.update(extra)
    return env
