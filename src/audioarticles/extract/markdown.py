"""Markdown with a real CommonMark parser (markdown-it-py): headings, lists and quotes become
blocks; emphasis is dropped, links are read as their text; images, code blocks and raw HTML
are not read. A leading `---` front matter may give title, author, date, url, language and id
(the caller's own id: the episode's GUID)."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from audioarticles.extract.blocks import article_from_blocks
from audioarticles.model import Article, ArticleMeta, Block

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_KEYS = {"title": "title", "author": "author", "date": "date", "url": "canonical_url",
               "canonical_url": "canonical_url", "lang": "language", "language": "language",
               "summary": "summary", "description": "summary", "image": "image",
               "id": "explicit_id"}
# keys whose value is a list: `tags: santé, hôpital` or `tags: [santé, hôpital]`
_FRONT_LISTS = {"categories": "categories", "category": "categories", "tags": "tags"}

_parser = MarkdownIt("commonmark")


def front_matter(text: str) -> tuple[dict[str, str | list[str]], str]:
    """(`key: value` pairs of a leading front matter block, the text after it)."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    fields: dict[str, str | list[str]] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        name = key.strip().lower()
        if sep and name in _FRONT_KEYS:
            fields[_FRONT_KEYS[name]] = value.strip().strip("\"'")
        elif sep and name in _FRONT_LISTS:
            items = value.strip().strip("[]").split(",")
            fields[_FRONT_LISTS[name]] = [i.strip().strip("\"'") for i in items if i.strip()]
    return fields, text[match.end():]


def inline_text(token: Token) -> str:
    """What a listener should hear of an inline run: text, link text, inline code; no images."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def read_markdown(text: str, source: str) -> Article:
    fields, body = front_matter(text)
    meta = ArticleMeta(source=source, **fields)
    blocks: list[Block] = []
    containers: list[str] = []  # open list items and block quotes, innermost last
    heading_level = 0
    for token in _parser.parse(body):
        if token.type in ("list_item_open", "blockquote_open"):
            containers.append(token.type)
        elif token.type in ("list_item_close", "blockquote_close"):
            containers.pop()
        elif token.type == "heading_open":
            heading_level = int(token.tag[1])
        elif token.type == "heading_close":
            heading_level = 0
        elif token.type == "inline":
            spoken = inline_text(token)
            if heading_level:
                first = not blocks and not meta.title
                kind = "title" if heading_level == 1 and first else "heading"
            elif "list_item_open" in containers:
                kind = "list_item"
            elif "blockquote_open" in containers:
                kind = "quote"
            else:
                kind = "paragraph"
            blocks.append(Block(kind, spoken))
    return article_from_blocks(blocks, meta, source)
