"""The whole job for a batch of inputs: read, clean, segment, normalise, synthesise, assemble,
tag, record in the catalog, publish."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path

from audioarticles import clean as clean_stage
from audioarticles import editorial, publish
from audioarticles.catalog import Catalog
from audioarticles.config import Project
from audioarticles.engines import get_engine
from audioarticles.engines.base import Engine
from audioarticles.errors import ArticleSkipped, InputError, UserError
from audioarticles.extract import DEFAULT_SKIP, read_file
from audioarticles.identity import guid_for, identity, unique_slug
from audioarticles.model import Article, Episode, Segment, TimelineEntry
from audioarticles.normalise import normalise_segments
from audioarticles.publish.dates import publication_date, zone_named
from audioarticles.render import Production, Rendered, render_episode
from audioarticles.segment import segment
from audioarticles.synthesise import SegmentCache
from audioarticles.voices import Voice, get_voice


@dataclass
class Converted:
    episode: Episode
    segments_synthesized: int
    segments_cached: int
    timeline: list[TimelineEntry] = field(default_factory=list)  # where each piece is in the MP3


@dataclass
class ConvertReport:
    converted: list[Converted] = field(default_factory=list)
    failed: list[InputError] = field(default_factory=list)
    skipped: list[ArticleSkipped] = field(default_factory=list)
    build: publish.Build | None = None

    @property
    def ok(self) -> bool:
        return not self.failed


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def read_input(project: Project, name: str, skip: tuple[str, ...] = DEFAULT_SKIP) -> Article:
    """`skip`: CSS selectors of page elements never read (the packaged ones and the project's
    opt-out selectors)."""
    path = Path(name)
    source = project.relative_source(path) if path.exists() else name
    return read_file(path, source, skip)


def prepare(article: Article, project: Project, max_chars: int) -> tuple[Article, list[Segment]]:
    """Clean, segment the written text, then normalise each segment for speech."""
    rules = clean_stage.load_rules(project.root, article.meta.language)
    cleaned = clean_stage.clean(article, rules)
    if not cleaned.blocks:
        raise InputError(article.meta.source, "nothing left to read after removing boilerplate")
    segments = normalise_segments(segment(cleaned, max_chars), cleaned.meta.language)
    segments = [s for s in segments if s.spoken.strip()]
    if not segments:
        raise InputError(article.meta.source, "no speakable text in this article")
    return cleaned, segments


def convert_article(project: Project, catalog: Catalog, article: Article, voice: Voice,
                    engine: Engine, cache: SegmentCache,
                    release: editorial.Release | None = None) -> Converted:
    """Voice one article into an episode; ArticleSkipped when opted out or tombstoned."""
    release = release or editorial.Release.for_project(project)
    editorial.screen(catalog, article, release)
    cleaned, segments = prepare(article, project, engine.max_chars)
    meta = cleaned.meta
    guid = guid_for(meta)
    existing = catalog.get(guid)
    previous = dataclasses.replace(existing) if existing else None
    slug = existing.slug if existing else unique_slug(meta.title, catalog.slugs())
    # fixed once, with its time zone: a published date is never rewritten
    zone = zone_named(project.section("podcast").get("timezone", "Europe/Paris"))
    pub_date = (existing.pub_date if existing else "") or publication_date(meta.date, zone)

    # new files wait in the private mirror; the run's rebuild admits them if published
    rendered = render_episode(project, cleaned, segments, voice, engine, cache,
                              project.unreleased_dir / "episodes", slug, guid, pub_date)
    try:
        saved = record(catalog, previous, rendered, cleaned, voice, engine, project, release,
                       guid, slug, pub_date)
    except BaseException:
        kept = set(editorial.episode_files(previous)) if previous else set()
        for path in rendered.files:
            if path.relative_to(project.unreleased_dir).as_posix() not in kept:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        raise
    editorial.discard_unreleased(project, previous, saved)
    return Converted(saved, rendered.synthesized, rendered.cached, rendered.assembly.timeline)


def record(catalog: Catalog, previous: Episode | None, rendered: Rendered, article: Article,
           voice: Voice, engine: Engine, project: Project, release: editorial.Release,
           guid: str, slug: str, pub_date: str) -> Episode:
    """Save the episode (its new files, metadata, editorial state) in one transaction."""
    meta = article.meta

    def relative(path: Path) -> str:
        return path.relative_to(project.unreleased_dir).as_posix()

    episode = dataclasses.replace(previous) if previous else Episode(
        guid=guid, slug=slug, title=meta.title, source=meta.source, voice=voice.name,
        engine=engine.NAME)
    episode.title = meta.title
    episode.identity = identity(meta)
    episode.source = meta.source
    episode.voice = voice.name
    episode.intended_voice = episode.intended_voice or voice.name
    episode.engine = engine.NAME
    episode.mp3 = relative(rendered.mp3)
    episode.transcripts = {kind: relative(path) for kind, path in rendered.transcripts.items()}
    episode.chapters = relative(rendered.chapters)
    episode.duration_s = round(rendered.assembly.duration_s, 3)
    episode.bytes = rendered.mp3.stat().st_size
    episode.author = meta.author
    episode.url = meta.canonical_url or meta.url
    episode.summary = meta.summary
    episode.language = meta.language
    episode.pub_date = pub_date
    episode.meta = {**episode.meta, "loudness": {
        "measured_lufs": rendered.assembly.measured.integrated_lufs,
        "gain_db": round(rendered.assembly.gain_db, 2)}}
    now = editorial.utcnow()
    decision = editorial.decide(release.policy, episode, previous, now, article_date=meta.date,
                                publish_at=release.publish_at, draft=release.draft)
    with catalog.transaction():
        if release.force:
            catalog.remove_tombstone(episode.identity)
        saved = editorial.apply_decision(catalog, episode, decision, now)
        publish.retire_files(catalog, previous, saved, now)
    return saved


def convert(project: Project, inputs: list[str], voice_name: str | None = None,
            release: editorial.Release | None = None) -> ConvertReport:
    release = release or editorial.Release.for_project(project)
    publish.keep_old_audio_days(project)  # a bad setting stops the run before any work
    voice = get_voice(voice_name or project.section("voice")["default"], project.root)
    publish.check_settings(project)
    Production.from_project(project, voice)  # so does a bad [audio] setting
    report = ConvertReport()
    skip = tuple(dict.fromkeys((*DEFAULT_SKIP, *release.optout.selectors)))
    with Catalog(project.catalog_path) as catalog, get_engine(voice.engine) as engine:
        cache = SegmentCache(project.cache_dir)
        for name in inputs:
            try:
                article = read_input(project, name, skip)
                report.converted.append(
                    convert_article(project, catalog, article, voice, engine, cache, release))
            except ArticleSkipped as skipped:
                report.skipped.append(skipped)
            except InputError as exc:
                report.failed.append(exc)
            except UserError as exc:
                report.failed.append(InputError(name, str(exc)))
        report.build = publish.rebuild(project, catalog)
        for message in report.build.warnings:
            warn(message)
    return report
