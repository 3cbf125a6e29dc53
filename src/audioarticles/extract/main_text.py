"""Which text of a web page is the article: the page's own evidence gathered, its chrome
removed, then trafilatura's extraction checked against that evidence.

Evidence, strongest first: the JSON-LD `articleBody` (the publisher's copy of the text), the body
the page marks (`itemprop="articleBody"`), the standfirst it describes (meta description, or a
`chapo` next to the `<h1>`). Chrome is recognised by its names (`.newsletter`, `#didomi-host`,
`figcaption`...: data in `data/html_skip.toml`), its link density, its calls to action
("Je m'abonne" in a small box) and what it repeats (a box listing the article's own headings).
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

from audioarticles.config import read_toml
from audioarticles.extract.blocks import squeeze
from audioarticles.extract.gold import comparable
from audioarticles.model import Block

# Sizes are counted in visible characters other than spaces.
# A short element whose text is mostly link text is a teaser or a menu, not article prose.
LINK_DENSE_SHARE = 0.7
LINK_DENSE_MAX_CHARS = 350
LINK_DENSE_TAGS = frozenset({"p", "li", "div", "section", "ul", "ol", "aside", "span", "article"})
# A heading named for what it is ("header-anchor-post") is no page header.
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
HEADING_NAMES = frozenset({"header"})
# Tables are not read: the small box around one goes with it, its label ("Valeurs associées",
# at most this many characters besides the table) included.
TABLE_LABEL_MAX_CHARS = 80
# A definition list holding a picture is a captioned figure (SPIP's documents, older WordPress
# captions): its text, at most this long, is the picture's title or caption.
FIGURE_LIST_MAX_CHARS = 400
# A short heading or line ending with a colon ("Pour ne rien rater de l'actualité politique :")
# introduces the element after it: when that element is pruned, its label goes with it.
LABEL_MAX_CHARS = 120
# A small box whose items are, for at least half of them, the article's own headings (or its
# title) is a table of contents or a recap ("Sommaire", "Les principales infos de ce matin"): the
# listener hears them where they head the text. Items shorter than this are not compared.
CONTENTS_MAX_CHARS = 600
CONTENTS_ITEM_MIN_CHARS = 15
CONTENTS_BOX_TAGS = frozenset({"div", "section", "nav", "aside", "ul", "ol"})
_ITEM_MARK = re.compile(r"^[\s>»•·*–—-]+")
# An element holding more than this share of the page's text is a wrapper, whatever its name.
WRAPPER_SHARE = 0.5
# A named element with this many paragraphs of prose reads like an article: it is kept.
PROSE_PARAGRAPHS = 2
PROSE_PARAGRAPH_CHARS = 170
PROSE_LINK_SHARE = 0.2
# A <header> inside one of these heads a section of the article, not the page.
SECTIONING = ("article", "main", "section")
# A call to subscribe or donate sits in a small box: the box, not what holds it, is removed.
ACTION_BOX_TAGS = frozenset({"div", "section", "aside", "form"})
ACTION_BOX_MAX_CHARS = 500
# A label is a call to action when it is one ("Je m'abonne") or begins with one and is short
# ("abonnez-vous gratuitement", "S'inscrire à la lettre").
ACTION_LABEL_MAX_WORDS = 5
# A standfirst is a paragraph or two: longer than a label, shorter than an article.
STANDFIRST_MIN_CHARS = 35
STANDFIRST_MAX_CHARS = 800
STANDFIRST_PREFIX = 120
STANDFIRST_SIBLINGS = 4
# A header block around the <h1> (title, date, byline) is climbed out of to find the chapo after
# it: at most this many levels, holding at most this many characters besides the title.
STANDFIRST_HEADER_LEVELS = 2
STANDFIRST_HEADER_CHARS = 300
STANDFIRST_WORDS = frozenset({"chapo", "chapeau", "standfirst", "desc", "description", "lead",
                              "intro", "subheadline", "summary", "resume", "accroche"})
# The JSON-LD body replaces a shorter extraction holding less than this share of it, and
# vetoes the extracted blocks it lacks when it holds at least JSONLD_VETOES_ABOVE of the
# extraction.
JSONLD_REPLACES_BELOW = 0.5
JSONLD_VETOES_ABOVE = 0.7
# The <h1> is the article's headline when the page's <title>, og:title or JSON-LD headline
# begins with its text and it has at least this many words (a logo in an <h1> is shorter).
HEADLINE_MIN_WORDS = 3
# A regional title may put the place or the rubric before the headline ("Quimperlé. Conseil
# municipal : …", "Faits divers | …"): at most this many words, closed by a separator.
HEADLINE_PREFIX_WORDS = 3
HEADLINE_PREFIX_END = re.compile(r"[.:|–—-]$")
# A summary box ("L'essentiel" and its points) holds at most this many characters, and is at
# most this many levels above its label.
SUMMARY_MAX_CHARS = 1500
SUMMARY_LEVELS = 2
# The labels French newsrooms head an article's summary box with (compared loosely).
SUMMARY_LABELS = frozenset({"l'essentiel", "l'essentiel à retenir", "ce qu'il faut retenir",
                            "ce qu'il faut savoir", "à retenir", "les points clés",
                            "points clés", "en résumé"})
# A footnote call's label: "1", "[2]", "(3)", "12a".
FOOTNOTE_LABEL = re.compile(r"[\[(]?\s*\d{1,3}[a-z]?\s*[\])]?")
# Recall is cut to what the stricter modes confirm only when they agree on this share of it.
MODES_AGREE = 0.5
# A block is found in a reference text when half of its runs of SHINGLE words are in it.
SHINGLE = 6


@dataclass(frozen=True)
class Chrome:
    """What names site chrome: class/id words, words of comment sections, tags, and the labels
    of calls to action."""
    words: frozenset[str] = frozenset()
    comment_words: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    actions: frozenset[str] = frozenset()


_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"'})


def loose(text: str) -> str:
    """Text compared regardless of case, spacing and apostrophe style (descriptions are often
    typed with straight quotes, pages with typographic ones)."""
    return comparable(text).translate(_QUOTES).lower().rstrip(".… ")


@lru_cache(maxsize=1)
def packaged_chrome() -> Chrome:
    data = read_toml(resources.files("audioarticles") / "data" / "html_skip.toml").get("chrome", {})
    return Chrome(words=frozenset(w.lower() for w in data.get("words", [])),
                  comment_words=frozenset(w.lower() for w in data.get("comment_words", [])),
                  tags=frozenset(t.lower() for t in data.get("tags", [])),
                  actions=frozenset(loose(a) for a in data.get("actions", [])))


def name_words(value: str) -> set[str]:
    """The words of a class or id value, split at spaces, "-" and "_", and their hyphenated
    pairs: "sc-q6c3n2-0 Related_root__Ud7Mv encart-lire-aussi" gives "related", "lire-aussi"..."""
    words: set[str] = set()
    for token in value.lower().split():
        parts = [p for p in re.split(r"[-_]+", token) if p]
        words.update(parts)
        words.update("-".join(parts[i:i + 2]) for i in range(len(parts) - 1))
    return words


def _names(element: lxml.etree._Element) -> set[str]:
    return name_words(f"{element.get('class') or ''} {element.get('id') or ''}")


class Sizes:
    """Visible characters (spaces excluded) in each element and in its links, counted once."""

    def __init__(self, root: lxml.etree._Element) -> None:
        self.chars: dict = {}
        self.linked: dict = {}
        # post-order without recursion: pages can nest thousands of levels deep
        stack = [(root, False)]
        while stack:
            element, done = stack.pop()
            if not done:
                stack.append((element, True))
                stack.extend((child, False) for child in element if isinstance(child.tag, str))
                continue
            chars = _visible(element.text)
            linked = 0
            for child in element:
                tail = _visible(child.tail)
                chars += tail
                if isinstance(child.tag, str):
                    chars += self.chars[child]
                    linked += self.linked[child]
            if element.tag == "a" and not (element.get("href") or "").startswith("mailto:"):
                linked = chars
            elif element.tag in ("script", "style", "template"):
                chars = linked = 0
            self.chars[element] = chars
            self.linked[element] = linked

    def link_share(self, element: lxml.etree._Element) -> float:
        chars = self.chars.get(element, 0)
        return self.linked.get(element, 0) / chars if chars else 0.0


def _visible(text: str | None) -> int:
    return len(text) - sum(1 for ch in text if ch.isspace()) if text else 0


def _reads_like_prose(element: lxml.etree._Element, sizes: Sizes) -> bool:
    prose = 0
    for paragraph in element.iter("p"):
        if (sizes.chars.get(paragraph, 0) >= PROSE_PARAGRAPH_CHARS
                and sizes.link_share(paragraph) < PROSE_LINK_SHARE):
            prose += 1
            if prose >= PROSE_PARAGRAPHS:
                return True
    return False


def _tag_is_chrome(element: lxml.etree._Element, chrome: Chrome) -> bool:
    """A chrome tag, but for a <header> inside the article (a section's heading: the page's own
    header is outside it) and a <footer> inside a quote (the quote's source)."""
    tag = element.tag.lower()
    if tag not in chrome.tags:
        return False
    inside = {"header": SECTIONING, "footer": ("blockquote",)}.get(tag)
    return not (inside and any(a.tag in inside for a in element.iterancestors()))


def _is_chrome(element: lxml.etree._Element, chrome: Chrome, sizes: Sizes, page_chars: int) -> bool:
    if sizes.chars.get(element, 0) > WRAPPER_SHARE * page_chars:
        return False
    names = _names(element) - (HEADING_NAMES if element.tag in HEADINGS else frozenset())
    if not names.isdisjoint(chrome.comment_words):
        return True
    if _tag_is_chrome(element, chrome) or not names.isdisjoint(chrome.words):
        return not _reads_like_prose(element, sizes)
    if element.tag == "dl" and sizes.chars.get(element, 0) <= FIGURE_LIST_MAX_CHARS \
            and next(element.iter("img"), None) is not None:
        return True
    if element.tag in LINK_DENSE_TAGS:
        chars = sizes.chars.get(element, 0)
        return 0 < chars <= LINK_DENSE_MAX_CHARS and sizes.link_share(element) >= LINK_DENSE_SHARE
    return False


def _table_boxes(root: lxml.etree._Element, sizes: Sizes,
                 page_chars: int) -> Iterator[lxml.etree._Element]:
    """The box around each data table holding nothing but it and a short label (a layout
    table holding the page, or prose, is no data table)."""
    for table in root.iter("table"):
        chars = sizes.chars.get(table, 0)
        if chars > WRAPPER_SHARE * page_chars or _reads_like_prose(table, sizes):
            continue
        box = table
        for parent in table.iterancestors():
            if parent.tag in ("html", "body", "main", "article") \
                    or sizes.chars.get(parent, 0) - chars > TABLE_LABEL_MAX_CHARS:
                break
            box = parent
        if box is not table:
            yield box


def _heading_texts(root: lxml.etree._Element) -> list[tuple[lxml.etree._Element, str]]:
    """The page's headings (h1-h6, and paragraphs that are only bold text: a ticker's entry
    titles), loose."""
    found = []
    for element in root.iter("h1", "h2", "h3", "h4", "h5", "h6", "p"):
        if element.tag == "p":
            children = [c for c in element if isinstance(c.tag, str)]
            if len(children) != 1 or children[0].tag not in ("strong", "b") \
                    or (element.text or "").strip() or (children[0].tail or "").strip():
                continue
        text = loose(element.text_content())
        if text:
            found.append((element, text))
    return found


def _outer_items(box: lxml.etree._Element) -> Iterator[lxml.etree._Element]:
    """The box's list items and paragraphs, but those inside another one."""
    for element in box.iter("li", "p"):
        ancestor = element.getparent()
        while ancestor is not None and ancestor is not box and ancestor.tag not in ("li", "p"):
            ancestor = ancestor.getparent()
        if ancestor is box:
            yield element


def _contents_boxes(root: lxml.etree._Element, sizes: Sizes) -> Iterator[lxml.etree._Element]:
    """Small boxes listing the article's own headings: a table of contents or a recap."""
    headings = None
    for box in root.iter(*CONTENTS_BOX_TAGS):
        if not 0 < sizes.chars.get(box, 0) <= CONTENTS_MAX_CHARS:
            continue
        texts = [_ITEM_MARK.sub("", loose(e.text_content())) for e in _outer_items(box)]
        texts = [t for t in texts if len(t) >= CONTENTS_ITEM_MIN_CHARS]
        if len(texts) < 2:
            continue
        if headings is None:
            headings = _heading_texts(root)
        inside = set(box.iter())
        outside = [text for element, text in headings if element not in inside]
        matched = sum(1 for t in texts if any(t in h for h in outside))
        if matched >= 2 and 2 * matched >= len(texts):
            yield box


def _labels(doomed: Iterable[lxml.etree._Element], kept: set,
            removed: set) -> Iterator[lxml.etree._Element]:
    """The short label ending with a colon right before each pruned element."""
    for element in doomed:
        label = element.getprevious()
        while label is not None and not isinstance(label.tag, str):  # a comment
            label = label.getprevious()
        if label is None or label in kept or label in removed \
                or label.tag not in HEADINGS | {"p", "div", "span", "strong"} \
                or (label.tail or "").strip():
            continue
        text = squeeze(label.text_content())
        if text.endswith(":") and len(text) <= LABEL_MAX_CHARS:
            yield label


def is_action(label: str, actions: Iterable[str]) -> bool:
    """Whether a link's or button's label calls to subscribe or donate (`actions`, loose)."""
    label = loose(label).strip(" →›»>!")
    return label in actions or (len(label.split()) <= ACTION_LABEL_MAX_WORDS
                                and any(label.startswith(action + " ") for action in actions))


def _action_boxes(root: lxml.etree._Element, chrome: Chrome,
                  sizes: Sizes) -> Iterator[lxml.etree._Element]:
    """The small box around each link or button labelled as a call to action."""
    for element in root.iter("a", "button", "input"):
        label = element.get("value") if element.tag == "input" else element.text_content()
        if not is_action(label or "", chrome.actions):
            continue
        box = next((a for a in element.iterancestors() if a.tag in ACTION_BOX_TAGS), None)
        if box is not None and sizes.chars.get(box, 0) <= ACTION_BOX_MAX_CHARS:
            yield box


def prune_chrome(tree: lxml.html.HtmlElement, anchors: Iterable[lxml.etree._Element] = (),
                 chrome: Chrome | None = None) -> int:
    """Remove site chrome from `tree` in place: named chrome that does not read like prose,
    comment sections, short link-dense elements, call-to-action boxes, the small box of a data
    table and its label, a definition list holding a picture, a small box listing the article's
    own headings, and the label ending with a colon before anything removed. The anchors (the
    article's heading, marked body, standfirst), what holds them, and wrappers of most of the
    page are kept. Only the body is pruned: the head's metadata stays for who reads it next.
    Returns how many elements were removed."""
    chrome = packaged_chrome() if chrome is None else chrome
    page = tree.getroottree().getroot()
    body = page.find("body")
    root = body if body is not None else page
    sizes = Sizes(root)
    page_chars = sizes.chars.get(root, 0) or 1
    kept: set = set()
    for anchor in anchors:
        kept.add(anchor)
        kept.update(anchor.iterancestors())
    doomed = []
    stack = [root]
    while stack:
        element = stack.pop()
        if element not in kept and element.tag not in ("html", "body", "head") \
                and _is_chrome(element, chrome, sizes, page_chars):
            doomed.append(element)
            continue  # what it holds goes with it
        stack.extend(child for child in element if isinstance(child.tag, str))
    removed = set(doomed)
    boxes = (list(_action_boxes(root, chrome, sizes)) + list(_table_boxes(root, sizes, page_chars))
             + list(_contents_boxes(root, sizes)))
    for box in boxes:
        if box not in kept and box not in removed \
                and not any(a in removed for a in box.iterancestors()):
            doomed.append(box)
            removed.add(box)
    for label in list(_labels(doomed, kept, removed)):
        if not any(a in removed for a in label.iterancestors()):
            doomed.append(label)
            removed.add(label)
    for element in doomed:
        element.drop_tree()
    return len(doomed)


def remove_footnote_calls(tree: lxml.html.HtmlElement) -> int:
    """Remove the footnote calls of the text ("[1]" after a word, a link to a note further down
    the page), with the <sup> or <span> that only wraps each: a listener would hear "crochet
    un" and never the note. The text after each call stays. Returns how many were removed."""
    calls = []
    for link in tree.iter("a"):
        href = (link.get("href") or "").strip()
        if len(href) < 2 or not href.startswith("#") \
                or not FOOTNOTE_LABEL.fullmatch(comparable(link.text_content())):
            continue
        call = link
        for parent in link.iterancestors():
            if parent.tag not in ("sup", "span") \
                    or not FOOTNOTE_LABEL.fullmatch(comparable(parent.text_content())):
                break
            call = parent
        calls.append(call)
    for call in calls:
        if call.getparent() is not None:
            call.drop_tree()
    return len(calls)


def page_titles(tree: lxml.html.HtmlElement) -> list[str]:
    """What the page says its title is: <title>, og:title and twitter:title, JSON-LD headlines."""
    root = tree.getroottree().getroot()
    titles = [t.text_content() for t in root.iter("title")]
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key in ("og:title", "twitter:title") and meta.get("content"):
            titles.append(meta.get("content"))
    titles += [o["headline"] for o in _jsonld_objects(tree)
               if isinstance(o.get("headline"), str) and _is_article(o)]
    return titles


def headline(tree: lxml.html.HtmlElement) -> lxml.etree._Element | None:
    """The page's first <h1> when it is the article's headline: the page's titles begin with its
    text ("Viaduc de la Sioule" for "Viaduc de la Sioule — Wikipédia"), perhaps after a place
    ("Quimperlé. "), and it is no logo."""
    heading = next(tree.iter("h1"), None)
    if heading is None:
        return None
    text = loose(heading.text_content())
    if len(text.split()) < HEADLINE_MIN_WORDS:
        return None
    return heading if any(_titled(t, text) for t in page_titles(tree)) else None


def _titled(title: str, heading: str) -> bool:
    """Whether a page title (loose) begins with the heading's text (loose), perhaps after a
    place or rubric prefix ("Quimperlé. ")."""
    title = loose(title)
    at = title.find(heading)
    if at <= 0:
        return at == 0
    prefix = title[:at].rstrip()
    return (len(prefix.split()) <= HEADLINE_PREFIX_WORDS
            and HEADLINE_PREFIX_END.search(prefix) is not None)


def prune_before_headline(tree: lxml.html.HtmlElement, heading: lxml.etree._Element | None,
                          anchors: Iterable[lxml.etree._Element] = ()) -> int:
    """Remove what the page shows before the article's headline: rubric labels, scoreboards,
    players, menus. The headline must be one (`headline`); what holds an anchor (a standfirst
    placed above the title) or reads like an article stays. Returns how many were removed."""
    if heading is None:
        return 0
    kept: set = set()
    for anchor in anchors:
        kept.add(anchor)
        kept.update(anchor.iterancestors())
    sizes = Sizes(tree.getroottree().getroot())
    doomed = []
    node = heading
    while node.getparent() is not None and node.tag != "body":
        doomed += [e for e in node.itersiblings(preceding=True) if isinstance(e.tag, str)
                   and e.tag not in ("head", "script", "style") and e not in kept
                   and not _reads_like_prose(e, sizes)]
        node = node.getparent()
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
        except (ValueError, RecursionError):  # not JSON, or nested beyond reason
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


def _is_article(item: dict) -> bool:
    kinds = item.get("@type", "")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(str(k).endswith(("Article", "Posting")) for k in kinds)


def jsonld_body(tree: lxml.html.HtmlElement) -> str:
    """The longest `articleBody` the page's JSON-LD declares ("" when none)."""
    bodies = [o["articleBody"] for o in _jsonld_objects(tree)
              if isinstance(o.get("articleBody"), str) and o["articleBody"].strip()]
    return max(bodies, key=len, default="")


def blocks_from_jsonld(body: str) -> list[Block]:
    """Blocks from a JSON-LD `articleBody`: HTML (paragraphs, headings, list items, quotes) or
    plain text with a paragraph a line, a short line without final punctuation a heading."""
    from audioarticles.extract.plain import is_heading

    if re.search(r"<(?:p|h[1-6]|li|blockquote)\b", body, re.I):
        try:
            fragment = lxml.html.fragment_fromstring(body, create_parent="div")
        except (lxml.etree.ParserError, ValueError):
            return []
        blocks = []
        for element in fragment.iter("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"):
            if any(a.tag in ("li", "blockquote") for a in element.iterancestors()):
                continue  # read with the item or quote holding it
            text = squeeze(element.text_content())
            if text:
                kind = {"li": "list_item", "blockquote": "quote", "p": "paragraph"}.get(
                    element.tag, "heading")
                blocks.append(Block(kind, text))
        return blocks
    lines = [line for line in map(squeeze, body.splitlines()) if line]
    return [Block("heading" if is_heading(line, lines[i + 1] if i + 1 < len(lines) else None)
                  else "paragraph", line) for i, line in enumerate(lines)]


def marked_body(tree: lxml.html.HtmlElement) -> lxml.etree._Element | None:
    """The element the page marks as the article body (`itemprop="articleBody"`), if one."""
    marked = [e for e in tree.iter() if isinstance(e.tag, str)
              and "articlebody" in (e.get("itemprop") or "").lower().split()]
    return max(marked, key=lambda e: len(e.text_content()), default=None)


def descriptions(tree: lxml.html.HtmlElement) -> list[str]:
    """The page's summaries of itself: meta description, og/twitter description, JSON-LD."""
    found = []
    for meta in tree.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").lower()
        if key in ("description", "og:description", "twitter:description") and meta.get("content"):
            found.append(meta.get("content"))
    found += [o["description"] for o in _jsonld_objects(tree)
              if isinstance(o.get("description"), str) and _is_article(o)]
    return found


def standfirst(tree: lxml.html.HtmlElement,
               heading: lxml.etree._Element | None) -> lxml.etree._Element | None:
    """The chapô: the first, smallest element whose text begins with the page's description
    (not one holding the <h1>: some pages describe themselves with their title), else an
    element named as a standfirst (`chapo`, `article__desc`...) right after the <h1>."""
    body = tree.getroottree().getroot().find("body")
    if body is None:
        return None
    starts = {d[:STANDFIRST_PREFIX] for d in map(loose, descriptions(tree))
              if len(d) >= STANDFIRST_MIN_CHARS}
    holding_heading = set(heading.iterancestors()) if heading is not None else set()
    if heading is not None:
        starts.discard(loose(heading.text_content())[:STANDFIRST_PREFIX])
    if starts:
        for tag in ("p", "h2", "span", "div", "section"):
            for element in body.iter(tag):
                text = element.text_content()
                if (len(text) <= 2 * STANDFIRST_MAX_CHARS and element not in holding_heading
                        and any(loose(text).startswith(start) for start in starts)):
                    return element
    if heading is None:
        return None
    # right after the <h1>, or after the small header block that holds it (SPIP's "cartouche":
    # the title and its date, then the chapo)
    anchor = heading
    for _ in range(STANDFIRST_HEADER_LEVELS + 1):
        siblings = (e for e in anchor.itersiblings() if isinstance(e.tag, str))  # not comments
        for count, element in enumerate(siblings):
            if count >= STANDFIRST_SIBLINGS:
                break
            length = _visible(element.text_content())
            if (not _names(element).isdisjoint(STANDFIRST_WORDS)
                    and STANDFIRST_MIN_CHARS <= length <= STANDFIRST_MAX_CHARS):
                return element
        parent = anchor.getparent()
        if (parent is None or parent.tag in ("body", "article", "main")
                or _visible(parent.text_content()) > _visible(heading.text_content()) + STANDFIRST_HEADER_CHARS):
            break
        anchor = parent
    return None


def _inside_point(element: lxml.etree._Element, box: lxml.etree._Element) -> bool:
    """Whether `element` sits in a list item or paragraph of `box` (read with it)."""
    for ancestor in element.iterancestors():
        if ancestor is box:
            return False
        if ancestor.tag in ("li", "p"):
            return True
    return False


def summary_box(tree: lxml.html.HtmlElement,
                heading: lxml.etree._Element | None) -> list[Block]:
    """The article's summary box after its headline: a short box headed "L'essentiel" (or
    another label of `SUMMARY_LABELS`), as a heading and its points. Newsrooms write it for
    the article; extractors take it for an aside."""
    if heading is None:
        return []
    after = False
    for element in tree.getroottree().getroot().iter():
        if element is heading:
            after = True
            continue
        if not after or not isinstance(element.tag, str) or len(element) > 1 \
                or loose(element.text_content()).rstrip(" :") not in SUMMARY_LABELS:
            continue
        box, own = element.getparent(), len(element.xpath(".//li|.//p"))
        for _ in range(SUMMARY_LEVELS - 1):
            if box is None or len(box.xpath(".//li|.//p")) > own:
                break
            box = box.getparent()
        # the box is no page, article or main, and does not hold the headline
        if box is None or box.tag in ("body", "main", "article") \
                or heading in box.iterdescendants() \
                or _visible(box.text_content()) > SUMMARY_MAX_CHARS:
            return []
        points = [squeeze(e.text_content()) for e in box.iter("li", "p")
                  if e is not element and not _inside_point(e, box)]
        points = [p for p in points if p and loose(p) != loose(element.text_content())]
        if not points:
            return []
        return ([Block("heading", squeeze(element.text_content()).rstrip(" :"))]
                + [Block("list_item", p) for p in points])
    return []


# --- putting it together ------------------------------------------------------------------------

@dataclass
class Evidence:
    """What the page says about its own article, gathered before its chrome is removed."""
    standfirst: str = ""
    jsonld: list[Block] = field(default_factory=list)
    anchors: list[lxml.etree._Element] = field(default_factory=list)
    summary: list[Block] = field(default_factory=list)  # "L'essentiel" and its points
    headline: lxml.etree._Element | None = None  # the <h1>, when it is the article's headline


def gather(tree: lxml.html.HtmlElement) -> Evidence:
    heading = next(tree.iter("h1"), None)
    chapo = standfirst(tree, heading)
    anchors = [e for e in (heading, marked_body(tree), chapo) if e is not None]
    body = jsonld_body(tree)
    title = headline(tree)
    return Evidence(standfirst=squeeze(chapo.text_content()) if chapo is not None else "",
                    jsonld=blocks_from_jsonld(body) if body else [], anchors=anchors,
                    summary=summary_box(tree, title), headline=title)


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = loose(text).split()
    return {tuple(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}


def found_in(block: Block, reference: str, reference_shingles: set) -> bool:
    """Whether the block's text is in the reference, allowing small differences (a footnote
    call, a link's spacing): half of its runs of words are there."""
    if loose(block.text) in reference:
        return True
    own = _shingles(block.text)
    return len(own & reference_shingles) >= len(own) / 2


def combine(blocks: list[Block], evidence: Evidence) -> list[Block]:
    """The extracted blocks checked against the page's evidence: the JSON-LD body replaces a
    shorter extraction that holds less than half of it (a summary in `articleBody` replaces
    nothing), and vetoes the blocks it lacks when it holds most of the extraction; a standfirst
    the extraction missed is read first, then a summary box it missed."""
    if evidence.jsonld:
        joined = " ".join(b.text for b in evidence.jsonld)
        reference, shingles = loose(joined), _shingles(joined)
        extracted = sum(len(b.text) for b in blocks) or 1
        covered = sum(len(b.text) for b in blocks if found_in(b, reference, shingles))
        if covered < JSONLD_REPLACES_BELOW * len(reference) and len(reference) > extracted:
            blocks = list(evidence.jsonld)
        elif covered >= JSONLD_VETOES_ABOVE * extracted:
            blocks = [b for b in blocks if found_in(b, reference, shingles)]
    if evidence.standfirst and loose(evidence.standfirst) not in loose(
            " ".join(b.text for b in blocks)):
        blocks = [Block("paragraph", evidence.standfirst)] + blocks
    read = loose(" ".join(b.text for b in blocks))
    if evidence.summary and not all(loose(b.text) in read for b in evidence.summary[1:]):
        first = 1 if evidence.standfirst and blocks and blocks[0].text == evidence.standfirst else 0
        blocks = blocks[:first] + list(evidence.summary) + blocks[first:]
    return blocks


def merge_modes(recall: list[Block], confirmed: Iterable[list[Block]]) -> list[Block]:
    """Recall's blocks, without those that only recall found before the first or after the
    last block a stricter mode (precision) also found: the stricter mode says where the
    article is, recall fills the gaps inside it (the default mode, tried too, confirmed
    teasers as often as text). When the stricter modes found nothing, or agree with recall on
    less than half of its text (they took another part of the page), recall's blocks stand."""
    joined = " ".join(b.text for blocks in confirmed for b in blocks)
    if not joined.strip():
        return recall
    reference, shingles = loose(joined), _shingles(joined)
    marks = [found_in(b, reference, shingles) for b in recall]
    agreed = sum(len(b.text) for b, mark in zip(recall, marks) if mark)
    if agreed < MODES_AGREE * sum(len(b.text) for b in recall):
        return recall
    first = marks.index(True)
    last = len(marks) - 1 - marks[::-1].index(True)
    return recall[first:last + 1]
