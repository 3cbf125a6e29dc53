"""Voice the segments through an engine, reusing audio already in the segment cache.

The cache is content-addressed (engine identity, voice options, spoken text) and lives in the
private state folder. An entry is a small header (magic, sample rate, PCM length, SHA-256 of
the PCM) followed by the PCM: a truncated, corrupt or unreadable entry reads as a miss, is
removed and is voiced again. Assembly reads the audio back from the cache when it needs it,
so a long article is never held in memory whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from audioarticles.engines.base import Engine
from audioarticles.errors import SynthesisError
from audioarticles.fsutil import writing
from audioarticles.model import Audio, Segment
from audioarticles.voices import Voice

_MAGIC = b"AAPCM1"
_HEADER = struct.Struct("<6sIQ32s")  # magic, sample rate, PCM length, sha256 of the PCM

#: segments voiced per engine call: enough to keep the engine's workers busy, few enough
#: that a long article's fresh audio goes to the cache instead of piling up in memory
BATCH = 32


class AudioSource(Protocol):
    """Audio that can be (re)loaded on demand: `Audio` itself, or `CachedAudio`."""

    sample_rate: int

    def load(self) -> Audio: ...


class SegmentCache:
    """Content-addressed PCM by engine identity + spoken text; bad entries read as misses."""

    def __init__(self, folder: Path):
        self.folder = folder

    @staticmethod
    def key(identity: str, spoken: str) -> str:
        return hashlib.sha256(f"{identity}\n{spoken}".encode()).hexdigest()

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pcm"

    def get(self, key: str) -> Audio | None:
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:  # unreadable (a folder in its place, permissions): voice it again
            self._discard(path)
            return None
        audio = self._decode(data)
        if audio is None:
            self._discard(path)
        return audio

    @staticmethod
    def _decode(data: bytes) -> Audio | None:
        if len(data) < _HEADER.size:
            return None
        magic, rate, length, digest = _HEADER.unpack_from(data)
        pcm = data[_HEADER.size:]
        if (magic != _MAGIC or not rate or not length or length % 2 or len(pcm) != length
                or hashlib.sha256(pcm).digest() != digest):
            return None
        return Audio(pcm=pcm, sample_rate=rate)

    @staticmethod
    def _discard(path: Path) -> None:
        with contextlib.suppress(OSError):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()

    def put(self, key: str, audio: Audio) -> Audio:
        """Store `audio` unless a valid entry is already there, and return what the cache holds.

        The first writer wins and an entry never changes under a reader: two articles voicing
        the same sentence at once (the outro, say) must assemble from the same samples, and
        an engine may not give the same samples twice.
        """
        path = self.path(key)
        header = _HEADER.pack(_MAGIC, audio.sample_rate, len(audio.pcm),
                              hashlib.sha256(audio.pcm).digest())
        with writing(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                            dir=path.parent)
        tmp = Path(tmp_name)
        try:
            # no fsync: a torn entry after a power cut fails its checksum and is voiced again
            with writing(path), os.fdopen(fd, "wb") as handle:
                handle.write(header + audio.pcm)
            for _ in range(2):
                try:
                    os.link(tmp, path)
                    return audio
                except FileExistsError:
                    held = self.get(key)  # a bad entry is removed here, and the link retried
                    if held is not None:
                        return held
                except OSError:  # no hard links on this file system: last writer wins
                    os.replace(tmp, path)
                    return audio
            os.replace(tmp, path)
            return audio
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


@dataclass(frozen=True)
class CachedAudio:
    """One segment's audio in the cache, read back (and checked again) when assembly needs it."""

    cache: SegmentCache
    key: str
    sample_rate: int
    samples: int

    def load(self) -> Audio:
        audio = self.cache.get(self.key)
        if audio is None or audio.sample_rate != self.sample_rate or audio.samples != self.samples:
            raise SynthesisError(f"segment cache entry {self.cache.path(self.key)} changed or "
                                 f"vanished during assembly; run the conversion again")
        return audio


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
