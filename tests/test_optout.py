"""Opt-out rules: each kind, as data, through the CLI where the input carries it."""

from __future__ import annotations

import json

import pytest

from audioarticles.cli import cli
from audioarticles.model import Article, ArticleMeta, Block
from audioarticles.optout import OptOutRules, byline_names, load_rules, skip_reason

ARTICLE = "Le conseil municipal vote le budget\n\nLa séance a duré deux heures. Le vote est acquis.\n"


def rules(**kinds) -> OptOutRules:
    found = OptOutRules()
    found.extend(kinds, "optout.toml")
    return found


def article(**meta) -> Article:
    return Article(ArticleMeta(title="Titre", source="a.html", **meta),
                   [Block("title", "Titre"), Block("paragraph", "Le texte [pas d'audio] ici.")])


@pytest.mark.parametrize("kinds, meta, reason", [
    ({"categories": ["Publi-rédactionnel"]}, {"categories": ["Économie", "publi-rédactionnel"]},
     'opt-out: category "publi-rédactionnel" matches "Publi-rédactionnel" (optout.toml)'),
    ({"categories": ["Partenaires*"]}, {"categories": ["Partenaires : Santé"]},
     'opt-out: category "Partenaires : Santé" matches "Partenaires*" (optout.toml)'),
    ({"categories": ["Sport"]}, {"categories": ["Sports d'hiver"]}, None),
    ({"authors": ["AFP"]}, {"author": "Anne Roy et Paul Roux, AFP"},
     'opt-out: author "AFP" matches "AFP" (optout.toml)'),
    ({"authors": ["* (afp)"]}, {"author": "Anne Roy (AFP)"},
     'opt-out: author "Anne Roy (AFP)" matches "* (afp)" (optout.toml)'),
    ({"authors": ["AFP"]}, {"author": "Rafpa Dupont"}, None),
    ({"urls": ["https://www.exemple.fr/abonnes/*"]},
     {"canonical_url": "https://www.exemple.fr/abonnes/2026/budget.html"},
     'opt-out: URL "https://www.exemple.fr/abonnes/2026/budget.html" matches '
     '"https://www.exemple.fr/abonnes/*" (optout.toml)'),
    ({"urls": ["*/abonnes/*"]}, {"url": "https://www.exemple.fr/actu/budget.html"}, None),
    ({"markers": ["[PAS D'AUDIO]"]}, {},
     'opt-out: the text carries the marker "[PAS D\'AUDIO]" (optout.toml)'),
    ({"markers": ["[no-audio]"]}, {}, None),
    ({}, {"author": "AFP", "categories": ["Publi-rédactionnel"]}, None),
])
def test_skip_reason(kinds, meta, reason):
    assert skip_reason(article(**meta), rules(**kinds)) == reason


def test_byline_names():
    assert byline_names("Anne Roy et Paul Roux, AFP") == [
        "Anne Roy et Paul Roux, AFP", "Anne Roy", "Paul Roux", "AFP"]
    assert byline_names("Florence Audier") == ["Florence Audier"]


def test_packaged_rules_are_empty_and_the_project_adds_its_own(tmp_path):
    assert load_rules(tmp_path).rules == []
    (tmp_path / "optout.toml").write_text('authors = ["AFP"]\nselectors = [".paywall"]\n')
    loaded = load_rules(tmp_path)
    assert [(r.kind, r.pattern) for r in loaded.rules] == [("authors", "AFP"), ("selectors", ".paywall")]
    assert loaded.selectors == [".paywall"]


def convert(runner, *args):
    result = runner.invoke(cli, ["convert", *args, "--voice", "fr-espeak", "--json"])
    return result, json.loads(result.stdout) if result.stdout else None


def test_marker_in_the_text_skips_the_article_and_the_summary_says_why(runner, project):
    (project / "optout.toml").write_text('markers = ["[pas d\'audio]"]\n', encoding="utf-8")
    (project / "kept.txt").write_text(ARTICLE, encoding="utf-8")
    (project / "marked.txt").write_text(ARTICLE.replace("acquis.", "acquis. [Pas d'audio]"),
                                        encoding="utf-8")
    result, report = convert(runner, "kept.txt", "marked.txt")
    assert result.exit_code == 0
    assert [e["source"] for e in report["episodes"]] == ["kept.txt"]
    assert report["skipped"] == [{"input": "marked.txt", "reason":
                                  'opt-out: the text carries the marker "[pas d\'audio]" (optout.toml)'}]
    assert result.stderr.strip() == (
        'skipped: marked.txt: opt-out: the text carries the marker "[pas d\'audio]" (optout.toml)')
    assert len(list((project / "output" / "episodes").glob("*.mp3"))) == 1

    # text output names the skip too (on stderr; stdout lists what was converted)
    result = runner.invoke(cli, ["convert", "marked.txt", "--voice", "fr-espeak"])
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.startswith("skipped: marked.txt: opt-out")


def test_a_marker_added_later_leaves_the_existing_episode_and_says_how_to_remove_it(runner, project):
    (project / "a.txt").write_text(ARTICLE, encoding="utf-8")
    _, report = convert(runner, "a.txt")
    slug = report["episodes"][0]["slug"]
    (project / "optout.toml").write_text('markers = ["[pas d\'audio]"]\n', encoding="utf-8")
    (project / "a.txt").write_text(ARTICLE + "[pas d'audio]\n", encoding="utf-8")
    _, report = convert(runner, "a.txt")
    assert report["skipped"][0]["reason"].endswith(
        f"; its episode {slug} stays published (`audioarticles unpublish {slug}` takes it down)")


def test_bad_rule_files_are_usage_errors(runner, project):
    (project / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (project / "optout.toml").write_text('author = ["AFP"]\n', encoding="utf-8")
    result, _ = convert(runner, "a.txt")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: optout.toml: unknown key 'author'; valid keys: categories, authors, urls, "
        "markers, selectors")
    (project / "optout.toml").write_text('authors = "AFP"\n', encoding="utf-8")
    result, _ = convert(runner, "a.txt")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        'error: optout.toml: authors must be a list of non-empty strings, e.g. authors = ["..."]')
    (project / "optout.toml").write_text('authors = [\n', encoding="utf-8")
    result, _ = convert(runner, "a.txt")
    assert result.exit_code == 2 and result.stderr.startswith("error: optout.toml: not valid TOML")
    assert not (project / "output").exists()
