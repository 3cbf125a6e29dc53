"""Pauses by structure, and trimming an engine's own silence so the pauses are exact."""

from __future__ import annotations

import math
from array import array

import pytest

from audioarticles.errors import UsageError
from audioarticles.pauses import Pauses, pause_between, silence, trim_silence

P = Pauses(sentence_ms=1, paragraph_ms=2, list_item_ms=3, after_title_ms=4, before_heading_ms=5,
           after_heading_ms=6, after_intro_ms=7, before_outro_ms=8, around_jingle_ms=9)


@pytest.mark.parametrize("before, after, same_block, expected", [
    ("paragraph", "paragraph", True, 1),  # two sentences of one paragraph
    ("paragraph", "paragraph", False, 2),
    ("quote", "paragraph", False, 2),
    ("paragraph", "list_item", False, 2),
    ("list_item", "list_item", False, 3),
    ("list_item", "paragraph", False, 2),
    ("title", "paragraph", False, 4),
    ("title", "heading", False, 5),  # the longer of after-title and before-heading
    ("paragraph", "heading", False, 5),
    ("heading", "heading", False, 5),
    ("heading", "paragraph", False, 6),
    ("heading", "heading", True, 1),  # a long heading voiced as two segments
    ("intro", "title", False, 7),
    ("intro", "intro", True, 1),
    ("paragraph", "outro", False, 8),
    ("outro", "outro", True, 1),
    ("jingle", "intro", False, 9),
    ("outro", "jingle", False, 9),
])
def test_pause_between(before, after, same_block, expected):
    assert pause_between(before, after, same_block, P) == expected


def test_title_before_heading_takes_the_longer_pause():
    assert pause_between("title", "heading", False, Pauses(after_title_ms=1500, before_heading_ms=900)) == 1500


def test_pauses_from_settings_project_then_voice():
    pauses = Pauses.from_settings({"sentence_ms": 200, "paragraph_ms": 900}, {"sentence_ms": 250})
    assert pauses.sentence_ms == 250 and pauses.paragraph_ms == 900
    assert pauses.after_title_ms == Pauses().after_title_ms


@pytest.mark.parametrize("table, message", [
    ({"sentense_ms": 200}, "unknown key `sentense_ms`; did you mean `sentence_ms`?"),
    ({"sentence_ms": -5}, "sentence_ms = -5: expected a whole number from 0 to 60000"),
    ({"sentence_ms": "long"}, 'sentence_ms = "long": expected a whole number from 0 to 60000'),
    ({"sentence_ms": 99999999999},
     "sentence_ms = 99999999999: expected a whole number from 0 to 60000"),
])
def test_bad_pause_settings_say_what_to_fix(table, message):
    with pytest.raises(UsageError) as error:
        Pauses.from_settings(table)
    assert str(error.value) == f"[audio.pauses]: {message}"


def tone(ms: int, rate: int, amplitude: int = 8000) -> bytes:
    n = rate * ms // 1000
    return array("h", (round(amplitude * math.sin(2 * math.pi * 440 * i / rate)) for i in range(n))).tobytes()


def test_trim_silence_keeps_exactly_the_margin():
    rate = 22050
    body = tone(500, rate)
    pcm = silence(300, rate) + body + silence(700, rate)
    trimmed = trim_silence(pcm, rate, threshold_db=-45, keep_ms=15)
    keep = rate * 15 // 1000
    # the tone plus 15 ms each side (a sine's first samples are quiet: a few samples of slack)
    assert abs(len(trimmed) // 2 - (len(body) // 2 + 2 * keep)) <= 4
    assert trimmed[: 2 * keep - 8] == b"\x00" * (2 * keep - 8)
    assert trimmed[-(2 * keep - 8):] == b"\x00" * (2 * keep - 8)


def test_trim_silence_of_pure_silence_is_empty_and_of_loud_audio_is_unchanged():
    rate = 24000
    assert trim_silence(silence(200, rate), rate) == b""
    loud = tone(100, rate, amplitude=20000)[2:]  # starts mid-wave: loud from the first sample
    assert trim_silence(loud, rate, keep_ms=0)[:20] == loud[:20]
    assert trim_silence(b"", rate) == b""


def test_trim_silence_threshold_ignores_noise_below_it():
    rate = 22050
    noise = array("h", [30, -30] * (rate // 10)).tobytes()  # -60 dBFS hiss
    pcm = noise + tone(200, rate) + noise
    trimmed = trim_silence(pcm, rate, threshold_db=-45, keep_ms=0)
    assert abs(len(trimmed) // 2 - rate * 200 // 1000) <= 4


def reference_trim(samples: list[int], threshold: int, keep: int) -> list[int]:
    loud = [i for i, x in enumerate(samples) if abs(x) > threshold]
    if not loud:
        return []
    return samples[max(0, loud[0] - keep): loud[-1] + 1 + keep]


@pytest.mark.parametrize("threshold_db", [-45.0, -60.0, -30.0, -6.0, -0.1])
def test_trim_silence_is_exact_per_sample(threshold_db):
    import random

    rng = random.Random(int(-threshold_db * 10))
    threshold = int(32767 * math.pow(10, threshold_db / 20))
    rate, keep_ms = 1000, 5  # 5 samples kept each side
    for _ in range(200):
        quiet = [rng.randint(-threshold, threshold) for _ in range(rng.randint(0, 40))]
        body = [rng.randint(-32768, 32767) for _ in range(rng.randint(0, 30))]
        tail = [rng.randint(-threshold, threshold) for _ in range(rng.randint(0, 40))]
        samples = quiet + body + tail
        pcm = array("h", samples).tobytes()
        got = array("h")
        got.frombytes(trim_silence(pcm, rate, threshold_db, keep_ms))
        assert list(got) == reference_trim(samples, threshold, 5), (threshold, samples)


def test_trim_silence_of_a_long_silence_does_not_overflow_the_regex_engine():
    rate = 22050
    pcm = silence(120_000, rate) + tone(100, rate) + silence(1000, rate)  # two minutes of silence
    assert len(trim_silence(pcm, rate, keep_ms=0)) // 2 == pytest.approx(rate // 10, abs=4)
