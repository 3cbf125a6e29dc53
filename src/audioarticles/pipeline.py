"""The whole job for a batch of inputs: read, clean, segment, normalise, synthesise, assemble,
tag, record in the catalog, publish.

Per article: `prepare` (text stages) -> `Ledger.plan` (identity, slug, unchanged?) -> `render`
(audio stages, files placed atomically) -> `Ledger.record` (catalog transaction). A batch runs
articles in worker threads sharing one engine (its request cap and rate limit hold for the
whole run; espeak runs in worker processes), under the project's lock, and rebuilds the public
site once at the end, also after an interruption.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from audioarticles import clean as clean_stage
from audioarticles import editorial, feeds, optout, publish
from audioarticles.catalog import Catalog, unusable
from audioarticles.config import Settings
from audioarticles.engines import engine_class, get_engine
from audioarticles.intake import admit
from audioarticles.engines.base import Engine
from audioarticles.errors import (
    ArticleSkipped,
    ChildStopped,
    EngineUnavailable,
    InputError,
    StorageError,
    SynthesisError,
    UsageError,
    UserError,
)
from audioarticles.extract import DEFAULT_SKIP
from audioarticles.feeds import FeedInfo
from audioarticles.fetch import is_url
from audioarticles.fsutil import storage_error
from audioarticles.identity import guid_for, identity, slugify
from audioarticles.lock import run_lock
from audioarticles.model import Article, Episode, Segment, TimelineEntry
from audioarticles.normalise import normaliser
from audioarticles.publish.dates import publication_date, zone_named
from audioarticles.publish import edition
from audioarticles.publish.artwork import episode_artwork
from audioarticles.recover import catalog_exists, open_catalog
from audioarticles.render import Production, Rendered, excerpt, framed_segments, render_episode
from audioarticles.segment import segment
from audioarticles.sources import Reader, Source
from audioarticles.synthesise import SegmentCache
from audioarticles.voices import Voice, get_voice

# Bump when the same text and settings would now render to different audio (assembly changes).
RENDER_REVISION = 3  # 2: structured pauses, loudness, intro/outro, transcripts, chapters, tags
# 3: the podcast's cover (or the episode's picture) is embedded in every MP3


@dataclass
class Converted:
    episode: Episode
    segments_synthesized: int
    segments_cached: int
    status: str = "converted"  # or "unchanged"
    timeline: list[TimelineEntry] = field(default_factory=list)  # where each piece is in the MP3


@dataclass
class ConvertReport:
    converted: list[Converted] = field(default_factory=list)  # in input order, with status
    failed: list[InputError] = field(default_factory=list)
    skipped: list[ArticleSkipped] = field(default_factory=list)
    interrupted: bool = False
    not_done: int = 0  # articles a stopped run did not finish
    build: publish.Build | None = None  # what the run's rebuild wrote

    @property
    def ok(self) -> bool:
        return not self.failed and not self.interrupted

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.converted)

    @property
    def degraded(self) -> int:
        return sum(c.episode.degraded for c in self.converted)

    def summary(self) -> dict:
        return {"converted": self.count("converted"), "unchanged": self.count("unchanged"),
                "degraded": self.degraded, "skipped": len(self.skipped),
                "failed": len(self.failed),
                "interrupted": self.interrupted, "not_done": self.not_done}


class Progress:
    """What a batch tells its caller while it runs; the CLI draws it, a library may ignore it."""

    def start(self, total: int) -> None:
        """The batch has `total` articles."""

    def begin(self, name: str) -> None:
        """An article starts (called from a worker thread)."""

    def done(self, name: str, outcome: Outcome) -> None:
        """An article finished: converted, unchanged, skipped or failed (main thread)."""

    def warn(self, message: str) -> None:
        """Something the user should know that did not stop an article (any thread)."""
        warn(message)

    def finish(self, report: ConvertReport) -> None:
        """The batch is over (also after an interruption)."""


Outcome = Converted | ArticleSkipped | InputError


class Interrupted(Exception):
    """The run was asked to stop (Ctrl-C, SIGTERM) before this article finished."""


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


# ---- per article: text stages ---------------------------------------------------------------

@dataclass
class Prepared:
    """An article ready to voice: cleaned, segmented, normalised, identified."""

    source: str
    article: Article
    segments: list[Segment]
    guid: str
    content_hash: str


def prepare(article: Article, project: Settings, max_chars: int) -> tuple[Article, list[Segment]]:
    """Clean, segment the written text, then normalise each segment for speech.

    Segments come numbered in order, each with its spoken text within `max_chars`
    (a sentence whose spoken form is too long is cut again); silent ones are left out.
    """
    rules = clean_stage.load_rules(project.root, article.meta.language)
    cleaned = clean_stage.clean(article, rules)
    if not cleaned.blocks:
        raise InputError(article.meta.source, "nothing left to read after removing boilerplate")
    check_length(cleaned, project)
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


def text_at_stage(project: Settings, name: str, stage: str, max_chars: int) -> TextStage:
    """What will be read, at one stage: extract, clean, normalized or segments."""
    if stage not in STAGES:
        raise UserError(f"unknown stage {stage!r}; valid: {', '.join(STAGES)}")
    skip = tuple(dict.fromkeys((*DEFAULT_SKIP, *optout.load_rules(project.root).selectors)))
    sources = Reader(project, warn=warn, skip=skip).expand([name])
    if len(sources) != 1:
        raise UserError(f"{name}: holds {len(sources)} articles; `text` shows one, name its file")
    if isinstance(sources[0], InputError):
        raise sources[0]
    article = admit(sources[0].load(), project.values.podcast.language, warn)
    if stage == "extract":
        return TextStage(stage, article)
    if stage == "clean":
        return TextStage(stage, clean_stage.clean(article, clean_stage.load_rules(
            project.root, article.meta.language)))
    cleaned, segments = prepare(article, project, max_chars)
    return TextStage(stage, cleaned, segments)


def check_length(article: Article, project: Settings) -> None:
    """Refuse text whose audio would not fit the memory bounds of one render."""
    limit = project.section("limits")["max_article_chars"]
    length = sum(len(block.text) for block in article.blocks)
    if length > limit:
        raise InputError(article.meta.source,
                         f"has {length} characters to read, above the limit of {limit} (about an "
                         "hour of speech); split the article, or raise [limits] max_article_chars "
                         "in audioarticles.toml")


def content_hash(article: Article, segments: list[Segment]) -> str:
    """Changes whenever the episode's audio or tags would: what is said and the metadata."""
    meta = article.meta
    data = {"title": meta.title, "author": meta.author, "date": meta.date,
            "language": meta.language, "summary": meta.summary,
            "url": meta.canonical_url or meta.url,
            "segments": [[s.block, s.block_kind, s.written, s.spoken] for s in segments]}
    if meta.image:  # only when set: episodes converted before pictures keep their hash
        data["image"] = meta.image
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def prepare_episode(article: Article, project: Settings, max_chars: int) -> Prepared:
    cleaned, segments = prepare(article, project, max_chars)
    return Prepared(source=cleaned.meta.source, article=cleaned, segments=segments,
                    guid=guid_for(cleaned.meta), content_hash=content_hash(cleaned, segments))


