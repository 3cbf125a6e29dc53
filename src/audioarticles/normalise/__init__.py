"""Turn each segment's written text into what the voice should say, per language.

A language module (`normalise/fr/`, ...) has `normalise(text, lexicon=None) -> str` and, when it
has a pronunciation lexicon, `load_lexicon(project_root)`, and when its rules are a table of
named passes, `PASSES` (so `explain` can say which rule rewrote what); others fall back to
`generic`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from audioarticles.languages import normaliser_module
from audioarticles.normalise.changes import Change, trace


def base_language(language: str) -> str:
    """ "fr-CA" -> "fr"; "" -> "fr"."""
    return (language or "fr").split("-")[0].split("_")[0].lower()


def _module(language: str):
    """The language's normaliser module, from the fixed table of languages.py: never a module
    named by the tag itself (`lang="fr.numbers"` must not import normalise.fr.numbers)."""
    return importlib.import_module(normaliser_module(language))


def normaliser(language: str, project_root: Path | None = None) -> Callable[[str], str]:
    """The `str -> str` normaliser for a language (its base code: fr-CA uses fr), with the
    project's lexicon when the language has one."""
    module = _module(language)
    load_lexicon = getattr(module, "load_lexicon", None)
    if load_lexicon is None:
        return module.normalise
    lexicon = load_lexicon(project_root)
    return lambda text: module.normalise(text, lexicon)


def explain(text: str, language: str = "fr", project_root: Path | None = None) -> list[Change]:
    """Every rewrite the normaliser makes in `text`: rule name, written and spoken words, and
    where they stand in `text`. A language without named passes reports one "normalise" change."""
    module = _module(language)
    passes = getattr(module, "PASSES", None)
    if passes is None:
        spoken = normaliser(language, project_root)(text)
        return [] if spoken == text else [Change("normalise", text, spoken, text, 0, len(text))]
    load_lexicon = getattr(module, "load_lexicon", None)
    lexicon = load_lexicon(project_root) if load_lexicon else None
    return trace(text, passes, lexicon)[1]
