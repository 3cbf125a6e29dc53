"""Packing spoken segments into TTS requests: full requests, good cuts, nothing cut apart."""

from __future__ import annotations

import re

import pytest

from audioarticles.config import load_settings
from audioarticles.engines.packing import (CLAUSE, PHRASE, SENTENCE, WEAK, WORD, Request, cut_level,
                                           inside_number,
                                           pack)
from audioarticles.pipeline import text_at_stage
from conftest import SAMPLE

SEED = SAMPLE

# (word before, word after, level of a cut between them; None = never cut there)
CUTS = [
    ("soins.", "Mme", SENTENCE),
    ("santé ?", "Oui", SENTENCE),
    ("humain ».", "Elle", SENTENCE),
    ("acteurs,", "cette", CLAUSE),
    ("humanité", ":", None),  # French spacing: the colon belongs to the word before
    (":", "«", CLAUSE),
    ("«", "L'IA", None),  # an opening quote belongs to the word after
    ("prévention", "»,", None),
    ("»,", "a-t-elle", CLAUSE),
    ("7", "800", None),  # a grouped number stays whole
    ("1", "500", None),
    ("500", "000", None),
    ("70", "acteurs", WORD),
    ("M.", "Rist", None),  # a title stays with the name
    ("Mme", "Rist", None),
    ("Pr", "André", None),
    ("J.", "Dupont", None),
    ("12", "%", None),
    ("40", "€", None),
    ("humain", "mais", PHRASE),
    ("données", "qui", PHRASE),
    ("de", "l'innovation", WEAK),
    ("un", "outil", WEAK),
    ("d'", "alléger", WEAK),
    ("stratégie", "vise", WORD),
    ("p.", "12", None),
    ("etc.", "Puis", SENTENCE),
    ("cf.", "Le", WORD),
]


@pytest.mark.parametrize("before, after, level", CUTS)
def test_cut_levels(before, after, level):
    assert cut_level(before, after) == level


def seed_segments() -> list[str]:
    view = text_at_stage(load_settings(SEED.parent), str(SEED), "segments", 1000)
    return [s.spoken for s in view.segments]


def words_of(requests: list[Request], count: int) -> list[list[str]]:
    """Each segment's words as the requests carry them (joined pieces, split at spaces)."""
    words: list[list[str]] = [[] for _ in range(count)]
    for request in requests:
        for piece in request.pieces:
            words[piece.segment].extend(piece.text.split())
    return words


NUMBER_GROUPS = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)")


def assert_well_packed(texts: list[str], requests: list[Request], limit: int) -> None:
    for request in requests:
        assert 0 < len(request.text) <= limit, request.text
    # every word arrives whole, once, in order, in its own segment
    assert words_of(requests, len(texts)) == [t.split() for t in texts]
    # segments are visited in order, each piece joined to the next only at a segment's end
    order = [p.segment for r in requests for p in r.pieces]
    assert order == sorted(order)
    # grouped numbers and titles with their names are never split across two requests
    for text in texts:
        for group in NUMBER_GROUPS.findall(text):
            assert any(group in r.text for r in requests), group
        for title in re.findall(r"\b(?:M\.|Mme|Pr|Dr) \w+", text):
            assert any(title in r.text for r in requests), title


@pytest.mark.parametrize("across", [False, True])
def test_seed_article_packs_within_limit_and_cuts_nothing_apart(across):
    texts = seed_segments()
    requests = pack(texts, 100, across_segments=across)
    assert_well_packed(texts, requests, 100)
    if not across:
        assert all(len(r.pieces) == 1 for r in requests)


def test_seed_article_needs_about_half_the_requests_of_gtts():
    from gtts import gTTS

    texts = seed_segments()
    plain = gTTS(" ".join(texts), lang="fr", lang_check=False)._tokenize(" ".join(texts))
    total = sum(len(t) for t in texts)
    packed = pack(texts, 100, across_segments=True)
    assert len(plain) > 90
    # close to the 100-character bound: at most 60 requests, few characters short on average
    assert total / 100 <= len(packed) <= 60
    assert len(packed) < 0.6 * len(plain)
    # sentences, clauses and segment ends are preferred over plain word cuts
    ends = [r.text[-1] for r in packed[:-1]]
    assert sum(e in ".,:;!?»" for e in ends) >= 0.6 * len(ends)


