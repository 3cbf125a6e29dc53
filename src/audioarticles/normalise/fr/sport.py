"""Sport notation as commentators read it: minutes "52'" -> "cinquante-deuxième minute",
"45+2'", "90e+3", "(67' sp)" -> "sur penalty", "csc" -> "contre son camp", seeds "N.2" and
"TS 5", tennis sets "7-6 (7/4), 6-3" -> "sept six (sept quatre), six trois", lap and race times
"1'32\"456", "1:29.708", "2 h 05 min 12 s", and nations "(ESP/N.2)" -> "(Espagne, numéro 2)"."""

from __future__ import annotations

import re

from audioarticles.normalise.fr.notation import say_rounds
from audioarticles.normalise.fr.numbers import cardinal, fraction_digits, ordinal

# "1'32\"456", "1'44\"22", "1'32": minutes, seconds and their fraction.
_LAP = re.compile(r"(?<![\w'])([0-9]{1,2})'([0-5][0-9])(?:(?:\"|'')([0-9]{1,3}))?(?![\w'])")
# "9\"86", "58\"3": seconds and their fraction (a sprint, a gap).
_SPRINT = re.compile(r"(?<![\w\"'])([0-9]{1,2})(?:\"|'')([0-9]{1,3})(?![\w\"'])")
# "1:29.708", "2:00.531": a lap time (a clock time has no fraction).
_CLOCK_LAP = re.compile(r"(?<![0-9:.])([0-9]{1,2}):([0-5][0-9])[.,]([0-9]{1,3})(?![0-9])")
# "2:05:42", "12:31:08": a race time in hours, minutes and seconds (news never gives a clock time
# to the second).
_CLOCK_RACE = re.compile(r"(?<![0-9:.,])([0-9]{1,2}):([0-5][0-9]):([0-5][0-9])(?![0-9:]|[.,][0-9])")
# "2 h 05 min 12 s", "2h05min12s", "3 h 12 min": a race time.
_RACE = re.compile(r"(?<![0-9,])([0-9]{1,2})\s?h\s?([0-5]?[0-9])\s?(?:min|mn)(?:\s?([0-5]?[0-9])\s?s)?(?![\w])")
# "52'", "45+2'", "90e+3", "90+4e": match minutes.
# "2h01'09\"", "2 h 01' 09''": a marathon time, hours then minutes and seconds in primes
_RACE_PRIMES = re.compile(r"(?<![0-9,])([0-9]{1,2})\s?h\s?([0-5][0-9])'\s?([0-5][0-9])(?:\"|'')?(?![\w'\"])")
_MINUTE = re.compile(r"(?<![\w'])([0-9]{1,3})(?:\s?\+\s?([0-9]{1,2}))?'(?![\w'])")
_ADDED_TIME = re.compile(r"(?<![\w'])([0-9]{1,3})(?:e|ème)\s?\+\s?([0-9]{1,2})(?![\w'])"
                         # "Depres (90+2)": the end of a half and its added time, without a sign
                         r"|(?<=\()(45|90|105|120)\s?\+\s?([0-9]{1,2})(?=\)|,\s)")
_PENALTY = re.compile(r"(minute(?: plus \S+)?),?\s+(?:sp|s\.p\.|pen\.?|sur pen\.?)(?=[\s),;.]|$)")
# "(78e s.p.)": the minute written as an ordinal, then the penalty
_ORDINAL_PENALTY = re.compile(r"(?<![\w'])([0-9]{1,3}(?:e|ème)(?:\s?\+\s?[0-9]{1,2})?),?\s+(?:sp|s\.p\.|pen\.?)(?=[\s),;.]|$)")
_OWN_GOAL = re.compile(r"(?<![\w-])csc(?![\w-])")
_SEED = re.compile(r"(?<![\w.])(?:N\.|N°|Nº|no\.)\s?([0-9]{1,3})(?![0-9])")
_TOP_SEED = re.compile(r"(?<![\w-])TS\s?([0-9]{1,2})(?![0-9])")
_SET = r"[0-7][-/][0-7](?:\s?(?:\([0-9]{1,2}(?:[/-][0-9]{1,2})?\)|\[[0-9]{1,2}(?:[/-][0-9]{1,2})?\]))?"
_SETS = re.compile(rf"(?<![\w/-]){_SET}(?:,?\s{_SET})+(?![\w/-])"
                   rf"|(?<![\w-])[0-7]-[0-7]\s?[(\[][0-9]{{1,2}}(?:[/-][0-9]{{1,2}})?[)\]](?![\w-])")
_ONE_SET = re.compile(r"([0-7])[-/]([0-7])(?:\s?[(\[]([0-9]{1,2})(?:[/-]([0-9]{1,2}))?[)\]])?")
_NATION = re.compile(r"\(([A-Z]{3})(?:/|\))|(?<![\w/])([A-Z]{3})/(?=(?:N\.|N°|TS) ?[0-9])")


_PARTS = {1: "dixième", 2: "centième", 3: "millième"}


def _seconds(seconds: int) -> str:
    return f"{cardinal(seconds, feminine=True)} seconde{'s' if seconds >= 2 else ''}"


def _minutes(minutes: int) -> str:
    return f"{cardinal(minutes, feminine=True)} minute{'s' if minutes >= 2 else ''}"


