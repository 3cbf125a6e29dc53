"""Contracts of the simple stages: read, clean, segment, normalise."""

from __future__ import annotations

from audioarticles.clean import clean, load_rules
from audioarticles.extract import read_file
from audioarticles.normalise import normaliser
from audioarticles.segment import segment, split_long, split_sentences
from conftest import SAMPLE


def test_read_and_clean_the_sample():
    article = read_file(SAMPLE, "samples/ia-sante-numerique.txt")
    cleaned = clean(article, load_rules())
    assert cleaned.blocks[0].kind == "title"
    assert cleaned.meta.title.startswith("L’IA, fil conducteur")
    text = "\n".join(b.text for b in cleaned.blocks)
    assert "Publicité en cours de chargement" not in text
    assert "Écouter l'article" not in text
    assert "A lire également" not in text and "Onco’Link" not in text
    assert sum(b.kind == "list_item" for b in cleaned.blocks) == 5


def test_sentences_do_not_end_at_french_abbreviations():
    text = "Mme Rist a parlé. Le Pr. André aussi. M. Dupont est venu ! Fin."
    assert split_sentences(text) == ["Mme Rist a parlé.", "Le Pr. André aussi.",
                                     "M. Dupont est venu !", "Fin."]


def test_split_long_prefers_clauses_and_never_cuts_words():
    sentence = "Avec 40 milliards d’euros déjà engagés et 7 800 projets soutenus, l’approche se veut systémique."
    pieces = split_long(sentence, 70)
    assert pieces[0].endswith(",")
    assert all(len(p) <= 70 for p in pieces)
    assert " ".join(pieces).split() == sentence.split()
    words = split_long(sentence, 40)
    assert all(len(p) <= 40 for p in words)
    assert not any(p.endswith(" 7") or p.startswith("800") for p in words)


def test_segments_know_their_block_and_position():
    article = clean(read_file(SAMPLE, "s.txt"), load_rules())
    speak = normaliser("fr")
    segments = segment(article, 200)
    for seg in segments:
        seg.spoken = speak(seg.written)
    assert [s.position for s in segments] == list(range(len(segments)))
    assert segments[0].block == 0 and segments[0].block_kind == "title"
    assert all(len(s.written) <= 200 for s in segments)
    assert all("\u202f" not in s.spoken and "\xa0" not in s.spoken for s in segments)
