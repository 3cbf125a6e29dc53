"""Turn each segment's written text into what the voice should say, per language.

A language module (`normalise/fr/`, ...) has `normalise(text, lexicon=None) -> str` and, when it
has a pronunciation lexicon, `load_lexicon(project_root)`; others fall back to `generic`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from audioarticles.languages import normaliser_module
from audioarticles.model import Segment


def normaliser(language: str, project_root: Path | None = None) -> Callable[[str], str]:
    """The `str -> str` normaliser for a language (its base code: fr-CA uses fr), with the
    project's lexicon when the language has one. The module comes from the fixed table of
    languages.py, never from the tag itself."""
    module = importlib.import_module(normaliser_module(language))
    load_lexicon = getattr(module, "load_lexicon", None)
    if load_lexicon is None:
        return module.normalise
    lexicon = load_lexicon(project_root)
    return lambda text: module.normalise(text, lexicon)


def normalise_segments(segments: list[Segment], language: str = "fr",
                       project_root: Path | None = None) -> list[Segment]:
    speak = normaliser(language, project_root)
    for seg in segments:
        seg.spoken = speak(seg.written)
    return segments
