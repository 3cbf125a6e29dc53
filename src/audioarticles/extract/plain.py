"""Plain text: the first meaningful line is the title; short lines without final punctuation
followed by a paragraph are headings; `- `, `• `, `1. ` lines are list items; `> ` lines quotes."""

from __future__ import annotations

from audioarticles.extract.blocks import (FINAL_PUNCTUATION, article_from_blocks, has_words,
                                          squeeze, strip_list_marker)
from audioarticles.model import Article, ArticleMeta, Block

HEADING_MAX_CHARS = 120
HEADING_MAX_WORDS = 18


def _lines(text: str) -> list[str]:
    """Non-empty lines; a hard-wrapped line is joined to the one before it.

    A line continues the previous one when the previous does not end a clause and the line
    starts in lower case (an article wrapped at 72 columns), and it is not a list item.
    """
    lines: list[str] = []
    previous_blank = True
    for raw in text.splitlines():
        line = squeeze(raw)
        if not line:
            previous_blank = True
            continue
        continues = (not previous_blank and lines and line[0].islower()
                     and lines[-1][-1] not in FINAL_PUNCTUATION + "»\"”"
                     and not strip_list_marker(line)[0])
        if continues:
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
        previous_blank = False
    return lines


def _is_paragraph_like(line: str) -> bool:
    return not strip_list_marker(line)[0] and (
        line[-1] in FINAL_PUNCTUATION + "»\"”" or len(line) > HEADING_MAX_CHARS)


def is_heading(line: str, next_line: str | None) -> bool:
    """A short line without final punctuation, followed by a paragraph."""
    return (next_line is not None and len(line) <= HEADING_MAX_CHARS
            and len(line.split()) <= HEADING_MAX_WORDS and line[-1] not in FINAL_PUNCTUATION
            and _is_paragraph_like(next_line))


def read_plain_text(text: str, source: str) -> Article:
    lines = [line for line in _lines(text)]
    blocks: list[Block] = []
    for index, line in enumerate(lines):
        if not blocks:
            if has_words(line):
                blocks.append(Block("title", line))
            continue
        is_item, item_text = strip_list_marker(line)
        if is_item:
            blocks.append(Block("list_item", item_text))
        elif line.startswith("> "):
            blocks.append(Block("quote", line[2:]))
        elif is_heading(line, lines[index + 1] if index + 1 < len(lines) else None):
            blocks.append(Block("heading", line))
        else:
            blocks.append(Block("paragraph", line))
    return article_from_blocks(blocks, ArticleMeta(source=source), source)
