"""Web pages: the elements a publisher marked as not to be read (`data-audio="skip"`) and the
selectors of `data/html_skip.toml` removed, then the main text found by `main_text` (the page's
own evidence, its chrome pruned, trafilatura's modes combined).

Title, author, date, canonical URL and language (from `<html lang>`) go to the metadata;
headings, paragraphs, list items and quotes become blocks. Scripts, styles, menus, share bars,
comments and footers never reach the voice; tables, images and code are not read.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources

import lxml.etree
import lxml.html
import trafilatura
from cssselect import GenericTranslator, SelectorError

from audioarticles.config import read_toml
from audioarticles.errors import ArticleSkipped, InputError, UsageError
from audioarticles.extract import main_text
from audioarticles.extract.blocks import (CLAUSE_PUNCTUATION, NUMBERED, article_from_blocks,
                                          squeeze, strip_list_marker)
from audioarticles.extract.image import page_image
from audioarticles.model import Article, ArticleMeta, Block


@lru_cache(maxsize=1)
def _packaged_skip() -> tuple[str, ...]:
    return tuple(read_toml(resources.files("audioarticles") / "data" / "html_skip.toml")["skip"])


DEFAULT_SKIP: tuple[str, ...] = _packaged_skip()
# The publisher's own mark. The other packaged selectors name site chrome (breadcrumbs, embeds):
# they remove blocks but never opt a whole article out, even when a page nests its <h1> in one
# (a rubric's <h1> inside the breadcrumb).
PUBLISHER_MARK = '[data-audio="skip"]'
CHROME_SKIP: frozenset[str] = frozenset(DEFAULT_SKIP) - {PUBLISHER_MARK}

NO_ARTICLE = ("no article text found in this page; check it is an article (not a home page "
              "or a list) or save the article's own page")

# A paragraph that is all bold or italic, short and without final period is a sub-heading.
EMPHASISED_HEADING_MAX_CHARS = 120


@lru_cache(maxsize=256)
def _xpath(selector: str) -> lxml.etree.XPath:
    try:
        return lxml.etree.XPath(GenericTranslator().css_to_xpath(selector))
    except SelectorError as exc:
        raise UsageError(f"bad CSS selector {selector!r} in the skip rules ({exc}); "
                         "use e.g. '[data-audio=\"skip\"]', '.share' or 'aside.related'") from exc


def remove_skipped(tree: lxml.html.HtmlElement, selectors: Iterable[str]) -> int:
    """Remove from `tree` every element matching one of the CSS selectors (attribute, class,
    id, tag...); the text after a removed element stays. Returns how many were removed."""
    removed = 0
    for selector in selectors:
        for element in _xpath(selector)(tree):
            if element.getparent() is not None:
                element.drop_tree()
                removed += 1
    return removed


def marked_article(tree: lxml.html.HtmlElement, selectors: Iterable[str]) -> str | None:
    """The selector that marks the article as a whole, if one does: it matches the page itself
    (`html`, `body`, `main`, `[role=main]`), the element holding the page's first `<h1>`, or
    the page's only `<article>`. A selector matching only blocks inside it returns None.
    """
    root = tree.getroottree().getroot()
    first_h1 = next(root.iter("h1"), None)
    articles = list(root.iter("article"))
    for selector in selectors:
        for element in _xpath(selector)(root):
            if (element.tag in ("html", "body", "main") or element.get("role") == "main"
                    or (first_h1 is not None and (element is first_h1
                                                  or first_h1 in element.iterdescendants()))
                    or (element.tag == "article" and len(articles) == 1)):
                return selector
    return None


# an embargoed article is dated in the future: let htmldate accept dates up to this far ahead
EMBARGO_HORIZON = timedelta(days=400)


def _published_time(tree: lxml.html.HtmlElement) -> str:
    """The page's own publication date and time (`article:published_time`, `datePublished`),
    more precise than the extractor's date-only reading; "" when the page declares none."""
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("itemprop") or meta.get("name") or "").lower()
        if key in ("article:published_time", "datepublished") and meta.get("content"):
            value = meta.get("content").strip()
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return value
    return ""


def _page_language(tree: lxml.html.HtmlElement) -> str:
    root = tree.getroottree().getroot()
    for attr in ("lang", "{http://www.w3.org/XML/1998/namespace}lang", "xml:lang"):
        value = (root.get(attr) or "").strip()
        if value:
            return value
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").lower() == "content-language" and meta.get("content"):
            return meta.get("content").split(",")[0].strip()
    return ""


def _explicit_id(tree: lxml.html.HtmlElement) -> str:
    """The publisher's own id for the article, `<meta name="audioarticles:id" content="...">`:
    the episode's GUID ("" when the page gives none)."""
    for meta in tree.iter("meta"):
        if (meta.get("name") or "").strip().lower() == "audioarticles:id":
            return (meta.get("content") or "").strip()
    return ""


