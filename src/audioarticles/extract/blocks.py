"""What every reader shares: whitespace tidying, list markers, and turning blocks into an Article."""

from __future__ import annotations

import re

from audioarticles.errors import InputError
from audioarticles.model import Article, ArticleMeta, Block

# Collapses layout whitespace only: no-break spaces stay, they keep "7 800" and "12 %" together.
_LAYOUT_SPACE = re.compile(r"[ \t\r\n\f\v\u2028\u2029]+")
# Invisible characters a page uses for layout: soft hyphens ("réac\u00adtion"), zero-width spaces.
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u2060\ufeff]")
_SPACE_AROUND_NBSP = re.compile(r" ?([\u00a0\u202f]) ?")
LIST_MARKER = re.compile(r"^(?:[-•*–▪◦·]\s+|\d{1,3}[.)]\s+)")
NUMBERED = re.compile(r"^\d{1,3}[.)]\s+")
# A line ends a sentence or a clause with one of these; a heading does not.
FINAL_PUNCTUATION = ".!?:;,…"
# A bold or italic line may be a question and still be a heading.
CLAUSE_PUNCTUATION = ".:;,…"


def squeeze(text: str) -> str:
    """One space between words, no space at either end; no-break spaces are kept."""
    text = _LAYOUT_SPACE.sub(" ", _INVISIBLE.sub("", text))
    return _SPACE_AROUND_NBSP.sub(r"\1", text).strip()


def strip_list_marker(line: str) -> tuple[bool, str]:
    """(is a list item, text without its marker) for one line."""
    match = LIST_MARKER.match(line)
    if match is None:
        return False, line
    return True, line[match.end():].strip()


def has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def article_from_blocks(blocks: list[Block], meta: ArticleMeta, source: str,
                        empty: str = "no text in this input; nothing to read") -> Article:
    """Drop empty blocks, make sure the first block is the title, fill the title metadata."""
    kept = [Block(b.kind, squeeze(b.text)) for b in blocks]
    kept = [b for b in kept if has_words(b.text)]
    if not kept:
        raise InputError(source, empty)
    if meta.title:
        if kept[0].kind == "title":
            kept[0] = Block("title", meta.title)
        else:
            # a heading repeating the page title is the title, not a section
            if kept[0].text == meta.title:
                kept.pop(0)
            kept.insert(0, Block("title", meta.title))
    elif kept[0].kind != "title":
        kept[0] = Block("title", kept[0].text)
    meta.title = kept[0].text
    kept = [kept[0]] + [b for b in kept[1:] if not (b.kind == "heading" and b.text == meta.title)]
    meta.source = meta.source or source
    return Article(meta=meta, blocks=kept)
