"""The whole job for a batch of inputs: read, clean, segment, normalise, synthesise, assemble,
tag, record in the catalog, publish."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from audioarticles import clean as clean_stage
from audioarticles import publish
from audioarticles.assemble import assemble
from audioarticles.catalog import Catalog, now_iso
from audioarticles.config import Project
from audioarticles.engines import get_engine
from audioarticles.engines.base import Engine
from audioarticles.errors import EngineUnavailable, InputError, SynthesisError, UserError
from audioarticles.extract import read_file
from audioarticles.identity import guid_for, identity, unique_slug
from audioarticles.model import Article, Episode, Segment
from audioarticles.normalise import normalise_segments
from audioarticles.segment import segment
from audioarticles.synthesise import SegmentCache, SynthesisResult, synthesise
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

    @property
    def ok(self) -> bool:
        return not self.failed


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


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


class Engines:
    """The engines of one run, each made on first use and closed at the end.

    An engine instance carries the run-wide limits of its service (gTTS: requests in flight,
    rate, Retry-After pause), so everything one run converts, in any thread, must go through
    the same `Engines`: batch code shares this object rather than making its own.
    """

    def __init__(self, project: Project):
        self.project = project
        self._made: dict[str, Engine] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> Engine:
        with self._lock:
            if name not in self._made:
                self._made[name] = get_engine(name, **self.project.section(name))
            return self._made[name]

    def close(self) -> None:
        with self._lock:
            made, self._made = list(self._made.values()), {}
        for engine in made:
            engine.close()

    def __enter__(self) -> Engines:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class Voiced:
    """An article's segments and their audio, all from one voice."""

    article: Article  # cleaned
    segments: list[Segment]
    result: SynthesisResult
    voice: Voice  # the voice that spoke
    engine: str
    degraded_reason: str = ""  # why the intended voice did not speak, when it did not


def _voice_with(project: Project, article: Article, voice: Voice, engine: Engine,
                cache: SegmentCache) -> Voiced:
    cleaned, segments = prepare(article, project, engine.max_chars)
    result = synthesise(segments, voice, engine, cache)
    return Voiced(cleaned, segments, result, voice, engine.NAME)


def voice_article(project: Project, article: Article, voice: Voice, engines: Engines,
                  cache: SegmentCache, fallback: bool = True) -> Voiced:
    """The whole article in `voice`; if that voice cannot produce it and names a fallback
    (and `fallback` is on), the whole article in the fallback voice, marked degraded.
    One episode is never a mix of two voices."""
    try:
        return _voice_with(project, article, voice, engines.get(voice.engine), cache)
    except (SynthesisError, EngineUnavailable) as exc:
        reason = " ".join(str(exc).split())
        failure = f"voice {voice.name} ({voice.engine}) failed: {reason}"
        if not (fallback and voice.fallback):
            raise InputError(article.meta.source, failure) from exc
        backup = get_voice(voice.fallback, project.root)
        try:
            voiced = _voice_with(project, article, backup, engines.get(backup.engine), cache)
        except (SynthesisError, EngineUnavailable) as backup_exc:
            raise InputError(article.meta.source, f"{failure}; its fallback {backup.name} "
                             f"failed too: {backup_exc}") from backup_exc
    warn(f"{article.meta.source}: {failure}; voiced by {backup.name} instead and marked "
         "degraded (`audioarticles upgrade` re-voices it once the voice works)")
    voiced.degraded_reason = reason
    return voiced


def convert_article(project: Project, catalog: Catalog, article: Article, voice: Voice,
                    engines: Engines, cache: SegmentCache, fallback: bool = True) -> Converted:
    voiced = voice_article(project, article, voice, engines, cache, fallback)
    cleaned, segments, result = voiced.article, voiced.segments, voiced.result
    meta = cleaned.meta
    guid = guid_for(meta)
    existing = catalog.get(guid)
    slug = existing.slug if existing else unique_slug(meta.title, catalog.slugs())

    episodes_dir = project.output / "episodes"
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

    relative = final.relative_to(project.output).as_posix()
    episode = existing or Episode(guid=guid, slug=slug, title=meta.title, source=meta.source,
                                  voice=voiced.voice.name, engine=voiced.engine)
    old_mp3 = episode.mp3
    episode.title = meta.title
    episode.identity = identity(meta)
    episode.source = meta.source
    episode.voice = voiced.voice.name
    episode.intended_voice = voice.name
    episode.engine = voiced.engine
    episode.degraded = bool(voiced.degraded_reason)
    episode.degraded_reason = voiced.degraded_reason
    episode.mp3 = relative
    episode.duration_s = round(assembly.duration_s, 3)
    episode.bytes = final.stat().st_size
    episode.author = meta.author
    episode.url = meta.canonical_url or meta.url
    episode.summary = meta.summary
    episode.language = meta.language
    episode.pub_date = episode.pub_date or meta.date or now_iso()
    with catalog.transaction():
        saved = catalog.save(episode)
    publish.retire_audio(project.output, old_mp3, relative)
    return Converted(saved, result.synthesized, result.cached)


def convert(project: Project, inputs: list[str], voice_name: str | None = None,
            fallback: bool = True) -> ConvertReport:
    voice = get_voice(voice_name or project.section("voice")["default"], project.root)
    report = ConvertReport()
    with Catalog(project.catalog_path) as catalog, Engines(project) as engines:
        # bad engine settings, or a missing engine without a fallback, stop the run at once
        try:
            engines.get(voice.engine)
        except EngineUnavailable:
            if not (fallback and voice.fallback):
                raise
        cache = SegmentCache(project.cache_dir)
        for name in inputs:
            try:
                article = read_input(project, name)
                report.converted.append(convert_article(project, catalog, article, voice, engines,
                                                        cache, fallback))
            except InputError as exc:
                report.failed.append(exc)
            except UserError as exc:
                report.failed.append(InputError(name, str(exc)))
        publish.rebuild(project, catalog)
    return report


def upgrade(project: Project) -> ConvertReport:
    """Voice every degraded episode again with the voice it was meant to have, keeping its
    GUID and slug; those that still cannot be voiced stay as they are (in `failed`)."""
    report = ConvertReport()
    if not project.catalog_path.exists():
        return report
    with Catalog(project.catalog_path) as catalog, Engines(project) as engines:
        cache = SegmentCache(project.cache_dir)
        for episode in [e for e in catalog.episodes() if e.degraded]:
            try:
                voice = get_voice(episode.intended_voice or episode.voice, project.root)
                source = episode.source
                article = read_input(project, source if "://" in source
                                     else str(project.root / source))
                if guid_for(article.meta) != episode.guid:
                    raise InputError(episode.source, "its identity (id, URL or path) changed "
                                     "since it was converted; convert it again instead")
                report.converted.append(convert_article(project, catalog, article, voice, engines,
                                                        cache, fallback=False))
            except UserError as exc:
                reason = exc.reason if isinstance(exc, InputError) else str(exc)
                report.failed.append(InputError(episode.source, f"still degraded: {reason}"))
        if report.converted:
            publish.rebuild(project, catalog)
    return report
