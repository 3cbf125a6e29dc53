"""The whole job for a batch of inputs: read, clean, segment, normalise, synthesise, assemble,
tag, record in the catalog, publish."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path

from audioarticles import clean as clean_stage
from audioarticles import publish
from audioarticles.catalog import Catalog, now_iso
from audioarticles.config import Project
from audioarticles.engines import get_engine
from audioarticles.engines.base import Engine
from audioarticles.errors import InputError, UserError
from audioarticles.extract import read_file
from audioarticles.identity import guid_for, identity, unique_slug
from audioarticles.model import Article, Episode, Segment, TimelineEntry
from audioarticles.normalise import normalise_segments
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

    @property
    def ok(self) -> bool:
        return not self.failed


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def read_input(project: Project, name: str) -> Article:
    path = Path(name)
    source = project.relative_source(path) if path.exists() else name
    return read_file(path, source)


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
                    engine: Engine, cache: SegmentCache) -> Converted:
    cleaned, segments = prepare(article, project, engine.max_chars)
    meta = cleaned.meta
    guid = guid_for(meta)
    existing = catalog.get(guid)
    slug = existing.slug if existing else unique_slug(meta.title, catalog.slugs())
    pub_date = (existing.pub_date if existing else "") or meta.date or now_iso()

    rendered = render_episode(project, cleaned, segments, voice, engine, cache,
                              project.output / "episodes", slug, guid, pub_date)
    try:
        episode = record(catalog, existing, rendered, cleaned, voice, engine, project.output,
                         guid, slug, pub_date)
    except BaseException:
        kept = set(existing.public_files()) if existing else set()
        for path in rendered.files:
            if path.relative_to(project.output).as_posix() not in kept:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        raise
    publish.retire_audio(project.output, existing.public_files() if existing else [],
                         episode.public_files())
    return Converted(episode, rendered.synthesized, rendered.cached, rendered.assembly.timeline)


def record(catalog: Catalog, existing: Episode | None, rendered: Rendered, article: Article,
           voice: Voice, engine: Engine, output: Path, guid: str, slug: str,
           pub_date: str) -> Episode:
    """Save the episode (new files, metadata) in the catalog, in one transaction."""
    meta = article.meta

    def relative(path: Path) -> str:
        return path.relative_to(output).as_posix()

    episode = dataclasses.replace(existing) if existing else Episode(
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
    with catalog.transaction():
        return catalog.save(episode)


def convert(project: Project, inputs: list[str], voice_name: str | None = None) -> ConvertReport:
    voice = get_voice(voice_name or project.section("voice")["default"], project.root)
    Production.from_project(project, voice)  # a settings mistake stops the run before any work
    report = ConvertReport()
    with Catalog(project.catalog_path) as catalog, get_engine(voice.engine) as engine:
        cache = SegmentCache(project.cache_dir)
        for name in inputs:
            try:
                article = read_input(project, name)
                report.converted.append(convert_article(project, catalog, article, voice, engine, cache))
            except InputError as exc:
                report.failed.append(exc)
            except UserError as exc:
                report.failed.append(InputError(name, str(exc)))
        publish.rebuild(project, catalog)
    return report
