"""Split the written text into segments: sentences of one block, each within the engine's
length limit. French abbreviations ("M.", "Pr.", "p.", "J.-C.") and initials do not end a
sentence, nor do initials ("J.-P.") and dotted acronyms ("S.G."); a closing » ends one only
after sentence punctuation ("« Non » 12 heures après" is one sentence); a unit symbol after a
number does end one ("à 14 h. Le maire"). A sentence too long
is cut at clause boundaries (";", ":", ","), else between words, never inside a word or a
number ("7 800", "12 %"). With a `speak` function the spoken text is
filled in too, and a piece whose spoken form is over the limit is cut again.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from audioarticles.model import Article, Segment

# Words that end with a period without ending a sentence (compared in lower case).
ABBREVIATIONS = {
    "m", "mm", "mme", "mmes", "mlle", "mlles", "dr", "pr", "me", "mgr", "st", "ste", "cf", "p",
    "pp", "vol", "n", "no", "av", "apr", "ap", "j.-c", "env", "art", "ch", "chap", "éd", "coll", "fig",
    "ex", "janv", "jan", "fév", "févr", "avr", "juil", "sept", "oct", "nov", "déc", "t", "tél",
    "hab", "c.-à-d", "cie", "op", "ibid", "dir", "trad", "éds", "vs", "resp",
}

_SPACE = r"[ \t\u00a0\u202f]+"
_STARTS = r"(?=[«\"“(\[A-ZÀ-ÖØ-Þ0-9])"
_SENTENCE_END = re.compile(rf"(?:(?<=[.!?…])|(?<=[.!?…]»)|(?<=[.!?…][ \u00a0\u202f]»)){_SPACE}{_STARTS}")
_INITIALS = re.compile(r"(?:[A-ZÀ-Þ]\.-?)+[A-ZÀ-Þ]")
_LAST_WORD = re.compile(r"([\w.\-]+)\.$")
# A unit symbol after a number does end a sentence ("rendez-vous à 14 h. Le maire…").
_UNIT_END = re.compile(r"[0-9][ \u00a0\u202f]?(?:h|min|s|m|km|cm|mm|g|kg|mg|l|ml|t|ha)\.$")
# Cut points for a long sentence, most natural first. Only plain spaces are cut: a no-break
# space holds "7 800", "12 %" and "« Le" together; a plain space before a group of three
# digits or a unit symbol is not cut either.
_CLAUSE_CUTS = (
    re.compile(r"(?<=[;:])[ ]+"),
    re.compile(r"(?<=[,)—–])[ ]+"),
    re.compile(r"[ ]+(?![0-9]{3}(?![0-9])|[%€$£‰°])(?<![0-9] )"),
)


def ends_sentence(text_before: str) -> bool:
    """Whether the period closing `text_before` ends a sentence (not "M." or "J.")."""
    last = _LAST_WORD.search(text_before)
    if last is None:
        return True
    word = last.group(1)
    if _UNIT_END.search(text_before):
        return True
    return not (word.lower() in ABBREVIATIONS or (len(word) == 1 and word.isalpha())
                or _INITIALS.fullmatch(word))


def split_sentences(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start:match.start()]
        if not ends_sentence(candidate):
            continue
        pieces.append(candidate.strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    return [p for p in pieces if p]


def split_long(sentence: str, max_chars: int) -> list[str]:
    """Cut a sentence longer than `max_chars` at clause boundaries, else between words."""
    if len(sentence) <= max_chars:
        return [sentence]
    for cut in _CLAUSE_CUTS:
        parts = cut.split(sentence)
        if len(parts) == 1:
            continue
        chunks: list[str] = []
        current = ""
        for part in parts:
            candidate = f"{current} {part}" if current else part
            if len(candidate) <= max_chars or not current:
                current = candidate
            else:
                chunks.append(current)
                current = part
        chunks.append(current)
        if len(chunks) == 1:
            continue
        return [piece for chunk in chunks for piece in split_long(chunk, max_chars)]
    return [sentence]  # one word longer than the limit: never cut inside it


def fit_spoken(written: str, max_chars: int, speak: Callable[[str], str]) -> list[tuple[str, str]]:
    """(written, spoken) pieces of `written` whose spoken form fits `max_chars` when it can:
    "7 800" is 5 characters written and 21 spoken, so a piece may need cutting again."""
    spoken = speak(written)
    if len(spoken) <= max_chars:
        return [(written, spoken)]
    budget = max(1, int(len(written) * max_chars / len(spoken) * 0.9))
    parts = split_long(written, min(budget, len(written) - 1))
    if len(parts) == 1:
        return [(written, spoken)]
    return [pair for part in parts for pair in fit_spoken(part, max_chars, speak)]


def segment(article: Article, max_chars: int = 1000,
            speak: Callable[[str], str] | None = None) -> list[Segment]:
    """The segments of an article, numbered in order. With `speak`, each segment's spoken
    text is filled and kept within `max_chars`; segments with nothing to say are left out."""
    segments: list[Segment] = []
    for index, block in enumerate(article.blocks):
        for sentence in split_sentences(block.text):
            for piece in split_long(sentence, max_chars):
                pairs = fit_spoken(piece, max_chars, speak) if speak else [(piece, "")]
                for written, spoken in pairs:
                    if speak and not spoken.strip():
                        continue
                    segments.append(Segment(block=index, position=len(segments), written=written,
                                            spoken=spoken, block_kind=block.kind))
    return segments
