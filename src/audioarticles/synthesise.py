"""Voice the segments through an engine, reusing audio already in the segment cache.

The cache is content-addressed (engine identity, voice options, spoken text) and lives in the
private state folder. An entry is a small header (magic, sample rate, PCM length, SHA-256 of
the PCM) followed by the PCM; an entry whose engine gave word timings (`AAPCM2`) also carries
them, as JSON after the PCM, under the same checksum. A truncated, corrupt or unreadable entry reads as a miss, is
removed and is voiced again. Assembly reads the audio back from the cache when it needs it,
so a long article is never held in memory whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import struct
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from audioarticles.engines.base import Engine
from audioarticles.errors import SynthesisError
from audioarticles.fsutil import writing
from audioarticles.model import Audio, Segment, Word
from audioarticles.voices import Voice

_MAGIC = b"AAPCM1"
_HEADER = struct.Struct("<6sIQ32s")  # magic, sample rate, PCM length, sha256 of the PCM
_MAGIC_WORDS = b"AAPCM2"
# magic, sample rate, PCM length, words length, sha256 of the PCM and the words
_HEADER_WORDS = struct.Struct("<6sIQI32s")

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
        if data[:6] == _MAGIC_WORDS:
            return SegmentCache._decode_words(data)
        if len(data) < _HEADER.size:
            return None
        magic, rate, length, digest = _HEADER.unpack_from(data)
        pcm = data[_HEADER.size:]
        if (magic != _MAGIC or not rate or not length or length % 2 or len(pcm) != length
                or hashlib.sha256(pcm).digest() != digest):
            return None
        return Audio(pcm=pcm, sample_rate=rate)

    @staticmethod
    def _decode_words(data: bytes) -> Audio | None:
        if len(data) < _HEADER_WORDS.size:
            return None
        _, rate, length, words_length, digest = _HEADER_WORDS.unpack_from(data)
        body = data[_HEADER_WORDS.size:]
        if (not rate or not length or length % 2 or len(body) != length + words_length
                or hashlib.sha256(body).digest() != digest):
            return None
        try:
            words = tuple(Word(int(a), int(b), str(t))
                          for a, b, t in json.loads(body[length:].decode("utf-8")))
        except (ValueError, TypeError):
            return None
        return Audio(pcm=body[:length], sample_rate=rate, words=words)

    @staticmethod
    def encode(audio: Audio) -> bytes:
        """The entry's bytes: the old format when there are no word timings, so entries (and
        the episodes assembled from them) stay as they were."""
        if not audio.words:
            return _HEADER.pack(_MAGIC, audio.sample_rate, len(audio.pcm),
                                hashlib.sha256(audio.pcm).digest()) + audio.pcm
        words = json.dumps([[w.start, w.end, w.text] for w in audio.words],
                           ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        body = audio.pcm + words
        return _HEADER_WORDS.pack(_MAGIC_WORDS, audio.sample_rate, len(audio.pcm), len(words),
                                  hashlib.sha256(body).digest()) + body

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
        with writing(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                            dir=path.parent)
        tmp = Path(tmp_name)
        try:
            # no fsync: a torn entry after a power cut fails its checksum and is voiced again
            with writing(path), os.fdopen(fd, "wb") as handle:
                handle.write(self.encode(audio))
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
