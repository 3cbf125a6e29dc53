"""Split the written text into sentences (segments), each within the engine's length limit."""

from __future__ import annotations

import re

from audioarticles.model import Article, Segment

# Words that end with a period without ending a sentence.
ABBREVIATIONS = {
    "m", "mm", "mme", "mmes", "mlle", "mlles", "dr", "pr", "me", "st", "ste", "etc", "cf",
    "p", "pp", "vol", "n", "no", "av", "apr", "J.-C", "env", "art", "ch", "éd", "coll",
    "janv", "fév", "févr", "avr", "juil", "sept", "oct", "nov", "déc", "fig", "ex",
}

_SENTENCE_END = re.compile(r"(?<=[.!?…»])\s+(?=[«\"(\[A-ZÀ-ÖØ-Þ0-9])")


def split_sentences(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start:match.start()]
        last_word = re.search(r"([\w.\-]+)\.$", candidate)
        if last_word and (last_word.group(1).lower() in ABBREVIATIONS or len(last_word.group(1)) == 1):
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
    # the word-level cut never separates the digit groups of "7 800"
    for pattern in (r"(?<=[;:])\s+", r"(?<=,)\s+", r"\s+(?!\d{3}(?!\d))"):
        parts = re.split(pattern, sentence)
        if len(parts) == 1:
            continue
        chunks: list[str] = []
        current = ""
        joiner = " "
        for part in parts:
            candidate = f"{current}{joiner}{part}" if current else part
            if len(candidate) <= max_chars or not current:
                current = candidate
            else:
                chunks.append(current)
                current = part
        chunks.append(current)
        if all(len(c) <= max_chars for c in chunks):
            return chunks
        return [piece for chunk in chunks for piece in split_long(chunk, max_chars)]
    return [sentence]  # one word longer than the limit: never cut inside it


def segment(article: Article, max_chars: int = 1000) -> list[Segment]:
    segments: list[Segment] = []
    for index, block in enumerate(article.blocks):
        for sentence in split_sentences(block.text):
            for piece in split_long(sentence, max_chars):
                segments.append(Segment(block=index, position=len(segments), written=piece,
                                        block_kind=block.kind))
    return segments
