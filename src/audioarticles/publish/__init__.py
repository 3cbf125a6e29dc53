"""Put finished audio where listeners fetch it, and rebuild the public site from the catalog.

`rebuild(project, catalog)` runs once per run: feed.xml, index.html, one page and one embed
per published episode, the cover and the player assets, all written through the file store
(`FileStore.site_batch`: atomic, in order, recorded as ours). Only episodes in the
`published` state reach any public file. `write_public` does the writing for any list of
episodes and any file store, so a preview of drafts can reuse it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from audioarticles import editorial
from audioarticles.config import Settings
from audioarticles.dates import parse_date
from audioarticles.errors import UserError
from audioarticles.model import Episode, RetiredFile
from audioarticles.publish import edition, pickup, sections
from audioarticles.publish.channel import FEED_NAME, Channel, channel_settings
from audioarticles.publish.cover import Artwork, channel_artwork, remove_old_artwork
from audioarticles.publish.feed import (
    FeedFile,
    build_feed,
    episode_page,
    feed_episode,
    newest_first,
    stage,
    stored_podcast_guid,
    xml_problem,
)
from audioarticles.publish.site import (
    PLAYER_DIR,
    SiteEpisode,
    embed_page,
    embed_snippet,
    remove_stale_pages,
    site_pages,
)
from audioarticles.publish.media import Media
from audioarticles.publish.timing import episode_chapters, episode_cues
from audioarticles.store import FileStore, ProjectStore, SiteKind, episode_files, local_files
from audioarticles.store.interfaces import CatalogStore as Catalog

__all__ = [
    "Build",
    "check_settings",
    "embed_page",
    "embed_snippet",
    "episode_page",
    "keep_old_audio_days",
    "preview_dir",
    "published_episode",
    "rebuild",
    "retire_files",
    "sweep_retired",
    "write_preview",
    "write_public",
]

PLAYER_ASSETS = ("player.js", "player.css")
OWNER_EMAIL_MISSING = ("audioarticles.toml: [podcast] owner_email is not set, so the feed has no "
                       "itunes:owner; Apple Podcasts, Spotify and YouTube use it to verify who "
                       "owns the podcast: set it")


def keep_old_audio_days(project: Settings) -> float:
    """`[publish] keep_old_audio_days`, checked: how long a replaced MP3 stays reachable."""
    return float(project.section("publish")["keep_old_audio_days"])


def retire_files(catalog: Catalog, previous: Episode | None, current: Episode,
                 now: datetime | None = None) -> list[str]:
    """After a re-conversion, inside its transaction: record the previous version's files the
    episode no longer points at. They stay where they are until `sweep_retired` finds them
    past the retention; the episode's current files are never retired."""
    current_files = episode_files(current)
    catalog.unretire_files(current_files)
    if previous is None:
        return []
    moment = editorial.iso(now or editorial.utcnow())
    retired = [name for name in episode_files(previous) if name not in current_files]
    for name in retired:
        catalog.retire_file(RetiredFile(path=name, guid=current.guid, retired_at=moment))
    return retired


def sweep_retired(project: Settings, catalog: Catalog, now: datetime | None = None,
                  files: FileStore | None = None) -> list[str]:
    """Delete retired files from the output folder once they are `keep_old_audio_days` old, or
    at once when their episode is no longer published; once per run. Returns what was deleted.
    A file some episode points at again is only forgotten, never deleted."""
    files = files or local_files(project)
    keep = timedelta(days=keep_old_audio_days(project))
    moment = now or editorial.utcnow()
    in_use = {name for episode in catalog.episodes() for name in episode_files(episode)}
    published = {episode.guid for episode in catalog.published()}
    deleted: list[str] = []
    with catalog.transaction():
        for retired in catalog.retired_files():
            since = datetime.fromisoformat(retired.retired_at)
            if retired.path in in_use:
                catalog.unretire_files([retired.path])
            elif moment - since >= keep or retired.guid not in published:
                if files.delete_public(retired.path):
                    deleted.append(retired.path)
                catalog.unretire_files([retired.path])
    return deleted


@dataclass
class Build:
    """What a rebuild produced."""

    channel: Channel
    feed: Path
    episodes: list[Episode]  # on the site, newest first
    in_feed: int  # how many of them the feed carries (newest N)
    written: list[str] = field(default_factory=list)  # site files whose bytes were written
    warnings: list[str] = field(default_factory=list)
    feed_changed: bool = False  # feed.xml's bytes changed (apps and hubs should hear of it)
    feeds: list[FeedFile] = field(default_factory=list)  # every feed file, main one first
    left_out: set[str] = field(default_factory=set)  # GUIDs of episodes no feed can hold

    @property
    def feed_url(self) -> str:
        return self.channel.feed_url

    def page_url(self, episode: Episode) -> str:
        return self.channel.url(episode_page(episode))


