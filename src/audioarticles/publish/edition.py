"""The daily edition: one episode made of a day's published articles (or a section's), in
order of publication, each opening with its title, with a chapter per article (ID3 CHAP/CTOC
and JSON chapters carrying each article's URL), the transcript of the whole, and its own feed
(`feeds/edition.xml`, or `feeds/<name>-edition.xml` for a section's).

It costs an assembly, not a re-voicing: each article's segments (written and spoken text, as
voiced) are kept at conversion (`remember_segments`), and the edition reads their audio back
from the segment cache. Only the edition's own short opening line is voiced (and any segment
the cache lost). Running it again for the same day with the same articles changes nothing;
with new articles it replaces that day's edition (same GUID, new audio URL)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from audioarticles import chapters as chapter_files
from audioarticles import transcripts
from audioarticles.assemble import Piece, assemble
from audioarticles.config import Settings
from audioarticles.dates import french_day, parse_date, publication_date
from audioarticles.disclosure import Disclosure
from audioarticles.engines import get_engine
from audioarticles.engines.base import Engine
from audioarticles.errors import EngineUnavailable, SynthesisError, UsageError, UserError
from audioarticles.model import Audio, Episode, Segment
from audioarticles.normalise import normaliser
from audioarticles.pauses import silence
from audioarticles.publish.channel import Channel, channel_settings
from audioarticles.publish.cover import channel_artwork
from audioarticles.publish.feed import (
    build_feed,
    episode_page,
    feed_episode,
    http_url,
    published_at,
)
from audioarticles.publish.incremental import SiteRecord
from audioarticles.publish.media import Media
from audioarticles.publish.timing import episode_chapters
from audioarticles.store import ProjectStore
from audioarticles.store.catalog import now_iso
from audioarticles.store.interfaces import CatalogStore as Catalog
from audioarticles.store.interfaces import FileStore, SiteKind
from audioarticles.store.segment_cache import CachedAudio, SegmentCache
from audioarticles.synthesise import AudioSource, synthesise
from audioarticles.tag import EpisodeTags, cover_jpeg_from, tag
from audioarticles.voices import Voice, get_voice

SEGMENTS_DIR = "segments"
EDITIONS_DIR = "editions"
ALL = ""  # the edition of every article, as opposed to a section's
BREAK_MS = 800  # silence between two articles, beside the pauses around it


# ---- at conversion: keep what was voiced ----------------------------------------------------

def segments_path(project: Settings, guid: str) -> Path:
    digest = hashlib.sha256(guid.encode("utf-8")).hexdigest()[:32]
    return ProjectStore(project).private_path(SEGMENTS_DIR, f"{digest}.json")


def remember_segments(project: Settings, episode: Episode, rendered) -> None:
    """Keep an episode's segments as voiced, beside the catalog (private state)."""
    if not rendered.segments or not rendered.cache_identity:
        return
    data = {"guid": episode.guid, "voice": episode.voice, "identity": rendered.cache_identity,
            "content_hash": episode.content_hash,
            "segments": [[s.block, s.position, s.block_kind, s.written, s.spoken]
                         for s in rendered.segments]}
    ProjectStore(project).keep(segments_path(project, episode.guid),
                               json.dumps(data, ensure_ascii=False).encode("utf-8"))


@dataclass
class Voiced:
    """One article as the edition reads it back."""

    episode: Episode
    voice: str
    identity: str
    segments: list[Segment]


def load_voiced(project: Settings, episode: Episode) -> Voiced | None:
    try:
        kept = ProjectStore(project).kept(segments_path(project, episode.guid))
        if kept is None:
            return None
        data = json.loads(kept.decode("utf-8"))
        segments = [Segment(block=b, position=p, block_kind=k, written=w, spoken=s)
                    for b, p, k, w, s in data["segments"]]
        return Voiced(episode, str(data["voice"]), str(data["identity"]), segments)
    except (OSError, ValueError, KeyError, TypeError):
        return None


