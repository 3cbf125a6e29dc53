"""Splitting one request's audio back into its segments at the pause between them."""

from __future__ import annotations

import pytest

from audioarticles.engines.packing import pack
from audioarticles.engines.audio_split import pauses, split_at_pauses
from audioarticles.testing.fake_gtts import SAMPLE_RATE, speech_mp3
from audioarticles.tools import decode_to_pcm

FIRST = "Bruno Bonnell a mis en avant deux réussites majeures, selon lui."
SECOND = "La formation, avec un objectif de cent mille par an."
THIRD = "Et l'innovation."


def decoded(text: str, with_pauses: bool = True) -> bytes:
    return decode_to_pcm(speech_mp3(text, pauses=with_pauses), SAMPLE_RATE)


def seconds(pcm: bytes) -> float:
    return len(pcm) / 2 / SAMPLE_RATE


def sounding_seconds(pcm: bytes) -> float:
    """From the first to the last audible sample."""
    from array import array

    samples = array("h", pcm)
    loud = [i for i, v in enumerate(samples) if abs(v) > 400]
    return (loud[-1] - loud[0]) / SAMPLE_RATE if loud else 0.0


def test_finds_sentence_and_clause_pauses_but_not_word_gaps():
    pcm = decoded(f"{FIRST} {SECOND}")
    found = pauses(pcm, SAMPLE_RATE)
    # one comma in each sentence and one sentence end; the gaps between words are too short
    assert len(found) == 3
    lengths = sorted((end - start) / SAMPLE_RATE for start, end in found)
    assert lengths[-1] > 0.4  # the sentence end is the longest


@pytest.mark.parametrize("texts", [[FIRST, SECOND], [FIRST, SECOND, THIRD], [THIRD, FIRST]])
def test_split_gives_each_segment_its_own_audio(texts):
    [request] = pack(texts, 1000, across_segments=True)
    pcm = decoded(request.text)
    parts = split_at_pauses(pcm, SAMPLE_RATE, request.boundaries())
    assert parts is not None and b"".join(parts) == pcm
    for text, part in zip(texts, parts):
        # each part holds exactly the words of its segment: what sounds in it lasts what the
        # segment alone sounds (without the lead-in and tail silence), to a frame or two
        alone = sounding_seconds(decoded(text))
        assert abs(sounding_seconds(part) - alone) < 0.06, text
        assert alone > 0.5


def test_no_clear_pause_means_no_split():
    [request] = pack([FIRST, SECOND], 1000, across_segments=True)
    assert split_at_pauses(decoded(request.text, with_pauses=False), SAMPLE_RATE,
                           request.boundaries()) is None


def test_nothing_to_split():
    pcm = decoded(FIRST)
    assert split_at_pauses(pcm, SAMPLE_RATE, []) == [pcm]
