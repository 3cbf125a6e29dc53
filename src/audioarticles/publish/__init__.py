"""Put finished audio where listeners fetch it, and rebuild the public site from the catalog.

`rebuild(project, catalog)` runs once per run: feed.xml, index.html, one page and one embed
per published episode, the cover and the player assets, all written through the file store
(`FileStore.site_batch`: atomic, in order, recorded as ours). Only episodes in the
`published` state reach any public file. `write_public` does the writing for any list of
episodes and any file store, so a preview of drafts can reuse it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
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
    latest_change,
    newest_first,
    stage,
    stored_podcast_guid,
    xml_problem,
)
from audioarticles.publish.incremental import Listings, SiteRecord, code_version, digest
from audioarticles.publish.embed import (
    PLAYER_DIR,
    iframe_snippet,
    player_assets,
    script_snippet,
)
from audioarticles.publish.oembed import oembed_path
from audioarticles.readalong import markers as readalong_markers
from audioarticles.readalong import segments as readalong_segments
from audioarticles.publish.site import (
    SiteEpisode,
    embed_page,
    embed_snippet,
    episode_pages,
    index_html,
    remove_stale_pages,
)
from audioarticles.publish.media import Media
from audioarticles.publish.timing import episode_chapters
from audioarticles.store import FileStore, ProjectStore, SiteKind, episode_files, open_files, \
    partial_cutoff
from audioarticles.store.interfaces import CatalogStore as Catalog
from audioarticles.transcripts import Cue

__all__ = [
    "Build",
    "check_settings",
    "embed_info",
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
    files = files or open_files(project)
    retired_files = catalog.retired_files()
    if not retired_files:
        return []
    keep = timedelta(days=keep_old_audio_days(project))
    moment = now or editorial.utcnow()
    in_use = {name for episode in catalog.episodes() for name in episode_files(episode)}
    published = {episode.guid for episode in catalog.published()}
    deleted: list[str] = []
    with catalog.transaction():
        for retired in retired_files:
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
    """Check `[[feeds]]` and the configured covers before any work is done (the keys were
    checked when the project loaded)."""
    channel = channel_settings(project)
    channel_artwork(project, channel)
    for spec in sections.feed_specs(project):
        sections.section_artwork(project, spec, channel)
    return channel


def last_change(catalog: Catalog, channel: Channel,
                episodes: list[Episode] | None = None) -> datetime:
    """The latest change of `episodes` (by default every episode of the catalog) or of the
    feed's creation: from the catalog, never the clock (rebuilds are stable)."""
    episodes = catalog.episodes() if episodes is None else episodes
    created = parse_date(catalog.setting("feed_created_at") or "", channel.zone)
    return latest_change(episodes, channel, created)