def render_fingerprint(project: Settings, voice: Voice, engine: Engine) -> str:
    """Changes whenever the same text would be rendered differently (voice, audio settings,
    what the tags carry: podcast title, feed URL, embedded cover)."""
    podcast = project.section("podcast")
    image = project.root / str(podcast.get("image") or "")
    data = {"revision": RENDER_REVISION, "voice": voice.name, "pauses": voice.pauses,
            "engine": engine.cache_identity(voice), "audio": project.section("audio"),
            "tags": project.section("tags"), "base_url": podcast.get("base_url"),
            "disclosure": project.section("disclosure"),
            "cover": publish.file_digest(image) if podcast.get("image") and image.is_file() else "",
            "album": podcast.get("title"), "publication": podcast.get("publication")}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def files_intact(project: Settings, episode: Episode) -> bool:
    """All the episode's files exist (published or not yet), its MP3 at the recorded size."""
    if not episode.mp3 or not editorial.files_present(project, episode):
        return False
    for root in (project.output, project.unreleased_dir):
        mp3 = root / episode.mp3
        if mp3.is_file():
            return mp3.stat().st_size == episode.bytes
    return False


# ---- per article: audio stages --------------------------------------------------------------

class Voicing:
    """The voice a run asks for and, made on first use, its fallback, each with its engine.

    An engine instance carries its service's run-wide limits (gTTS: requests in flight, rate,
    Retry-After pause, a host found unreachable), so all the article threads of a run share
    these instances. With `fallback` off, or a voice without one, a failure is an error.
    """

    def __init__(self, project: Settings, voice: Voice, jobs: int = 1, fallback: bool = True):
        self.project = project
        self.voice = voice
        self.jobs = jobs
        self.backups = fallback_chain(voice, project.root) if fallback else []
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()
        # bad engine settings, or a missing engine with no fallback, stop the run at once
        try:
            self.engine_for(voice)
        except EngineUnavailable:
            if not self.backups:
                raise

    @property
    def max_chars(self) -> int:
        return engine_class(self.voice.engine).max_chars

    def engine_for(self, voice: Voice) -> Engine:
        with self._lock:
            if voice.engine not in self._engines:
                engine = get_engine(voice.engine, **self.project.section(voice.engine))
                engine.bind_project(self.project.root)
                engine.set_parallelism(self.jobs)
                self._engines[voice.engine] = engine
            return self._engines[voice.engine]

    def fingerprint(self) -> str:
        """The render fingerprint of the voice asked for ("" when its engine is missing)."""
        try:
            return render_fingerprint(self.project, self.voice, self.engine_for(self.voice))
        except EngineUnavailable:
            return ""

    def close(self) -> None:
        with self._lock:
            engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            engine.close()

    def __enter__(self) -> Voicing:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class VoicedBy:
    """Who voiced an episode: the voice asked for, or its fallback (then `degraded_reason`)."""

    voice: Voice
    engine: Engine
    degraded_reason: str = ""


