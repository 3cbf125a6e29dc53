"""The picture a web page gives its article: `og:image`, `twitter:image`, the JSON-LD `image`
of the article (or of its `@graph`), `<link rel="image_src">`; resolved against the page URL."""

from __future__ import annotations

import json
from urllib.parse import urljoin

import lxml.html

_META_KEYS = ("og:image:secure_url", "og:image", "og:image:url", "twitter:image",
              "twitter:image:src")
_ARTICLE_TYPES = {"article", "newsarticle", "reportage", "reportagenewsarticle", "blogposting",
                  "analysisnewsarticle", "opinionnewsarticle", "webpage"}


def _meta_image(tree: lxml.html.HtmlElement) -> str:
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if key in _META_KEYS and content and key not in found:
            found[key] = content
    return next((found[key] for key in _META_KEYS if key in found), "")


def image_value(value) -> str:
    """A JSON-LD `image`: a URL, an ImageObject (`url`/`contentUrl`), or a list of either."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return next((url for url in map(image_value, value) if url), "")
    if isinstance(value, dict):
        return image_value(value.get("url") or value.get("contentUrl") or "")
    return ""


def _types(node: dict) -> set[str]:
    kind = node.get("@type", "")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds}


def json_ld_image(documents: list) -> str:
    """The article's image from JSON-LD documents (the first article-like node's)."""
    nodes: list = []
    for document in documents:
        for node in document if isinstance(document, list) else [document]:
            if isinstance(node, dict):
                nodes.append(node)
                graph = node.get("@graph")
                if isinstance(graph, list):
                    nodes.extend(n for n in graph if isinstance(n, dict))
    for node in sorted(nodes, key=lambda n: not (_types(n) & _ARTICLE_TYPES)):
        url = image_value(node.get("image"))
        if url:
            return url
    return ""


def _json_ld(tree: lxml.html.HtmlElement) -> list:
    documents = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            documents.append(json.loads(script.text or ""))
        except (ValueError, RecursionError):  # RecursionError: nested beyond reason
            continue  # a broken block on a page is common; the others may still tell
    return documents


def page_image(tree: lxml.html.HtmlElement, base_url: str = "") -> str:
    """The article's picture as an absolute URL (relative ones resolved against `base_url`),
    "" when the page names none or only a non-web one."""
    url = _meta_image(tree) or json_ld_image(_json_ld(tree))
    if not url:
        for link in tree.iter("link"):
            if "image_src" in (link.get("rel") or "").lower().split() and link.get("href"):
                url = link.get("href").strip()
                break
    if not url:
        return ""
    url = urljoin(base_url, url) if base_url else url
    return url if url.lower().startswith(("http://", "https://")) else ""