# ---- making an edition -------------------------------------------------------------------------

@dataclass
class EditionReport:
    """What `make_edition` did."""

    status: str  # "created", "unchanged" or "empty"
    day: date
    feed: str
    episode: Episode | None = None
    articles: list[Episode] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # why an article is not in it
    synthesized: int = 0  # segments voiced now (the opening line; lost cache entries)
    cached: int = 0  # segments read back from the cache


def edition_key(feed: str) -> str:
    return feed or "edition"


def edition_feed_path(feed: str) -> str:
    return "feeds/edition.xml" if feed == ALL else f"feeds/{feed}-edition.xml"


def day_articles(catalog: Catalog, channel: Channel, day: date,
                 select: Callable[[Episode], bool] | None = None) -> list[Episode]:
    """The day's published episodes (in the podcast's time zone), in order of publication."""
    chosen = [e for e in catalog.published()
              if published_at(e, channel).astimezone(channel.zone).date() == day
              and (select is None or select(e))]
    return sorted(chosen, key=lambda e: (published_at(e, channel), e.id or 0))


class Voices:
    """Engines made only when a segment is missing from the cache, then shared."""

    def __init__(self, project: Settings):
        self.project = project
        self.engines: dict[str, tuple[Voice, Engine]] = {}

    def engine(self, name: str) -> tuple[Voice, Engine]:
        if name not in self.engines:
            voice = get_voice(name, self.project.root)
            self.engines[name] = (voice, get_engine(voice.engine,
                                                    **self.project.section(voice.engine)))
        return self.engines[name]

    def close(self) -> None:
        for _, engine in self.engines.values():
            engine.close()


def audio_of(segments: list[Segment], identity: str, voice_name: str, cache: SegmentCache,
             voices: Voices) -> tuple[list[AudioSource], int]:
    """Each segment's audio from the cache; the voice is asked only for what is missing.
    Returns the sources and how many segments were voiced now."""
    sources: list[AudioSource] = []
    for seg in segments:
        key = SegmentCache.key(identity, seg.spoken)
        hit = cache.get(key)
        if hit is None:
            break
        sources.append(CachedAudio(cache, key, hit.sample_rate, hit.samples))
    else:
        return sources, 0
    voice, engine = voices.engine(voice_name)
    result = synthesise(segments, voice, engine, cache)
    return result.sources, result.synthesized


def opening_line(channel: Channel, day: date, count: int, section: str) -> str:
    what = f"{count} article" + ("s" if count > 1 else "")
    scope = f", {section}" if section else ""
    return f"{channel.title}{scope} : l’édition du {french_day(day)}. {what} au sommaire."


def frame(project: Settings, language: str, text: str, kind: str) -> list[Segment]:
    speak = normaliser(language, project.root)
    return [Segment(block=-1, position=-1, written=text, spoken=speak(text), block_kind=kind)]


def inputs_digest(articles: list[Voiced], opening: str, project: Settings) -> str:
    """Changes whenever the edition would sound different: its articles, their audio, its
    opening line, the audio settings."""
    data = {"articles": [[v.episode.guid, v.episode.content_hash, v.identity,
                          v.episode.meta.get("render")] for v in articles],
            "opening": opening, "audio": project.section("audio"),
            "disclosure": project.section("disclosure"), "version": 1}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def edition_guid(podcast_guid: str, feed: str, day: date) -> str:
    """Stable for a feed and a day: a corrected edition keeps its place in apps."""
    return str(uuid.uuid5(uuid.UUID(podcast_guid), f"edition/{feed}/{day.isoformat()}"))


def _files(episode: Episode) -> list[str]:
    return [n for n in (episode.mp3, *episode.transcripts.values(), episode.chapters) if n]


