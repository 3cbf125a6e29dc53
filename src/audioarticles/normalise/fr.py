"""French normalisation for speech."""

from __future__ import annotations

from audioarticles.normalise import generic


def normalise(text: str) -> str:
    return generic.normalise(text)
