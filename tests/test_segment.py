"""Segments: French sentences, cut at clause boundaries when too long, each knowing its block;
and `pipeline.prepare`, the entry the rest of the pipeline calls."""

from __future__ import annotations

import re

import pytest

from audioarticles.clean import clean, load_rules
from audioarticles.config import Settings
from audioarticles.errors import InputError
from audioarticles.extract import read_file, read_plain_text
from audioarticles.normalise import normaliser
from audioarticles.pipeline import prepare
from audioarticles.segment import fit_spoken, segment, split_long, split_sentences
from conftest import SAMPLE


@pytest.mark.parametrize("text, sentences", [
    ("Mme Rist a parlé. Le Pr. André aussi. M. Dupont est venu ! Fin.",
     ["Mme Rist a parlé.", "Le Pr. André aussi.", "M. Dupont est venu !", "Fin."]),
    ("Voir p. 12 du rapport. La suite est claire.", ["Voir p. 12 du rapport.", "La suite est claire."]),
    ("Né en 52 av. J.-C. à Rome. Il régna.", ["Né en 52 av. J.-C. à Rome.", "Il régna."]),
    ("J. Dupont et M. Martin signent. Le texte suit.", ["J. Dupont et M. Martin signent.", "Le texte suit."]),
    ("Le 02 fév. 2026 fut un lundi. Puis vint mardi.", ["Le 02 fév. 2026 fut un lundi.", "Puis vint mardi."]),
    ("avec la jeunesse, etc. Le lendemain, tout changea.",
     ["avec la jeunesse, etc.", "Le lendemain, tout changea."]),
    ("« Comment le grain d’une voix peut-il faire la couleur d’une radio\u00a0? » Laura Frémy analyse.",
     ["« Comment le grain d’une voix peut-il faire la couleur d’une radio\u00a0? »", "Laura Frémy analyse."]),
    ("« Nous ne voulons pas d’une recherche qui reste dans les laboratoires », a-t-il insisté.",
     ["« Nous ne voulons pas d’une recherche qui reste dans les laboratoires », a-t-il insisté."]),
    ("Les citoyens sont invités à prendre la parole… Mais pour quel résultat ?",
     ["Les citoyens sont invités à prendre la parole…", "Mais pour quel résultat ?"]),
    ("Il a parlé. « Nous irons », dit-il.", ["Il a parlé.", "« Nous irons », dit-il."]),
    ("En 2019. 300 personnes sont venues.", ["En 2019.", "300 personnes sont venues."]),
    ("Le taux est de 3.5 points. Il baisse.", ["Le taux est de 3.5 points.", "Il baisse."]),
    # issue 16: a closing » ends a sentence only after sentence punctuation
    ("« Nous ne céderons pas » 12 heures après, il a parlé.",
     ["« Nous ne céderons pas » 12 heures après, il a parlé."]),
    ("Il a cité « 2 000 postes » 3 jours plus tard. Puis rien.",
     ["Il a cité « 2 000 postes » 3 jours plus tard.", "Puis rien."]),
    ("Il a dit « non. » 12 heures plus tard, il partait.",
     ["Il a dit « non. »", "12 heures plus tard, il partait."]),
    ("« Une idée » Le texte suit.", ["« Une idée » Le texte suit."]),
    # initials and dotted acronyms never end a sentence; nor does "ap."
    ("Selon J.-P. Dupont, tout va bien. Fin.", ["Selon J.-P. Dupont, tout va bien.", "Fin."]),
    ("Le S.G. de la CGT a parlé. Puis rien.", ["Le S.G. de la CGT a parlé.", "Puis rien."]),
    ("Il meurt en 14 ap. J.-C. à Nola. Fin.", ["Il meurt en 14 ap. J.-C. à Nola.", "Fin."]),
    ("Les U.S.A. Ont voté.", ["Les U.S.A. Ont voté."]),
    # a unit symbol after a number ends a sentence; "p." after a number does not
    ("Réunion à 14 h. Le maire viendra.", ["Réunion à 14 h.", "Le maire viendra."]),
    ("Il a couru 100 m. Puis il est tombé.", ["Il a couru 100 m.", "Puis il est tombé."]),
    ("Il pèse 75 kg. Elle pèse 60 kg.", ["Il pèse 75 kg.", "Elle pèse 60 kg."]),
    ("Le rapport de 250 p. a été remis. Fin.", ["Le rapport de 250 p. a été remis.", "Fin."]),
])
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