def render(project: Settings, prepared: Prepared, slug: str, voicing: Voicing,
           cache: SegmentCache, existing: Episode | None = None, corrected_on: str = "",
           warn: Callable[[str], None] = warn) -> tuple[Rendered, VoicedBy]:
    """Voice, assemble, level and tag the article, with its transcripts and chapters beside
    the MP3; the files appear under their final names or not at all. `corrected_on`: the ISO
    day the published article was corrected, "" if never.

    When the run's voice cannot produce it (unreachable, retries exhausted, engine missing)
    and a fallback is allowed, the whole episode is voiced by the fallback, marked degraded:
    an episode is never a mix of two voices."""
    zone = zone_named(project.section("podcast")["timezone"])
    pub_date = (existing.pub_date if existing else "") or publication_date(
        prepared.article.meta.date, zone)
    corrected = date.fromisoformat(corrected_on) if corrected_on else None

    art = episode_artwork(project, prepared.article.meta, warn)

    def voiced_by(voice: Voice, engine: Engine) -> Rendered:
        segments = prepared.segments
        if engine.max_chars != voicing.max_chars:
            segments = prepare(prepared.article, project, engine.max_chars)[1]
        # new files wait in the private mirror; the run's rebuild admits them if published
        return render_episode(project, prepared.article, segments, voice, engine, cache,
                              project.unreleased_dir / "episodes", slug, prepared.guid, pub_date,
                              corrected, artwork=art)

    voice = voicing.voice
    try:
        engine = voicing.engine_for(voice)
        return voiced_by(voice, engine), VoicedBy(voice, engine)
    except (SynthesisError, EngineUnavailable) as exc:
        failure = f"voice {voice.name} ({voice.engine}) failed"
        if not voicing.backups:
            raise InputError(prepared.source, f"{failure}: {exc}") from exc
        reason = " ".join(getattr(exc, "what", str(exc)).split())  # what happened, without a fix
    tried: list[str] = []
    for backup in voicing.backups:  # fr-edge → fr-piper → fr-espeak: the first that works
        try:
            engine = voicing.engine_for(backup)
            rendered = voiced_by(backup, engine)
            break
        except (SynthesisError, EngineUnavailable) as exc:
            tried.append(f"{backup.name}: {' '.join(str(exc).split())}")
    else:
        fallbacks = "its fallback" if len(tried) == 1 else "its fallbacks"
        raise InputError(prepared.source, f"{failure} ({reason}) and {fallbacks} failed too: "
                                          + "; ".join(tried))
    warn(f"{prepared.source}: {failure} ({reason}); voiced by {backup.name} instead, marked "
         "degraded (`audioarticles upgrade` re-voices it once the voice works)")
    return rendered, VoicedBy(backup, engine, reason)


