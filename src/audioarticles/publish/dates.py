"""Publication dates with a real time zone: read source dates, fix them once, format them for RSS."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timezone, tzinfo
from email.utils import format_datetime, parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from audioarticles.errors import UsageError

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


def rfc2822(when: datetime) -> str:
    """`Tue, 05 Mar 2024 10:00:00 +0100`, as RSS wants it (English names, numeric offset)."""
    return format_datetime(when)
