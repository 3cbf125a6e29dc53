"""Turn each segment's written text into what the voice should say, per language."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from audioarticles.model import Segment


def normaliser(language: str) -> Callable[[str], str]:
    """The `str -> str` normaliser for a language (its base code: fr-CA uses fr)."""
    base = language.split("-")[0].split("_")[0].lower()
    try:
        module = importlib.import_module(f"audioarticles.normalise.{base}")
    except ModuleNotFoundError:
        module = importlib.import_module("audioarticles.normalise.generic")
    return module.normalise


def normalise_segments(segments: list[Segment], language: str = "fr") -> list[Segment]:
    speak = normaliser(language)
    for seg in segments:
        seg.spoken = speak(seg.written)
    return segments