def make_edition(project: Settings, catalog: Catalog, day: date | None = None,
                 feed: str = ALL, limit: int | None = None,
                 warn: Callable[[str], None] = lambda message: None) -> EditionReport:
    """Assemble the edition of `day` (today in the podcast's zone by default) from the
    published articles (of the `[[feeds]]` entry `feed`), at most `limit` of them."""
    from audioarticles.publish.feed import stored_podcast_guid
    from audioarticles.publish.sections import find_spec, selects

    channel = channel_settings(project)
    day = day or datetime.now(channel.zone).date()
    spec = find_spec(project, feed) if feed else None
    if spec is not None and spec.private:
        raise UsageError(f"{feed}: a private feed; its edition would have a public feed "
                         "(feeds/<name>-edition.xml), so it is not made: choose a public feed")
    report = EditionReport("empty", day, feed)
    candidates = day_articles(catalog, channel, day,
                              (lambda e: selects(spec, e)) if spec else None)
    voiced: list[Voiced] = []
    for episode in candidates:
        if limit is not None and len(voiced) >= limit:
            break
        found = load_voiced(project, episode)
        if found is None:
            report.left_out.append(f"{episode.slug}: its voiced segments were not kept "
                                   "(converted before editions existed); convert it again "
                                   "with --rerender to include it")
            continue
        voiced.append(found)
    for reason in report.left_out:
        warn(reason)
    if not voiced:
        return report

    section = spec.title if spec else ""
    opening = opening_line(channel, day, len(voiced), section)
    digest = inputs_digest(voiced, opening, project)
    guid = edition_guid(stored_podcast_guid(catalog, channel), feed, day)
    existing = next((e for e in catalog.editions(edition_key(feed)) if e.guid == guid), None)
    files = ProjectStore(project).files
    public = files.listing(EDITIONS_DIR)
    if (existing is not None and existing.meta.get("inputs") == digest
            and all(name in public for name in _files(existing))):
        report.status, report.episode = "unchanged", existing
        report.articles = [v.episode for v in voiced]
        return report

    cache = ProjectStore(project).segment_cache()
    voices = Voices(project)
    try:
        pieces, chapter_starts = _pieces(project, channel, voiced, opening, cache, voices,
                                         report, warn)
        lead = get_voice(voiced[0].voice, project.root)
        title = (f"{section} — l’édition du {french_day(day)}" if section
                 else f"L’édition du {french_day(day)}")
        slug = f"edition-{feed}-{day.isoformat()}" if feed else f"edition-{day.isoformat()}"
        episode = _render(project, channel, pieces, chapter_starts, lead, title, slug, guid,
                          existing, report, feed)
    finally:
        voices.close()
    episode.meta.update({"inputs": digest, "day": day.isoformat(),
                         "articles": [a.guid for a in report.articles]})
    episode.updated_at = now_iso()
    with catalog.transaction():
        catalog.save_edition(edition_key(feed), day.isoformat(), episode)
    if existing is not None:  # the replaced edition's files: we wrote them, nothing names them
        files.delete(set(_files(existing)) - set(_files(episode)))
    report.status, report.episode = "created", episode
    return report