def fallback_chain(voice: Voice, root) -> list[Voice]:
    """The voice's fallback, that one's fallback, and so on (each once)."""
    chain: list[Voice] = []
    seen = {voice.name}
    while voice.fallback and voice.fallback not in seen:
        voice = get_voice(voice.fallback, root)
        seen.add(voice.name)
        chain.append(voice)
    return chain


# ---- the catalog side of a batch ------------------------------------------------------------

@dataclass
class Plan:
    prepared: Prepared
    slug: str
    existing: Episode | None
    unchanged: bool = False
    text_digest: str = ""  # what the article says (editorial.text_digest)
    corrected_on: str = ""  # the ISO day the published article was last corrected


class Ledger:
    """The batch's shared view of the catalog: opt-outs and tombstones, identities and slugs
    claimed in this run, and the editorial decision when an episode is recorded. Its methods
    may be called from any article thread; they take turns on the one catalog connection."""

    def __init__(self, project: Settings, catalog: Catalog, voicing: Voicing,
                 release: editorial.Release, rerender: bool):
        self.project = project
        self.catalog = catalog
        self.voice = voicing.voice
        self.max_chars = voicing.max_chars
        self.release = release
        self.rerender = rerender or release.force
        self.fingerprint = voicing.fingerprint()
        self._lock = threading.Lock()
        self._slugs = catalog.slugs()
        self._claimed: dict[str, str] = {}  # guid -> the input that claimed it in this run

    def screen(self, article: Article) -> None:
        """ArticleSkipped for an opted-out or unpublished (tombstoned) article."""
        with self._lock:
            editorial.screen(self.catalog, article, self.release)

    def plan(self, prepared: Prepared) -> Plan:
        with self._lock:
            earlier = self._claimed.get(prepared.guid)
            if earlier is not None:
                raise InputError(prepared.source, f"same article as {earlier} (same identity: "
                                 f"{identity(prepared.article.meta)}); converted once")
            self._claimed[prepared.guid] = prepared.source
            existing = self.catalog.get(prepared.guid)
            digest = editorial.text_digest(prepared.segments)
            if existing is not None:
                unchanged = (not self.rerender
                             and existing.state != editorial.UNPUBLISHED
                             and existing.content_hash == prepared.content_hash
                             and existing.meta.get("render") == self.fingerprint
                             and files_intact(self.project, existing))
                zone = zone_named(self.project.section("podcast")["timezone"])
                corrected = editorial.correction_day(self.catalog, existing, digest, zone)
                return Plan(prepared, existing.slug, existing, unchanged, digest, corrected)
            slug = self._new_slug(prepared.article.meta.title)
            return Plan(prepared, slug, None, text_digest=digest)

    def _new_slug(self, title: str) -> str:
        base = slugify(title)
        slug, n = base, 2
        while slug in self._slugs:
            slug, n = f"{base}-{n}", n + 1
        self._slugs.add(slug)
        return slug

    def record(self, plan: Plan, rendered: Rendered, by: VoicedBy) -> Converted:
        meta = plan.prepared.article.meta

        def relative(path: Path) -> str:
            return path.relative_to(self.project.unreleased_dir).as_posix()

        with self._lock:
            existing = self.catalog.get(plan.prepared.guid)
            previous = dataclasses.replace(existing) if existing else None
            episode = existing or Episode(guid=plan.prepared.guid, slug=plan.slug,
                                          title=meta.title, source=meta.source,
                                          voice=by.voice.name, engine=by.engine.NAME)
            episode.title = meta.title
            episode.identity = identity(meta)
            episode.source = meta.source
            episode.voice = by.voice.name
            episode.intended_voice = self.voice.name
            episode.engine = by.engine.NAME
            episode.degraded = bool(by.degraded_reason)
            episode.degraded_reason = by.degraded_reason
            episode.mp3 = relative(rendered.mp3)
            episode.transcripts = {kind: relative(p) for kind, p in rendered.transcripts.items()}
            episode.chapters = relative(rendered.chapters)
            episode.duration_s = round(rendered.assembly.duration_s, 3)
            episode.bytes = rendered.mp3.stat().st_size
            episode.author = meta.author
            episode.url = meta.canonical_url or meta.url
            episode.summary = meta.summary
            episode.language = meta.language
            # fixed once, with its time zone: a published date is never rewritten
            zone = zone_named(self.project.section("podcast")["timezone"])
            episode.pub_date = episode.pub_date or publication_date(meta.date, zone)
            episode.content_hash = plan.prepared.content_hash
            # a degraded episode records its fallback's fingerprint: the next run tries the
            # voice asked for again instead of finding the episode unchanged
            fingerprint = render_fingerprint(self.project, by.voice, by.engine) \
                if episode.degraded else self.fingerprint
            episode.meta = {**episode.meta, "render": fingerprint, "loudness": {
                "measured_lufs": rendered.assembly.measured.integrated_lufs,
                "gain_db": round(rendered.assembly.gain_db, 2)}, "text_digest": plan.text_digest}
            if plan.corrected_on:
                episode.meta["corrected_on"] = plan.corrected_on
            episode.meta.update(listing_meta(plan.prepared.article, rendered, relative))
            now = editorial.utcnow()
            decision = editorial.decide(self.release.policy, episode, previous, now,
                                        article_date=meta.date,
                                        publish_at=self.release.publish_at,
                                        draft=self.release.draft)
            with self.catalog.transaction():
                if self.release.force:
                    self.catalog.remove_tombstone(episode.identity)
                saved = editorial.apply_decision(self.catalog, episode, decision, now)
                # the previous audio stays reachable for a while: the sweep in rebuild drops it
                publish.retire_files(self.catalog, previous, saved, now)
            editorial.discard_unreleased(self.project, previous, saved)
        # what the daily edition reassembles from the segment cache, without voicing again
        edition.remember_segments(self.project, saved, rendered)
        return Converted(saved, rendered.synthesized, rendered.cached,
                         timeline=rendered.assembly.timeline)

    def unchanged(self, plan: Plan) -> Converted:
        """Nothing voiced: every segment (intro and outro included) counts as cached."""
        assert plan.existing is not None
        corrected = date.fromisoformat(plan.corrected_on) if plan.corrected_on else None
        voiced = framed_segments(self.project, plan.prepared.article, plan.prepared.segments,
                                 self.max_chars, corrected)
        return Converted(plan.existing, 0, len(voiced), status="unchanged")