def test_split_long_prefers_clauses_then_words_never_numbers():
    sentence = ("Avec 40 milliards d’euros déjà engagés et 7\u00a0800 projets soutenus dans divers "
                "domaines, l’approche se veut systémique : il ne s’agit pas de financer des secteurs "
                "isolés, mais de faire interagir les innovations entre elles.")
    pieces = split_long(sentence, 90)
    assert pieces[0].endswith(",") and pieces[1].endswith(":")
    assert " ".join(pieces) == sentence
    for limit in (25, 30, 40):
        words = split_long(sentence, limit)
        assert " ".join(words) == sentence
        assert all(len(p) <= limit for p in words if "\u00a0" not in p)
        assert not any(p.endswith((" 40", " 7")) or p.startswith(("800", "milliards")) for p in words)


def test_split_long_keeps_plain_space_groups_and_units_together():
    sentence = "Un budget de 7 800 000 euros et une hausse de 12 % pour 100 000 étudiants en tout."
    for limit in range(12, 40):
        pieces = split_long(sentence, limit)
        assert " ".join(pieces) == sentence
        for piece in pieces:
            assert not re.match(r"^(?:[0-9]{3}\b|%)", piece), (limit, pieces)
            assert not re.search(r"[0-9]$", piece), (limit, pieces)


def test_a_word_longer_than_the_limit_is_never_cut():
    assert split_long("anticonstitutionnellement", 10) == ["anticonstitutionnellement"]


def test_fit_spoken_cuts_again_when_the_spoken_form_is_too_long():
    speak = normaliser("fr")
    written = "En 2026, 7 800 projets, 1 500 000 euros, 22 actions et 120 lauréats."
    assert len(written) < 100 < len(speak(written))
    pairs = fit_spoken(written, 100, speak)
    assert len(pairs) > 1
    assert " ".join(w for w, _ in pairs) == written
    assert all(len(s) <= 100 for _, s in pairs)
    assert all(s == speak(w) for w, s in pairs)


@pytest.fixture(scope="module")
def seed_article():
    return clean(read_file(SAMPLE, "samples/ia-sante-numerique.txt"), load_rules())


@pytest.mark.parametrize("max_chars", [100, 200, 1000])
def test_seed_segments_know_their_block_and_fit_the_limit(seed_article, max_chars):
    segments = segment(seed_article, max_chars, speak=normaliser("fr"))
    assert [s.position for s in segments] == list(range(len(segments)))
    assert all(len(s.spoken) <= max_chars and len(s.written) <= max_chars for s in segments)
    for index, block in enumerate(seed_article.blocks):
        mine = [s for s in segments if s.block == index]
        assert mine and all(s.block_kind == block.kind for s in mine)
        assert " ".join(s.written for s in mine).split() == block.text.split()


def test_prepare_is_clean_then_segment_then_normalise(tmp_path):
    project = Settings(root=tmp_path)
    article = read_file(SAMPLE, "samples/ia-sante-numerique.txt")
    cleaned, segments = prepare(article, project, 100)
    assert cleaned.meta.title.startswith("L’IA, fil conducteur")
    assert segments[0].block_kind == "title" and segments[0].spoken.startswith("L'i a, fil conducteur")
    assert sum(s.block_kind == "heading" for s in segments) >= 3
    spoken = " ".join(s.spoken for s in segments)
    assert not any(ch.isdigit() for ch in spoken)
    assert "Publicité" not in spoken and "RGPD" not in spoken and "èr gé pé dé" not in spoken
    assert all(len(s.spoken) <= 100 for s in segments)


def test_prepare_uses_the_project_lexicon(tmp_path):
    (tmp_path / "lexicon.toml").write_text('[say]\n"Bonnell" = "bonèl"\n', encoding="utf-8")
    article = read_plain_text("Titre\n\nBruno Bonnell parle.\n", "a.txt")
    _, segments = prepare(article, Settings(root=tmp_path), 100)
    assert segments[1].spoken == "Bruno bonèl parle."


def test_prepare_refuses_an_article_with_nothing_to_say(tmp_path):
    article = read_plain_text("Publicité en cours de chargement...\nÉcouter l'article\n", "vide.txt")
    with pytest.raises(InputError, match="nothing left to read after removing boilerplate"):
        prepare(article, Settings(root=tmp_path), 100)