def _pieces(project: Settings, channel: Channel, voiced: list[Voiced], opening: str,
            cache: SegmentCache, voices: Voices, report: EditionReport,
            warn: Callable[[str], None]):
    """The edition's pieces: opening line, each article (a short break before it), the
    disclosure; plus where each article starts (its index in the pieces)."""
    lead = voiced[0]
    language = lead.episode.language or channel.language
    intro = frame(project, language, opening, "intro")
    disclosure = Disclosure.from_project(project).spoken()
    outro = frame(project, language, disclosure, "outro") if disclosure else []
    intro_audio, fresh = audio_of(intro, lead.identity, lead.voice, cache, voices)
    report.synthesized += fresh
    report.cached += len(intro) - fresh
    pieces = [Piece("intro", source, seg) for seg, source in zip(intro, intro_audio)]
    rate = intro_audio[0].sample_rate
    starts: list[tuple[int, Episode]] = []
    for number, article in enumerate(voiced, start=1):
        try:
            sources, fresh = audio_of(article.segments, article.identity, article.voice,
                                      cache, voices)
        except (EngineUnavailable, SynthesisError, UserError) as exc:
            why = f"{article.episode.slug}: its audio is not in the segment cache and cannot " \
                  f"be voiced again ({exc}); left out of the edition"
            report.left_out.append(why)
            warn(why)
            continue
        if any(source.sample_rate != rate for source in sources):
            why = (f"{article.episode.slug}: voiced at another sample rate than the edition's "
                   f"first article (another engine); left out of the edition")
            report.left_out.append(why)
            warn(why)
            continue
        report.synthesized += fresh
        report.cached += len(sources) - fresh
        report.articles.append(article.episode)
        pieces.append(Piece("jingle", Audio(silence(BREAK_MS, rate), rate)))
        starts.append((len(pieces), article.episode))
        # block numbers kept apart between articles, so no two articles' blocks look alike
        pieces += [Piece(seg.block_kind, source, replace(seg, block=seg.block + 10000 * number))
                   for seg, source in zip(article.segments, sources)]
    if not starts:
        raise UserError("no article of the edition could be read back from the segment cache; "
                        "convert them again")
    outro_audio, fresh = audio_of(outro, lead.identity, lead.voice, cache, voices)
    report.synthesized += fresh
    report.cached += len(outro) - fresh
    pieces += [Piece("outro", source, seg) for seg, source in zip(outro, outro_audio)]
    return pieces, starts


def _render(project: Settings, channel: Channel, pieces: list[Piece],
            starts: list[tuple[int, Episode]], lead: Voice, title: str, slug: str, guid: str,
            existing: Episode | None, report: EditionReport, feed: str) -> Episode:
    from audioarticles.render import Production  # render imports publish: not at load time

    production = Production.from_project(project, lead)
    # an edition is published at once: its files go straight to the public folder
    with ProjectStore(project).files.placing(slug, EDITIONS_DIR, public=True) as placement:
        tmp = placement.tmp_mp3
        assembly = assemble(pieces, tmp, production.pauses, production.mastering)
        duration_ms = assembly.duration_s * 1000
        timeline = assembly.timeline
        opened = [timeline[index].start_ms for index, _ in starts]  # each article's title
        chapters = [chapter_files.Chapter(title="Sommaire", start_ms=0.0, end_ms=opened[0])]
        for (_, episode), start, end in zip(starts, opened, [*opened[1:], duration_ms]):
            chapters.append(chapter_files.Chapter(
                title=episode.title, start_ms=start, end_ms=end,
                url=http_url(episode.url) or channel.url(episode_page(episode))))
        summary = "Au sommaire : " + " ; ".join(e.title for _, e in starts) + "."
        disclosure = Disclosure.from_project(project).written(starts[0][1].engine)
        cover = channel_artwork(project, channel)
        tag(tmp, EpisodeTags(
            title=title, artist=channel.byline, album=channel.title,
            date=report.day.isoformat(), language=channel.language,
            comment="\n\n".join(p for p in (summary, disclosure) if p),
            guid=guid, feed_url=channel.url(edition_feed_path(feed)),
            duration_ms=round(duration_ms), transcript=transcripts.plain_text(timeline),
            chapters=chapters, cover_jpeg=cover_jpeg_from(
                cover.data, project.section("tags")["cover_px"], "cover"),
            chapter_title_chars=project.section("tags")["chapter_title_chars"]))
        cues = transcripts.cues(timeline)
        size = tmp.stat().st_size
        placed = placement.place({
            ".vtt": transcripts.to_vtt(cues), ".srt": transcripts.to_srt(cues),
            ".chapters.json": chapter_files.to_json(chapters, title, channel.title)})
    first = starts[0][1]
    return Episode(
        guid=guid, slug=slug, title=title, source=f"edition {report.day.isoformat()}",
        voice=first.voice, engine=first.engine, mp3=placed[".mp3"],
        duration_s=round(assembly.duration_s, 3), bytes=size,
        state="published", author="", url=channel.link, summary=summary,
        language=channel.language,
        pub_date=(existing.pub_date if existing else publication_date("", channel.zone)),
        transcripts={"vtt": placed[".vtt"], "srt": placed[".srt"]},
        chapters=placed[".chapters.json"],
        meta={"sommaire": [[c.title, c.url] for c in chapters[1:]]},
        created_at=existing.created_at if existing else "")


