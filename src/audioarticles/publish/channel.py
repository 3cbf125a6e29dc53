"""The podcast's own settings, checked once: Apple category, ISO language, time zone, URLs."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from audioarticles.config import Settings
from audioarticles.dates import zone_named
from audioarticles.disclosure import Disclosure
from audioarticles.errors import UsageError

FEED_NAME = "feed.xml"
_WHERE = "audioarticles.toml: [podcast]"


@cache
def apple_categories() -> dict[str, tuple[str, ...]]:
    """Apple Podcasts' categories and their subcategories (data/apple_categories.toml)."""
    text = resources.files("audioarticles").joinpath("data/apple_categories.toml").read_text("utf-8")
    return {name: tuple(subs) for name, subs in tomllib.loads(text).items()}


def parse_category(value: str) -> tuple[str, str | None]:
    """`"News"` or `"News > Daily News"`, checked against Apple's list (exact English names)."""
    known = apple_categories()
    parts = [p.strip() for p in str(value).split(">")]
    if len(parts) > 2 or not all(parts):
        raise UsageError(f"{_WHERE} category {value!r} is not valid; write \"Category\" or "
                         "\"Category > Subcategory\" with Apple's English names")
    name = parts[0]
    if name not in known:
        raise UsageError(f"{_WHERE} category {name!r} is not an Apple Podcasts category; "
                         f"valid values: {', '.join(known)}")
    if len(parts) == 1:
        return name, None
    sub = parts[1]
    if sub not in known[name]:
        valid = ", ".join(known[name]) or "none (use the category alone)"
        raise UsageError(f"{_WHERE} {sub!r} is not a subcategory of {name!r} in Apple Podcasts; "
                         f"valid values: {valid}")
    return name, sub


def absolute_url(key: str, value: str) -> str:
    url = str(value).strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{_WHERE} {key} {value!r} is not an absolute http(s) URL; "
                         "write it in full, e.g. \"https://example.org/podcast/\"")
    return url


def parse_base_url(value: str) -> str:
    """Where output/ is published; always ends with a slash."""
    url = absolute_url("base_url", value)
    return url if url.endswith("/") else url + "/"


@dataclass(frozen=True)
class Channel:
    """What the feed and the site say about the podcast as a whole."""

    title: str
    description: str
    language: str
    base_url: str
    link: str
    author: str
    publication: str
    owner_name: str
    owner_email: str
    categories: tuple[tuple[str, str | None], ...]
    explicit: bool
    image: str
    zone: ZoneInfo
    feed_limit: int
    new_feed_url: str
    locked: bool
    disclosure: Disclosure  # written per episode, naming its engine
    copyright: str = ""
    txt: str = ""  # podcast:txt, e.g. a platform's ownership-verification string
    txt_purpose: str = ""
    funding_url: str = ""
    funding_text: str = ""
    medium: str = "podcast"
    license: str = ""  # an SPDX identifier or a licence's name
    license_url: str = ""
    numbering: bool = False  # itunes:episode / podcast:episode, numbered once per feed
    seasons: str = ""  # "year": itunes:season / podcast:season is the year of publication
    feed_path: str = FEED_NAME  # where this feed is written under output/
    name: str = ""  # "" for the main feed, else the [[feeds]] name
    block: bool = False  # podcast:block / itunes:block: directories must not list it
    hub: str = ""  # WebSub hub announced with <atom:link rel="hub">
    enclosure_prefix: str = ""  # a measurement service's, before the feeds' enclosure URLs
    skip_s: int = 15  # what the player's back and forward buttons move ([player] skip_s)
    beacon_url: str = ""  # where players send listening events ([analytics] beacon_url)

    @property
    def feed_url(self) -> str:
        return self.url(self.feed_path)

    @property
    def byline(self) -> str:
        """Who the podcast is by, when an episode names no author."""
        return self.publication or self.author or self.title

    def byline_for(self, author: str) -> str:
        """The one rule for an episode's artist (ID3 TPE1) and `itunes:author`: the article's
        author, else the podcast's byline (publication, then author, then title)."""
        return " ".join((author or "").split()) or self.byline

    def url(self, relative: str) -> str:
        """The absolute public URL of a file under output/."""
        return self.base_url + quote(relative.lstrip("/"), safe="/")

    def enclosure_url(self, relative: str) -> str:
        """What the feeds give as an episode's enclosure: its URL, behind `[podcast]
        enclosure_prefix` when set (the prefix, then the URL without its scheme, the form OP3,
        Podtrac and the like redirect from). The file keeps its own name and URL."""
        return prefixed(self.enclosure_prefix, self.url(relative))


