"""What an article must be to enter the pipeline, whatever it was read from (a file, a page, a
feed item, the API): text without the characters XML 1.0 forbids, terminal escapes or bidi
overrides (a title carrying them was recorded, then broke every later feed build and garbled
terminals), and a language from the fixed registry (languages.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields, replace

from audioarticles.languages import language_tag
from audioarticles.model import Article, Block

# terminal escape sequences, whole: CSI ("\x1b[31m"), OSC ("\x1b]0;title\x07"), two-character
# ones ("\x1bc"); and their one-character C1 forms (CSI is also U+009B)
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"
                      r"|[\x1b\x9d][\]P^_X][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
                      r"|\x1b[@-Z\\-_]")
# what XML 1.0 forbids (C0 controls but tab and line ends, lone surrogates, U+FFFE/U+FFFF),
# the C1 controls and DEL (allowed in XML, acted on by terminals), the bidi embeddings,
# overrides and isolates (they reorder what is shown: "Trojan Source"), noncharacters
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                        "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
                        "|[\U0001fffe\U0001ffff\U0010fffe\U0010ffff]")
Warn = Callable[[str], None]


def safe_text(text: str) -> str:
    """`text` without terminal escape sequences and the characters listed above."""
    return _FORBIDDEN.sub("", _ESCAPES.sub("", text))


def admit(article: Article, project_language: str, warn: Warn | None = None) -> Article:
    """The article with every text field made safe (`warn` is told, naming the input, when
    characters were removed) and a known language: an unknown or malformed one is replaced by
    the project's `[podcast] language`, with a warning."""
    meta = article.meta
    changes: dict = {}
    for item in fields(meta):
        value = getattr(meta, item.name)
        if isinstance(value, str) and item.name != "language":
            changes[item.name] = safe_text(value)
        elif isinstance(value, list):
            changes[item.name] = [safe_text(v) if isinstance(v, str) else v for v in value]
    blocks = [Block(block.kind, safe_text(block.text)) for block in article.blocks]
    removed = sum(getattr(meta, name) != value for name, value in changes.items()) \
        + sum(a.text != b.text for a, b in zip(article.blocks, blocks))
    name = changes.get("source") or meta.source
    if removed and warn:
        warn(f"{name}: control characters, terminal escapes or bidi overrides removed from "
             f"{removed} field{'s' if removed > 1 else ''} (title, metadata or text)")
    declared = meta.language
    tag = language_tag(declared)
    if tag is None:
        tag = language_tag(project_language) or "fr"
        if declared and warn:
            warn(f"{name}: unknown language \"{safe_text(declared)[:40]}\"; read as {tag} "
                 "(the project's [podcast] language)")
    changes["language"] = tag
    return Article(meta=replace(meta, **changes), blocks=blocks)