def say_times(text: str) -> str:
    """Lap and race times: "1'32\"456" -> "une minute trente-deux secondes quatre cent
    cinquante-six", "2 h 05 min 12 s" -> "deux heures cinq minutes douze secondes"."""
    def lap(match: re.Match) -> str:
        said = f"{_minutes(int(match.group(1)))} {_seconds(int(match.group(2)))}"
        return said + (f" {fraction_digits(match.group(3))}" if match.group(3) else "")

    def race(match: re.Match) -> str:
        hours = int(match.group(1))
        return f"{cardinal(hours, feminine=True)} heure{'s' if hours >= 2 else ''} " \
               f"{_minutes(int(match.group(2)))}"

    def sprint(match: re.Match) -> str:
        seconds, part = int(match.group(1)), match.group(2)
        if seconds == 0 and len(part) in _PARTS:  # a gap under a second: "à 0\"34", "trente-quatre centièmes"
            count = int(part)
            return f"{cardinal(count)} {_PARTS[len(part)]}{'s' if count >= 2 else ''}"
        return f"{_seconds(seconds)} {fraction_digits(part)}"

    def race_with_seconds(match: re.Match) -> str:
        return race(match) + (f" {_seconds(int(match.group(3)))}" if match.group(3) else "")
    if "'" in text:
        text = _RACE_PRIMES.sub(lambda m: f"{race(m)} {_seconds(int(m.group(3)))}", text)
        text = _LAP.sub(lap, text)
    if '"' in text or "''" in text:
        # "49\"03", "10''2": the hundredths are said with their zero ("zéro trois")
        text = _SPRINT.sub(sprint, text)
    if ":" in text:
        text = _CLOCK_LAP.sub(lap, text)
        text = _CLOCK_RACE.sub(lambda m: f"{cardinal(int(m.group(1)), feminine=True)} heure"
                               f"{'s' if int(m.group(1)) >= 2 else ''} {_minutes(int(m.group(2)))} "
                               f"{_seconds(int(m.group(3)))}", text)
    return _RACE.sub(race_with_seconds, text)


def say_minutes(text: str) -> str:
    """ "52'" -> "cinquante-deuxième minute", "45+2'" -> "quarante-cinquième minute plus deux",
    "(67' sp)" -> "(soixante-septième minute sur penalty)"."""
    def minute(match: re.Match) -> str:
        whole, added = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        said = f"{ordinal(int(whole), feminine=True)} minute"
        return said + (f" plus {cardinal(int(added))}" if added else "")
    # "90e" alone is an ordinal (read later); "90e+3" and "52'" are match minutes
    text = _ADDED_TIME.sub(minute, text)
    text = _MINUTE.sub(minute, text)
    text = _PENALTY.sub(r"\1 sur penalty", text)
    text = _ORDINAL_PENALTY.sub(r"\1 sur penalty", text)
    return _OWN_GOAL.sub("contre son camp", text)


def say_seeds(text: str) -> str:
    """ "N.2 mondial" -> "numéro 2 mondial", "TS 5" -> "tête de série numéro 5"."""
    text = _TOP_SEED.sub(r"tête de série numéro \1", text)
    return _SEED.sub(r"numéro \1", text)


def say_set_scores(text: str) -> str:
    """Tennis sets, read as pairs: "7-6 (7/4), 6-3" -> "7 6 (7 4), 6 3"; "6-7 [4]" -> "6 7 (4)".
    Only runs of scores where each set reaches 6 (football's "3-1" stays a score "à")."""
    def sets(match: re.Match) -> str:
        scores = _ONE_SET.findall(match.group(0))
        if any(max(int(a), int(b)) < 6 for a, b, _, _ in scores):
            return match.group(0)

        def one(score: re.Match) -> str:
            said = f"{score.group(1)} {score.group(2)}"
            if score.group(3):
                tie = score.group(3) + (f" {score.group(4)}" if score.group(4) else "")
                said += f" ({tie})"
            return said
        return _ONE_SET.sub(one, match.group(0))
    return _SETS.sub(sets, text)


def say_nations(text: str, countries: dict[str, str]) -> str:
    """ "Alcaraz (ESP/N.2)" -> "Alcaraz (Espagne, N.2)", "Pinot (FRA)" -> "Pinot (France)"."""
    def nation(match: re.Match) -> str:
        name = countries.get(match.group(1) or match.group(2))
        if name is None:
            return match.group(0)
        if match.group(2):  # "ESP/N.2" without brackets
            return f"{name}, "
        return f"({name}, " if match.group(0).endswith("/") else f"({name})"
    return _NATION.sub(nation, text)


# What any sport rule needs to find: the normaliser runs `say_sport` only when this matches.
HINT = re.compile(r"[0-9]['\"]|[0-9]e\s?\+|\((?:45|90|105|120)\s?\+|[0-9]e,?\s+(?:sp|s\.p\.|pen)|csc|N\.\s?[0-9]|TS\s?[0-9]|[0-7]-[0-7]|[0-9]:[0-5][0-9][.,:]"
                         r"|[0-9]\s?h\s?[0-9]{1,2}\s?min|[A-Z]{3}[/)]|1/[1-9]|[0-7]/[0-7][^0-9/]{1,9}[0-7]/[0-7]")


def say_sport(text: str, countries: dict[str, str]) -> str:
    # before the dates pass reads "le 1/4" as a day and a month
    text = say_rounds(text)
    text = say_nations(text, countries)
    text = say_times(text)
    text = say_minutes(text)
    text = say_seeds(text)
    return say_set_scores(text)