# ---- the edition feeds ---------------------------------------------------------------------

def edition_channel(main: Channel, feed: str, section_title: str = "") -> Channel:
    title = f"{section_title or main.title} — l’édition du jour"
    return replace(main, title=title, feed_path=edition_feed_path(feed),
                   name=edition_key(feed), new_feed_url="", block=False,
                   description=f"Chaque jour, les articles de {section_title or main.title} "
                               f"en un seul épisode.")


def withheld(edition: Episode, published: set[str], warn: Callable[[str], None]) -> bool:
    """An edition holding an article that is no longer published (held, unpublished) leaves
    its feed, and (once the feed no longer names it) its files go to the private mirror: a
    takedown reaches the edition too."""
    gone = [guid for guid in edition.meta.get("articles", []) if guid not in published]
    if not gone:
        return False
    day = edition.meta.get("day", "")
    warn(f"{edition.slug}: {len(gone)} of its articles are no longer published; it is out of "
         f"the edition feed until `audioarticles edition --date {day}` makes it again")
    return True


def write_edition_feeds(project: Settings, catalog: Catalog, main: Channel, written: set[str],
                        site: FileStore,
                        warn: Callable[[str], None] = lambda message: None,
                        record: SiteRecord | None = None) -> list:
    """`feeds/edition.xml` (and each section's edition feed) from the editions made so far;
    an edition withheld leaves the public area after the feed stopped naming it. With a
    `record`, a feed whose inputs did not change is not rendered again."""
    from audioarticles.publish.feed import FeedFile
    from audioarticles.publish.sections import feed_specs, stored_guid

    keys = catalog.edition_feeds()
    files = []
    if not keys:
        return files
    titles = {spec.name: spec.title for spec in feed_specs(project)}
    published = {episode.guid for episode in catalog.published()}
    artwork = channel_artwork(project, main)
    media = Media(site)
    record = record or SiteRecord(site, None)
    taken_down: list[Episode] = []
    with site.site_batch() as batch:
        for key in keys:
            feed = "" if key == "edition" else key
            channel = edition_channel(main, feed, titles.get(feed, feed))
            editions = []
            for episode in catalog.editions(key):
                (taken_down if withheld(episode, published, warn) else editions).append(episode)
            members = [e for e in editions if media.has(e, e.mp3)][:channel.feed_limit]
            stamps = [parse_date(e.updated_at or e.pub_date, channel.zone) for e in editions]
            last_build = max((s for s in stamps if s), default=datetime(1970, 1, 1, tzinfo=UTC))
            last_build = last_build.astimezone(channel.zone)
            guid = stored_guid(catalog, f"edition:{key}", channel.feed_url)

            def render(channel=channel, members=members, guid=guid,
                       last_build=last_build) -> dict[str, bytes]:
                items = [item for episode in members
                         if (item := feed_episode(episode, channel, media,
                                                  episode_chapters(episode))) is not None]
                return {channel.feed_path: build_feed(
                    channel, items, guid=guid, artwork_name=artwork.name,
                    last_build=last_build, artwork_px=artwork.size)}

            inputs = [repr(channel), guid, last_build.isoformat(), artwork.name, artwork.size,
                      [media.inputs(e) for e in members]]
            changed = bool(record.stage(batch, f"feed:{channel.feed_path}", inputs, render,
                                        SiteKind.FEED))
            written.add(channel.feed_path)
            files.append(FeedFile(channel.name, channel.feed_path, channel.feed_url,
                                  len(members), changed))
    site.withdraw(taken_down)  # the feeds no longer name them
    return files

