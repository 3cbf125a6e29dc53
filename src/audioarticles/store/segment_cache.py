"""The segment cache: each voiced sentence's PCM, content-addressed by engine identity, voice
options and spoken text, in the private state folder.

An entry is a small header (magic, sample rate, PCM length, SHA-256 of the PCM) followed by the
PCM; an entry whose engine gave word timings (`AAPCM2`) also carries them, as JSON after the
PCM, under the same checksum. A truncated, corrupt or unreadable entry reads as a miss, is
removed and is voiced again.

With object storage (`[storage] private`), the local folder is a read-through copy of a shared
tier (`remote`, the private area's `.audioarticles/segments/`): a local miss is looked up there
(and kept locally), a new entry is uploaded there once, so another worker finds it. Locally the
first writer still wins; between machines two workers voicing the same new sentence at the
same moment may both upload it (the last one stays), and each assembles its episode from the
samples it holds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

from audioarticles.errors import SynthesisError
from audioarticles.model import Audio, Word
from audioarticles.store.atomic import writing

_MAGIC = b"AAPCM1"
_HEADER = struct.Struct("<6sIQ32s")  # magic, sample rate, PCM length, sha256 of the PCM
_MAGIC_WORDS = b"AAPCM2"
# magic, sample rate, PCM length, words length, sha256 of the PCM and the words
_HEADER_WORDS = struct.Struct("<6sIQI32s")


class SegmentCache:
    """Content-addressed PCM by engine identity + spoken text; bad entries read as misses."""

    def __init__(self, folder: Path, remote=None):
        self.folder = folder
        self.remote = remote  # an objects.Area (the shared tier), or None

    def _remote_name(self, key: str) -> str:
        from audioarticles.store.objects import SEGMENTS

        return f"{SEGMENTS}/{key[:2]}/{key}.pcm"

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
            return self._fetch(key)
        except OSError:  # unreadable (a folder in its place, permissions): voice it again
            self._discard(path)
            return None
        audio = self._decode(data)
        if audio is None:
            self._discard(path)
        return audio

    def _fetch(self, key: str) -> Audio | None:
        """A local miss looked up in the shared tier; a good entry is kept locally too."""
        if self.remote is None:
            return None
        data = self.remote.read(self._remote_name(key))
        audio = self._decode(data) if data is not None else None
        if audio is not None:
            return self._put_local(key, audio, data)
        return None

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
        data = self.encode(audio)
        held = self._put_local(key, audio, data)
        if self.remote is not None and held is audio:  # ours is the entry: share it
            name = self._remote_name(key)
            if not self.remote.exists(name):
                self.remote.put_bytes(name, data)
        return held

    def _put_local(self, key: str, audio: Audio, data: bytes) -> Audio:
        path = self.path(key)
        with writing(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                            dir=path.parent)
        tmp = Path(tmp_name)
        try:
            # no fsync: a torn entry after a power cut fails its checksum and is voiced again
            with writing(path), os.fdopen(fd, "wb") as handle:
                handle.write(data)
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
