"""Which text of a web page is the article: trafilatura's modes run on the page without its
chrome, then checked against the page's own evidence.

Evidence, strongest first: the JSON-LD `articleBody` (the publisher's own copy of the text),
the body the page marks (`itemprop="articleBody"`), the standfirst the page describes (meta
description or a chapô next to the `<h1>`), and the names of elements (`.newsletter`,
`.paywall`, `figcaption`...) and their link density, which mark chrome. The chrome words and
tags are data in `data/html_skip.toml`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import lxml.etree
import lxml.html
import trafilatura

from audioarticles.config import read_toml
from audioarticles.extract.blocks import squeeze
from audioarticles.extract.gold import comparable
from audioarticles.model import Block

# A short element whose text is mostly link text is a teaser or a menu, not article prose.
LINK_DENSE_SHARE = 0.7
LINK_DENSE_MAX_CHARS = 400
# An element holding more than this share of the page's text is a wrapper, whatever its name.
WRAPPER_SHARE = 0.5
# The JSON-LD body replaces the extraction when the extraction holds less than this share of it.
JSONLD_REPLACES_BELOW = 0.5
# ...and vetoes extracted blocks it lacks when it holds at least this share of the extraction.
JSONLD_VETOES_ABOVE = 0.7
LINK_DENSE_TAGS = ("p", "li", "div", "section", "ul", "ol", "aside", "span", "article")
# Calls to subscribe or donate sit in a small box: the box, not what holds it, is removed.
ACTION_BOX_TAGS = ("div", "section", "aside", "form")
ACTION_BOX_MAX_CHARS = 600
# A standfirst is a paragraph or two: longer than a label, shorter than an article.
STANDFIRST_MIN_CHARS = 40
STANDFIRST_MAX_CHARS = 900
STANDFIRST_PREFIX = 120
STANDFIRST_SIBLINGS = 4
STANDFIRST_WORDS = ("chapo", "chapeau", "standfirst", "desc", "description", "lead", "intro",
                    "subheadline", "summary", "resume", "accroche")


@dataclass
class Chrome:
    words: frozenset[str] = field(default_factory=frozenset)
    tags: frozenset[str] = field(default_factory=frozenset)
    actions: frozenset[str] = field(default_factory=frozenset)


@lru_cache(maxsize=1)
def packaged_chrome() -> Chrome:
    data = read_toml(resources.files("audioarticles") / "data" / "html_skip.toml").get("chrome", {})
    return Chrome(frozenset(w.lower() for w in data.get("words", [])),
                  frozenset(t.lower() for t in data.get("tags", [])),
                  frozenset(_loose(a) for a in data.get("actions", [])))


_NAME_SPLIT = re.compile(r"[\s_]+|(?<!^)-(?=[^-])")


def _name_words(value: str) -> set[str]:
    """The words of a class or id value: "sc-q6c3n2-0 article-newsletter" gives its parts and
    its hyphenated pairs ("article-newsletter", "article", "newsletter")."""
    words: set[str] = set()
    for token in re.split(r"\s+", value.lower()):
        parts = [p for p in re.split(r"[-_]+", token) if p]
        words.update(parts)
        words.update("-".join(parts[i:i + 2]) for i in range(len(parts) - 1))
    return words


def _names_chrome(element: lxml.etree._Element, chrome: Chrome) -> bool:
    if not isinstance(element.tag, str):
        return False
    if element.tag.lower() in chrome.tags:
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return bool(names.strip()) and not _name_words(names).isdisjoint(chrome.words)


def _text_length(element: lxml.etree._Element) -> int:
    return len(comparable(element.text_content()))


def _link_share(element: lxml.etree._Element, length: int) -> float:
    linked = sum(_text_length(a) for a in element.iter("a")
                 if not (a.get("href") or "").startswith("mailto:"))
    return linked / length if length else 0.0


def _action_boxes(tree: lxml.html.HtmlElement, chrome: Chrome) -> Iterator[lxml.etree._Element]:
    """The boxes around a call to action: the nearest div, section, aside or form around a link
    or button labelled "Je m’abonne", "Je fais un don"..., when that box is short."""
    for element in tree.iter("a", "button", "input"):
        label = element.get("value") if element.tag == "input" else element.text_content()
        if _loose(label or "").strip(" →›»>!") not in chrome.actions:
            continue
        box = next((a for a in element.iterancestors() if a.tag in ACTION_BOX_TAGS), None)
        if box is not None and _text_length(box) <= ACTION_BOX_MAX_CHARS:
            yield box


def _protected(anchors: Iterable[lxml.etree._Element]) -> set:
    """The anchors and every element holding one: never removed as chrome."""
    kept: set = set()
    for anchor in anchors:
        kept.add(anchor)
        kept.update(anchor.iterancestors())
    return kept


def prune_chrome(tree: lxml.html.HtmlElement, anchors: list[lxml.etree._Element],
                 chrome: Chrome | None = None) -> int:
    """Remove named chrome and short link-dense elements, sparing the anchors (the article's
    heading and body), what holds them, and wrappers of most of the page. Returns the count."""
    chrome = packaged_chrome() if chrome is None else chrome
    body = tree.find("body")
    total = _text_length(body if body is not None else tree) or 1
    kept = _protected(anchors)
    doomed: list[lxml.etree._Element] = []
    gone: set = set()
    for element in tree.iter():
        if (element in kept or not isinstance(element.tag, str)
                or any(ancestor in gone for ancestor in element.iterancestors())):
            continue
        if _names_chrome(element, chrome):
            if _text_length(element) <= WRAPPER_SHARE * total:
                doomed.append(element)
                gone.add(element)
        elif element.tag in LINK_DENSE_TAGS:
            length = _text_length(element)
            if 0 < length <= LINK_DENSE_MAX_CHARS and _link_share(element, length) >= LINK_DENSE_SHARE:
                doomed.append(element)
                gone.add(element)
    for box in _action_boxes(tree, chrome):
        if box not in kept and box not in gone and box.getparent() is not None:
            doomed.append(box)
            gone.add(box)
    for element in doomed:
        element.drop_tree()
    return len(doomed)


# --- the page's own evidence -------------------------------------------------------------------

def _jsonld_objects(tree: lxml.html.HtmlElement) -> Iterator[dict]:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))


def jsonld_body(tree: lxml.html.HtmlElement) -> str:
    """The longest `articleBody` the page's JSON-LD declares ("" when none)."""
    bodies = [o["articleBody"] for o in _jsonld_objects(tree)
              if isinstance(o.get("articleBody"), str) and o["articleBody"].strip()]
    return max(bodies, key=len, default="")


