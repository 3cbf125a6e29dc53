"""The podcast feed: RSS 2.0 with the iTunes and Podcasting 2.0 namespaces, built with feedgen."""

from __future__ import annotations

import dataclasses
import html
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import lxml.etree  # noqa: F401  (feedgen.util uses lxml.etree without importing it)
from feedgen.ext.base import BaseExtension
from feedgen.ext.podcast import PodcastExtension
from feedgen.ext.podcast_entry import PodcastEntryExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from audioarticles.chapters import Chapter
from audioarticles.dates import parse_date
from audioarticles.httputil import http_url
from audioarticles.model import Episode
from audioarticles.publish.channel import Channel
from audioarticles.publish.timing import description_chapters
from audioarticles.store.catalog import now_iso
from audioarticles.store.interfaces import CatalogStore, SiteBatch, SiteKind

if TYPE_CHECKING:
    from audioarticles.publish.media import Media

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM_NS = "http://www.w3.org/2005/Atom"
# the namespace UUID the Podcasting 2.0 spec fixes for podcast:guid
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
TRANSCRIPT_TYPES = {"vtt": "text/vtt", "json": "application/json",
                    "srt": "application/x-subrip"}
CHAPTERS_TYPE = "application/json+chapters"


# what XML 1.0 cannot hold at all (its Char production, complemented)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_problem(episode: Episode) -> str | None:
    """The first field of `episode` holding a character XML cannot hold (an episode recorded
    before text was made safe as it entered the pipeline), or None."""
    def bad(value) -> bool:
        if isinstance(value, str):
            return _NOT_XML.search(value) is not None
        if isinstance(value, dict):
            return any(bad(k) or bad(v) for k, v in value.items())
        if isinstance(value, list | tuple):
            return any(bad(v) for v in value)
        return False

    for item in dataclasses.fields(episode):
        if bad(getattr(episode, item.name)):
            return item.name
    return None


def podcast_guid(feed_url: str) -> str:
    """UUIDv5 of the feed URL without its scheme and trailing slashes (Podcasting 2.0)."""
    without_scheme = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, without_scheme))


class ItunesExtension(PodcastExtension):
    """feedgen's iTunes tags, with `itunes:explicit` as Apple now requires it: `true`/`false`.

    feedgen 1.0 only accepts the retired yes/no/clean values, so the channel's explicit flag
    is kept here and written by this class instead."""

    def __init__(self) -> None:
        super().__init__()
        self._explicit: bool | None = None

    def itunes_explicit(self, itunes_explicit: bool | None = None) -> bool | None:
        if itunes_explicit is not None:
            self._explicit = bool(itunes_explicit)
        return self._explicit

    def extend_rss(self, rss_feed):
        rss_feed = super().extend_rss(rss_feed)
        if self._explicit is not None:
            xml_elem(f"{{{ITUNES_NS}}}explicit", rss_feed[0]).text = \
                "true" if self._explicit else "false"
        return rss_feed


@dataclass(frozen=True)
class Person:
    """A `podcast:person`: a name with its role and group from the Podcast Taxonomy."""

    name: str
    role: str
    group: str


def _text_elem(parent, tag: str, text: str, **attributes: str):
    element = xml_elem(tag, parent, **{k: v for k, v in attributes.items() if v})
    element.text = text
    return element


