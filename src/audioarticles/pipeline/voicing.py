"""Voicing an article: the voice a run asks for and its fallback, each with its engine, and the
audio stages of one episode (an episode is voiced whole by one of them)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from audioarticles.config import Project
from audioarticles.dates import publication_date, zone_named
from audioarticles.engines import engine_class, get_engine
from audioarticles.engines.base import Engine
from audioarticles.errors import EngineUnavailable, InputError, SynthesisError
from audioarticles.model import Episode
from audioarticles.pipeline.changes import render_fingerprint
from audioarticles.pipeline.results import warn
from audioarticles.pipeline.text import Prepared, prepare
from audioarticles.publish.artwork import episode_artwork
from audioarticles.render import Rendered, render_episode
from audioarticles.store import FileStore
from audioarticles.store.segment_cache import SegmentCache
from audioarticles.voices import Voice, get_voice


class Voicing:
    """Who voices a run's articles: the voice it asks for and, made on first use, that
    voice's fallback (e.g. fr-espeak for fr), each with its engine instance.

    An engine instance carries its service's run-wide limits (gTTS: requests in flight, rate,
    Retry-After pause, a host found unreachable), so all the article threads of a run share
    these instances. With `fallback` off, or a voice without one, a failure is an error.
    """

    def __init__(self, project: Project, voice: Voice, jobs: int = 1, fallback: bool = True):
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


def render(project: Project, prepared: Prepared, slug: str, voicing: Voicing,
           cache: SegmentCache, files: FileStore, existing: Episode | None = None, corrected_on: str = "",
           warn: Callable[[str], None] = warn) -> tuple[Rendered, VoicedBy]:
    """Voice, assemble, level and tag the article, with its transcripts and chapters beside
    the MP3; the files appear under their final names or not at all. `corrected_on`: the ISO
    day the published article was corrected, "" if never.

    When the run's voice cannot produce it (unreachable, retries exhausted, engine missing)
    and a fallback is allowed, the whole episode is voiced by the fallback, marked degraded:
    an episode is never a mix of two voices."""
    zone = zone_named(project.section("podcast").get("timezone", "Europe/Paris"))
    pub_date = (existing.pub_date if existing else "") or publication_date(
        prepared.article.meta.date, zone)
    corrected = date.fromisoformat(corrected_on) if corrected_on else None
    art = episode_artwork(project, prepared.article.meta, warn)

    def voiced_by(voice: Voice, engine: Engine) -> Rendered:
        segments = prepared.segments
        if engine.max_chars != voicing.max_chars:
            segments = prepare(prepared.article, project, engine.max_chars)[1]
        return render_episode(project, prepared.article, segments, voice, engine, cache,
                              files, slug, prepared.guid, pub_date, corrected, artwork=art)

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
