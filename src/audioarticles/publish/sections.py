"""Section, author and private feeds beside the main one (`[[feeds]]` in audioarticles.toml).

Each named feed selects published episodes by categories, authors, tags and voices, and has
its own title, description, cover and `podcast:guid` (computed from its URL once, then kept).
A public one is written to `feeds/<name>.xml` with its own index page `feeds/<name>.html`; a
private one (`private = true`) only as per-subscriber copies (`publish/private.py`). Episodes
keep their GUID in every feed, so an app subscribed to two feeds sees one episode."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

from audioarticles.config import Settings
from audioarticles.dates import parse_date
from audioarticles.errors import UsageError
from audioarticles.model import Episode
from audioarticles.publish.channel import Channel
from audioarticles.publish.cover import (
    ARTWORK_DIR,
    Artwork,
    check_image,
    default_cover,
    remove_old_artwork,
)
from audioarticles.publish.feed import (
    FeedFile,
    FeedEpisode,
    build_feed,
    feed_episode,
    latest_change,
    podcast_guid,
    published_at,
)
from audioarticles.publish.incremental import SiteRecord
from audioarticles.publish.media import Media
from audioarticles.publish.site import SiteEpisode, index_html
from audioarticles.publish.timing import episode_chapters
from audioarticles.store.catalog import now_iso
from audioarticles.store.interfaces import CatalogStore as Catalog
from audioarticles.store.interfaces import FileStore, SiteKind

FEEDS_DIR = "feeds"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
RESERVED = ("edition", "main", "feed")
SELECTORS = ("categories", "authors", "tags", "voices")


@dataclass(frozen=True)
class FeedSpec:
    """One `[[feeds]]` entry, checked."""

    name: str
    title: str
    description: str = ""
    image: str = ""
    private: bool = False
    numbering: bool | None = None  # None: as [podcast] numbering
    seasons: str | None = None
    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    voices: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return f"{FEEDS_DIR}/{self.name}.xml"

    @property
    def page(self) -> str:
        return f"{FEEDS_DIR}/{self.name}.html"


def folded(text: str) -> str:
    """For matching what editors type against what pages say: case, accents and spacing
    do not count (« Santé » selects « santé » and « SANTE »)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _strings(where: str, key: str, value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UsageError(f"{where} {key} must be a list of names, e.g. {key} = [\"Santé\"]")
    return tuple(v.strip() for v in value)


def feed_specs(project: Settings) -> list[FeedSpec]:
    """`[[feeds]]` as feed specs. Keys and types were checked by the settings schema
    (`config.FeedEntry`) when the project loaded; what is checked here is what one entry
    cannot say alone: the name's form, names taken twice, a title, something selected."""
    entries = project.settings.get("feeds") or []
    specs: list[FeedSpec] = []
    for index, entry in enumerate(entries, start=1):
        name = entry.get("name")
        where = f"audioarticles.toml: [[feeds]] {name!r}" if name else \
            f"audioarticles.toml: [[feeds]] number {index}"
        if not isinstance(name, str) or not _NAME.match(name) or name in RESERVED:
            raise UsageError(f"{where}: name must be lower-case letters, digits, - or _ (at "
                             f"most 40), and not {', '.join(RESERVED)}; it names the file "
                             f"feeds/<name>.xml")
        if any(spec.name == name for spec in specs):
            raise UsageError(f"{where}: two feeds have this name; give each its own")
        title = entry.get("title")
        if not isinstance(title, str) or not title.strip():
            raise UsageError(f"{where}: title is missing; every feed needs its own title")
        selectors = {key: _strings(where, key, entry[key]) for key in SELECTORS if key in entry}
        if not any(selectors.values()):
            raise UsageError(f"{where}: it selects nothing; give categories, authors, tags "
                             f"or voices")
        seasons = entry.get("seasons")
        specs.append(FeedSpec(name=name, title=" ".join(title.split()),
                              description=" ".join(entry.get("description", "").split()),
                              image=entry.get("image", "").strip(),
                              private=entry.get("private", False),
                              numbering=entry.get("numbering"), seasons=seasons, **selectors))
    return specs


def find_spec(project: Settings, name: str) -> FeedSpec:
    specs = feed_specs(project)
    for spec in specs:
        if spec.name == name:
            return spec
    known = ", ".join(spec.name for spec in specs) or "none yet"
    raise UsageError(f"{name}: no such feed in audioarticles.toml [[feeds]] (feeds: {known})")


def _any(wanted: tuple[str, ...], have: Iterable[str]) -> bool:
    names = {folded(h) for h in have if h}
    return any(folded(w) in names for w in wanted)


def selects(spec: FeedSpec, episode: Episode) -> bool:
    """Whether the feed carries the episode: every kind of selector the feed gives must match
    (one of its values is enough), e.g. categories = ["Santé"] and voices = ["fr"]."""
    checks = (
        (spec.categories, episode.meta.get("categories") or []),
        (spec.authors, [part for part in re.split(r",| et | and ", episode.author)]
         + [episode.author]),
        (spec.tags, episode.meta.get("tags") or []),
        (spec.voices, [episode.voice]),
    )
    return all(_any(wanted, have) for wanted, have in checks if wanted)


def section_channel(main: Channel, spec: FeedSpec) -> Channel:
    """The main channel's settings with the feed's own title, description, cover, file."""
    return replace(main, title=spec.title, description=spec.description or main.description,
                   image=spec.image, feed_path=spec.path, name=spec.name,
                   block=spec.private, locked=main.locked,
                   numbering=main.numbering if spec.numbering is None else spec.numbering,
                   seasons=main.seasons if spec.seasons is None else spec.seasons,
                   new_feed_url="")


def section_artwork(project: Settings, spec: FeedSpec, channel: Channel) -> Artwork:
    """The feed's cover: its `image` once checked, else one generated with its title."""
    if spec.image:
        path = project.root / spec.image
        if not path.is_file():
            raise UsageError(f"audioarticles.toml: [[feeds]] {spec.name!r} image {spec.image!r}: "
                             "no such file; give a path relative to the project folder, or "
                             "remove the key to use a generated cover")
        artwork = check_image(path.read_bytes(), spec.image, f"[[feeds]] {spec.name!r} image")
    else:
        artwork = default_cover(spec.title, channel.publication or channel.author)
    return replace(artwork, prefix=f"feed-{spec.name}")


def stored_guid(catalog: Catalog, key: str, feed_url: str) -> str:
    """A feed's podcast:guid: from its URL the first time, then kept (a feed that moves keeps
    its identity)."""
    setting = f"podcast_guid:{key}"
    guid = catalog.setting(setting)
    if guid:
        return guid
    with catalog.transaction():
        guid = catalog.setting(setting)
        if not guid:
            guid = podcast_guid(feed_url)
            catalog.set_setting(setting, guid)
            catalog.set_setting(f"feed_created_at:{key}", now_iso())
    return guid


def numbers_for(catalog: Catalog, key: str, channel: Channel,
                episodes: list[Episode]) -> dict[str, int] | None:
    """Episode numbers for a feed that asks for them: given once, oldest first."""
    if not channel.numbering:
        return None
    oldest_first = sorted(episodes, key=lambda e: (published_at(e, channel), e.id or 0))
    return catalog.number_episodes(key, [e.guid for e in oldest_first])


def feed_members(channel: Channel, episodes: list[Episode], media: Media) -> list[Episode]:
    """The episodes a feed carries: newest first, capped; episodes whose audio is missing are
    left out (the main build already warned about them)."""
    from audioarticles.publish.feed import newest_first

    return [e for e in newest_first(episodes, channel)
            if media.has(e, e.mp3)][:channel.feed_limit]


def feed_items(channel: Channel, episodes: list[Episode], media: Media,
               numbers: dict[str, int] | None = None) -> list[FeedEpisode]:
    """The feed items of `episodes` (newest first, capped), with their numbers."""
    items = []
    for episode in feed_members(channel, episodes, media):
        item = feed_episode(episode, channel, media, episode_chapters(episode))
        if item is not None:
            items.append(replace(item, number=(numbers or {}).get(episode.guid)))
    return items


def write_sections(project: Settings, catalog: Catalog, main: Channel, episodes: list[Episode],
                   withdrawn: list[Episode], written: set[str], site: FileStore,
                   media: Media | None = None,
                   record: SiteRecord | None = None) -> list[FeedFile]:
    """Every public `[[feeds]]` entry: its feed, index page and cover; private ones go to
    `publish.private`. `written` collects the relative paths (for the stale-file sweep). With
    a `record`, a feed or page whose inputs did not change is not rendered again. A feed's
    lastBuildDate is the latest change of the episodes it lists or of the `withdrawn` ones
    (not published) it selects, at least its creation."""
    from audioarticles.publish import private

    media = media or Media(site)
    record = record or SiteRecord(site, None)
    files: list[FeedFile] = []
    with site.site_batch() as batch:
        for spec in feed_specs(project):
            channel = section_channel(main, spec)
            chosen = [e for e in episodes if selects(spec, e)]
            numbers = numbers_for(catalog, spec.name, channel, chosen) or {}
            members = feed_members(channel, chosen, media)
            artwork = section_artwork(project, spec, channel)
            guid = stored_guid(catalog, spec.name, channel.feed_url)
            created = parse_date(catalog.setting(f"feed_created_at:{spec.name}") or "",
                                 channel.zone)
            last_build = latest_change(
                members + [e for e in withdrawn if selects(spec, e)], channel, created)
            inputs = [repr(channel), guid, last_build.isoformat(), artwork.name, artwork.size,
                      [(media.inputs(e), numbers.get(e.guid)) for e in members]]
            items = functools.cache(lambda channel=channel, chosen=chosen, numbers=numbers:
                                    feed_items(channel, chosen, media, numbers))
            record.stage(batch, f"asset:{artwork.name}", [],
                         lambda artwork=artwork: {artwork.name: artwork.data},
                         SiteKind.VERSIONED)
            written.add(artwork.name)
            if spec.private:
                files += private.write_private(project, catalog, batch, channel, items,
                                               guid=guid, artwork=artwork,
                                               last_build=last_build, written=written,
                                               record=record, inputs=inputs,
                                               count=len(members))
                continue

            def feed(channel=channel, items=items, guid=guid, artwork=artwork) -> dict:
                return {channel.feed_path: build_feed(
                    channel, items(), guid=guid, artwork_name=artwork.name,
                    last_build=last_build, artwork_px=artwork.size)}

            def page(spec=spec, channel=channel, items=items, artwork=artwork) -> dict:
                site_items = [SiteEpisode(episode=i.episode, chapters=i.chapters, cues=[],
                                          audio_bytes=i.audio_bytes, image=i.image)
                              for i in items()]
                html = index_html(site_items, channel, artwork.name, page=spec.page)
                return {spec.page: html.encode("utf-8")}

            changed = bool(record.stage(batch, f"feed:{spec.path}", inputs, feed,
                                        SiteKind.FEED))
            record.stage(batch, f"section-page:{spec.page}", inputs, page, SiteKind.PAGE)
            written.update((spec.path, spec.page))
            files.append(FeedFile(spec.name, spec.path, channel.feed_url, len(members),
                                  changed))
    for spec in feed_specs(project):
        remove_old_artwork(site, section_artwork(project, spec, section_channel(main, spec)))
    return files


def sweep_feed_files(site: FileStore, catalog: Catalog, written: set[str]) -> list[str]:
    """Delete the feed files, index pages and covers an earlier build wrote that this one did
    not (a feed removed from [[feeds]], a revoked subscriber). Only files we wrote are ever
    deleted: the catalog keeps a hash of each written path (never a private feed's name)."""
    previous = set(json.loads(catalog.setting("feed_files") or "[]"))
    current = {_path_digest(path) for path in written}
    deleted = []
    for folder in (FEEDS_DIR, ARTWORK_DIR):
        for relative in sorted(site.listing(folder)):
            digest = _path_digest(relative)
            if digest in previous and digest not in current and site.delete_site(relative):
                deleted.append(relative)
    if current != previous:
        with catalog.transaction():
            catalog.set_setting("feed_files", json.dumps(sorted(current)))
    return deleted


def _path_digest(relative: str) -> str:
    return hashlib.sha256(relative.encode("utf-8")).hexdigest()
