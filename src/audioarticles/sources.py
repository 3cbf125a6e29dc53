"""Where articles come from: files, folders, globs, stdin, web pages, feed items and articles
handed over in memory, each read into an Article.

A `Source` is data (a kind and a reference), not a closure: a conversion can be described in a
message to another process. `Reader.expand` turns what the user typed into sources (or
per-input errors) without reading anything; `Reader.load(source)` reads one later, in a batch
worker. Bytes are decoded here (UTF-8, a BOM, UTF-16, else Windows-1252 with a warning; binaries and mixed encodings are
refused) and handed to the text readers of `extract`.
"""

from __future__ import annotations

import codecs
import glob
import html
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from audioarticles import extract
from audioarticles.config import Settings
from audioarticles.errors import InputError
from audioarticles.fetch import FetchSettings, binary_kind, fetch, is_url, size_limit_message
from audioarticles.identity import slugify
from audioarticles.intake import admit
from audioarticles.model import Article, ArticleMeta, Block

ARTICLE_SUFFIXES: tuple[str, ...] = tuple(extract.READERS)  # .txt, .md, .html, .htm...
HTML_SUFFIXES = (".html", ".htm")
STDIN = "-"
_GLOB_CHARS = set("*?[")
# decoded text with more than this share of control characters is a binary file
_MAX_CONTROL_SHARE = 0.01

Warn = Callable[[str], None]


PATH, URL, STDIN_KIND, FEED_ITEM, ARTICLE, PARSED = (
    "path", "url", "stdin", "feed-item", "article", "parsed")
SOURCE_KINDS = (PATH, URL, STDIN_KIND, FEED_ITEM, ARTICLE, PARSED)
#: the names of articles handed over in memory start with this
ARTICLE_PREFIX = "article:"
#: how long an explicit id may be (it is the episode's GUID, shown in feeds and URLs)
MAX_ID_CHARS = 200


@dataclass(frozen=True)
class Source:
    """One article to convert, as data: its kind, how it is named in messages, and where to
    read it from. Kinds: `path` (`ref`: the file), `url` (`ref`: the page), `stdin`,
    `feed-item` (`data`: the item's fields, `ref`: its page), `article` (`data`: an
    `ArticleInput`'s fields: text, HTML or Markdown handed over in memory), `parsed`
    (`data`: an `Article.to_dict()`). `explicit_id`: the caller's own id, the episode's GUID."""

    kind: str
    name: str
    ref: str = ""
    data: dict = field(default_factory=dict, hash=False)
    explicit_id: str = ""

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {self.kind!r}; valid: {SOURCE_KINDS}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Source:
        return cls(**data)

    def with_id(self, explicit_id: str) -> Source:
        return replace(self, explicit_id=check_id(explicit_id, self.name))


def check_id(value: str, source: str) -> str:
    """An explicit id as given, trimmed; an InputError naming the input when it cannot be a
    GUID (empty, too long, or holding control characters)."""
    value = str(value).strip()
    if not value or len(value) > MAX_ID_CHARS or any(unicodedata.category(ch)[0] == "C"
                                                     for ch in value):
        raise InputError(source, f"id {value[:40]!r} cannot identify an episode; use 1 to "
                                 f"{MAX_ID_CHARS} printable characters (e.g. cms-4512)")
    return value


def article_from_dict(data: dict) -> Article:
    """The inverse of `Article.to_dict`."""
    meta = ArticleMeta(**data["meta"])
    return Article(meta, [Block(**block) for block in data["blocks"]])


# ---- decoding -------------------------------------------------------------------------------

def _control_share(text: str) -> float:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    return controls / max(1, len(text))


def _mixed_utf8(data: bytes) -> bool:
    """True when the bytes hold valid UTF-8 multi-byte characters besides invalid bytes."""
    decoded = data.decode("utf-8", errors="replace")
    return any(ord(ch) > 127 and ch != "\ufffd" for ch in decoded)