def _jsonld_descriptions(tree: lxml.html.HtmlElement) -> list[str]:
    return [o["description"] for o in _jsonld_objects(tree)
            if isinstance(o.get("description"), str)
            and str(o.get("@type", "")).endswith(("Article", "Posting"))]


def body_blocks_from_jsonld(body: str) -> list[Block]:
    """Blocks from a JSON-LD `articleBody`: HTML (paragraphs, headings, lists) or plain text
    with one paragraph a line, where a short line without final punctuation is a heading."""
    from audioarticles.extract.plain import is_heading

    if re.search(r"<(?:p|h[1-6]|li|div|br)\b", body, re.I):
        fragment = lxml.html.fragment_fromstring(body, create_parent="div")
        blocks = []
        for element in fragment.iter("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"):
            text = squeeze(element.text_content())
            if not text:
                continue
            kind = {"li": "list_item", "blockquote": "quote"}.get(
                element.tag, "heading" if element.tag.startswith("h") else "paragraph")
            blocks.append(Block(kind, text))
        return blocks
    lines = [squeeze(line) for line in body.splitlines()]
    lines = [line for line in lines if line]
    return [Block("heading" if is_heading(line, lines[i + 1] if i + 1 < len(lines) else None)
                  else "paragraph", line) for i, line in enumerate(lines)]


