"""Dates and clocks, one place for each way we write them: publication dates with a real time
zone (read source dates, fix them once), French written dates
(« 1er février 2026 », in speech and on pages alike) and the clocks of chapters and players."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from audioarticles.errors import UsageError
from audioarticles.normalise.fr.dates import MONTHS

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone `name`, or a user error saying how to name one."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"audioarticles.toml: [podcast] timezone {name!r} is not a known time zone; "
            "use an IANA name such as \"Europe/Paris\" or \"America/Montreal\"") from exc


def parse_date(text: str, zone: tzinfo) -> datetime | None:
    """An aware datetime (whole seconds) from ISO 8601 or RFC 2822 text; a date or time
    without a zone is read in `zone`. None when the text is not a date."""
    text = (text or "").strip()
    if not text:
        return None
    parsed: datetime | None
    if _DATE_ONLY.match(text):
        try:
            parsed = datetime.combine(date.fromisoformat(text), time(0, 0))
        except ValueError:
            return None
    else:
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            try:
                parsed = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                try:  # an ISO date leading other text ("2024-03-05 à 10 h")
                    parsed = datetime.combine(date.fromisoformat(text[:10]), time(0, 0))
                except ValueError:
                    return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.replace(microsecond=0)


def publication_date(source_date: str, zone: tzinfo, now: datetime | None = None) -> str:
    """The pub_date to store once: the article's own date, else now; ISO 8601 with its offset.

    Stored with the offset it had when it was fixed, so a later change of the project's
    time zone never rewrites a published date."""
    when = parse_date(source_date, zone)
    if when is None:
        when = (now or datetime.now(UTC)).astimezone(zone).replace(microsecond=0)
    if isinstance(when.tzinfo, ZoneInfo):
        # keep the instant and its offset, not the zone's rules
        when = when.astimezone(timezone(when.utcoffset()))
    return when.isoformat()


# French written dates


def french_day(day: date) -> str:
    """2 février 2026; « 1er » for the first of the month."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def french_date(value: str) -> str:
    """"2026-02-02…" → "2 février 2026" ("1er" for the first); "" when it is not an ISO date."""
    try:
        day = datetime.fromisoformat(value.strip()).date()
    except ValueError:
        try:
            day = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return ""
    return french_day(day)


# clocks


def chapter_clock(seconds: float) -> str:
    """`04:05`, or `1:02:03` past an hour (the form apps turn into chapter links)."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def player_clock(seconds: float) -> str:
    """`3:05`, `1:02:03`: what the player shows (player.js formats the same way)."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def duration_words(seconds: float) -> str:
    """`4 min 05 s`, `1 h 02 min`: a duration as a page writes it."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"
