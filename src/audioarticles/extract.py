"""Read an input (a file for now) into the article model: metadata and typed blocks."""

from __future__ import annotations

import re
from pathlib import Path

from audioarticles.errors import InputError
from audioarticles.model import Article, ArticleMeta, Block

_LIST_ITEM = re.compile(r"^\s*(?:[-•*–]\s+|\d{1,3}[.)]\s+)")


def decode_text(data: bytes, source: str) -> str:
    if not data.strip():
        raise InputError(source, "the file is empty; nothing to read")
    if b"\x00" in data[:4096]:
        raise InputError(source, "this is a binary file, not text; pass a .txt, .md or .html article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8") from exc


def read_plain_text(text: str, source: str) -> Article:
    """Plain text: the first non-empty line is the title, `- ` lines are list items."""
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        if not blocks:
            blocks.append(Block("title", line))
        elif _LIST_ITEM.match(line):
            blocks.append(Block("list_item", _LIST_ITEM.sub("", line, count=1)))
        else:
            blocks.append(Block("paragraph", line))
    if not blocks:
        raise InputError(source, "no text in this file; nothing to read")
    return Article(meta=ArticleMeta(title=blocks[0].text, source=source), blocks=blocks)


READERS = {".txt": read_plain_text}


def read_file(path: Path, source: str) -> Article:
    """Read one file; `source` is its project-relative name, used in messages and identity."""
    if not path.exists():
        raise InputError(source, "no such file; check the path (relative to the current folder)")
    if path.is_dir():
        raise InputError(source, "is a folder; pass the article files it contains")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        kinds = ", ".join(sorted(READERS))
        raise InputError(source, f"unsupported file type '{path.suffix}'; supported: {kinds}")
    return reader(decode_text(path.read_bytes(), source), source)