class PodcastIndexExtension(BaseExtension):
    """Channel tags of the Podcasting 2.0 namespace (guid, locked, block, person, txt,
    funding, medium, images, license) and the WebSub hub link."""

    def __init__(self) -> None:
        self.guid: str = ""
        self.locked: bool | None = None
        self.locked_owner: str = ""
        self.block: bool = False
        self.persons: list[Person] = []
        self.txt: tuple[str, str] = ("", "")  # text, purpose
        self.funding: tuple[str, str] = ("", "")  # url, text
        self.medium: str = ""
        self.images: str = ""  # srcset
        self.license: tuple[str, str] = ("", "")  # name, url
        self.hub: str = ""

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        if self.hub:
            xml_elem(f"{{{ATOM_NS}}}link", channel, href=self.hub, rel="hub")
        if self.locked is not None:
            locked = xml_elem(f"{{{PODCAST_NS}}}locked", channel)
            locked.text = "yes" if self.locked else "no"
            if self.locked_owner:
                locked.attrib["owner"] = self.locked_owner
        if self.block:
            _text_elem(channel, f"{{{PODCAST_NS}}}block", "yes")
        if self.guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self.guid
        if self.medium:
            _text_elem(channel, f"{{{PODCAST_NS}}}medium", self.medium)
        for person in self.persons:
            _text_elem(channel, f"{{{PODCAST_NS}}}person", person.name, role=person.role,
                       group=person.group)
        if self.images:
            xml_elem(f"{{{PODCAST_NS}}}images", channel, srcset=self.images)
        if self.txt[0]:
            _text_elem(channel, f"{{{PODCAST_NS}}}txt", self.txt[0], purpose=self.txt[1])
        if self.funding[0]:
            _text_elem(channel, f"{{{PODCAST_NS}}}funding", self.funding[1] or self.funding[0],
                       url=self.funding[0])
        if self.license[0]:
            _text_elem(channel, f"{{{PODCAST_NS}}}license", self.license[0], url=self.license[1])
        return rss_feed

    def extend_atom(self, atom_feed):
        return atom_feed


class PodcastIndexEntryExtension(BaseExtension):
    """Item tags of the Podcasting 2.0 namespace: transcript, chapters, person, season,
    episode, images."""

    def __init__(self) -> None:
        self.transcripts: list[dict[str, str]] = []
        self.chapters_url: str = ""
        self.persons: list[Person] = []
        self.season: int | None = None
        self.number: int | None = None
        self.images: str = ""

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, entry):
        for attributes in self.transcripts:
            xml_elem(f"{{{PODCAST_NS}}}transcript", entry, **attributes)
        if self.chapters_url:
            xml_elem(f"{{{PODCAST_NS}}}chapters", entry, url=self.chapters_url,
                     type=CHAPTERS_TYPE)
        for person in self.persons:
            _text_elem(entry, f"{{{PODCAST_NS}}}person", person.name, role=person.role,
                       group=person.group)
        if self.season is not None:
            _text_elem(entry, f"{{{PODCAST_NS}}}season", str(self.season))
        if self.number is not None:
            _text_elem(entry, f"{{{PODCAST_NS}}}episode", str(self.number))
        if self.images:
            xml_elem(f"{{{PODCAST_NS}}}images", entry, srcset=self.images)
        return entry

    def extend_atom(self, entry):
        return entry


@dataclass(frozen=True)
class FeedEpisode:
    """An episode as the feed shows it: catalog data plus what the files say (size, chapters)."""

    episode: Episode
    published: datetime
    audio_bytes: int
    chapters: list[Chapter]
    transcripts: dict[str, str]  # kind -> relative path, only files that exist
    chapters_file: str  # relative path, "" when there is none
    image: str = ""  # the episode's own square JPEG, relative path; "" for the channel's
    image_px: int = 0
    number: int | None = None  # itunes:episode, when the feed numbers its episodes
    season: int | None = None


def episode_byline(episode: Episode, channel: Channel) -> str:
    return channel.byline_for(episode.author)


def episode_excerpt(episode: Episode) -> str:
    """The article's summary, else its first paragraph (kept at conversion; the same text the
    ID3 comment has); "" when neither is known."""
    return episode.summary.strip() or str(episode.meta.get("excerpt") or "").strip()


def episode_summary(episode: Episode) -> str:
    """What the item's description opens with: the excerpt, else the title."""
    return episode_excerpt(episode) or episode.title


def narrator(episode: Episode, channel: Channel) -> Person:
    """The synthetic voice, credited as the narrator (named, so nobody mistakes it for a
    person)."""
    engine = channel.disclosure.engine_name(episode.engine)
    return Person(f"Voix de synthèse {engine} ({episode.voice})", "narrator", "cast")


def episode_persons(episode: Episode, channel: Channel) -> list[Person]:
    persons = [Person(" ".join(episode.author.split()), "author", "writing")] \
        if episode.author.strip() else []
    return [*persons, narrator(episode, channel)]


def description_text(item: FeedEpisode, channel: Channel) -> str:
    """Plain text: the summary, the chapters as timestamps (Spotify reads only these), the
    synthetic-voice disclosure."""
    episode = item.episode
    parts = [episode_summary(episode)]
    lines = description_chapters(item.chapters, episode.duration_s)
    if lines:
        parts.append("Chapitres :\n" + "\n".join(f"{stamp} {title}" for stamp, title in lines))
    disclosure = channel.disclosure.written(episode.engine)
    if disclosure:
        parts.append(disclosure)
    return "\n\n".join(parts)