def write_public(channel: Channel, episodes: list[Episode], site: FileStore, *,
                 artwork: Artwork, guid: str, last_build: datetime | None = None,
                 media: Media | None = None,
                 numbers: dict[str, int] | None = None,
                 record: SiteRecord | None = None,
                 cues_for: Callable[[Episode], list[Cue]] | None = None) -> Build:
    """Feed, pages, embeds, cover and player for `episodes` into the public area of `site`;
    the audio files are read through `media` (by default the public area of `site`; a
    preview mixes released and unreleased episodes); the pages' transcripts are
    `cues_for(episode)` (the catalog's; none without it). All files are written
    in one batch of the file store (cover and player first, pages, then the feed); unchanged
    files are left alone. With a `record` of the site's fingerprints, a page or feed whose
    inputs did not change is not even rendered (`publish/incremental.py`). The feed's
    lastBuildDate is the latest change of the episodes it lists, at least `last_build` (the
    latest change of those that left it, or the feed's creation)."""
    media = media or Media(site)
    record = record or SiteRecord(site, None)
    numbers = numbers or {}
    build = Build(channel=channel, feed=site.public_dir / FEED_NAME, episodes=[], in_feed=0)
    prints = {e.guid: record.fingerprint("pages", media.inputs(e)) for e in episodes}
    fresh = {e.guid for e in episodes if record.fresh(f"pages:{e.guid}", prints[e.guid])}
    for episode in episodes:
        if episode.guid in fresh:
            continue  # written last time: its record holds nothing XML refuses
        if (where := xml_problem(episode)) is not None:
            build.warnings.append(cannot_write(episode, f"its {where} holds a character XML "
                                                        "cannot hold"))
            build.left_out.add(episode.guid)
    present: list[Episode] = []
    for episode in newest_first([e for e in episodes if e.guid not in build.left_out], channel):
        if media.size(episode, episode.mp3) is None:
            build.warnings.append(f"{episode.slug}: its audio file {episode.mp3 or '(none)'} is "
                                  "missing; left out of the feed and site (convert it again)")
            continue
        present.append(episode)
    chapters: dict[str, list] = {}

    def chapters_of(episode: Episode) -> list:
        if episode.guid not in chapters:
            chapters[episode.guid] = episode_chapters(episode)
        return chapters[episode.guid]

    # the feed: its newest episodes, each as it is stored, with its number; its date is the
    # latest change of those episodes (or of what left it: `last_build`)
    in_feed = present[:channel.feed_limit]
    last_build = latest_change(in_feed, channel, last_build)
    feed_key = f"feed:{FEED_NAME}"
    feed_print = record.fingerprint("feed", FEED_NAME, guid, last_build.isoformat(),
                                    artwork.name, artwork.size,
                                    [(media.inputs(e), numbers.get(e.guid)) for e in in_feed])
    feed: bytes | None = None
    fresh_feed = record.fresh(feed_key, feed_print)
    if fresh_feed is not None:
        unwritable = dict(fresh_feed.get("left_out", {}))
    else:
        feed_items = []
        for episode in in_feed:
            item = feed_episode(episode, channel, media, chapters_of(episode))
            if item is not None:
                feed_items.append(replace(item, number=numbers.get(episode.guid)))
        feed, unwritable = _feed_bytes(channel, feed_items, guid, artwork, last_build)
    for episode in in_feed:
        if episode.guid in unwritable:
            build.warnings.append(cannot_write(episode, unwritable[episode.guid]))
            fresh.discard(episode.guid)
            record.forget(f"pages:{episode.guid}")  # off the site: its pages are stale
    build.left_out |= set(unwritable)
    build.episodes = [e for e in present if e.guid not in unwritable]
    build.in_feed = len([e for e in in_feed if e.guid not in unwritable])

    light = [SiteEpisode(episode=e, chapters=[], cues=[],
                         audio_bytes=media.size(e, e.mp3) or 0, image=_image(e, media))
             for e in build.episodes]
    player = player_assets()  # player.js, player.css, embed.js (which carries both)
    with site.site_batch() as batch:
        # the batch makes them visible in order of kind: cover and player, pages, feed last
        def put(name: str, data: bytes, kind: SiteKind) -> None:
            if batch.write(name, data, kind):
                build.written.append(name)

        assets = [artwork.name, *(f"{PLAYER_DIR}/{name}" for name in player)]
        assets_print = record.fingerprint("assets", assets)
        if record.fresh("assets", assets_print) is None:
            put(artwork.name, artwork.data, SiteKind.VERSIONED)
            for name, data in player.items():
                put(f"{PLAYER_DIR}/{name}", data, SiteKind.ASSET)
            record.done("assets", assets_print, assets)
        for item in light:
            episode = item.episode
            if episode.guid not in fresh:
                key, pages_print = f"pages:{episode.guid}", prints[episode.guid]
                full = replace(item, chapters=chapters_of(episode),
                               cues=cues_for(episode) if cues_for else [])
                pages = episode_pages(full, channel, artwork.name, artwork.size)
                for name, html in pages.items():
                    put(name, html.encode("utf-8"), SiteKind.PAGE)
                record.done(key, pages_print, pages)
        index_print = record.fingerprint("index", [media.inputs(e) for e in build.episodes])
        if record.fresh("index", index_print) is None:
            put("index.html", index_html(light, channel, artwork.name).encode("utf-8"),
                SiteKind.PAGE)
            record.done("index", index_print, ["index.html"])
        if feed is not None:
            build.feed_changed = stage(batch, FEED_NAME, feed)
            if build.feed_changed:
                build.written.append(FEED_NAME)
            record.done(feed_key, feed_print, [FEED_NAME], left_out=unwritable)
    # after the feed and the pages stopped naming them
    remove_old_artwork(site, artwork)
    remove_stale_pages(site, record.names(), record.gone())
    return build


def _image(episode: Episode, media: Media) -> str:
    """The episode's own artwork when its file is there, else "" (the channel's cover)."""
    image = str(episode.meta.get("artwork") or "")
    return image if image and media.has(episode, image) else ""


