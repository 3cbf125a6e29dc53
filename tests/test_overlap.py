"""Synthesis and encoding overlap: segments are voiced in the background and assembly takes
each one as soon as it is there; a failure while voicing reaches the assembly, which stops
(render_episode then removes what it had started to write)."""

from __future__ import annotations

import threading

import pytest

from audioarticles.assemble import Piece, assemble
from audioarticles.engines.espeak import EspeakEngine
from audioarticles.errors import SynthesisError
from audioarticles.model import Segment
from audioarticles.synthesise import PendingAudio, SegmentCache, synthesise
from audioarticles.voices import get_voice

TEXTS = ["Première phrase du texte.", "Deuxième phrase, un peu plus longue.",
         "Troisième phrase.", "Quatrième et dernière phrase."]


class GatedEspeak(EspeakEngine):
    """espeak-ng, but holding back every segment after the first until the test opens the gate
    (or failing at `fail_at`): the test sees what assembly does while voicing goes on."""

    def __init__(self, fail_at: int | None = None):
        super().__init__(workers=1)
        self.gate = threading.Event()
        self.fail_at = fail_at
        self.handed = 0

    def synthesize_stream(self, texts, voice):
        for index, audio in enumerate(super().synthesize_stream(texts, voice)):
            if index == self.fail_at:
                raise SynthesisError("the voice broke down")
            if index:
                self.gate.wait(30)
            self.handed += 1
            yield audio


def segments() -> list[Segment]:
    return [Segment(0, i, text, text) for i, text in enumerate(TEXTS)]


def test_the_first_segment_is_ready_while_the_others_are_still_voiced(tmp_path):
    with GatedEspeak() as engine:
        result = synthesise(segments(), get_voice("fr-espeak"), engine, SegmentCache(tmp_path),
                            background=True)
        try:
            first = result.sources[0].load()
            assert first.samples > 0 and result.sample_rate == first.sample_rate
            assert all(isinstance(s, PendingAudio) for s in result.sources)
            assert engine.handed == 1  # the rest wait behind the gate
            engine.gate.set()
            assert all(s.load().samples > 0 for s in result.sources)
        finally:
            result.finish()
    assert (result.synthesized, result.cached) == (4, 0)
    # the audio went to the cache as it came: a second run voices nothing
    with EspeakEngine(workers=1) as engine:
        again = synthesise(segments(), get_voice("fr-espeak"), engine, SegmentCache(tmp_path),
                           background=True)
    assert (again.synthesized, again.cached, again.worker) == (0, 4, None)


def test_encoding_runs_while_voicing_goes_on(tmp_path):
    """The encoder is fed the first segments before the last ones exist."""
    with GatedEspeak() as engine:
        result = synthesise(segments(), get_voice("fr-espeak"), engine, None, background=True)
        fed: list[int] = []
        pieces = [Piece("paragraph", source, seg) for seg, source in zip(segments(),
                                                                         result.sources)]

        class Watched:
            """Pieces as assembly reads them, noting how many the engine had handed out."""

            def __init__(self, source):
                self.source = source

            @property
            def sample_rate(self):
                return self.source.sample_rate

            def load(self):
                fed.append(engine.handed)
                if len(fed) == 2:
                    engine.gate.set()  # the second piece is read: let the voice go on
                return self.source.load()

        watched = [Piece(p.kind, Watched(p.source), p.segment) for p in pieces]
        try:
            assembly = assemble(watched, tmp_path / "out.mp3")
        finally:
            result.finish()
    assert assembly.duration_s > 3
    # the loudness estimate read the start, then the encoding: pieces were read while only
    # the first segment had been voiced
    assert fed[0] == 1 and fed[1] == 1


def test_a_failure_while_voicing_stops_the_assembly(tmp_path):
    with GatedEspeak(fail_at=2) as engine:
        engine.gate.set()
        result = synthesise(segments(), get_voice("fr-espeak"), engine, None, background=True)
        pieces = [Piece("paragraph", source, seg) for seg, source in zip(segments(),
                                                                         result.sources)]
        with pytest.raises(SynthesisError, match="the voice broke down"):
            try:
                assemble(pieces, tmp_path / "out.mp3")
            finally:
                result.finish()
    assert result.sources[1].load().samples > 0  # what was voiced before the failure is kept
    with pytest.raises(SynthesisError, match="the voice broke down"):
        result.sources[3].load()
