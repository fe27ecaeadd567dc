"""Publication times from what news sites actually print.

Machine-readable first (ISO 8601 from JSON-LD, OpenGraph, ``<time datetime>``; RFC 2822
as some CMSes put in meta tags), then text: Vietnamese such as "Thứ năm, 14/11/2024 08:30
(GMT+7)" or "08:30 ngày 14/11/2024", CJK "2024年11月11日 10:20", and month names in the
languages of the news sites we read ("14 novembre 2024", "13 de noviembre de 2024",
"12. November 2024", "9 ноября 2024", "November 14, 2024 at 8:30 a.m.", Arabic), by small
regexes; only then ``dateparser`` (slow to import, so it is the last resort).
Times without a zone are Vietnam time (Asia/Ho_Chi_Minh): a page that prints no zone
gives no better guess, and most pages we read are Vietnamese.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_WORDY = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I)
_HM = re.compile(r"(?<!\d)(\d{1,2})\s*[:hH]\s*(\d{2})(?::(\d{2}))?(?!\d)")
_GMT = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.I)
_RELATIVE = re.compile(r"(\d+)\s*(phút|giờ|tiếng|ngày|tuần)\s*trước", re.I)
_CJK = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
_AMPM = re.compile(r"\s*([ap])\.?\s*m\.?(?![a-z])", re.I)
#: Zone abbreviations printed next to times (unambiguous ones only).
_ZONES = {"utc": 0, "gmt": 0, "z": 0, "cet": 1, "cest": 2, "bst": 1, "wet": 0, "west": 1, "eet": 2, "eest": 3,
          "msk": 3, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "pst": -8, "pdt": -7, "jst": 9, "kst": 9,
          "ict": 7, "sgt": 8, "hkt": 8, "aest": 10, "aedt": 11}
_ZONE_WORD = re.compile(r"(?<![\w+-])(" + "|".join(sorted(_ZONES, key=len, reverse=True)) + r")(?![\w+-])", re.I)
#: Month names (and common abbreviations) -> month, in the languages of the sites we read.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "janvier", "janv", "enero", "ene", "januar", "jänner", "gennaio", "janeiro", "januari",
        "января", "январь", "янв", "يناير", "كانون الثاني"),
    2: ("february", "feb", "février", "fevrier", "févr", "fevr", "febrero", "februar", "febbraio", "fevereiro",
        "februari", "февраля", "февраль", "фев", "فبراير", "شباط"),
    3: ("march", "mar", "mars", "marzo", "märz", "maerz", "março", "marco", "maret", "maart", "марта", "март",
        "مارس", "آذار"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile", "апреля", "апрель", "апр", "أبريل", "ابريل",
        "نيسان"),
    5: ("may", "mai", "mayo", "maggio", "maio", "mei", "мая", "май", "مايو", "أيار"),
    6: ("june", "jun", "juin", "junio", "juni", "giugno", "junho", "июня", "июнь", "يونيو", "يونيه", "حزيران"),
    7: ("july", "jul", "juillet", "juil", "julio", "juli", "luglio", "julho", "июля", "июль", "يوليو", "يوليه",
        "تموز"),
    8: ("august", "aug", "août", "aout", "agosto", "ago", "agustus", "augustus", "августа", "август", "авг",
        "أغسطس", "اغسطس", "آب"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "setembro", "сентября",
        "сентябрь", "сен", "سبتمبر", "أيلول"),
    10: ("october", "oct", "octobre", "octubre", "oktober", "okt", "ottobre", "outubro", "октября", "октябрь",
         "окт", "أكتوبر", "اكتوبر", "تشرين الأول"),
    11: ("november", "nov", "novembre", "noviembre", "novembro", "ноября", "ноябрь", "ноя", "نوفمبر",
         "تشرين الثاني"),
    12: ("december", "dec", "décembre", "decembre", "déc", "diciembre", "dic", "dezember", "dez", "dicembre",
         "dezembro", "desember", "декабря", "декабрь", "дек", "ديسمبر", "كانون الأول"),
}
_MONTH = {name: number for number, names in _MONTH_NAMES.items() for name in names}
_MONTH_RE = "|".join(re.escape(n) for n in sorted(_MONTH, key=len, reverse=True))
#: "14 novembre 2024", "13 de noviembre de 2024", "12. November 2024", "9 ноября 2024г."
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:\.|º|er|st|nd|rd|th)?\s*(?:de\s+)?({_MONTH_RE})\.?,?\s*(?:de\s+|del\s+)?(\d{{4}})(?!\d)",
    re.I)
#: "November 14, 2024", "Nov. 14 2024"
_MONTH_DAY_YEAR = re.compile(rf"(?<!\w)({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.I)
#: Arabic-Indic and Persian digits -> ASCII.
_DIGITS = {0x660 + i: str(i) for i in range(10)} | {0x6F0 + i: str(i) for i in range(10)}


def _aware(dt: datetime, tz=DEFAULT_TZ) -> datetime:
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt


def parse_iso(value: str | None, tz=DEFAULT_TZ) -> datetime | None:
    """ISO 8601 (``2024-11-14T08:30:00+07:00``, ``...Z``, ``2024-11-09 14:30:00 +0500``,
    basic ``20241114T083000+0100``, date only) or None."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    text = re.sub(r"\s+([+-]\d{2}:?\d{2})$", r"\1", text)  # "14:30:00 +0500" -> "14:30:00+0500"
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)  # +0700 -> +07:00
    if " " in text and "T" not in text and _YMD.match(text):
        text = text.replace(" ", "T", 1)
    try:
        return _aware(datetime.fromisoformat(text), tz)
    except ValueError:
        return None


