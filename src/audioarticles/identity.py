"""Episode identity: GUIDs that survive edits, slugs that are safe and frozen once published."""

from __future__ import annotations

import re
import unicodedata
import uuid

from audioarticles.model import ArticleMeta

GUID_NAMESPACE = uuid.UUID("6f7c1f62-3b7e-5d8a-9a8e-0c6a1d2e4b51")
SLUG_MAX = 60


def identity(meta: ArticleMeta) -> str:
    """The article's identity, in order: explicit id, source feed GUID, canonical URL, path."""
    if meta.explicit_id:
        return f"id:{meta.explicit_id}"
    if meta.feed_guid:
        return f"feed-guid:{meta.feed_guid}"
    if meta.canonical_url:
        return f"url:{meta.canonical_url}"
    if meta.url:
        return f"url:{meta.url}"
    if not meta.source:
        raise ValueError("an article needs an id, a URL or a source path to be identified")
    return f"path:{meta.source}"


def guid_for(meta: ArticleMeta) -> str:
    """An explicit id is the GUID as given; anything else becomes a stable UUIDv5."""
    if meta.explicit_id:
        return meta.explicit_id
    return str(uuid.uuid5(GUID_NAMESPACE, identity(meta)))


def slugify(title: str, max_length: int = SLUG_MAX) -> str:
    """ASCII, lower case, dashes; never empty, never a path."""
    title = re.sub(r"['\u2019\u02bc]", " ", title)
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-") or "episode"

