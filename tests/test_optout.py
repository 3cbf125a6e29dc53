"""Opt-out rules: each kind, as data, through the CLI where the input carries it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

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
     ('opt-out: URL "https://www.exemple.fr/abonnes/2026/budget.html" matches '
     '"https://www.exemple.fr/abonnes/*" (optout.toml)')),
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
    assert result.exit_code == 0 and result.stdout.splitlines() == [
        "1 article: 0 converted, 0 unchanged, 0 degraded, 1 skipped, 0 failed"]
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
        "error: optout.toml: unknown key `author`; did you mean `authors`?")
    (project / "optout.toml").write_text('authors = "AFP"\n', encoding="utf-8")
    result, _ = convert(runner, "a.txt")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        'error: optout.toml: authors = "AFP": expected a list of non-empty texts, e.g. ["..."]')
    (project / "optout.toml").write_text('authors = [\n', encoding="utf-8")
    result, _ = convert(runner, "a.txt")
    assert result.exit_code == 2 and result.stderr.startswith("error: optout.toml: not valid TOML")
    assert not (project / "output").exists()


# rules on web pages: metadata the page carries, and marks in its HTML

PAGES = Path(__file__).parent / "fixtures" / "html"

PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Le budget voté</title>
<link rel="canonical" href="https://www.exemple.fr/actu/budget.html"></head>
<body{body}><header><nav><a href="/">Accueil</a> <a href="/actu">Actualité</a></nav></header>
<article{article}><h1>Le budget voté</h1>
<p>La séance du conseil municipal a duré deux heures, et le vote est acquis sans surprise.</p>
<p data-audio="skip">Cet encadré réservé aux abonnés ne doit pas être lu à voix haute.</p>
<p class="reserve-partenaires">Ce paragraphe payant ne doit pas non plus être lu par la voix.</p>
<p>Les travaux de la médiathèque commenceront au printemps prochain, selon le maire.</p>
</article>
<aside><article><h2>À lire aussi</h2><p>Un autre sujet du jour, dans une autre rubrique.</p></article></aside>
<footer>Mentions légales</footer></body></html>
"""


def page(project, name, body="", article=""):
    (project / name).write_text(PAGE.format(body=body, article=article), encoding="utf-8")
    return name


def test_metadata_rules_skip_real_pages_without_voicing_them(runner, project):
    for name in ("laviedesidees.fr.evaluation.html", "soundofscience.fr.1927.html",
                 "franceculture.fr.idees.html"):
        shutil.copy(PAGES / name, project / name)
    (project / "optout.toml").write_text(
        'authors = ["florence audier"]\n'
        'categories = ["Politique scientifique*"]\n'
        'urls = ["https://www.franceculture.fr/emissions/*"]\n', encoding="utf-8")
    result, report = convert(runner, "laviedesidees.fr.evaluation.html",
                             "soundofscience.fr.1927.html", "franceculture.fr.idees.html")
    assert result.exit_code == 0 and report["episodes"] == [] and report["failed"] == []
    assert report["skipped"] == [
        {"input": "laviedesidees.fr.evaluation.html",
         "reason": 'opt-out: author "Florence Audier" matches "florence audier" (optout.toml)'},
        {"input": "soundofscience.fr.1927.html",
         "reason": 'opt-out: category "Politique scientifique française" matches '
                   '"Politique scientifique*" (optout.toml)'},
        {"input": "franceculture.fr.idees.html",
         "reason": 'opt-out: URL "https://www.franceculture.fr/emissions/le-journal-des-idees/'
                   'le-journal-des-idees-emission-du-mardi-14-janvier-2020" matches '
                   '"https://www.franceculture.fr/emissions/*" (optout.toml)'},
    ]
    assert not list(project.rglob("*.mp3"))


@pytest.mark.parametrize("where, expected", [
    ({"article": ' data-audio="skip"'}, '[data-audio="skip"]'),
    ({"body": ' data-audio="skip"'}, '[data-audio="skip"]'),
    ({"article": ' class="partenaire"'}, ".partenaire"),
])
def test_a_mark_on_the_article_skips_the_page(runner, project, where, expected):
    (project / "optout.toml").write_text('selectors = [".partenaire"]\n', encoding="utf-8")
    result, report = convert(runner, page(project, "budget.html", **where))
    assert result.exit_code == 0 and report["episodes"] == []
    assert report["skipped"] == [{"input": "budget.html",
                                  "reason": f"opt-out: the page marks the whole article {expected}"}]


def test_a_mark_on_a_block_drops_only_that_block(runner, project):
    # "À lire aussi" is an <article> too: marking it is a block, not the page's article
    # (a class the packaged chrome rules do not know: ".paywall" is never read anyway)
    name = page(project, "budget.html")
    _, plain = convert(runner, name)
    (project / "optout.toml").write_text('selectors = [".reserve-partenaires", "aside article"]\n',
                                         encoding="utf-8")
    (project / "budget.html").write_text(
        PAGE.format(body="", article="").replace("Le budget voté</h1>", "Le budget adopté</h1>"),
        encoding="utf-8")
    _, marked = convert(runner, name)
    assert marked["skipped"] == []
    [before], [after] = plain["episodes"], marked["episodes"]
    # the title changed (1 new segment); the paywalled paragraph is no longer read (1 fewer)
    assert after["segments_synthesized"] == 1
    assert after["segments_cached"] == before["segments_synthesized"] - 2