def _text(podcast: dict, key: str, limit: int | None = None) -> str:
    value = podcast.get(key) or ""
    if not isinstance(value, str):
        raise UsageError(f"{_WHERE} {key} = {value!r} must be text")
    value = " ".join(value.split())
    if limit is not None and len(value) > limit:
        raise UsageError(f"{_WHERE} {key} is {len(value)} characters; the Podcasting 2.0 "
                         f"namespace allows {limit}: shorten it")
    return value


def channel_settings(project: Settings) -> Channel:
    """Read and check `[podcast]`; every problem is a user error naming the key and the fix."""
    podcast = project.section("podcast")
    raw_categories = podcast.get("category") or []
    if isinstance(raw_categories, str):
        raw_categories = [raw_categories]
    if not raw_categories:
        raise UsageError(f"{_WHERE} category is empty; Apple Podcasts needs one, e.g. \"News\"")
    base_url = parse_base_url(podcast["base_url"])
    new_feed_url = str(podcast.get("new_feed_url") or "").strip()
    if new_feed_url:
        new_feed_url = absolute_url("new_feed_url", new_feed_url)
    return Channel(
        title=str(podcast.get("title") or "").strip() or "Podcast",
        description=str(podcast.get("description") or "").strip(),
        language=podcast["language"],
        base_url=base_url,
        link=str(podcast.get("link") or "").strip() or base_url,
        author=str(podcast.get("author") or "").strip(),
        publication=str(podcast.get("publication") or "").strip(),
        owner_name=str(podcast.get("owner_name") or "").strip(),
        owner_email=str(podcast.get("owner_email") or "").strip(),
        categories=tuple(parse_category(c) for c in raw_categories),
        explicit=podcast["explicit"],
        image=str(podcast.get("image") or "").strip(),
        zone=zone_named(podcast["timezone"]),
        feed_limit=podcast["feed_limit"],
        new_feed_url=new_feed_url,
        locked=podcast["locked"],
        disclosure=Disclosure.from_project(project),
        copyright=_text(podcast, "copyright"),
        txt=_text(podcast, "txt", 4000),
        txt_purpose=_text(podcast, "txt_purpose", 128),
        funding_url=(absolute_url("funding_url", podcast["funding_url"])
                     if podcast.get("funding_url") else ""),
        funding_text=_text(podcast, "funding_text", 128),
        medium=podcast["medium"],
        license=_text(podcast, "license", 128),
        license_url=(absolute_url("license_url", podcast["license_url"])
                     if podcast.get("license_url") else ""),
        numbering=podcast["numbering"],
        seasons=podcast["seasons"],
        hub=hub_url(project),
        enclosure_prefix=podcast["enclosure_prefix"],
        skip_s=project.section("player")["skip_s"],
        beacon_url=project.section("analytics")["beacon_url"],
    )


def prefixed(prefix: str, url: str) -> str:
    """`url` behind a measurement prefix ("" leaves it alone)."""
    if not prefix:
        return url
    bare = url.split("://", 1)[1] if "://" in url else url
    return (prefix if prefix.endswith("/") else prefix + "/") + bare


def hub_url(project: Settings) -> str:
    """`[pickup] websub_hub`, checked ("" when WebSub is off)."""
    value = str(project.section("pickup").get("websub_hub") or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"audioarticles.toml: [pickup] websub_hub {value!r} is not an absolute "
                         "http(s) URL; write the hub's address in full")
    return value