def content_html(item: FeedEpisode, channel: Channel) -> str:
    """The same as HTML for content:encoded, with a link to the article."""
    episode = item.episode
    escape = html.escape
    blocks = [f"<p>{escape(episode_summary(episode))}</p>"]
    lines = description_chapters(item.chapters, episode.duration_s)
    if lines:
        blocks.append("<p>Chapitres :<br>" + "<br>".join(
            f"{stamp} {escape(title)}" for stamp, title in lines) + "</p>")
    sommaire = episode.meta.get("sommaire")  # a daily edition: a link to each article
    article = "" if sommaire else http_url(episode.url)
    if sommaire:
        blocks.append("<ul>" + "".join(
            f'<li><a href="{escape(http_url(url))}">{escape(title)}</a></li>' if http_url(url)
            else f"<li>{escape(title)}</li>" for title, url in sommaire) + "</ul>")
    if article:
        blocks.append(f'<p><a href="{escape(article)}">Lire l’article : '
                      f"{escape(episode.title)}</a></p>")
    disclosure = channel.disclosure.written(episode.engine)
    if disclosure:
        blocks.append(f"<p>{escape(disclosure)}</p>")
    return "\n".join(blocks)


def episode_page(episode: Episode) -> str:
    """Where an episode's page lives under output/."""
    return f"episodes/{episode.slug}.html"


def build_feed(channel: Channel, items: list[FeedEpisode], *, guid: str, artwork_name: str,
               last_build: datetime, artwork_px: int = 0) -> bytes:
    """The feed XML for `items` (already newest first and capped)."""
    fg = FeedGenerator()
    fg.register_extension("podcast", ItunesExtension, PodcastEntryExtension)
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)
    fg.title(channel.title)
    # feedgen takes the RSS <link> from the last link given: the self link goes first
    fg.link(href=channel.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=channel.link, rel="alternate")
    fg.description(channel.description or channel.title)
    fg.language(channel.language)
    fg.generator("audioarticles")
    fg.lastBuildDate(last_build)
    cover_url = channel.url(artwork_name)
    fg.image(url=cover_url, title=channel.title, link=channel.link)

    itunes = fg.podcast
    itunes.itunes_image(cover_url)
    for name, sub in channel.categories:
        itunes.itunes_category({"cat": name, "sub": sub} if sub else {"cat": name})
    itunes.itunes_explicit(channel.explicit)
    itunes.itunes_author(channel.byline)
    if channel.owner_email:
        itunes.itunes_owner(name=channel.owner_name or channel.byline, email=channel.owner_email)
    itunes.itunes_type("episodic")
    if channel.new_feed_url:
        itunes.itunes_new_feed_url(channel.new_feed_url)
    if channel.block:
        itunes.itunes_block(True)
    if channel.copyright:
        fg.copyright(channel.copyright)
    index = fg.podcastindex
    index.guid = guid
    index.locked = channel.locked
    index.locked_owner = channel.owner_email
    index.block = channel.block
    index.hub = channel.hub
    index.medium = channel.medium
    if channel.author:
        index.persons.append(Person(channel.author, "author", "writing"))
    index.images = f"{cover_url} {artwork_px}w" if artwork_px else ""
    index.txt = (channel.txt, channel.txt_purpose)
    index.funding = (channel.funding_url, channel.funding_text)
    index.license = (channel.license, channel.license_url)

    for item in items:
        episode = item.episode
        entry = fg.add_entry(order="append")
        entry.guid(episode.guid, permalink=False)
        entry.title(episode.title)
        entry.podcast.itunes_title(episode.title)
        entry.link(href=http_url(episode.url) or channel.url(episode_page(episode)))
        entry.description(description_text(item, channel))
        entry.content(content_html(item, channel), type="CDATA")
        entry.enclosure(channel.enclosure_url(episode.mp3), str(item.audio_bytes), "audio/mpeg")
        entry.pubDate(item.published)
        entry.podcast.itunes_duration(str(round(episode.duration_s)))
        entry.podcast.itunes_episode_type("full")
        entry.podcast.itunes_author(episode_byline(episode, channel))
        extra = entry.podcastindex
        extra.persons = episode_persons(episode, channel)
        if item.image:
            entry.podcast.itunes_image(channel.url(item.image))
            if item.image_px:
                extra.images = f"{channel.url(item.image)} {item.image_px}w"
        if item.season is not None:
            entry.podcast.itunes_season(item.season)
            extra.season = item.season
        if item.number is not None:
            entry.podcast.itunes_episode(item.number)
            extra.number = item.number
        for kind, relative in item.transcripts.items():
            attributes = {"url": channel.url(relative), "type": TRANSCRIPT_TYPES[kind],
                          "language": episode.language or channel.language}
            if kind == "vtt":
                attributes["rel"] = "captions"
            extra.transcripts.append(attributes)
        if item.chapters_file:
            extra.chapters_url = channel.url(item.chapters_file)
    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def published_at(episode: Episode, channel: Channel) -> datetime:
    """The item's pubDate: its stored date (fixed once), else when it entered the catalog."""
    for text in (episode.pub_date, episode.created_at):
        when = parse_date(text, channel.zone)
        if when is not None:
            return when
    return datetime(1970, 1, 1, tzinfo=channel.zone)


