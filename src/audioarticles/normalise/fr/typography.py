"""Unicode typography a voice stumbles on: no-break spaces, superscript ordinals, typographic
apostrophes, « » quotes, dashes, bullets, footnote calls, inclusive-writing middle dots."""

from __future__ import annotations

import re

_SPACES = {ord(c): " " for c in "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u3000\t"}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'",
                              "`": "'", "\u00b4": "'"})
# Superscript letters ("4ᵉ", "1ᵉʳ", "Mᵐᵉ", "nᵒ") become plain letters.
_SUPERSCRIPT_LETTERS = str.maketrans({"ᵉ": "e", "ʳ": "r", "ˢ": "s", "ᵐ": "m", "ˡ": "l", "ᵒ": "o",
                                      "ⁿ": "n", "ᵈ": "d", "ᵃ": "a", "ᵗ": "t", "ᵍ": "g", "ʰ": "h"})
_SUPERSCRIPT_DIGITS = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_QUOTES = re.compile(r"[«»“”„‟‹›\"]")
_SPACED_DASH = re.compile(r"(?:^|\s)[-–—―](?=\s|$)|\s[–—―](?=\S)|(?<=\S)[–—―]\s")
_LEADING_DASH = re.compile(r"^[-–—•*▪◦·]\s*")
_BULLETS = re.compile(r"[•▪◦►▶→←↑↓|]")
_FOOTNOTE_CALL = re.compile(r"\s?\[(?:[0-9]{1,3}|[a-z]|\*)\]|\[…\]|\[\.\.\.\]|\(…\)|\(\.\.\.\)")
# "n'en dépend pas (2).": a note's number after a common word (or a quote), before the stop; after
# a name it may be a seed or a count ("battu par Nadal (2).").
_NOTE_NUMBER = re.compile(r"(?:(?<=\b[a-zà-ÿ][a-zà-ÿ'’-])|(?<=\b[a-zà-ÿ][a-zà-ÿ'’-]{2})|(?<=[a-zà-ÿ]{4})|(?<=[»\"”]))"
                          r" ?\([0-9]{1,2}\)(?=[ ]?[.!?…]*[ ]?[»\"”]?[ ]*$|[ ]?[.!?…]\s)")
_WORD_BEFORE = re.compile(r"(\S+)\s?$")
_STAR = re.compile(r"\*+")
_INCLUSIVE = re.compile(r"\b([a-zàâçéèêëîïôûùüÿœ]{2,})((?:[·•⋅][a-zàâçéèêëîïôûùüÿœ]{1,5}){1,3})\b")


# Hyphens copied from word processors: no-break hyphen U+2011, figure dash U+2012, hyphen U+2010.
_HYPHENS = {ord("\u2011"): "-", ord("\u2012"): "-", ord("\u2010"): "-", ord("\u00ad"): None}
_PLAIN = {**_SPACES, **_APOSTROPHES, **_SUPERSCRIPT_LETTERS, **_HYPHENS}


# Agency wires quote inside a quote between plus signs: « il parle de +gilets jaunes+ ».
_PLUS_QUOTES = re.compile(r"(?<![\w+])\+([^\W\d_][^+\n]{0,80}?[^\W\d_.!?…]|[^\W\d_])([.!?…]?)\+(?![\w+])")
# ... and when the closing plus fell into the outer quote's end: « ne parlez pas de +répression »
_PLUS_QUOTE_CLOSED_BY_QUOTE = re.compile(
    r"(?<![\w+])\+(?=[^\W\d_](?:[^+\n«»“”\"]{0,80}?[^\W\d_])?[.!?…]?\s?[»”\"])")


# Swiss papers group thousands with an apostrophe: "50'000", "1'200'000" (a lap "1'32" has two
# digits after it)
_SWISS_THOUSANDS = re.compile(r"(?<![0-9'])[0-9]{1,3}(?:'[0-9]{3})+(?![0-9]|'[0-9])")


def plain_characters(text: str) -> str:
    """`plain_spaces`, `plain_letters` and plain hyphens in one pass; the plus signs of a quote
    inside a quote go ("+gilets jaunes+"); Swiss thousands "50'000" are grouped with spaces."""
    text = text.translate(_PLAIN)
    if "'" in text:
        text = _SWISS_THOUSANDS.sub(lambda m: m.group(0).replace("'", " "), text)
    if "+" not in text:
        return text
    return _PLUS_QUOTE_CLOSED_BY_QUOTE.sub("", _PLUS_QUOTES.sub(r"\1\2", text))


def plain_spaces(text: str) -> str:
    """No-break, narrow no-break, thin and figure spaces become plain spaces."""
    return text.translate(_SPACES)


def plain_letters(text: str) -> str:
    """Typographic apostrophes become ', superscript letters plain letters."""
    return text.translate(_APOSTROPHES).translate(_SUPERSCRIPT_LETTERS)


