"""Text printed for people: titles, URLs, reasons and messages carry text from the outside
(pages, feeds, front matter), so control characters, terminal escapes and bidi overrides are
shown as a visible mark instead of being obeyed by the terminal."""

from __future__ import annotations

import re

MARK = "\ufffd"
# C0 and C1 controls (escape sequences start with ESC or CSI), DEL, and the characters that
# reorder text: bidi embeddings, overrides and isolates, the Arabic letter mark
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")


def printable(text: object, keep: str = "") -> str:
    """`text` safe to print: each unsafe character becomes U+FFFD, except those in `keep`
    (e.g. "\\n\\t" for a multi-line report). One-line fields keep nothing: a newline in a
    title could forge another line of output."""
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else MARK, str(text))


def printable_row(*fields: object) -> str:
    """Tab-separated columns, each field made printable (a tab inside one cannot shift them)."""
    return "\t".join(printable(field) for field in fields)
