"""The languages audioarticles knows, in one fixed table: a language tag from a page, a front
matter or the settings is read against it, never used to find code or files by name
(`<html lang="fr.numbers">` must not import `normalise.fr.numbers`).

A tag is an ISO 639-1 code with optional subtags ("fr", "fr-CA", "zh-Hant-TW"); the languages
with their own normaliser are listed in `NORMALISERS`, the others are read by the generic one.
"""

from __future__ import annotations

import re

#: ISO 639-1: every two-letter language code
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia
id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo
lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl
ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk
tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())

#: languages with their own text normaliser (a module of audioarticles.normalise)
NORMALISERS = {"fr": "audioarticles.normalise.fr"}
GENERIC_NORMALISER = "audioarticles.normalise.generic"

_TAG = re.compile(r"([A-Za-z]{2})((?:[-_][A-Za-z0-9]{2,8})*)")


def language_tag(value: str) -> str | None:
    """The tag written the standard way ("fr_fr" -> "fr-FR"), or None when `value` is not a
    tag of a known language."""
    match = _TAG.fullmatch((value or "").strip())
    if not match or match.group(1).lower() not in ISO_639_1:
        return None
    parts = [match.group(1).lower()]
    for sub in re.split(r"[-_]", match.group(2))[1:]:
        parts.append(sub.upper() if len(sub) == 2 and sub.isalpha() else
                     sub.title() if len(sub) == 4 and sub.isalpha() else sub.lower())
    return "-".join(parts)


def base_language(tag: str) -> str | None:
    """ "fr-CA" -> "fr"; None for what is not a known language's tag."""
    known = language_tag(tag)
    return known.split("-")[0] if known else None


def normaliser_module(tag: str) -> str:
    """The module that normalises text in this language (the generic one for the others)."""
    return NORMALISERS.get(base_language(tag) or "", GENERIC_NORMALISER)
