"""The segment cache with the real offline engine: hits, misses, and damaged entries redone."""

from __future__ import annotations

import pytest

from audioarticles.engines.espeak import EspeakEngine
from audioarticles.errors import SynthesisError
from audioarticles.model import Audio, Segment
from audioarticles.synthesise import CachedAudio, SegmentCache, synthesise
from audioarticles.voices import get_voice

VOICE = get_voice("fr-espeak")


@pytest.fixture(scope="module")
def engine():
    with EspeakEngine(workers=1) as espeak:
        yield espeak


def segs(*texts: str) -> list[Segment]:
    return [Segment(block=i, position=i, written=t, spoken=t) for i, t in enumerate(texts)]


def entry(cache: SegmentCache, engine, text: str):
    return cache.path(SegmentCache.key(engine.cache_identity(VOICE), text))


def test_second_run_synthesises_nothing_and_reads_the_same_audio(tmp_path, engine):
    cache = SegmentCache(tmp_path)
    first = synthesise(segs("Bonjour.", "Au revoir."), VOICE, engine, cache)
    assert (first.synthesized, first.cached) == (2, 0)
    second = synthesise(segs("Bonjour.", "Au revoir."), VOICE, engine, cache)
    assert (second.synthesized, second.cached) == (0, 2)
    assert all(isinstance(s, CachedAudio) for s in second.sources)
    assert [s.load().pcm for s in second.sources] == [s.load().pcm for s in first.sources]


def test_identical_texts_are_voiced_once(tmp_path, engine):
    result = synthesise(segs("Encore.", "Encore.", "Autre."), VOICE, engine, SegmentCache(tmp_path))
    assert (result.synthesized, result.cached) == (2, 1)
    assert result.sources[0].load().pcm == result.sources[1].load().pcm


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "empty", "bad magic", "folder"])
def test_damaged_entry_is_detected_and_voiced_again(tmp_path, engine, damage):
    cache = SegmentCache(tmp_path)
    synthesise(segs("Bonjour.", "Au revoir."), VOICE, engine, cache)
    path = entry(cache, engine, "Au revoir.")
    good = path.read_bytes()
    if damage == "flip a byte":
        data = bytearray(good)
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    elif damage == "truncate":
        path.write_bytes(good[: len(good) // 3])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "bad magic":
        path.write_bytes(b"XXXXXX" + good[6:])
    else:
        path.unlink()
        path.mkdir()
    result = synthesise(segs("Bonjour.", "Au revoir."), VOICE, engine, cache)
    assert (result.synthesized, result.cached) == (1, 1)
    assert path.is_file() and cache.get(path.stem) is not None  # rewritten whole and valid
    assert synthesise(segs("Bonjour.", "Au revoir."), VOICE, engine, cache).synthesized == 0


def test_an_entry_damaged_after_synthesis_stops_assembly_with_a_clear_error(tmp_path, engine):
    cache = SegmentCache(tmp_path)
    result = synthesise(segs("Bonjour."), VOICE, engine, cache)
    entry(cache, engine, "Bonjour.").write_bytes(b"garbage")
    with pytest.raises(SynthesisError, match="changed or vanished during assembly; run the conversion again"):
        result.sources[0].load()


def test_cache_key_depends_on_voice_options_and_text(engine):
    fast = VOICE.__class__(name="x", engine="espeak", options={**VOICE.options, "rate": 200})
    assert engine.cache_identity(fast) != engine.cache_identity(VOICE)
    identity = engine.cache_identity(VOICE)
    assert SegmentCache.key(identity, "a") != SegmentCache.key(identity, "b")


def test_first_writer_wins_so_an_entry_never_changes_under_a_reader(tmp_path, engine):
    """Two articles voicing the same sentence at once: both assemble from the same samples."""
    cache = SegmentCache(tmp_path)
    key = SegmentCache.key(engine.cache_identity(VOICE), "Bonjour.")
    first = engine.synthesize("Bonjour.", VOICE)
    other = Audio(pcm=first.pcm + b"\x00\x00" * 10, sample_rate=first.sample_rate)
    assert cache.put(key, first).pcm == first.pcm
    assert cache.put(key, other).pcm == first.pcm  # the later writer gets what the cache holds
    assert cache.get(key).pcm == first.pcm
    assert [p.name for p in cache.path(key).parent.iterdir()] == [cache.path(key).name]  # no .part left
    cache.path(key).write_bytes(b"damaged")
    assert cache.put(key, other).pcm == other.pcm  # a bad entry is replaced
    assert cache.get(key).pcm == other.pcm