def _canonical(tree: lxml.html.HtmlElement) -> str:
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and (link.get("href") or "").strip():
            return link.get("href").strip()
    for meta in tree.iter("meta"):
        if (meta.get("property") or "").lower() == "og:url" and meta.get("content"):
            return meta.get("content").strip()
    return ""


def _text_lines(element: lxml.etree._Element) -> list[str]:
    """The element's text, cut at its line breaks (`<lb/>`); graphics are not read."""
    lines = [""]
    def walk(node: lxml.etree._Element) -> None:
        if node.tag == "lb":
            lines.append("")
        elif node.tag not in ("graphic",):
            lines[-1] += node.text or ""
            for child in node:
                walk(child)
        if node is not element:
            lines[-1] += node.tail or ""
    walk(element)
    return [squeeze(line) for line in lines if squeeze(line)]


def _is_emphasised_heading(element: lxml.etree._Element, text: str) -> bool:
    children = [c for c in element if c.tag != "lb"]
    return (len(children) == 1 and children[0].tag == "hi"
            and not (element.text or "").strip() and not (children[0].tail or "").strip()
            and _short_title(text))


def _short_title(text: str) -> bool:
    return len(text) <= EMPHASISED_HEADING_MAX_CHARS and text[-1] not in CLAUSE_PUNCTUATION


def _paragraph_blocks(element: lxml.etree._Element, kind: str) -> Iterator[Block]:
    lines = _text_lines(element)
    # "2) Grève du 24 septembre": a numbered line standing alone is a section heading
    if kind == "paragraph" and len(lines) == 1 and (
            _is_emphasised_heading(element, lines[0])
            or (NUMBERED.match(lines[0]) and _short_title(lines[0]))):
        yield Block("heading", lines[0])
        return
    for line in lines:
        is_item, item_text = strip_list_marker(line)
        if is_item and kind == "paragraph":
            yield Block("list_item", item_text)
        else:
            yield Block(kind, line)


def content_blocks(body: lxml.etree._Element) -> list[Block]:
    """Blocks from trafilatura's body (head, p, list/item, quote, ...); tables and code not read."""
    blocks: list[Block] = []

    def walk(node: lxml.etree._Element, kind: str) -> None:
        for child in node:
            tag = child.tag
            if tag in ("table", "code", "graphic", "figure", "note"):
                continue
            if tag == "head":
                blocks.extend(Block("heading", line) for line in _text_lines(child))
            elif tag == "item":
                if any(c.tag in ("p", "list", "head", "quote") for c in child):
                    walk(child, "list_item")
                else:
                    blocks.extend(Block("list_item", line) for line in _text_lines(child))
            elif tag == "quote":
                walk_or_lines(child, "quote")
            elif tag == "p":
                blocks.extend(_paragraph_blocks(child, kind))
            elif tag in ("list", "div", "main", "body", "section", "article"):
                walk(child, kind)
            else:
                blocks.extend(Block(kind, line) for line in _text_lines(child))

    def walk_or_lines(node: lxml.etree._Element, kind: str) -> None:
        if any(c.tag in ("p", "list", "head", "quote") for c in node):
            walk(node, kind)
        else:
            blocks.extend(Block(kind, line) for line in _text_lines(node))

    walk(body, "paragraph")
    return blocks


MODES = {"default": {}, "precision": {"favor_precision": True}, "recall": {"favor_recall": True}}


def _extract_body(tree: lxml.html.HtmlElement, mode: str) -> list[Block]:
    document = trafilatura.bare_extraction(
        tree, with_metadata=False, include_comments=False, include_tables=False,
        include_images=False, include_formatting=True, include_links=False, deduplicate=False,
        **MODES[mode])
    if document is None or document.body is None:
        return []
    return content_blocks(document.body)


def main_text_blocks(tree: lxml.html.HtmlElement) -> list[Block]:
    """The article's blocks: the page's evidence gathered, its chrome removed (in place),
    trafilatura's recall and precision modes merged (`main_text.merge_modes`), then checked
    against the evidence (`main_text.combine`)."""
    evidence = main_text.gather(tree)
    main_text.remove_footnote_calls(tree)
    main_text.prune_chrome(tree, evidence.anchors)
    main_text.prune_before_headline(tree, evidence.headline, evidence.anchors)
    precision = _extract_body(tree, "precision")
    merged = main_text.merge_modes(_extract_body(tree, "recall"), [precision])
    return main_text.combine(merged, evidence)


# libxml2 nests elements at most 256 levels deep, 2048 when told the page may be huge; deeper
# elements are dropped with everything after them ("no article text found" on a page that has
# one). Pages that deep are machine-made: their wrappers can go without losing the text.
HUGE_DEPTH = 2048
_WRAPPER_TAG = re.compile(r"<(/?)(div|span|font|section|center|small|big)\b[^>]*>", re.I)
_BLOCK_WRAPPERS = ("div", "section", "center")


