"""The publisher's own RSS/Atom feed, read as a source of articles (`audioarticles sync
FEED_URL`); not to be confused with `publish/feed.py`, the podcast feed we write.

The feed is fetched with a conditional GET (the ETag / Last-Modified of the last complete
sync are kept in the catalog's settings); each item becomes a source whose text is the full
text the feed carries, or else the article page it links to. The item's GUID identifies the
episode, so edits and moves of the page keep it.
"""

from __future__ import annotations

import html
import json
import time
from dataclasses import dataclass

import feedparser

from audioarticles.errors import InputError
from audioarticles.fetch import fetch
from audioarticles.sources import FEED_ITEM, Reader, Source
from audioarticles.store.interfaces import CatalogStore as Catalog

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+xml;q=0.9, "
               "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1")


@dataclass
class FeedInfo:
    """What a sync found at the feed's address."""

    url: str
    title: str = ""
    entries: int = 0  # items taken from the feed in this run (after --limit)
    not_modified: bool = False
    etag: str = ""
    last_modified: str = ""

    def to_dict(self) -> dict:
        return {"url": self.url, "title": self.title, "entries": self.entries,
                "not_modified": self.not_modified}


def _setting_key(feed_url: str) -> str:
    return f"sync:{feed_url}"


def remembered(catalog: Catalog, feed_url: str) -> dict:
    """What the last complete sync of this feed stored (validators, limit, render settings)."""
    try:
        return json.loads(catalog.setting(_setting_key(feed_url)) or "{}")
    except ValueError:
        return {}


def remember(catalog: Catalog, info: FeedInfo, limit: int | None, fingerprint: str) -> None:
    value = {"etag": info.etag, "last_modified": info.last_modified, "limit": limit,
             "render": fingerprint}
    with catalog.transaction():
        catalog.set_setting(_setting_key(info.url), json.dumps(value, sort_keys=True))


def conditional_headers(previous: dict, limit: int | None, fingerprint: str) -> dict[str, str]:
    """If-None-Match / If-Modified-Since, only when the last sync covered what this one asks
    (as many items, the same voice and audio settings): else the feed is read in full."""
    covered = previous.get("limit") is None or (limit is not None and limit <= previous["limit"])
    if not covered or previous.get("render") != fingerprint:
        return {}
    headers = {}
    if previous.get("etag"):
        headers["If-None-Match"] = previous["etag"]
    if previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"]
    return headers


def read_feed(feed_url: str, reader: Reader, headers: dict[str, str],
              limit: int | None = None) -> tuple[FeedInfo, list[Source | InputError]]:
    """Fetch and parse the feed; a feed that cannot be read raises InputError(feed_url, ...)."""
    page = fetch(feed_url, reader.fetch_settings, headers={"Accept": FEED_ACCEPT, **headers},
                 session=reader.session)
    info = FeedInfo(url=feed_url, etag=page.headers.get("ETag", ""),
                    last_modified=page.headers.get("Last-Modified", ""))
    if page.not_modified:
        info.not_modified = True
        return info, []
    parsed = feedparser.parse(page.body, response_headers={
        "content-location": page.final_url, "content-type": page.headers.get("Content-Type", "")})
    if not parsed.entries and (parsed.bozo or not parsed.feed):
        problem = getattr(parsed, "bozo_exception", None) or "no channel or feed element"
        raise InputError(feed_url, f"not a readable RSS or Atom feed ({problem}); check the "
                                   "address (it should be the feed, not the site's home page)")
    info.title = parsed.feed.get("title", "")
    entries = parsed.entries[:limit] if limit is not None else parsed.entries
    info.entries = len(entries)
    language = parsed.feed.get("language", "") or "fr"
    sources: list[Source | InputError] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        guid = entry.get("id") or entry.get("link") or ""
        if not guid:
            sources.append(InputError(f"{feed_url} item {number}", "has no guid and no link; "
                                      "the publisher's feed must identify its items"))
            continue
        if guid in seen:
            continue
        seen.add(guid)
        name = entry.get("link") or guid
        sources.append(Source(FEED_ITEM, name, entry.get("link") or "",
                              feed_item(entry, guid, language)))
    return info, sources


def full_text(entry) -> str:
    """The item's full text when the feed carries it (content:encoded, Atom content)."""
    for content in entry.get("content", []):
        value = (content.get("value") or "").strip()
        if value:
            if content.get("type") == "text/plain":
                return "".join(f"<p>{html.escape(p)}</p>" for p in value.split("\n\n"))
            return value
    return ""


def entry_date(entry) -> str:
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", moment) if moment else ""


def feed_item(entry, guid: str, language: str) -> dict:
    """What a source needs of a feed entry, as plain data (`Reader.read_feed_item` reads it)."""
    return {"guid": guid, "link": entry.get("link") or "", "title": entry.get("title") or "",
            "body": full_text(entry), "author": entry.get("author") or "",
            "date": entry_date(entry), "summary": entry.get("summary", ""),
            "categories": [t.get("term") for t in entry.get("tags", []) if t.get("term")],
            "image": feed_item_image(entry), "language": language}


def feed_item_image(entry: dict) -> str:
    """The picture a publisher's feed gives an item (media:thumbnail, media:content, an image
    enclosure), "" when none."""
    for key in ("media_thumbnail", "media_content"):
        for media in entry.get(key) or []:
            url = str(media.get("url") or "")
            if url and (key == "media_thumbnail" or media.get("medium") == "image"
                        or str(media.get("type", "")).startswith("image/")):
                return url
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return str(link.get("href") or "")
    return ""
