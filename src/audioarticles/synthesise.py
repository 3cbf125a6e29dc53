"""Voice the segments through an engine, reusing audio already in the segment cache
(`store.segment_cache`). Assembly reads the audio back from the cache when it needs it, so a
long article is never held in memory whole.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from audioarticles.engines.base import Engine
from audioarticles.errors import SynthesisError
from audioarticles.model import Audio, Segment
from audioarticles.store.segment_cache import CachedAudio, SegmentCache
from audioarticles.voices import Voice

#: segments voiced per engine call: enough to keep the engine's workers busy, few enough
#: that a long article's fresh audio goes to the cache instead of piling up in memory
BATCH = 32


class AudioSource(Protocol):
    """Audio that can be (re)loaded on demand: `Audio` itself, or `CachedAudio`."""

    sample_rate: int

    def load(self) -> Audio: ...


class PendingAudio:
    """A segment's audio still being voiced in the background: `load()` (and its sample rate
    and length) wait for it, and raise what stopped the voicing if it failed."""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._source: AudioSource | None = None
        self._error: BaseException | None = None

    def resolve(self, source: AudioSource) -> None:
        self._source = source
        self._ready.set()

    def fail(self, error: BaseException) -> None:
        if not self._ready.is_set():
            self._error = error
            self._ready.set()

    def wait(self) -> AudioSource:
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self._source

    @property
    def sample_rate(self) -> int:
        return self.wait().sample_rate

    @property
    def samples(self) -> int:
        return self.wait().samples

    def load(self) -> Audio:
        return self.wait().load()


@dataclass
class SynthesisResult:
    sources: list[AudioSource]  # one per segment, in order
    synthesized: int  # engine calls made (distinct texts that were not cached)
    cached: int  # segments whose audio came from the cache (or an identical segment)
    worker: threading.Thread | None = None  # voicing the rest, when started in the background
    stop: threading.Event | None = None

    @property
    def sample_rate(self) -> int:
        """The episode's sample rate: the first segment's (it waits for that one only; a
        segment at another rate is an error when assembly reaches it)."""
        if not self.sources:
            raise SynthesisError("nothing to voice: no segment")
        return self.sources[0].sample_rate

    def finish(self) -> None:
        """Stop voicing segments nobody will read (after a failure) and wait for the
        background worker."""
        if self.worker is not None:
            if self.stop is not None:
                self.stop.set()
            self.worker.join()


def synthesise(segments: list[Segment], voice: Voice, engine: Engine,
               cache: SegmentCache | None = None, batch: int = BATCH,
               background: bool = False) -> SynthesisResult:
    """Audio for every segment: cached when the same text was voiced the same way before,
    else voiced by the engine (each distinct text once) and stored in the cache.

    With `background`, the engine works in a thread and the sources of segments not voiced
    yet are `PendingAudio`: assembly can encode the first segments while the next are voiced
    (call `finish()` on the result when done with it)."""
    identity = engine.cache_identity(voice)
    keys = [SegmentCache.key(identity, seg.spoken) for seg in segments]
    sources: dict[str, AudioSource] = {}
    texts: dict[str, str] = {}
    for key, seg in zip(keys, segments):
        if key in sources or key in texts:
            continue
        hit = cache.get(key) if cache else None
        if hit is None:
            texts[key] = seg.spoken
        else:
            sources[key] = CachedAudio(cache, key, hit.sample_rate, hit.samples)
    missing = list(texts)

    def kept(key: str, audio: Audio) -> AudioSource:
        if cache is None:
            return audio
        held = cache.put(key, audio)
        return CachedAudio(cache, key, held.sample_rate, held.samples)

    def voice_all(deliver, stop: threading.Event | None = None) -> None:
        for start in range(0, len(missing), batch):
            chunk = missing[start:start + batch]
            stream = engine.synthesize_stream([texts[key] for key in chunk], voice)
            try:
                for key, audio in zip(chunk, stream):
                    deliver(key, kept(key, audio))
                    if stop is not None and stop.is_set():
                        return
            finally:
                stream.close()

    counts = {"synthesized": len(missing), "cached": len(segments) - len(missing)}
    if not background or not missing:
        voice_all(sources.__setitem__)
        return SynthesisResult(sources=[sources[key] for key in keys], **counts)

    pending = {key: PendingAudio() for key in missing}
    sources.update(pending)
    stop = threading.Event()

    def work() -> None:
        try:
            voice_all(lambda key, source: pending[key].resolve(source), stop)
            if stop.is_set():
                raise SynthesisError("voicing stopped: the episode's assembly failed")
        except BaseException as exc:  # noqa: BLE001 (handed to whoever waits for the audio)
            for item in pending.values():
                item.fail(exc)

    worker = threading.Thread(target=work, name="synthesise", daemon=True)
    worker.start()
    return SynthesisResult(sources=[sources[key] for key in keys], worker=worker, stop=stop,
                           **counts)
