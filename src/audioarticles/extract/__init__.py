"""Read an input into the article model: metadata and typed blocks (title, heading, paragraph,
list item, quote).

One reader per kind of input, each a function another program can call with text it already has:
`read_plain_text`, `read_markdown`, `read_html` (also used for fetched pages and feed items).
`read_file` picks the reader from the file's extension.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from audioarticles.errors import InputError
from audioarticles.extract.html import DEFAULT_SKIP, read_html, remove_skipped
from audioarticles.extract.markdown import read_markdown
from audioarticles.extract.plain import read_plain_text
from audioarticles.model import Article

__all__ = [
    "DEFAULT_SKIP", "READERS", "decode_html", "decode_text", "read_file", "read_html",
    "read_markdown", "read_plain_text", "remove_skipped",
]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _check_bytes(data: bytes, source: str) -> None:
    if not data.strip():
        raise InputError(source, "the file is empty; nothing to read")
    if b"\x00" in data[:4096]:
        raise InputError(source, "this is a binary file, not text; pass a .txt, .md or .html article")


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 text (a byte-order mark is dropped); anything else is refused with the fix."""
    _check_bytes(data, source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8") from exc


def decode_html(data: bytes, source: str) -> str:
    """A saved web page: UTF-8, else the charset its <meta> declares, else Windows-1252."""
    _check_bytes(data, source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")


def _html_file(text: str, source: str, skip: Iterable[str] | None = None) -> Article:
    return read_html(text, source, skip=skip)


READERS: dict[str, Callable[..., Article]] = {
    ".txt": read_plain_text,
    ".text": read_plain_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": _html_file,
    ".htm": _html_file,
}

_DECODERS: dict[str, Callable[[bytes, str], str]] = {".html": decode_html, ".htm": decode_html}


def read_file(path: Path, source: str, skip: Iterable[str] | None = None) -> Article:
    """Read one file; `source` is its project-relative name, used in messages and identity.
    `skip`: CSS selectors of what a web page must not have read (default `DEFAULT_SKIP`)."""
    if not path.exists():
        raise InputError(source, "no such file; check the path (relative to the current folder)")
    if path.is_dir():
        raise InputError(source, "is a folder; pass the article files it contains")
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        kinds = ", ".join(sorted(READERS))
        raise InputError(source, f"unsupported file type '{path.suffix}'; supported: {kinds}")
    decode = _DECODERS.get(suffix, decode_text)
    if reader is _html_file:
        return reader(decode(path.read_bytes(), source), source, skip)
    return reader(decode(path.read_bytes(), source), source)
