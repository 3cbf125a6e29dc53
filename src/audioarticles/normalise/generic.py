"""Language-neutral normalisation: Unicode spaces and punctuation a voice stumbles on."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\u00a0\u202f\u2007\u2009\u200a\t ]+")


def normalise(text: str, lexicon: object = None) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return _SPACES.sub(" ", text).strip()