def marked_body(tree: lxml.html.HtmlElement) -> lxml.etree._Element | None:
    """The element the page marks as the article body (`itemprop="articleBody"`), if one."""
    marked = [e for e in tree.iter() if isinstance(e.tag, str)
              and "articlebody" in (e.get("itemprop") or "").lower().split()]
    return max(marked, key=_text_length, default=None)


def _meta_descriptions(tree: lxml.html.HtmlElement) -> list[str]:
    found = []
    for meta in tree.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").lower()
        if key in ("description", "og:description", "twitter:description") and meta.get("content"):
            found.append(meta.get("content"))
    return found + _jsonld_descriptions(tree)


_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"'})


def _loose(text: str) -> str:
    """Text compared regardless of case and apostrophe style (descriptions are often typed
    with straight quotes, pages with typographic ones)."""
    return comparable(text).translate(_QUOTES).lower().rstrip(".… ")


def standfirst(tree: lxml.html.HtmlElement,
               heading: lxml.etree._Element | None) -> lxml.etree._Element | None:
    """The chapô: the smallest element whose text begins with the page's description (meta or
    JSON-LD), else an element named as a standfirst (`chapo`, `article__desc`...) among the
    first elements after the <h1>."""
    body = tree.find("body")
    if body is None:
        return None
    descriptions = {d[:STANDFIRST_PREFIX] for d in map(_loose, _meta_descriptions(tree))
                    if len(d) >= STANDFIRST_MIN_CHARS}
    if descriptions:
        for tag in ("p", "h2", "div", "section"):
            for element in body.iter(tag):
                text = _loose(element.text_content())
                if (any(text.startswith(d) for d in descriptions)
                        and len(text) <= STANDFIRST_MAX_CHARS):
                    return element
    if heading is None:
        return None
    for count, element in enumerate(heading.itersiblings()):
        if count >= STANDFIRST_SIBLINGS:
            break
        names = _name_words(f"{element.get('class') or ''} {element.get('id') or ''}")
        if (isinstance(element.tag, str) and not names.isdisjoint(STANDFIRST_WORDS)
                and STANDFIRST_MIN_CHARS <= _text_length(element) <= STANDFIRST_MAX_CHARS):
            return element
    return None


# --- putting it together ------------------------------------------------------------------------

@dataclass
class Evidence:
    """What the page says about its own article, gathered before the chrome is removed."""
    standfirst: str = ""
    jsonld: list[Block] = field(default_factory=list)
    anchors: list[lxml.etree._Element] = field(default_factory=list)


def gather(tree: lxml.html.HtmlElement) -> Evidence:
    heading = next(tree.iter("h1"), None)
    marked = marked_body(tree)
    chapo = standfirst(tree, heading)
    anchors = [e for e in (heading, marked, chapo) if e is not None]
    return Evidence(standfirst=squeeze(chapo.text_content()) if chapo is not None else "",
                    jsonld=body_blocks_from_jsonld(jsonld_body(tree)) if jsonld_body(tree) else [],
                    anchors=anchors)


def _found(block: Block, reference: str) -> bool:
    text = comparable(block.text)
    return text in reference


def combine(blocks: list[Block], evidence: Evidence) -> list[Block]:
    """The extracted blocks checked against the page's evidence: the JSON-LD body replaces an
    extraction that missed most of it and vetoes blocks it lacks when it is the whole text; a
    standfirst the extraction missed is put first."""
    if evidence.jsonld:
        reference = comparable(" ".join(b.text for b in evidence.jsonld))
        extracted = sum(len(b.text) for b in blocks) or 1
        covered = sum(len(b.text) for b in blocks if _found(b, reference))
        if covered < JSONLD_REPLACES_BELOW * len(reference):
            blocks = list(evidence.jsonld)
        elif covered >= JSONLD_VETOES_ABOVE * extracted:
            blocks = [b for b in blocks if _found(b, reference)]
    if evidence.standfirst:
        spoken = comparable(" ".join(b.text for b in blocks))
        if comparable(evidence.standfirst) not in spoken:
            blocks = [Block("paragraph", evidence.standfirst)] + blocks
    return blocks