def is_local_preview(channel: Channel) -> bool:
    """A feed addressed to this machine (the default base_url) is not one directories see:
    the warnings about what directories need would only be noise there."""
    host = urlsplit(channel.base_url).hostname or ""
    return host in ("127.0.0.1", "localhost", "::1")


def check_settings(project: Settings) -> Channel:
    """Check `[podcast]`, `[[feeds]]`, `[pickup]` (and the configured covers) before any work
    is done."""
    channel = channel_settings(project)
    channel_artwork(project, channel)
    for spec in sections.feed_specs(project):
        sections.section_artwork(project, spec, channel)
    pickup.Pickup.from_project(project)
    return channel


def last_change(catalog: Catalog, channel: Channel) -> datetime:
    """lastBuildDate: the catalog's latest change, never the clock (rebuilds are stable)."""
    stamps = [parse_date(e.updated_at, channel.zone) for e in catalog.episodes()]
    stamps.append(parse_date(catalog.setting("feed_created_at") or "", channel.zone))
    latest = max((s for s in stamps if s is not None), default=None)
    if latest is None:
        latest = datetime(1970, 1, 1, tzinfo=UTC)
    return latest.astimezone(channel.zone)


def write_public(channel: Channel, episodes: list[Episode], site: FileStore, *,
                 artwork: Artwork, guid: str, last_build: datetime,
                 media: Media | None = None,
                 numbers: dict[str, int] | None = None) -> Build:
    """Feed, pages, embeds, cover and player for `episodes` into the public area of `site`;
    the audio, transcript and chapter files are read through `media` (by default the public
    area of `site`; a preview mixes released and unreleased episodes). All files are written
    in one batch of the file store (cover and player first, pages, then the feed); unchanged
    files are left alone."""
    media = media or Media(site)
    build = Build(channel=channel, feed=site.public_dir / FEED_NAME, episodes=[], in_feed=0)
    for episode in episodes:
        if (where := xml_problem(episode)) is not None:
            build.warnings.append(cannot_write(episode, f"its {where} holds a character XML "
                                                        "cannot hold"))
            build.left_out.add(episode.guid)
    ordered = newest_first([e for e in episodes if e.guid not in build.left_out], channel)
    site_items: list[SiteEpisode] = []
    feed_items = []
    for episode in ordered:
        chapters = episode_chapters(episode, media)
        item = feed_episode(episode, channel, media, chapters)
        if item is not None and numbers:
            item = replace(item, number=numbers.get(episode.guid))
        if item is None:
            build.warnings.append(f"{episode.slug}: its audio file {episode.mp3 or '(none)'} is "
                                  "missing; left out of the feed and site (convert it again)")
            continue
        build.episodes.append(episode)
        feed_items.append(item)
        site_items.append(SiteEpisode(episode=episode, chapters=chapters,
                                      cues=episode_cues(episode, media),
                                      audio_bytes=item.audio_bytes, image=item.image))
    feed_items = feed_items[:channel.feed_limit]

    def feed_of(items: list) -> bytes:
        return build_feed(channel, items, guid=guid, artwork_name=artwork.name,
                          last_build=last_build, artwork_px=artwork.size)

    try:
        feed = feed_of(feed_items)
    except ValueError:
        # one episode the feed cannot hold (a control character recorded before titles were
        # made safe) must not keep the others from being published: leave it out, say which
        unwritable = {item.episode.guid: exc for item in feed_items
                      if (exc := _unwritable(feed_of, item)) is not None}
        for item in feed_items:
            if item.episode.guid in unwritable:
                build.warnings.append(cannot_write(item.episode,
                                                   str(unwritable[item.episode.guid])))
        feed_items = [i for i in feed_items if i.episode.guid not in unwritable]
        site_items = [i for i in site_items if i.episode.guid not in unwritable]
        build.episodes = [e for e in build.episodes if e.guid not in unwritable]
        build.left_out |= set(unwritable)
        feed = feed_of(feed_items)
    build.in_feed = len(feed_items)
    pages = site_pages(channel, site_items, artwork.name)
    player = resources.files("audioarticles").joinpath("player")
    with site.site_batch() as batch:
        # the batch makes them visible in order of kind: cover and player, pages, feed last
        def put(name: str, data: bytes, kind: SiteKind) -> None:
            if batch.write(name, data, kind):
                build.written.append(name)

        put(artwork.name, artwork.data, SiteKind.VERSIONED)
        for name in PLAYER_ASSETS:
            put(f"{PLAYER_DIR}/{name}", player.joinpath(name).read_bytes(), SiteKind.ASSET)
        for relative, html in pages.items():
            put(relative, html.encode("utf-8"), SiteKind.PAGE)
        build.feed_changed = stage(batch, FEED_NAME, feed)
        if build.feed_changed:
            build.written.append(FEED_NAME)
    # after the feed and the pages stopped naming them
    remove_old_artwork(site, artwork)
    remove_stale_pages(site, pages)
    return build


