"""Voice the segments through an engine, reusing audio already in the segment cache."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from audioarticles.engines.base import Engine
from audioarticles.fsutil import atomic_write_bytes
from audioarticles.model import Audio, Segment
from audioarticles.voices import Voice

_MAGIC = b"AAPCM1"
_HEADER = struct.Struct("<6sIQ32s")  # magic, sample rate, PCM length, sha256 of the PCM


class SegmentCache:
    """Content-addressed PCM by engine identity + spoken text; corrupt entries read as misses."""

    def __init__(self, folder: Path):
        self.folder = folder

    @staticmethod
    def key(identity: str, spoken: str) -> str:
        return hashlib.sha256(f"{identity}\n{spoken}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pcm"

    def get(self, key: str) -> Audio | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        if len(data) < _HEADER.size:
            return None
        magic, rate, length, digest = _HEADER.unpack_from(data)
        pcm = data[_HEADER.size:]
        if magic != _MAGIC or len(pcm) != length or hashlib.sha256(pcm).digest() != digest:
            return None
        return Audio(pcm=pcm, sample_rate=rate)

    def put(self, key: str, audio: Audio) -> None:
        header = _HEADER.pack(_MAGIC, audio.sample_rate, len(audio.pcm),
                              hashlib.sha256(audio.pcm).digest())
        atomic_write_bytes(self._path(key), header + audio.pcm)


@dataclass
class SynthesisResult:
    audios: list[Audio]
    synthesized: int
    cached: int


def synthesise(segments: list[Segment], voice: Voice, engine: Engine,
               cache: SegmentCache | None = None) -> SynthesisResult:
    identity = engine.cache_identity(voice)
    audios: list[Audio | None] = [None] * len(segments)
    missing: list[int] = []
    for i, seg in enumerate(segments):
        hit = cache.get(SegmentCache.key(identity, seg.spoken)) if cache else None
        if hit is None:
            missing.append(i)
        else:
            audios[i] = hit
    if missing:
        fresh = engine.synthesize_many([segments[i].spoken for i in missing], voice)
        for i, audio in zip(missing, fresh):
            audios[i] = audio
            if cache:
                cache.put(SegmentCache.key(identity, segments[i].spoken), audio)
    return SynthesisResult(audios=[a for a in audios if a is not None],
                           synthesized=len(missing), cached=len(segments) - len(missing))