def _feed_bytes(channel: Channel, items: list, guid: str, artwork: Artwork,
                last_build: datetime) -> tuple[bytes, dict[str, str]]:
    """The feed of `items`, and why each episode it had to leave out cannot be written."""
    def feed_of(chosen: list) -> bytes:
        return build_feed(channel, chosen, guid=guid, artwork_name=artwork.name,
                          last_build=last_build, artwork_px=artwork.size)

    try:
        return feed_of(items), {}
    except ValueError:
        # one episode the feed cannot hold (a control character recorded before titles were
        # made safe) must not keep the others from being published: leave it out, say which
        unwritable = {item.episode.guid: str(exc) for item in items
                      if (exc := _unwritable(feed_of, item)) is not None}
        return feed_of([i for i in items if i.episode.guid not in unwritable]), unwritable


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


def embed_info(channel: Channel, episode: Episode, cues: list[Cue], *,
               readalong: bool = False, markers: bool = False) -> dict:
    """The snippets that put `episode`'s player in an article (`snippet`: the script embed,
    `iframe`: the iframe alternative) and its URLs; `markers`: the article blocks read, each
    with its first words, for the CMS to mark `data-audio-block="N"` (read-along), from the
    episode's `cues` (the catalog's)."""
    info = {"slug": episode.slug, "id": episode.guid,
            "snippet": script_snippet(channel, episode, readalong=readalong or markers),
            "iframe": iframe_snippet(channel, episode),
            "embed_url": channel.url(embed_page(episode)),
            "page_url": channel.url(episode_page(episode)),
            "oembed_url": channel.url(oembed_path(episode))}
    if markers:
        info["markers"] = readalong_markers(readalong_segments(
            cues, episode.meta.get("blocks")))
    return info


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
                        last_build=last_change(catalog, channel), media=media,
                        cues_for=lambda e: catalog.cues(e.guid))


def rebuild(project: Settings, catalog: Catalog, files: FileStore | None = None, *,
            sweep: bool = True) -> Build:
    """Regenerate everything public that derives from the catalog; once per run.

    Scheduled episodes whose time has come are released first; published episodes' files
    come into the output folder before the feed names them, and the others' leave it after.
    `sweep=False`: leave temporary files alone (a queue worker rebuilds while other workers
    are writing theirs; it holds a rebuild lease, not the project's lock)."""
    channel = channel_settings(project)
    files = files or open_files(project)
    # an editor's command killed while writing the site left temporary files (the caller
    # holds the project's lock: nothing else is writing now)
    if sweep:
        files.sweep_partial(partial_cutoff(project))
    editorial.release_due(catalog)
    every = catalog.episodes()  # read once: a thousand episodes take a while to load
    published = [e for e in every if e.state == editorial.PUBLISHED]
    files.admit(published)
    # first: the first build stores feed_created_at, which lastBuildDate takes into account
    guid = stored_podcast_guid(catalog, channel)
    # what changed off the feeds (taken down, drafts): their changes date a feed too
    withdrawn = [e for e in every if e.state != editorial.PUBLISHED]
    last_build = last_change(catalog, channel, withdrawn)
    artwork = channel_artwork(project, channel)
    listings = Listings(files)
    media = Media(files, listings=listings)
    # what every file of the site depends on: a change here renders the whole site again
    record = SiteRecord(files, digest(code_version(), project.settings, repr(channel),
                                      artwork.name, artwork.size), listings)
    build = write_public(channel, published, files, artwork=artwork,
                         guid=guid, last_build=last_build, media=media, record=record,
                         numbers=sections.numbers_for(catalog, "", channel, published),
                         cues_for=lambda e: catalog.cues(e.guid))
    if not channel.owner_email and not is_local_preview(channel):
        build.warnings.append(OWNER_EMAIL_MISSING)
    build.feeds.append(FeedFile("", FEED_NAME, channel.feed_url, build.in_feed,
                                build.feed_changed))
    written: set[str] = set()
    writable = [e for e in published if e.guid not in build.left_out]
    build.feeds += sections.write_sections(project, catalog, channel, writable, withdrawn,
                                           written, files, media, record)
    build.feeds += edition.write_edition_feeds(project, catalog, channel, written, files,
                                               build.warnings.append, record)
    sections.sweep_feed_files(files, catalog, written)
    record.save()  # every batch is visible: the next build may skip what this one wrote
    files.withdraw(withdrawn)
    # last: the feed just written points at the newest audio only
    sweep_retired(project, catalog, files=files)
    pickup.announce(project, [f.url for f in build.feeds if f.changed and not f.private],
                    build.warnings.append)
    return build