@pytest.mark.parametrize("limit", [40, 60, 100])
def test_generated_texts_never_exceed_the_limit_nor_cut_numbers(limit):
    import random

    rng = random.Random(limit)
    vocabulary = ["santé", "numérique,", "M. Rist", "7 800", "1 500 000", "projets", "l'IA",
                  "« innovation »", "a-t-elle", "soin.", "Mme Dupont", "12 %", "recherche :",
                  "d'euros", "interministérielle", "et", "qui", "70 000", "formés;"]
    for _ in range(40):
        texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 40)))
                 for _ in range(rng.randint(1, 6))]
        for across in (False, True):
            requests = pack(texts, limit, across_segments=across)
            assert_well_packed(texts, requests, limit)


def test_short_text_is_one_request_and_shared_segments_get_a_pause():
    assert [r.text for r in pack(["Bonjour."], 100)] == ["Bonjour."]
    requests = pack(["Deux réussites majeures :", "La formation avance."], 100,
                    across_segments=True)
    assert [r.text for r in requests] == ["Deux réussites majeures. La formation avance."]
    assert requests[0].segments == (0, 1)
    [boundary] = requests[0].boundaries()
    assert requests[0].text[round(boundary * len(requests[0].text)):].startswith("La formation")
    # without sharing, each segment has its own request and keeps its text
    assert [r.text for r in pack(["Titre sans point", "Phrase."], 100)] == ["Titre sans point",
                                                                            "Phrase."]


def test_a_word_longer_than_a_request_is_the_only_thing_ever_cut():
    url = "https://example.org/" + "a" * 150
    requests = pack([f"Voir {url} pour lire."], 100)
    assert all(len(r.text) <= 100 for r in requests)
    assert "".join(r.text.replace(" ", "") for r in requests) == f"Voir{url}pourlire."


def test_long_sentence_prefers_clause_over_word_cuts():
    sentence = ("Au total, 550 millions d'euros ont été alloués à la stratégie santé, couvrant "
                "environ 350 projets, souvent portés par des consortiums regroupant des "
                "universités, industriels et groupements.")
    texts = [r.text for r in pack([sentence], 100)]
    assert texts == ["Au total, 550 millions d'euros ont été alloués à la stratégie santé, "
                     "couvrant environ 350 projets,",
                     "souvent portés par des consortiums regroupant des universités, industriels "
                     "et groupements."]


def number_runs(text: str) -> list[str]:
    """The spoken numbers of two words or more in a text ("sept virgule un milliards")."""
    words = text.split()
    runs, start = [], 0
    for k in range(1, len(words) + 1):
        following = words[k + 1] if k + 1 < len(words) else ""
        if k == len(words) or not inside_number(words[k - 1], words[k], following):
            if k - start >= 2:
                runs.append(" ".join(words[start:k]))
            start = k
    return runs


@pytest.mark.parametrize("limit", [40, 60, 100])
def test_spoken_numbers_are_never_cut(limit):
    """Issue 16: packing runs on spoken text, where numbers are words."""
    from audioarticles.normalise import normaliser

    speak = normaliser("fr")
    texts = [speak(t) for t in (
        "Le groupe a dégagé 7,1 milliards d'euros en 1944 puis 1 630,4 millions en 2023 et 21 ans.",
        "Les ventes ont reculé de 12 % en 1999, 2001 et 2024 pour 71 421 clients et 81 993 abonnés.",
        "Le débarquement du 6 juin 1944 mobilise 156 000 soldats, 11 590 avions et 6 939 navires.",
        "En 1789, 1848 et 1871, la France compte 28 000 000, 35 783 170 puis 36 102 921 habitants.",
    )]
    for across in (False, True):
        requests = pack(texts, limit, across_segments=across)
        assert_well_packed(texts, requests, limit)
        for text in texts:
            for run in number_runs(text):
                if len(run) <= limit:
                    assert any(run in r.text for r in requests), (run, [r.text for r in requests])


@pytest.mark.parametrize("before, after, following, allowed", [
    ("sept", "virgule", "un", False), ("virgule", "un", "milliards", False),
    ("un", "milliards", "d'euros", False), ("vingt", "et", "un", False), ("et", "un", "ans", False),
    ("mille", "neuf", "cent", False), ("cent", "quarante-quatre,", "il", False),
    ("douze", "pour", "cent", False), ("trois", "et", "la", True), ("deux", "pour", "les", True),
    ("vingt-trois", "et", "vingt", True), ("un", "et", "deux", True), ("et", "deux", "mille", True),
    ("quarante-quatre,", "il", "a", True), ("vingt-deuxième", "fois", "", True),
])
def test_cuts_inside_number_words(before, after, following, allowed):
    assert (cut_level(before, after, following) is not None) is allowed