def cannot_write(episode: Episode, why: str) -> str:
    return (f"{episode.slug}: cannot be written into the feed ({why}); left out of the feed "
            "and site; fix its title or text and convert it again")


def _unwritable(feed_of: Callable[[list], bytes], item) -> ValueError | None:
    """Why a feed of this one item cannot be written (None when it can)."""
    try:
        feed_of([item])
    except ValueError as exc:
        return exc
    return None


def published_episode(catalog: Catalog, slug: str) -> Episode:
    """The published episode called `slug` (or with this id), or a user error saying where to
    find slugs."""
    episode = catalog.find(slug)
    if episode is None or episode.state != "published":
        state = f" (it is {episode.state})" if episode is not None else ""
        raise UserError(f"{slug}: no published episode with this slug or id{state}; "
                        "list them with `audioarticles episodes`")
    return episode


PREVIEW_LABELS = {"draft": "Brouillon", "held": "Retenu", "scheduled": "Programmé"}


def preview_dir(project: Settings) -> Path:
    return ProjectStore(project).preview_dir


def write_preview(project: Settings, catalog: Catalog) -> Build:
    """A private site of the published episodes plus the drafts, held and scheduled ones
    (their titles marked « [Brouillon] », « [Retenu] », « [Programmé] »), for editors to
    listen to before release (`audioarticles serve --drafts`). Its pages go to
    `.audioarticles/preview/`; its audio stays where it is (output/ or unreleased/), so serve
    it with those folders behind it. Nothing of it is written into output/."""
    channel = channel_settings(project)
    episodes = list(catalog.published())
    for episode in catalog.episodes(states=tuple(PREVIEW_LABELS)):
        label = PREVIEW_LABELS[episode.state]
        episodes.append(replace(episode, title=f"[{label}] {episode.title}"))
    store = ProjectStore(project)
    media = Media(store.files, public=lambda episode: episode.state == editorial.PUBLISHED)
    return write_public(channel, episodes, store.preview_files(),
                        artwork=channel_artwork(project, channel),
                        guid=stored_podcast_guid(catalog, channel),
                        last_build=last_change(catalog, channel), media=media)


def rebuild(project: Settings, catalog: Catalog, files: FileStore | None = None) -> Build:
    """Regenerate everything public that derives from the catalog; once per run.

    Scheduled episodes whose time has come are released first; published episodes' files
    come into the output folder before the feed names them, and the others' leave it after."""
    channel = channel_settings(project)
    files = files or local_files(project)
    # an editor's command killed while writing the site left temporary files (the caller
    # holds the project's lock: nothing else is writing now)
    files.sweep_partial(time.time())
    editorial.release_due(catalog)
    files.admit(catalog.published())
    published = catalog.published()
    # first: the first build stores feed_created_at, which lastBuildDate takes into account
    guid = stored_podcast_guid(catalog, channel)
    last_build = last_change(catalog, channel)
    build = write_public(channel, published, files,
                         artwork=channel_artwork(project, channel),
                         guid=guid, last_build=last_build,
                         numbers=sections.numbers_for(catalog, "", channel, published))
    if not channel.owner_email and not is_local_preview(channel):
        build.warnings.append(OWNER_EMAIL_MISSING)
    build.feeds.append(FeedFile("", FEED_NAME, channel.feed_url, build.in_feed,
                                build.feed_changed))
    written: set[str] = set()
    writable = [e for e in published if e.guid not in build.left_out]
    build.feeds += sections.write_sections(project, catalog, channel, writable, last_build,
                                           written, files)
    build.feeds += edition.write_edition_feeds(project, catalog, channel, written, files,
                                               build.warnings.append)
    sections.sweep_feed_files(files, catalog, written)
    files.withdraw(catalog.episodes(states=(editorial.DRAFT, editorial.HELD,
                                            editorial.SCHEDULED, editorial.UNPUBLISHED)))
    # last: the feed just written points at the newest audio only
    sweep_retired(project, catalog, files=files)
    pickup.announce(project, [f.url for f in build.feeds if f.changed and not f.private],
                    build.warnings.append)
    return build
