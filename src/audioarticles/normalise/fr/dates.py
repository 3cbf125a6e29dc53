"""Dates and times as a French newsreader says them: "02 fév. 2026" -> "deux février deux mille
vingt-six", "14/01/2020" -> "quatorze janvier deux mille vingt", "22h49" and "22:49" ->
"vingt-deux heures quarante-neuf", "1er janvier" -> "premier janvier"."""

from __future__ import annotations

import re

from audioarticles.normalise.fr.numbers import cardinal

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
# Abbreviations a page uses for months, with the period they take ("fév.", "sept.").
MONTH_ABBREVIATIONS = {
    "janv": 1, "jan": 1, "févr": 2, "fév": 2, "fevr": 2, "fev": 2, "avr": 4, "juil": 7,
    "sept": 9, "sep": 9, "oct": 10, "nov": 11, "déc": 12, "dec": 12,
}
_MONTH_NAMES = "|".join(MONTHS)
_MONTH_ABBR = "|".join(sorted(MONTH_ABBREVIATIONS, key=len, reverse=True))

_WRITTEN_DATE = re.compile(
    rf"(?<![0-9\w])(1er|[0-3]?[0-9])[ \u00a0\u202f]+(?:(?P<month>{_MONTH_NAMES})\b|(?P<abbr>{_MONTH_ABBR})\.)"
    rf"(?:[ \u00a0\u202f]+(?P<year>[0-9]{{4}})(?![0-9]))?", re.I)
# "du 5-7 juillet": a span of days before the month
_DAY_SPAN = re.compile(rf"(?<![0-9\w])(du |Du )?([0-3]?[0-9])[ ]?[-–][ ]?([0-3]?[0-9])(?=[ \u00a0\u202f]+"
                       rf"(?:{_MONTH_NAMES})\b)", re.I)
# "le 10/12": a day and a month after an article (a score or a ratio has none)
_SHORT_DATE = re.compile(r"\b((?:[Ll]e|[Dd]u|[Aa]u|jusqu'au|[Ll]undi|[Mm]ardi|[Mm]ercredi|[Jj]eudi|[Vv]endredi|[Ss]amedi"
                         r"|[Dd]imanche) )([0-3]?[0-9])/([01]?[0-9])(?![/0-9,])")
_NUMERIC_DATE = re.compile(
    r"(?<![0-9/.\-\w])([0-3]?[0-9])([/.\-])([01]?[0-9])\2([0-9]{4}|[0-9]{2})(?![0-9/.\-]?[0-9])")
_ISO_DATE = re.compile(r"(?<![0-9\-])([0-9]{4})-([01][0-9])-([0-3][0-9])(?![0-9\-])")
# "22:49", "22h49", "22 h 49", "9 h 30", "17h", "10H30"; not "10 hommes" or "22:49:10" seconds.
_TIME = re.compile(r"(?<![0-9:,.])([01]?[0-9]|2[0-3])(?:[ \u00a0\u202f]?[hH](?![a-zA-Zàâéèêîôû])"
                   r"(?:[ \u00a0\u202f]?([0-5][0-9]))?|:([0-5][0-9]))(?![0-9:])")


def say_day(day: str) -> str:
    return "premier" if day.lower() in ("1", "01", "1er") else cardinal(int(day))


def say_date(day: int | str, month: int, year: int | None = None) -> str:
    words = f"{say_day(str(day))} {MONTHS[month - 1]}"
    return f"{words} {cardinal(year)}" if year is not None else words


def say_hour(hours: int, minutes: int | None) -> str:
    """9, 30 -> "neuf heures trente"; 1, None -> "une heure"; 0, 5 -> "zéro heure cinq"."""
    words = cardinal(hours, feminine=True) + (" heures" if hours >= 2 else " heure")
    if minutes:
        words += " " + cardinal(minutes, feminine=True)
    return words


# "le 11-Novembre", "le 8-Mai", "du 14-Juillet": a commemoration named by its date
_FEAST = re.compile(rf"(?<![0-9\w])(1er|[0-3]?[0-9])-((?:{_MONTH_NAMES.replace('é', '[ée]')})\b)",
                    re.I)


def say_written_dates(text: str) -> str:
    if "-" in text:
        text = _FEAST.sub(lambda m: f"{m.group(1)} {m.group(2)}" if m.group(2)[0].isupper()
                          else m.group(0), text)
    text = _DAY_SPAN.sub(lambda m: f"{m.group(1) or ''}{m.group(2)} {'au' if m.group(1) else 'à'} "
                         f"{m.group(3)}", text)

    def written(match: re.Match) -> str:
        if match.group("month"):
            month = MONTHS.index(match.group("month").lower()) + 1
        else:
            month = MONTH_ABBREVIATIONS[match.group("abbr").lower()]
        year = int(match.group("year")) if match.group("year") else None
        return say_date(match.group(1), month, year)
    return _WRITTEN_DATE.sub(written, text)


def say_numeric_dates(text: str) -> str:
    """ "14/01/2020", "14.01.2020", "2020-01-14", "le 10/12"; impossible dates are left alone."""
    def numeric(match: re.Match) -> str:
        day, month, year = int(match.group(1)), int(match.group(3)), match.group(4)
        if not (1 <= day <= 31 and 1 <= month <= 12):
            return match.group(0)
        full_year = int(year) if len(year) == 4 else (2000 + int(year) if int(year) < 50 else 1900 + int(year))
        return say_date(day, month, full_year)

    def iso(match: re.Match) -> str:
        year, month, day = (int(g) for g in match.groups())
        if not (1 <= day <= 31 and 1 <= month <= 12):
            return match.group(0)
        return say_date(day, month, year)
    def short(match: re.Match) -> str:
        day, month = int(match.group(2)), int(match.group(3))
        if not (1 <= day <= 31 and 1 <= month <= 12):
            return match.group(0)
        return match.group(1) + say_date(day, month)
    return _SHORT_DATE.sub(short, _NUMERIC_DATE.sub(numeric, _ISO_DATE.sub(iso, text)))


def say_times(text: str) -> str:
    def time(match: re.Match) -> str:
        minutes = match.group(2) or match.group(3)
        return say_hour(int(match.group(1)), int(minutes) if minutes else None)
    return _TIME.sub(time, text)


def say_dates_and_times(text: str) -> str:
    return say_times(say_numeric_dates(say_written_dates(text)))