def listing_meta(article: Article, rendered: Rendered,
                 relative: Callable[[Path], str]) -> dict:
    """What feeds and pages need besides the catalog columns: the first paragraph (when the
    article has no summary), categories and tags (section feeds select on them), and the
    episode's own artwork."""
    return {"excerpt": "" if article.meta.summary.strip() else excerpt(article),
            "categories": list(article.meta.categories), "tags": list(article.meta.tags),
            "artwork": relative(rendered.image) if rendered.image else "",
            "artwork_px": rendered.image_px}


class Sequencer:
    """Lets article i plan only after articles 0..i-1 have planned or failed, so slugs follow
    the input order whatever the number of jobs."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next = 0
        self._passed: set[int] = set()
        self._aborted = False

    @contextlib.contextmanager
    def turn(self, index: int) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: self._next == index or self._aborted)
            if self._aborted:
                raise Interrupted()
        try:
            yield
        finally:
            self.passed(index)

    def passed(self, index: int) -> None:
        with self._cond:
            if index in self._passed:
                return
            self._passed.add(index)
            while self._next in self._passed:
                self._next += 1
            self._cond.notify_all()

    def abort(self) -> None:
        with self._cond:
            self._aborted = True
            self._cond.notify_all()


# ---- the batch ------------------------------------------------------------------------------

def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def sweep_partial_files(project: Settings, before: float) -> list[Path]:
    """Remove temporary `.*.part` files left by a run that died (they predate this run)."""
    removed = []
    for folder in (project.output, project.state_dir):
        if not folder.is_dir():
            continue
        for path in folder.rglob(".*.part"):
            with contextlib.suppress(OSError):
                if path.is_file() and path.stat().st_mtime < before:
                    path.unlink()
                    removed.append(path)
    return removed


EPISODE_FILE_PATTERNS = ("*.mp3", "*.vtt", "*.srt", "*.chapters.json", "*.jpg")


def sweep_orphan_audio(project: Settings, catalog: Catalog, before: float) -> list[Path]:
    """Remove MP3s (and transcripts, chapters) no episode points to and none keeps as retired:
    left by a run killed between placing the files and recording them. Only files older than
    this run."""
    known = {name for e in catalog.episodes() for name in editorial.episode_files(e)}
    known |= {r.path for r in catalog.retired_files()}
    removed = []
    for root in (project.output, project.unreleased_dir):
        folder = root / "episodes"
        found = sorted({p for pattern in EPISODE_FILE_PATTERNS for p in folder.glob(pattern)}
                       if folder.is_dir() else ())
        for path in found:
            relative = path.relative_to(root).as_posix()
            with contextlib.suppress(OSError):
                if relative not in known and path.stat().st_mtime < before:
                    path.unlink()
                    removed.append(path)
    return removed


class Batch:
    """One run over many articles with `jobs` worker threads."""

    def __init__(self, project: Settings, catalog: Catalog, voicing: Voicing,
                 jobs: int, release: editorial.Release, rerender: bool, progress: Progress):
        self.project = project
        self.voicing = voicing
        self.jobs = max(1, jobs)
        self.progress = progress
        self.cache = SegmentCache(project.cache_dir)
        self.ledger = Ledger(project, catalog, voicing, release, rerender)
        self.sequencer = Sequencer()
        self.stop = threading.Event()  # seen by the article threads
        self.stop_requested = False  # set by signal handlers; the main loop sets `stop`

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise Interrupted()

    def convert_one(self, index: int, source: Source | InputError) -> Outcome:
        name = source.source if isinstance(source, InputError) else source.name
        try:
            if isinstance(source, InputError):
                raise source
            self._check_stop()
            self.progress.begin(name)
            article = admit(source.load(), self.project.values.podcast.language,
                            self.progress.warn)
            self.ledger.screen(article)
            prepared = prepare_episode(article, self.project, self.voicing.max_chars)
            with self.sequencer.turn(index):
                plan = self.ledger.plan(prepared)
            if plan.unchanged:
                return self.ledger.unchanged(plan)
            self._check_stop()
            rendered, by = render(self.project, prepared, plan.slug, self.voicing, self.cache,
                                  plan.existing, plan.corrected_on, self.progress.warn)
            return self.ledger.record(plan, rendered, by)  # finished work is kept, even when stopping
        except Interrupted:
            raise
        except (InputError, ArticleSkipped) as exc:
            return exc
        except ChildStopped as exc:
            # a signal sent to the whole process group reaches our children and us at once
            if self._stopping(within_s=2.0):
                raise Interrupted() from exc
            return InputError(name, str(exc))
        except StorageError:
            raise  # stops the run: every later write would fail the same way
        except OSError as exc:
            problem = storage_error(exc)
            if problem is not None:
                raise problem from exc
            return self._unexpected(name, exc)
        except sqlite3.Error as exc:
            raise unusable(self.project.catalog_path, exc) from exc
        except UserError as exc:
            if self.stop.is_set():
                raise Interrupted() from exc
            return InputError(name, str(exc))
        except Exception as exc:
            return self._unexpected(name, exc)
        finally:
            self.sequencer.passed(index)

    def _unexpected(self, name: str, exc: Exception) -> InputError:
        if self.stop.is_set():
            raise Interrupted() from exc
        return InputError(name, f"unexpected error ({type(exc).__name__}: {exc}); please "
                                "report it with this input")

    def _stopping(self, within_s: float) -> bool:
        """Whether the run is asked to stop, waiting up to `within_s` for the request."""
        deadline = time.monotonic() + within_s
        while not (self.stop_requested or self.stop.is_set()):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def request_stop(self) -> None:
        """Ask the batch to stop (safe from a signal handler: it only sets a flag)."""
        self.stop_requested = True

    def run(self, sources: list[Source | InputError]) -> ConvertReport:
        report = ConvertReport()
        outcomes: list[Outcome | None] = [None] * len(sources)
        refused: StorageError | None = None
        self.progress.start(len(sources))
        with ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="article") as pool:
            futures = {pool.submit(self.convert_one, i, s): i for i, s in enumerate(sources)}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in done:
                    index = futures[future]
                    if future.cancelled():
                        continue
                    try:
                        outcomes[index] = future.result()
                        self.progress.done(_name(sources[index]), outcomes[index])
                    except Interrupted:
                        pass
                    except StorageError as exc:  # stop as for a signal, then say why
                        refused = refused or exc
                        self.stop_requested = True
                if self.stop_requested and not self.stop.is_set():
                    # let articles in flight finish their stage, start no new one
                    report.interrupted = True
                    self.stop.set()
                    self.sequencer.abort()
                    pending = {f for f in pending if not f.cancel()}
        if refused is not None:
            raise refused
        for outcome in outcomes:
            if isinstance(outcome, Converted):
                report.converted.append(outcome)
            elif isinstance(outcome, ArticleSkipped):
                report.skipped.append(outcome)
            elif isinstance(outcome, InputError):
                report.failed.append(outcome)
            else:
                report.not_done += 1
        self.progress.finish(report)
        return report


@contextlib.contextmanager
def stop_on_signals(request_stop) -> Iterator[None]:
    """While a batch runs, Ctrl-C and SIGTERM ask it to stop cleanly; a second Ctrl-C forces.

    The handlers only set a flag: raising from a signal handler could land inside a lock
    of the thread machinery. Only the main thread can install handlers; elsewhere this is a
    no-op and the caller stops the batch itself.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    asked = []

    def handler(signum, frame):
        if asked and signum == signal.SIGINT:
            raise KeyboardInterrupt
        asked.append(signum)
        request_stop()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _name(source: Source | InputError) -> str:
    return source.source if isinstance(source, InputError) else source.name


