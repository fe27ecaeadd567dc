"""Publication times from what Vietnamese sites actually print.

Machine-readable first (ISO 8601 from JSON-LD, OpenGraph, ``<time datetime>``), then
Vietnamese text such as "Thứ năm, 14/11/2024 08:30 (GMT+7)" or "08:30 ngày 14/11/2024"
by a small regex, and only then ``dateparser`` (slow to import, so it is the last resort).
Times without a zone are Vietnam time (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_WORDY = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I)
_HM = re.compile(r"(?<!\d)(\d{1,2})\s*[:hH]\s*(\d{2})(?::(\d{2}))?(?!\d)")
_GMT = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.I)
_RELATIVE = re.compile(r"(\d+)\s*(phút|giờ|tiếng|ngày|tuần)\s*trước", re.I)


def _aware(dt: datetime, tz=DEFAULT_TZ) -> datetime:
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt


def parse_iso(value: str | None, tz=DEFAULT_TZ) -> datetime | None:
    """ISO 8601 (``2024-11-14T08:30:00+07:00``, ``...Z``, date only) or None."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)  # +0700 -> +07:00
    if " " in text and "T" not in text and _YMD.match(text):
        text = text.replace(" ", "T", 1)
    try:
        return _aware(datetime.fromisoformat(text), tz)
    except ValueError:
        return None


def parse_vi_text(text: str | None, tz=DEFAULT_TZ, now: datetime | None = None) -> datetime | None:
    """A date in Vietnamese page text, e.g. "Thứ năm, 14/11/2024 08:30 (GMT+7)"."""
    if not text:
        return None
    text = " ".join(text.split())
    zone = tz
    g = _GMT.search(text)
    if g:
        sign = 1 if g.group(1) == "+" else -1
        zone = timezone(sign * timedelta(hours=int(g.group(2)), minutes=int(g.group(3) or 0)))
    m = _DMY.search(text) or _WORDY.search(text)
    if m:
        day, month, year = (int(x) for x in m.groups())
        rest = text[: m.start()] + " " + text[m.end():]
    else:
        y = _YMD.search(text)
        if not y:
            return _parse_relative(text, tz, now) or _dateparser(text, tz)
        year, month, day = (int(x) for x in y.groups())
        rest = text[: y.start()] + " " + text[y.end():]
    hour = minute = second = 0
    hm = _HM.search(_GMT.sub(" ", rest))
    if hm:
        hour, minute, second = int(hm.group(1)), int(hm.group(2)), int(hm.group(3) or 0)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


def _parse_relative(text: str, tz, now: datetime | None) -> datetime | None:
    m = _RELATIVE.search(text)
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2).lower()
    delta = {
        "phút": timedelta(minutes=n),
        "giờ": timedelta(hours=n),
        "tiếng": timedelta(hours=n),
        "ngày": timedelta(days=n),
        "tuần": timedelta(weeks=n),
    }[unit]
    return (now or datetime.now(tz)) - delta


def _dateparser(text: str, tz) -> datetime | None:
    """Last resort for free text ("14 tháng Mười Một, 2024")."""
    if not re.search(r"\d", text) or len(text) > 200:
        return None
    try:
        import dateparser
    except ImportError:  # pragma: no cover - it is a dependency
        return None
    parsed = dateparser.parse(
        text,
        languages=["vi"],
        settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False},
    )
    return _aware(parsed, tz) if parsed else None


def parse_any(value: str | None, tz=DEFAULT_TZ) -> datetime | None:
    """ISO first, then Vietnamese text."""
    return parse_iso(value, tz) or parse_vi_text(value, tz)
