"""The whole job for a batch of inputs: read, clean, segment, normalise, synthesise, assemble,
tag, record in the catalog, publish."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from audioarticles import clean as clean_stage
from audioarticles import editorial, optout, publish
from audioarticles.assemble import assemble
from audioarticles.catalog import Catalog
from audioarticles.config import Project
from audioarticles.engines import get_engine
from audioarticles.engines.base import Engine
from audioarticles.errors import ArticleSkipped, InputError, UserError
from audioarticles.extract import DEFAULT_SKIP, read_file
from audioarticles.identity import guid_for, identity, unique_slug
from audioarticles.model import Article, Episode, Segment
from audioarticles.normalise import normaliser
from audioarticles.publish.dates import publication_date, zone_named
from audioarticles.segment import segment
from audioarticles.synthesise import SegmentCache, synthesise
from audioarticles.tag import tag
from audioarticles.voices import Voice, get_voice


@dataclass
class Converted:
    episode: Episode
    segments_synthesized: int
    segments_cached: int


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
    """Clean, segment the written text, then normalise each segment for speech.

    Segments come numbered in order, each with its spoken text within `max_chars`
    (a sentence whose spoken form is too long is cut again); silent ones are left out.
    """
    rules = clean_stage.load_rules(project.root, article.meta.language)
    cleaned = clean_stage.clean(article, rules)
    if not cleaned.blocks:
        raise InputError(article.meta.source, "nothing left to read after removing boilerplate")
    speak = normaliser(cleaned.meta.language, project.root)
    segments = segment(cleaned, max_chars, speak=speak)
    if not segments:
        raise InputError(article.meta.source, "no speakable text in this article")
    return cleaned, segments


STAGES = ("extract", "clean", "normalized", "segments")


@dataclass
class TextStage:
    """An article as it stands after one stage; `segments` from the normalized stage on."""

    stage: str
    article: Article
    segments: list[Segment] = field(default_factory=list)

    def spoken_blocks(self) -> list[str]:
        """Each block's spoken text: its segments' spoken texts joined."""
        spoken: list[list[str]] = [[] for _ in self.article.blocks]
        for seg in self.segments:
            spoken[seg.block].append(seg.spoken)
        return [" ".join(parts) for parts in spoken]


def text_at_stage(project: Project, name: str, stage: str, max_chars: int) -> TextStage:
    """What will be read, at one stage: extract, clean, normalized or segments."""
    if stage not in STAGES:
        raise UserError(f"unknown stage {stage!r}; valid: {', '.join(STAGES)}")
    skip = tuple(dict.fromkeys((*DEFAULT_SKIP, *optout.load_rules(project.root).selectors)))
    article = read_input(project, name, skip)
    if stage == "extract":
        return TextStage(stage, article)
    if stage == "clean":
        return TextStage(stage, clean_stage.clean(article, clean_stage.load_rules(
            project.root, article.meta.language)))
    cleaned, segments = prepare(article, project, max_chars)
    return TextStage(stage, cleaned, segments)


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

    result = synthesise(segments, voice, engine, cache)
    # new files wait in the private mirror; the run's rebuild admits them if published
    episodes_dir = project.unreleased_dir / "episodes"
    episodes_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{slug}.", suffix=".mp3.part", dir=episodes_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        audio_settings = project.section("audio")
        assembly = assemble(segments, result.audios, tmp, pause_ms=int(audio_settings["pause_ms"]),
                            bitrate=str(audio_settings["bitrate"]),
                            out_rate=int(audio_settings["sample_rate"]))
        podcast = project.section("podcast")
        tag(tmp, cleaned, album=podcast["title"], artist=meta.author or podcast["publication"])
        final = publish.place_audio(tmp, episodes_dir, slug)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise

    relative = final.relative_to(project.unreleased_dir).as_posix()
    episode = existing or Episode(guid=guid, slug=slug, title=meta.title, source=meta.source,
                                  voice=voice.name, engine=engine.NAME)
    episode.title = meta.title
    episode.identity = identity(meta)
    episode.source = meta.source
    episode.voice = voice.name
    episode.intended_voice = episode.intended_voice or voice.name
    episode.engine = engine.NAME
    episode.mp3 = relative
    episode.duration_s = round(assembly.duration_s, 3)
    episode.bytes = final.stat().st_size
    episode.author = meta.author
    episode.url = meta.canonical_url or meta.url
    episode.summary = meta.summary
    episode.language = meta.language
    # fixed once, with its time zone: a published date is never rewritten
    zone = zone_named(project.section("podcast").get("timezone", "Europe/Paris"))
    episode.pub_date = episode.pub_date or publication_date(meta.date, zone)
    now = editorial.utcnow()
    decision = editorial.decide(release.policy, episode, previous, now, article_date=meta.date,
                                publish_at=release.publish_at, draft=release.draft)
    with catalog.transaction():
        if release.force:
            catalog.remove_tombstone(episode.identity)
        saved = editorial.apply_decision(catalog, episode, decision, now)
        publish.retire_files(catalog, previous, saved, now)
    editorial.discard_unreleased(project, previous, saved)
    return Converted(saved, result.synthesized, result.cached)


def convert(project: Project, inputs: list[str], voice_name: str | None = None,
            release: editorial.Release | None = None) -> ConvertReport:
    release = release or editorial.Release.for_project(project)
    publish.keep_old_audio_days(project)  # a bad setting stops the run before any work
    voice = get_voice(voice_name or project.section("voice")["default"], project.root)
    publish.check_settings(project)
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