def batch_in_lock(project: Settings, catalog: Catalog, sources: list[Source | InputError],
                  voicing: Voicing, release: editorial.Release, *,
                  jobs: int | None = None, rerender: bool = False,
                  progress: Progress | None = None) -> ConvertReport:
    """Convert `sources` (the caller holds the project's lock and has swept leftovers); the
    site is rebuilt once, even when the batch was stopped."""
    started = time.time()
    with voicing:
        batch = Batch(project, catalog, voicing, jobs or default_jobs(), release,
                      rerender, progress or Progress())
        with stop_on_signals(batch.request_stop):
            report = batch.run(sources)
            # also after a stop: the site shows what finished (and sweeps retired audio)
            report.build = publish.rebuild(project, catalog)
            for message in report.build.warnings:
                batch.progress.warn(message)
            sweep_orphan_audio(project, catalog, started)
    return report


def run_batch(project: Settings, sources: list[Source | InputError], voicing: Voicing,
              release: editorial.Release | None = None, *,
              jobs: int | None = None, rerender: bool = False, progress: Progress | None = None,
              command: str | None = None) -> ConvertReport:
    """Convert `sources` under the project's lock."""
    release = release or editorial.Release.for_project(project)
    with run_lock(project, command):
        sweep_partial_files(project, time.time())
        with open_catalog(project) as catalog:
            return batch_in_lock(project, catalog, sources, voicing, release, jobs=jobs,
                                 rerender=rerender, progress=progress)


