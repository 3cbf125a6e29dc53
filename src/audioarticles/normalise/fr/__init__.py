"""French normalisation for speech: what a French newsreader would say for a written segment.

`normalise(text, lexicon)` runs small pure `str -> str` passes (`PASSES`, named so that an editor
can see which rule rewrote what) in an order that matters: typography first (no-break spaces,
superscripts), then what must be recognised before the digits are read (web addresses, lexicon
entries, abbreviations, sport notation, dates, signs, identifiers, slashes, ranges, times,
money, units, ordinals), then every number left, then punctuation, symbols and acronyms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from audioarticles.normalise.fr import (dates, lexicon, money, notation, numbers, ordinals, sport,
                                        typography, units, web)
from audioarticles.normalise.fr.lexicon import Lexicon, load_lexicon

__all__ = ["PASSES", "Lexicon", "Pass", "load_lexicon", "normalise"]

_RANGE = re.compile(
    rf"(?<![\w,.\-/])({numbers.NUMBER})[ ]?(h|H|%|€|°C?|km|kg|ans)?[ ]?[-–][ ]?(?=[0-9])")
_YEAR_SPAN = re.compile(r"(?<![0-9/])([12][0-9]{3})/([12][0-9]{3})(?![0-9/])")
# "p. 12-15" (now "page 12 à 15") is several pages
_PAGE_SPAN = re.compile(r"\bpage (?=[0-9]+ à [0-9])")
_NUMBERED_LINE = re.compile(r"^([0-9]{1,3})[.)][ ]+(?=\S)")
_DIGITS_IN_WORD = re.compile(r"(?<=[^\W\d_])(?=[0-9])|(?<=[0-9])(?=[^\W\d_])")
# "de un virgule deux", "de une heure": French elides "de" before "un"/"une"
_ELISION = re.compile(r"\b([Dd])e (une?)(?![\w-])")


# "1914-18", "2018-19", "1939/45": a span of years whose second is written with two digits is
# said in full ("mille neuf cent quatorze à mille neuf cent dix-huit")
_SHORT_YEAR_SPAN = re.compile(r"(?<![0-9/.,-])(1[0-9]|20)([0-9]{2})[-–/]([0-9]{2})(?![0-9]|[-/.,][0-9])")
# The two World Wars by their years alone: "la guerre de 14-18", "39-45" (not the ages "les
# 14-18 ans")
_WORLD_WARS = re.compile(r"(?:(?<=\b[Dd]e )|(?<=\b[Gg]uerre )|(?<=\b[Ee]n ))(14-18|39-45)"
                         r"(?![0-9]|[-/.,][0-9]|\s?ans\b)")
_WARS_SAID = {"14-18": "quatorze-dix-huit", "39-45": "trente-neuf-quarante-cinq"}


def say_short_year_span(match: re.Match) -> str:
    century, first, second = match.groups()
    if int(second) <= int(first):
        return match.group(0)
    return f"{century}{first} à {century}{second}"


def say_ranges(text: str) -> str:
    """ "2020-2025" and "2007/2008" -> "2020 à 2025", "9h-12h" -> "9h à 12h", "10-12 %" -> "10 à 12 %"."""
    text = _WORLD_WARS.sub(lambda m: _WARS_SAID[m.group(1)], text)
    text = _SHORT_YEAR_SPAN.sub(say_short_year_span, text)
    text = _YEAR_SPAN.sub(r"\1 à \2", text)
    text = _RANGE.sub(lambda m: f"{m.group(1)}{m.group(2) or ''} à ", text)
    return _PAGE_SPAN.sub("pages ", text) if "page " in text else text


def say_numbered_line(text: str) -> str:
    """ "2) Grève du 24 septembre" -> "2, Grève du 24 septembre" (the number is read later)."""
    return _NUMBERED_LINE.sub(r"\1, ", text)


# A footnote call glued to a common word before a stop: "hérité de la Libération3." is note 3,
# "des plaintes de la police14." note 14 (a name keeps its number: "France3", "Europe1").
_GLUED_NOTE_CALL = re.compile(r"\b([a-zà-ÿ]{4,})[0-9]{1,2}(?=[.,;:]?[ ]?[»\"”]|[.,;:](?:\s|$))"
                              # "…au pif.4 Le premier ministre": the call after the stop
                              r"|(?<=[^\W\d_]{3}\.)()[0-9]{1,2}(?=[ ]+[A-ZÀ-Þ][a-zà-ÿ])")


def separate_digits_from_letters(text: str) -> str:
    """ "CE1" -> "CE 1", "4x4" stays for the symbols pass; lexicon entries ("5G") are already read."""
    return _DIGITS_IN_WORD.sub(" ", _GLUED_NOTE_CALL.sub(r"\1", text))


_LETTER_BEFORE_NUMBER = re.compile(r"(?<![\w-])([A-Z])(?: |-(?=[0-9]+(?![\w-])))(?=[0-9])")


def say_letters_before_numbers(text: str, letters: dict[str, str]) -> str:
    """ "au T2" (now "T 2") -> "au té 2", "l'A 6" -> "l'a 6", a fighter "F-16" -> "èf 16": a lone
    capital is named."""
    return _LETTER_BEFORE_NUMBER.sub(lambda m: f"{letters.get(m.group(1), m.group(1))} ", text)


def elide(text: str) -> str:
    """ "plus de un virgule quatre million" -> "plus d'un virgule quatre million"."""
    return _ELISION.sub(r"\1'\2", text)


_DIGIT = re.compile(r"[0-9½⅓⅔¼¾]")
# A token of Roman letters alone ("XIV", "XXIe", "I", "Ier", "-IV", "D.III"); "Le", "Il", "Ce" are none
_ROMAN_HINT = re.compile(r"(?<![\w'’])(?:[IVXLC]{2,}|[IVX])(?:e|er|re|ère|èmes?|es|ème)?(?![\w'’])")
# Anything the web pass could read; most sentences have none, and the pass is not free.
_WEB_HINT = re.compile(r"[@#]|www\.|https?:|\w\.(?:fr|com|org|net|eu|io|info|be|ch|ca|de|uk|"
                       r"gouv|tv|app)\b", re.I)
_BRACKET_HINT = re.compile(r"[\[(]")
_INCLUSIVE_HINT = re.compile(r"[·•⋅]|[a-zé]\.(?:e|ne|le|te|rice|trice|euse|ère)s?\b")
# "1,3 million de km", "des milliers de m³", "le prix du kWh"
_UNIT_HINT = re.compile(r"[0-9]|illi|aines d|[kmMGT]Wh|[kmµ][gl²]?\b|[kmµ]?m[²³]|[MG]o\b|ppm"
                        r"|[^\W\d_]/[^\W\d_]")
_ELISION_HINT = re.compile(r"\b[Dd]e une?\b")


class Pass(NamedTuple):
    """One rule family: its name (shown by `text --changes`), the rewrite, and a cheap test
    saying when the rewrite may have something to do."""

    name: str
    rewrite: Callable[[str, Lexicon], str]
    hint: re.Pattern | None = None


PASSES: tuple[Pass, ...] = (
    Pass("typography", lambda t, lex: typography.plain_characters(t)),
    # before footnotes: "6-7 [4]" is a tie-break, not a footnote call
    Pass("sport", lambda t, lex: sport.say_sport(t, lex.countries), sport.HINT),
    Pass("footnotes", lambda t, lex: typography.drop_footnote_calls(t), _BRACKET_HINT),
    Pass("web", lambda t, lex: web.say_web(t), _WEB_HINT),
    Pass("lexicon", lexicon.say_lexicon_entries),
    Pass("initials", lexicon.say_initials),
    Pass("abbreviations", lexicon.say_abbreviations),
    Pass("inclusive writing", lambda t, lex: typography.say_inclusive_writing(t), _INCLUSIVE_HINT),
    Pass("numbered line", lambda t, lex: say_numbered_line(t), _DIGIT),
    Pass("dates", lambda t, lex: dates.say_numeric_dates(dates.say_written_dates(t)), _DIGIT),
    Pass("comparisons", lambda t, lex: notation.say_comparisons(t), _DIGIT),
    Pass("signs", lambda t, lex: numbers.say_signs(notation.say_offsets(
        notation.say_spaced_minus(t), lex.letters)), _DIGIT),
    Pass("identifiers", lambda t, lex: notation.say_identifiers(t, lex.letters), _DIGIT),
    Pass("slashes", lambda t, lex: notation.say_slashes(t), _DIGIT),
    Pass("ratios", lambda t, lex: notation.say_ratios(t), notation.RATIO_HINT),
    Pass("ranges", lambda t, lex: say_ranges(t), _DIGIT),
    Pass("times", lambda t, lex: dates.say_times(t), _DIGIT),
    Pass("money", lambda t, lex: money.say_money(t), _DIGIT),
    Pass("units", lambda t, lex: units.say_units(t), _UNIT_HINT),
    Pass("ordinals", lambda t, lex: ordinals.say_arabic_ordinals(t), _DIGIT),
    Pass("roman numerals", lambda t, lex: ordinals.say_roman_numerals(t), _ROMAN_HINT),
    Pass("fractions", lambda t, lex: numbers.say_fractions(t), _DIGIT),
    Pass("digits in words", lambda t, lex: say_letters_before_numbers(
        separate_digits_from_letters(t), lex.letters), _DIGIT),
    Pass("numbers", lambda t, lex: numbers.say_numbers(t, lex.feminine_nouns), _DIGIT),
    Pass("elision", lambda t, lex: elide(t), _ELISION_HINT),
    Pass("superscripts", lambda t, lex: typography.drop_superscript_digits(t)),
    Pass("punctuation", lambda t, lex: typography.quiet_punctuation(t)),
    Pass("symbols", lambda t, lex: units.say_symbols(t)),
    Pass("acronyms", lexicon.say_acronyms),
    Pass("tidy", lambda t, lex: typography.tidy(t)),
)


def normalise(text: str, lex: Lexicon | None = None) -> str:
    """The spoken form of one written segment."""
    lex = lex if lex is not None else load_lexicon()
    for rule in PASSES:
        if rule.hint is None or rule.hint.search(text):
            text = rule.rewrite(text, lex)
    return text