def parse_rfc2822(value: str | None, tz=DEFAULT_TZ) -> datetime | None:
    """``Thu, 14 Nov 2024 08:30:00 GMT`` (feeds, some meta tags) or None."""
    if not value or not re.match(r"\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d", value):
        return None
    try:
        return _aware(parsedate_to_datetime(value.strip()), tz)
    except (TypeError, ValueError, IndexError):
        return None


def _zone(text: str, tz):
    """The zone a text names ("GMT+7", "UTC+05:30", "UTC", "CET"), else ``tz``."""
    g = _GMT.search(text)
    if g:
        sign = 1 if g.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(g.group(2)), minutes=int(g.group(3) or 0)))
    w = _ZONE_WORD.search(text)
    if w:
        return timezone(timedelta(hours=_ZONES[w.group(1).lower()]))
    return tz


def _date_in(text: str, lang: str | None) -> tuple[int, int, int, str] | None:
    """(year, month, day, the rest of the text) of the first date written in ``text``."""
    for pattern, order in ((_CJK, "ymd"), (_DMY, "dmy"), (_WORDY, "dmy"), (_DAY_MONTH_YEAR, "dMy"),
                           (_MONTH_DAY_YEAR, "Mdy"), (_YMD, "ymd")):
        m = pattern.search(text)
        if not m:
            continue
        a, b, c = m.groups()
        if order == "ymd":
            year, month, day = int(a), int(b), int(c)
        elif order == "dmy":
            day, month, year = int(a), int(b), int(c)
            if month > 12 and day <= 12 and (lang or "").startswith("en"):  # US 11/14/2024
                day, month = month, day
        elif order == "dMy":
            day, month, year = int(a), _MONTH[b.lower()], int(c)
        else:
            month, day, year = _MONTH[a.lower()], int(b), int(c)
        return year, month, day, text[: m.start()] + " " + text[m.end():]
    return None


def parse_text(text: str | None, lang: str | None = None, tz=DEFAULT_TZ,
               now: datetime | None = None) -> datetime | None:
    """A date written in page text, in ``lang`` (ISO 639-1; None or "vi": Vietnamese)."""
    if not text:
        return None
    text = " ".join(text.translate(_DIGITS).split())
    zone = _zone(text, tz)
    found = _date_in(text, lang)
    if found is None:
        if lang in (None, "", "vi"):
            return _parse_relative(text, tz, now) or _dateparser(text, tz)
        return _dateparser(text, tz, lang)
    year, month, day, rest = found
    hour = minute = second = 0
    rest = _ZONE_WORD.sub(" ", _GMT.sub(" ", rest))
    hm = _HM.search(rest)
    if hm:
        hour, minute, second = int(hm.group(1)), int(hm.group(2)), int(hm.group(3) or 0)
        ampm = _AMPM.match(rest, hm.end())
        if ampm and hour <= 12:
            hour = hour % 12 + (12 if ampm.group(1).lower() == "p" else 0)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


def parse_vi_text(text: str | None, tz=DEFAULT_TZ, now: datetime | None = None) -> datetime | None:
    """A date in Vietnamese page text, e.g. "Thứ năm, 14/11/2024 08:30 (GMT+7)"."""
    return parse_text(text, "vi", tz, now)


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


def _dateparser(text: str, tz, lang: str = "vi") -> datetime | None:
    """Last resort for free text ("14 tháng Mười Một, 2024")."""
    if not re.search(r"\d", text) or len(text) > 200:
        return None
    try:
        import dateparser
    except ImportError:  # pragma: no cover - it is a dependency
        return None
    try:
        parsed = dateparser.parse(
            text,
            languages=[lang] if lang and lang != "vi" else ["vi"],
            settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False},
        )
    except (ValueError, KeyError):  # a language dateparser does not know
        return None
    return _aware(parsed, tz) if parsed else None


def parse_any(value: str | None, tz=DEFAULT_TZ, lang: str | None = None) -> datetime | None:
    """ISO first, then RFC 2822, then text (Vietnamese unless ``lang`` says otherwise)."""
    return parse_iso(value, tz) or parse_rfc2822(value, tz) or parse_text(value, lang, tz)