@dataclass
class RunSetup:
    """What convert and sync check before any work: settings, voice, engine, page selectors."""

    release: editorial.Release
    voicing: Voicing
    reader: Reader


def set_up(project: Settings, voice_name: str | None, release: editorial.Release | None,
           jobs: int | None, progress: Progress, stdin: BinaryIO | None = None,
           fallback: bool = True) -> RunSetup:
    release = release or editorial.Release.for_project(project)
    publish.keep_old_audio_days(project)  # a bad setting stops the run before any work
    voice = get_voice(voice_name or project.section("voice")["default"], project.root)
    publish.check_settings(project)
    Production.from_project(project, voice)  # so does a bad [audio] setting
    voicing = Voicing(project, voice, jobs or default_jobs(), fallback)
    skip = tuple(dict.fromkeys((*DEFAULT_SKIP, *release.optout.selectors)))
    reader = Reader(project, warn=progress.warn, stdin=stdin, skip=skip)
    return RunSetup(release, voicing, reader)


def convert(project: Settings, inputs: list[str], voice_name: str | None = None,
            release: editorial.Release | None = None, *, jobs: int | None = None,
            rerender: bool = False, progress: Progress | None = None,
            stdin: BinaryIO | None = None, fallback: bool = True) -> ConvertReport:
    """Convert files, folders, globs, `-` (stdin) and URLs into episodes.

    `rerender`: render again articles that have not changed (`release.force` implies it).
    `fallback`: when the voice cannot voice an article, its fallback voices all of it (the
    episode is marked degraded); off, that article fails instead.
    """
    progress = progress or Progress()
    setup = set_up(project, voice_name, release, jobs, progress, stdin, fallback)
    return run_batch(project, setup.reader.expand(inputs), setup.voicing, setup.release,
                     jobs=jobs, rerender=rerender, progress=progress)