def decode_bytes(data: bytes, source: str, declared: str | tuple[str | None, ...] | None = None,
                 warn: Warn | None = None) -> str:
    """Text from an input's bytes: decode what can be decoded, refuse the rest with the fix.

    In order: a BOM; the encodings the input claims (`declared`: the page's <meta>, then the
    server's header), each only if it decodes cleanly; UTF-8; UTF-16 without a BOM; Windows-1252
    (with a warning); a detector's guess (with a warning)."""
    if not data:
        raise InputError(source, "the file is empty; nothing to read")
    claims = declared if isinstance(declared, tuple) else (declared,)
    if data.startswith(codecs.BOM_UTF8):
        try:
            text = data[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError as exc:
            position = exc.start + len(codecs.BOM_UTF8)
            raise InputError(source, f"starts as UTF-8 but byte {position} is not UTF-8 "
                                     "(mixed encodings?); save the file as UTF-8") from exc
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(source, "starts as UTF-16 but is not valid UTF-16; save the file "
                                     "as UTF-8") from exc
    else:
        kind = binary_kind(data)
        if kind:
            raise InputError(source, f"this is {kind}, not a text article; pass a .txt, .md or "
                                     ".html article")
        text = _decode_unmarked(data, source, claims, warn)
    if not text.strip():
        raise InputError(source, "contains only blank space; nothing to read")
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise InputError(source, "this is a binary file, not text; pass a .txt, .md or .html "
                                 "article")
    return text


# what servers and pages call Latin-1 is read as its superset, as browsers do
_ENCODING_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin-1": "cp1252",
                     "latin1": "cp1252", "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}
_SINGLE_BYTE = ("cp1252", "latin_1", "iso8859_15", "mac_roman", "cp850")


def decoded_as_claimed(data: bytes, claim: str | None) -> str | None:
    """The text, when `data` really is in the claimed encoding: it decodes without error and
    without C1 control characters, and a single-byte claim loses to bytes that are valid
    UTF-8 with accents (a UTF-8 page served as iso-8859-1 is the classic mistake)."""
    if not claim:
        return None
    name = _ENCODING_ALIASES.get(claim.strip().lower(), claim.strip().lower())
    try:
        codec = codecs.lookup(name).name
        text = data.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None
    if codec in _SINGLE_BYTE or codec.startswith(("cp125", "iso8859")):
        if _is_utf8_with_accents(data):
            return None
    if any("\x80" <= ch <= "\x9f" for ch in text) or _control_share(text) > _MAX_CONTROL_SHARE:
        return None
    return text


def _is_utf8_with_accents(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(byte > 127 for byte in data)


def utf16_without_bom(data: bytes) -> str | None:
    """Text in UTF-16 without a BOM (saved by some Windows tools): mostly-Latin text leaves a
    zero byte in every other position; the side of the zeros gives the byte order."""
    sample = data[:4096]
    if len(data) % 2 or len(sample) < 4:
        return None
    pairs = len(sample) // 2
    even = sample[0::2].count(0) / pairs
    odd = sample[1::2].count(0) / pairs
    for codec, zeros, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros > 0.3 and others < 0.05:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def _guessed(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) when charset-normalizer finds another encoding than Windows-1252 (the
    usual one of French text that is not UTF-8) clearly better; None to keep Windows-1252."""
    if len(data) < 64:  # too short to judge
        return None
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    if not results or results[0].chaos > 0.2:
        return None
    best = results[0]
    if any("cp1252" in r.could_be_from_charset for r in results if r.chaos <= best.chaos + 0.01):
        return None
    return str(best), best.encoding


def _decode_unmarked(data: bytes, source: str, claims: tuple[str | None, ...],
                     warn: Warn | None) -> str:
    for claim in claims:
        text = decoded_as_claimed(data, claim)
        if text is not None:
            return text
    if b"\x00" in data:
        text = utf16_without_bom(data)
        if text is None:
            raise InputError(source, "this is a binary file, not text; pass a .txt, .md or "
                                     ".html article")
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if _mixed_utf8(data):
        raise InputError(source, f"not valid UTF-8 at byte {first_bad}, although other parts "
                                 "are UTF-8 (mixed encodings); save the file as UTF-8")
    guess = _guessed(data)
    if guess is not None:
        text, encoding = guess
        if warn:
            warn(f"{source}: not UTF-8; read as {encoding} (a guess). Check the text, and save "
                 "the file as UTF-8 to silence this")
        return text
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"not valid UTF-8 (byte {first_bad}) nor Latin-1/Windows-1252 "
                                 f"text (byte {exc.start}); save the file as UTF-8") from exc
    if warn:
        warn(f"{source}: not UTF-8; read as Latin-1 (Windows-1252). Check the accents, and "
             "save the file as UTF-8 to silence this")
    return text


# ---- reading --------------------------------------------------------------------------------

def parse_article(text: str, source: str, kind: str, url: str | None = None,
                  skip: tuple[str, ...] | None = None) -> Article:
    """Hand decoded text to the reader for its kind ("txt", "md" or "html"); `skip`: CSS
    selectors of page elements never read."""
    if kind == "html":
        return extract.read_html(text, source, url=url, skip=skip)
    reader = extract.READERS.get(f".{kind}", extract.read_plain_text)
    return reader(text, source)


def sniff_kind(data: bytes) -> str:
    """"html" when the bytes look like a web page, else "txt" (for stdin)."""
    head = data[:2048].lstrip().lower()
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:].lstrip()
    return "html" if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head",
                                      b"<body", b"<article", b"<meta")) else "txt"


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _meta_charset(data: bytes) -> str | None:
    found = _META_CHARSET.search(data[:4096])
    return found.group(1).decode("ascii") if found else None


class Reader:
    """Reads the sources of one run, with the project's limits and fetch settings."""

    def __init__(self, project: Settings, warn: Warn | None = None, stdin: BinaryIO | None = None,
                 skip: tuple[str, ...] | None = None, session=None,
                 exclude: tuple[Path, ...] = ()):
        self.project = project
        self.exclude = exclude  # folders a folder conversion never reads (the project's own)
        self.skip = skip
        self.warn = warn
        self.stdin = stdin
        self.session = session
        self.fetch_settings = FetchSettings.from_project(project)
        self.max_bytes = self.fetch_settings.max_bytes

    # what the user typed -> sources

    def expand(self, inputs: list[str]) -> list[Source | InputError]:
        """Sources in the order given (folders and globs sorted); a path named twice is read once."""
        entries: list[Source | InputError] = []
        seen: set[str] = set()

        def add_path(path: Path) -> None:
            key = str(path.resolve())
            if key not in seen:
                seen.add(key)
                entries.append(self.path_source(path))

        for name in inputs:
            if name == STDIN:
                if STDIN not in seen:
                    seen.add(STDIN)
                    entries.append(Source(STDIN_KIND, STDIN))
            elif is_url(name):
                if name not in seen:
                    seen.add(name)
                    entries.append(Source(URL, name, name))
            elif "://" in name:
                scheme = name.split("://", 1)[0]
                entries.append(InputError(name, f"unsupported address scheme '{scheme}'; use an "
                                                "http(s) URL or a file path"))
            else:
                path = Path(name)
                if path.is_dir():
                    # `convert .` in a project must not read back the site it published
                    found = article_files(path, exclude=self.exclude)
                    if not found:
                        kinds = ", ".join(ARTICLE_SUFFIXES)
                        entries.append(InputError(self.source_name(path), f"no articles ({kinds}) "
                                                  "in this folder"))
                    for file in found:
                        add_path(file)
                elif not path.exists() and _GLOB_CHARS & set(name):
                    matches = sorted(glob.glob(name, recursive=True))
                    files = [Path(m) for m in matches if Path(m).is_file()]
                    if not files:
                        entries.append(InputError(name, "no file matches this pattern"))
                    for file in files:
                        add_path(file)
                else:
                    add_path(path)
        return entries

    def source_name(self, path: Path) -> str:
        return self.project.relative_source(path) if path.exists() else str(path)

    def path_source(self, path: Path) -> Source:
        return Source(PATH, self.source_name(path), str(path))

    # sources -> articles

    def load(self, source: Source) -> Article:
        """Read a source into an article (in a batch worker); its explicit id, if any, is the
        article's. Whatever it was read from, the article enters the pipeline made safe
        (intake.admit: no control characters, a known language)."""
        if source.kind == PATH:
            article = self.read_path(Path(source.ref), source.name)
        elif source.kind == URL:
            article = self.read_url(source.ref)
        elif source.kind == STDIN_KIND:
            article = self.read_stdin()
        elif source.kind == FEED_ITEM:
            article = self.read_feed_item(source)
        elif source.kind == ARTICLE:
            article = self.read_article_input(source)
        else:
            article = article_from_dict(source.data)
        article = admit(article, self.project.values.podcast.language, self.warn)
        explicit_id = source.explicit_id or article.meta.explicit_id
        if explicit_id:
            article.meta.explicit_id = check_id(explicit_id, source.name)
        return article

    def read_path(self, path: Path, source: str) -> Article:
        if not path.exists():
            raise InputError(source, "no such file; check the path (relative to the current folder)")
        if path.is_dir():
            raise InputError(source, "is a folder; pass the article files it contains")
        suffix = path.suffix.lower()
        if suffix not in extract.READERS:
            raise InputError(source, f"unsupported file type '{path.suffix}'; supported: "
                                     f"{', '.join(ARTICLE_SUFFIXES)}")
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise InputError(source, size_limit_message(size, self.max_bytes))
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(source, f"cannot read it ({exc.strerror or exc}); check that it "
                                     "is a readable file") from exc
        if suffix in HTML_SUFFIXES:
            text = decode_bytes(data, source, _meta_charset(data), self.warn)
            return parse_article(text, source, "html", skip=self.skip)
        return parse_article(decode_bytes(data, source, warn=self.warn), source, suffix[1:])

    def read_stdin(self) -> Article:
        if self.stdin is None:
            raise InputError(STDIN, "no standard input to read")
        data = self.stdin.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise InputError(STDIN, size_limit_message(None, self.max_bytes))
        kind = sniff_kind(data)
        declared = _meta_charset(data) if kind == "html" else None
        article = parse_article(decode_bytes(data, STDIN, declared, self.warn), STDIN, kind,
                                skip=self.skip)
        if not (article.meta.canonical_url or article.meta.url or article.meta.explicit_id):
            # no path to identify it by: the title does (piping the same article updates it)
            article.meta.source = f"stdin:{slugify(article.meta.title)}"
        return article

    def read_feed_item(self, source: Source) -> Article:
        """One item of a publisher's feed: its full text, else the linked page; the feed's
        metadata wins."""
        item = source.data
        title = (item.get("title") or "").strip()
        link = item.get("link") or ""
        body = item.get("body") or ""
        if body:
            language = html.escape(item.get("language") or "fr")
            document = (f'<!DOCTYPE html><html lang="{language}"><head><meta '
                        f'charset="utf-8"><title>{html.escape(title)}</title></head><body>'
                        f"<article><h1>{html.escape(title)}</h1>{body}</article></body></html>")
            article = parse_article(document, source.name, "html", url=link or None,
                                    skip=self.skip)
        elif link:
            article = self.read_url(link)
        else:
            raise InputError(source.name, "the feed carries no text for this item and no link "
                                          "to its page; nothing to read")
        meta = article.meta
        meta.feed_guid = item["guid"]
        meta.source = source.name
        meta.title = title or meta.title
        meta.author = (item.get("author") or meta.author).strip()
        meta.date = item.get("date") or meta.date
        meta.url = link or meta.url
        summary = item.get("summary") or ""
        if summary and summary.strip() != body:
            meta.summary = meta.summary or html.unescape(_strip_tags(summary)).strip()
        meta.categories = meta.categories or list(item.get("categories") or [])
        meta.image = meta.image or str(item.get("image") or "")
        if article.blocks and article.blocks[0].kind == "title" and title:
            article.blocks[0].text = title
        return article

    def read_article_input(self, source: Source) -> Article:
        """An article handed over in memory (`api.ArticleInput`): its text, HTML or Markdown,
        else the page at its URL; the fields given win over what the text says."""
        data = source.data
        given = [kind for kind in ("html", "markdown", "text") if data.get(kind)]
        if len(given) > 1:
            raise InputError(source.name, f"gives {' and '.join(given)}; give one of html, "
                                          "markdown or text")
        title = (data.get("title") or "").strip()
        url = data.get("url") or ""
        if not given:
            if not url:
                raise InputError(source.name, "nothing to read; give html, markdown, text or "
                                              "a url")
            article = self.read_url(url)
        elif given[0] == "html":
            article = parse_article(data["html"], source.name, "html", url=url or None,
                                    skip=self.skip)
        else:
            body = data[given[0]]
            if title:  # so the reader does not take the first paragraph for the title
                body = f"# {title}\n\n{body}" if given[0] == "markdown" else f"{title}\n\n{body}"
            article = parse_article(body, source.name, "md" if given[0] == "markdown" else "txt")
        meta = article.meta
        meta.source = source.name
        if title:
            meta.title = title
            if article.blocks and article.blocks[0].kind == "title":
                article.blocks[0].text = title
            else:
                article.blocks.insert(0, Block("title", title))
        if url:
            meta.url = meta.canonical_url = url
        for key, field_name in (("author", "author"), ("published", "date"),
                                ("summary", "summary"), ("language", "language"),
                                ("image", "image")):
            if data.get(key):
                setattr(meta, field_name, str(data[key]).strip())
        if data.get("categories"):
            meta.categories = [str(c) for c in data["categories"]]
        return article

    def read_url(self, url: str) -> Article:
        page = fetch(url, self.fetch_settings, session=self.session)
        return self.article_from_page(url, page.body, page.media_type, page.charset, page.final_url)

    def article_from_page(self, url: str, body: bytes, media_type: str, charset: str | None,
                          final_url: str) -> Article:
        kind = binary_kind(body)
        if media_type == "application/pdf" or kind == "a PDF document":
            raise InputError(url, "this is a PDF document, not a web page; save its text as a "
                                  ".txt file and convert that")
        if media_type in ("text/html", "application/xhtml+xml") or (
                media_type in ("", "application/octet-stream") and sniff_kind(body) == "html"):
            text = decode_bytes(body, url, (_meta_charset(body), charset), self.warn)
            article = parse_article(text, url, "html", url=final_url, skip=self.skip)
        elif media_type in ("text/plain", "text/markdown"):
            kind_name = "md" if media_type == "text/markdown" else "txt"
            article = parse_article(decode_bytes(body, url, charset, self.warn), url, kind_name)
        else:
            raise InputError(url, f"unsupported content type '{media_type}'; expected a web page "
                                  "(text/html) or plain text")
        article.meta.url = article.meta.url or final_url
        article.meta.source = url
        return article


def article_files(folder: Path, exclude: tuple[Path, ...] = ()) -> list[Path]:
    """Article files under `folder`, recursively, sorted; hidden files and folders skipped, and
    the folders in `exclude` (the project's own published site)."""
    excluded = {p.resolve() for p in exclude}
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and (Path(root) / d).resolve() not in excluded)
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in ARTICLE_SUFFIXES:
                found.append(Path(root) / name)
    return found


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", " ", text)


@dataclass(frozen=True)
class ArticleInput:
    """An article a CMS already has in memory. Give one of `html`, `markdown` or `text` (or
    only `url`, to read the page there). `id` is the CMS's own id: it becomes the episode's
    GUID, so a later correction updates the same episode. The other fields win over what the
    text says: `published` is ISO 8601 (without a zone, the project's time zone)."""

    id: str = ""
    title: str = ""
    html: str = ""
    markdown: str = ""
    text: str = ""
    url: str = ""
    author: str = ""
    published: str = ""
    categories: Sequence[str] = ()
    image: str = ""
    summary: str = ""
    language: str = ""

    def source(self) -> Source:
        """The article as a source: plain data a message to another process can carry."""
        label = self.id or self.url or slugify(self.title)
        data = {**asdict(self), "categories": list(self.categories)}
        source = Source(ARTICLE, f"{ARTICLE_PREFIX}{label}", self.url, data)
        return source.with_id(self.id) if self.id else source
