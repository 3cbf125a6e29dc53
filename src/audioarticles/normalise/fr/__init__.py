"""French normalisation for speech: what a French newsreader would say for a written segment.

`normalise(text, lexicon)` runs small pure `str -> str` passes in an order that matters:
typography first (no-break spaces, superscripts), then what must be recognised before the
digits are read (web addresses, lexicon entries, abbreviations, dates, times, ranges, money,
units, ordinals), then every number left, then punctuation, symbols and acronyms.
"""

from __future__ import annotations

import re

from audioarticles.normalise.fr import dates, lexicon, money, numbers, ordinals, typography, units, web
from audioarticles.normalise.fr.lexicon import Lexicon, load_lexicon

__all__ = ["Lexicon", "load_lexicon", "normalise"]

_RANGE = re.compile(
    rf"(?<![\w,.\-/])({numbers.NUMBER})[ ]?(h|H|%|€|°C?|km|kg|ans)?[ ]?[-–][ ]?(?=[0-9])")
_YEAR_SPAN = re.compile(r"(?<![0-9/])([12][0-9]{3})/([12][0-9]{3})(?![0-9/])")
_NUMBERED_LINE = re.compile(r"^([0-9]{1,3})[.)][ ]+(?=\S)")
_DIGITS_IN_WORD = re.compile(r"(?<=[^\W\d_])(?=[0-9])|(?<=[0-9])(?=[^\W\d_])")


def say_ranges(text: str) -> str:
    """ "2020-2025" and "2007/2008" -> "2020 à 2025", "9h-12h" -> "9h à 12h", "10-12 %" -> "10 à 12 %"."""
    text = _YEAR_SPAN.sub(r"\1 à \2", text)
    return _RANGE.sub(lambda m: f"{m.group(1)}{m.group(2) or ''} à ", text)


def say_numbered_line(text: str) -> str:
    """ "2) Grève du 24 septembre" -> "2, Grève du 24 septembre" (the number is read later)."""
    return _NUMBERED_LINE.sub(r"\1, ", text)


def separate_digits_from_letters(text: str) -> str:
    """ "CE1" -> "CE 1", "4x4" stays for the symbols pass; lexicon entries ("5G") are already read."""
    return _DIGITS_IN_WORD.sub(" ", text)


_DIGIT = re.compile(r"[0-9½⅓⅔¼¾]")
_ROMAN_HINT = re.compile(r"[IVXLC]")
# Anything the web pass could read; most sentences have none, and the pass is not free.
_WEB_HINT = re.compile(r"[@#]|www\.|https?:|\w\.(?:fr|com|org|net|eu|io|info|be|ch|ca|de|uk|"
                       r"gouv|tv|app)\b", re.I)


def normalise(text: str, lex: Lexicon | None = None) -> str:
    """The spoken form of one written segment."""
    lex = lex if lex is not None else load_lexicon()
    text = typography.plain_characters(text)
    if "[" in text or "(" in text:
        text = typography.drop_footnote_calls(text)
    if _WEB_HINT.search(text):
        text = web.say_web(text)
    text = lexicon.say_lexicon_entries(text, lex)
    text = lexicon.say_abbreviations(text, lex)
    if "·" in text or "•" in text or "⋅" in text:
        text = typography.say_inclusive_writing(text)
    if _DIGIT.search(text):
        text = say_numbered_line(text)
        text = dates.say_written_dates(text)
        text = dates.say_numeric_dates(text)
        text = numbers.say_signs(text)
        text = say_ranges(text)
        text = dates.say_times(text)
        text = money.say_money(text)
        text = units.say_units(text)
        text = ordinals.say_arabic_ordinals(text)
    if _ROMAN_HINT.search(text):
        text = ordinals.say_roman_numerals(text)
    if _DIGIT.search(text):
        text = numbers.say_fractions(text)
        text = separate_digits_from_letters(text)
        text = numbers.say_numbers(text, lex.feminine_nouns)
    text = typography.drop_superscript_digits(text)
    text = typography.quiet_punctuation(text)
    text = units.say_symbols(text)
    text = lexicon.say_acronyms(text, lex)
    return typography.tidy(text)