def feed_episode(episode: Episode, channel: Channel, media: Media,
                 chapters: list[Chapter]) -> FeedEpisode | None:
    """What the feed needs to know about one episode; None when its MP3 is missing."""
    audio_bytes = media.size(episode, episode.mp3)
    if audio_bytes is None:
        return None
    transcripts = {kind: episode.transcripts[kind] for kind in TRANSCRIPT_TYPES  # VTT first
                   if media.has(episode, episode.transcripts.get(kind, ""))}
    chapters_file = episode.chapters if media.has(episode, episode.chapters) else ""
    image = str(episode.meta.get("artwork") or "")
    if image and not media.has(episode, image):
        image = ""
    published = published_at(episode, channel)
    return FeedEpisode(episode=episode, published=published,
                       audio_bytes=audio_bytes, chapters=chapters,
                       transcripts=transcripts, chapters_file=chapters_file, image=image,
                       image_px=int(episode.meta.get("artwork_px") or 0) if image else 0,
                       season=published.year if channel.seasons == "year" else None)


def latest_change(episodes: list[Episode], channel: Channel,
                  floor: datetime | None = None) -> datetime:
    """A feed's lastBuildDate: the latest change (`updated_at`) of `episodes`, at least
    `floor`; from the catalog, never the clock, so a rebuild that changes nothing else keeps
    the feed's bytes."""
    stamps = [parse_date(e.updated_at, channel.zone) for e in episodes]
    stamps.append(floor)
    latest = max((s for s in stamps if s is not None), default=None)
    if latest is None:
        latest = datetime(1970, 1, 1, tzinfo=UTC)
    return latest.astimezone(channel.zone)


def newest_first(episodes: list[Episode], channel: Channel) -> list[Episode]:
    """By publication instant (offsets compared properly), then by catalog order."""
    ranked = sorted(enumerate(episodes), key=lambda pair: (published_at(pair[1], channel),
                                                          -pair[0]), reverse=True)
    return [episode for _, episode in ranked]


def stored_podcast_guid(catalog: CatalogStore, channel: Channel) -> str:
    """podcast:guid, computed from the feed URL the first time and then kept: a feed that
    moves keeps its identity."""
    guid = catalog.setting("podcast_guid")
    if guid:
        return guid
    with catalog.transaction():
        guid = catalog.setting("podcast_guid")
        if not guid:
            guid = podcast_guid(channel.feed_url)
            catalog.set_setting("podcast_guid", guid)
            catalog.set_setting("feed_created_at", now_iso())
    return guid


@dataclass
class FeedFile:
    """One feed file a build wrote (or kept as it was)."""

    name: str  # "" for the main feed, a [[feeds]] name, or "edition"
    path: str  # relative to output/
    url: str
    episodes: int
    changed: bool  # its bytes differ from what was there: apps should hear of it
    private: bool = False


def stage(batch: SiteBatch, name: str, data: bytes) -> bool:
    """Queue a feed file in `batch`; whether it changes what is published."""
    return batch.write(name, data, SiteKind.FEED)