def _too_deep(parser: lxml.html.HTMLParser) -> bool:
    return any(e.type_name == "ERR_RESOURCE_LIMIT" and "depth" in e.message.lower()
               for e in parser.error_log)


def _parse_document(html: str | bytes, huge: bool) -> tuple[lxml.html.HtmlElement, bool]:
    """The parsed page and whether the parser stopped at its depth limit."""
    parser = lxml.html.HTMLParser(huge_tree=huge)
    try:
        tree = lxml.html.document_fromstring(html, parser=parser)
    except ValueError:
        # an XHTML page declaring its encoding: lxml wants bytes for it
        parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=huge)
        tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    return tree, _too_deep(parser)


def flatten_wrappers(html: str) -> str:
    """The page without its layout wrappers (div, span, font...): a closing block wrapper
    becomes a line break so paragraphs stay apart."""
    return _WRAPPER_TAG.sub(
        lambda m: "<br>" if m.group(1) and m.group(2).lower() in _BLOCK_WRAPPERS else "", html)


def parse_html(html: str, source: str) -> lxml.html.HtmlElement:
    """The page's tree. A page nested deeper than the parser's default limit (256 levels) is
    parsed again allowing 2048 levels, then without its wrappers; deeper still is an error
    that says so."""
    if not html.strip():
        raise InputError(source, "the page is empty; nothing to read")
    try:
        tree, too_deep = _parse_document(html, huge=False)
        if too_deep:
            tree, too_deep = _parse_document(html, huge=True)
        if too_deep:
            tree, too_deep = _parse_document(flatten_wrappers(html), huge=True)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise InputError(source, f"not an HTML page ({exc}); pass the saved page or its URL") from exc
    if too_deep:
        raise InputError(source, f"the page nests its elements more than {HUGE_DEPTH} levels deep, "
                                 "even without its <div> and <span> wrappers, beyond what the HTML "
                                 "parser reads; save the article's text as .txt or .md and "
                                 "convert that")
    return tree


def read_html(html: str, source: str, url: str | None = None,
              skip: Iterable[str] | None = None) -> Article:
    """The article in a web page.

    `source` names the input in messages and identity; `url` is where the page was fetched
    (used when the page declares no canonical URL). `skip` lists CSS selectors of elements
    never to read (default: `DEFAULT_SKIP`, which holds `[data-audio="skip"]`). When one of
    them marks the article itself rather than a block in it, the page is not read at all
    (ArticleSkipped); the packaged chrome selectors (`CHROME_SKIP`) never do.
    """
    tree = parse_html(html, source)
    skip = DEFAULT_SKIP if skip is None else tuple(skip)
    marked = marked_article(tree, [s for s in skip if s not in CHROME_SKIP])
    if marked is not None:
        raise ArticleSkipped(source, f"opt-out: the page marks the whole article {marked}")
    language = _page_language(tree)
    canonical = _canonical(tree)
    explicit_id = _explicit_id(tree)
    remove_skipped(tree, skip)
    published = _published_time(tree)
    horizon = (datetime.now(timezone.utc) + EMBARGO_HORIZON).strftime("%Y-%m-%d")
    # metadata from the whole page: bylines and dates live in what is pruned below
    document = trafilatura.extract_metadata(
        copy.deepcopy(tree), default_url=url, extensive=True,
        date_config={"original_date": True, "extensive_search": True, "max_date": horizon})
    # before the chrome is pruned: a page's picture may sit in what the pruning removes
    image = page_image(tree, url or canonical)
    # the page's <h1> when its titles begin with it: they add the site's name ("— Wikipédia"),
    # and trafilatura may take a live page's last update ("C'est terminé !") for the title
    heading = main_text.headline(tree)
    title = squeeze((heading.text_content() if heading is not None else document.title) or "")
    blocks = main_text_blocks(tree)
    if not blocks:
        raise InputError(source, NO_ARTICLE)
    meta = ArticleMeta(
        title=title,
        author=squeeze(document.author or ""),
        date=(published if published and published[:10] == (document.date or "")[:10]
              else document.date or ""),
        url=url or canonical or (document.url or ""),
        canonical_url=canonical or (document.url or ""),
        language=language or document.language or "fr",
        summary=squeeze(document.description or ""),
        source=source,
        explicit_id=explicit_id,
        categories=[c for c in (document.categories or []) if c],
        publication=squeeze(document.sitename or ""),
        tags=[t for t in (document.tags or []) if t],
        image=image or (document.image or ""),
    )
    return article_from_blocks(blocks, meta, source, empty=NO_ARTICLE)
