"""The podcast's own settings as the feed and the site use them (checked when the project
loads: Apple category, ISO language, time zone, URLs)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo

from audioarticles.config import Settings, parse_category
from audioarticles.dates import zone_named
from audioarticles.disclosure import Disclosure

FEED_NAME = "feed.xml"


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


def channel_settings(project: Settings) -> Channel:
    """The podcast's feed settings from `[podcast]` (checked when the project loaded: the
    categories against Apple's list, the URLs, the lengths)."""
    podcast = project.values.podcast
    base_url = podcast.base_url
    return Channel(
        title=podcast.title.strip() or "Podcast",
        description=podcast.description.strip(),
        language=podcast.language,
        base_url=base_url,
        link=podcast.link or base_url,
        author=podcast.author.strip(),
        publication=podcast.publication.strip(),
        owner_name=podcast.owner_name.strip(),
        owner_email=podcast.owner_email.strip(),
        categories=tuple(parse_category(c) for c in podcast.category),
        explicit=podcast.explicit,
        image=podcast.image.strip(),
        zone=zone_named(podcast.timezone),
        feed_limit=podcast.feed_limit,
        new_feed_url=podcast.new_feed_url,
        locked=podcast.locked,
        disclosure=Disclosure.from_project(project),
        copyright=" ".join(podcast.copyright.split()),
        txt=podcast.txt,
        txt_purpose=podcast.txt_purpose,
        funding_url=podcast.funding_url,
        funding_text=podcast.funding_text,
        medium=podcast.medium,
        license=podcast.license,
        license_url=podcast.license_url,
        numbering=podcast.numbering,
        seasons=podcast.seasons,
        hub=project.values.pickup.websub_hub,
        enclosure_prefix=podcast.enclosure_prefix,
        skip_s=project.values.player.skip_s,
        beacon_url=project.values.analytics.beacon_url,
    )


def prefixed(prefix: str, url: str) -> str:
    """`url` behind a measurement prefix ("" leaves it alone)."""
    if not prefix:
        return url
    bare = url.split("://", 1)[1] if "://" in url else url
    return (prefix if prefix.endswith("/") else prefix + "/") + bare
