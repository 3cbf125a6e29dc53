"""Benchmarks: `python -m benchmarks [NAME...]` runs them and rewrites their sections of BENCHMARKS.md."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def espeak_calls() -> Iterator[list[int]]:
    """Count the texts handed to the offline engine, whatever the caller: a list that gets
    one entry (the number of texts) per `synthesize_many` call."""
    from audioarticles.engines.espeak import EspeakEngine

    calls: list[int] = []
    original = EspeakEngine.synthesize_many

    def counted(self, texts, voice):
        calls.append(len(texts))
        return original(self, texts, voice)

    EspeakEngine.synthesize_many = counted
    try:
        yield calls
    finally:
        EspeakEngine.synthesize_many = original