def upgrade(project: Settings, *, jobs: int | None = None,
            progress: Progress | None = None) -> ConvertReport:
    """Voice every degraded episode again with the voice it was meant to have, keeping its
    GUID and slug (the editorial policy then releases one it held). An episode whose voice
    still fails stays as it was, and is reported failed."""
    report = ConvertReport()
    if not catalog_exists(project):
        return report
    with open_catalog(project) as catalog:
        degraded = [e for e in catalog.episodes() if e.degraded]
    progress = progress or Progress()
    by_voice: dict[str, list[Episode]] = {}
    for episode in degraded:
        by_voice.setdefault(episode.intended_voice or episode.voice, []).append(episode)
    for voice_name, episodes in by_voice.items():
        setup = set_up(project, voice_name, None, jobs, progress, fallback=False)
        sources = [_episode_source(project, setup.reader, e) for e in episodes]
        done = run_batch(project, sources, setup.voicing, setup.release, jobs=jobs,
                         rerender=True, progress=progress, command="upgrade")
        report.converted += done.converted
        report.failed += done.failed
        report.skipped += done.skipped
        report.not_done += done.not_done
        report.interrupted = report.interrupted or done.interrupted
        report.build = done.build
        if done.interrupted:
            break
    return report


def _episode_source(project: Settings, reader: Reader, episode: Episode) -> Source | InputError:
    """Where an episode's article is read again from: its URL, or its file in the project."""
    if is_url(episode.source):
        return reader.expand([episode.source])[0]
    if episode.source == "-":
        return InputError(episode.slug, "its article came from standard input; convert it again "
                                        "with `audioarticles convert - --voice ...`")
    path = project.root / episode.source
    return Source(episode.source, lambda: reader.read_path(path, episode.source))


def sync(project: Settings, feed_url: str, voice_name: str | None = None,
         release: editorial.Release | None = None, *, limit: int | None = None,
         jobs: int | None = None, rerender: bool = False,
         progress: Progress | None = None) -> tuple[FeedInfo, ConvertReport]:
    """Convert the items of a publisher's feed: new ones, changed ones (content hash) again,
    unchanged ones skipped. A feed not modified since the last complete sync is not read."""
    if not is_url(feed_url):
        raise UsageError(f"{feed_url}: not a feed address; pass the http(s) URL of an RSS or "
                         "Atom feed")
    progress = progress or Progress()
    setup = set_up(project, voice_name, release, jobs, progress)
    fingerprint = setup.voicing.fingerprint()
    with run_lock(project), open_catalog(project) as catalog:
        sweep_partial_files(project, time.time())
        previous = feeds.remembered(catalog, feed_url)
        forced = rerender or setup.release.force
        headers = {} if forced else feeds.conditional_headers(previous, limit, fingerprint)
        info, sources = feeds.read_feed(feed_url, setup.reader, headers, limit)
        if info.not_modified:
            setup.voicing.close()
            return info, ConvertReport()
        report = batch_in_lock(project, catalog, sources, setup.voicing, setup.release,
                               jobs=jobs, rerender=rerender, progress=progress)
        if report.ok:  # a failed item is tried again next time, whatever the feed says
            feeds.remember(catalog, info, limit, fingerprint)
    return info, report