def drop_footnote_calls(text: str) -> str:
    """ "[4]", "[…]", "(...)" are not read; "²" is read by the units pass, other superscript
    digits (footnote calls) are dropped by `drop_superscript_digits`."""
    text = _FOOTNOTE_CALL.sub("", text)

    def note(match: re.Match) -> str:
        before = _WORD_BEFORE.search(text, 0, match.start())
        return match.group(0) if before and before.group(1)[:1].isupper() else ""
    return _NOTE_NUMBER.sub(note, text)


def drop_superscript_digits(text: str) -> str:
    return _SUPERSCRIPT_DIGITS.sub("", text) if not text.isascii() else text


def feminine_form(masculine: str, suffix: str) -> str:
    """The feminine word an inclusive suffix stands for: chercheur + euse -> chercheuse."""
    endings = (("eur", "euse", "euse"), ("teur", "rice", "trice"), ("eur", "rice", "rice"),
               ("er", "e", "ère"), ("ier", "e", "ière"), ("f", "e", "ve"), ("el", "e", "elle"),
               ("eur", "eresse", "eresse"), ("er", "ère", "ère"), ("f", "ve", "ve"),
               ("x", "se", "se"), ("eux", "euse", "euse"), ("el", "le", "elle"), ("en", "ne", "enne"),
               ("on", "ne", "onne"), ("us", "tes", "utes"))
    for ending, written, feminine_ending in endings:
        if masculine.endswith(ending) and suffix == written:
            return masculine[: len(masculine) - len(ending)] + feminine_ending
    return masculine + suffix


# The same written with periods: "élu.e.s", "représentant.e.s", "auteur.rice.s", "tou.te.s"
_DOTTED_INCLUSIVE = re.compile(r"\b([a-zàâçéèêëîïôûùüÿœ]{2,})\.(e|es|ne|nes|le|les|te|tes|rice|rices|trice|trices|"
                               r"euse|euses|ère|ères)(?:\.(s))?(?![\w.])")


def dotted_to_middle_dots(text: str) -> str:
    """ "élu.e.s" -> "élu·e·s" (read by `say_inclusive_writing`)."""
    return _DOTTED_INCLUSIVE.sub(lambda m: f"{m.group(1)}·{m.group(2)}" + (f"·{m.group(3)}" if m.group(3) else ""),
                                 text)


def say_inclusive_writing(text: str) -> str:
    """ "chercheur·euse·s" -> "chercheuses et chercheurs", "étudiant·e·s" -> "étudiantes et
    étudiants", "acteur·rice" -> "actrice et acteur"."""
    def both(match: re.Match) -> str:
        masculine = match.group(1)
        parts = re.split(r"[·•⋅]", match.group(2))[1:]
        if len(parts) == 1 and len(parts[0]) > 1 and parts[0].endswith("s") \
                and not masculine.endswith("s"):
            parts = [parts[0][:-1], "s"]  # "adolescent·es" is "adolescent·e·s"
        plural = parts[-1] == "s"
        suffix = "".join(parts[:-1] if plural else parts)
        if not suffix:
            return masculine + ("s" if plural else "")
        s = "s" if plural else ""
        masculine_plural = masculine if masculine.endswith(("s", "x")) else masculine + s
        return f"{feminine_form(masculine, suffix)}{s} et {masculine_plural}"
    return _INCLUSIVE.sub(both, dotted_to_middle_dots(text) if "." in text else text)


def quiet_punctuation(text: str) -> str:
    """Quotes are not read; spaced dashes become a pause (comma); bullets and stars go."""
    text = _LEADING_DASH.sub("", text)
    text = _QUOTES.sub(" ", text)
    text = _SPACED_DASH.sub(", ", text)
    text = _BULLETS.sub(", ", text)
    return _STAR.sub(" ", text)


_SPACE_RUN = re.compile(r" {2,}")
_SPACE_BEFORE = re.compile(r" +([,.;:!?…)\]])")
_SPACE_AFTER_OPEN = re.compile(r"([(\[]) +")
_REPEATED_COMMA = re.compile(r",(?:\s*,)+")
_COMMA_BEFORE_STOP = re.compile(r",\s*([.;:!?…)])")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_LEADING_COMMA = re.compile(r"^[\s,;:]+")


def tidy(text: str) -> str:
    """One space between words, none before punctuation, no doubled or dangling commas."""
    text = _EMPTY_BRACKETS.sub(" ", text)
    text = _SPACE_RUN.sub(" ", text)
    text = _SPACE_BEFORE.sub(r"\1", text)
    text = _SPACE_AFTER_OPEN.sub(r"\1", text)
    text = _REPEATED_COMMA.sub(",", text)
    text = _COMMA_BEFORE_STOP.sub(r"\1", text)
    text = _LEADING_COMMA.sub("", text)
    return text.strip()
