"""Benchmarks: `python -m benchmarks [NAME...]` runs them and rewrites their sections of BENCHMARKS.md."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def espeak_calls() -> Iterator[list[int]]:
    """Count the texts handed to the offline engine, whatever the caller: a list that gets
    one entry (the number of texts) per `synthesize_stream` call (`synthesize_many` goes
    through it, and the pipeline calls it directly since synthesis overlaps encoding)."""
    from audioarticles.engines.espeak import EspeakEngine

    calls: list[int] = []
    original = EspeakEngine.synthesize_stream

    def counted(self, texts, voice):
        calls.append(len(texts))
        return original(self, texts, voice)

    EspeakEngine.synthesize_stream = counted
    try:
        yield calls
    finally:
        EspeakEngine.synthesize_stream = original
