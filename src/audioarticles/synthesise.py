"""Voice the segments through an engine, reusing audio already in the segment cache.

The cache (`store.segment_cache`) is content-addressed by engine identity, voice options and
spoken text. Assembly reads the audio back from the cache when it needs it, so a long article
is never held in memory whole.
"""

from __future__ import annotations

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


@dataclass
class SynthesisResult:
    sources: list[AudioSource]  # one per segment, in order
    synthesized: int  # engine calls made (distinct texts that were not cached)
    cached: int  # segments whose audio came from the cache (or an identical segment)

    @property
    def sample_rate(self) -> int:
        rates = {source.sample_rate for source in self.sources}
        if len(rates) != 1:
            raise SynthesisError(f"segments have different sample rates {sorted(rates)}; "
                                 f"one episode is voiced by one engine")
        return rates.pop()


def synthesise(segments: list[Segment], voice: Voice, engine: Engine,
               cache: SegmentCache | None = None, batch: int = BATCH) -> SynthesisResult:
    """Audio for every segment: cached when the same text was voiced the same way before,
    else voiced by the engine (each distinct text once) and stored in the cache."""
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
    for start in range(0, len(missing), batch):
        chunk = missing[start:start + batch]
        fresh = engine.synthesize_many([texts[key] for key in chunk], voice)
        for key, audio in zip(chunk, fresh):
            if cache is None:
                sources[key] = audio
            else:
                held = cache.put(key, audio)
                sources[key] = CachedAudio(cache, key, held.sample_rate, held.samples)
    return SynthesisResult(sources=[sources[key] for key in keys], synthesized=len(missing),
                           cached=len(segments) - len(missing))
