"""The public API (`audioarticles.Project`), and the explicit id that reaches the GUID from
every input: `ArticleInput.id`, `convert --id`, front matter `id:`, `<meta
name="audioarticles:id">`. Real conversions with the offline voice."""

from __future__ import annotations

import json
import logging

import pytest

import audioarticles as aa
from audioarticles.cli import cli
from audioarticles.sources import Source

ARTICLE_HTML = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Le tramway arrive à Brest</title></head><body><article>
<h1>Le tramway arrive à Brest</h1>
<p>La nouvelle ligne de tramway ouvre lundi matin entre la gare et le port de commerce.</p>
<p>Les premiers voyageurs pourront l'emprunter gratuitement pendant une semaine entière.</p>
</article></body></html>"""

CORRECTED_HTML = ARTICLE_HTML.replace("lundi matin", "mardi matin")


class Recorder(aa.Progress):
    def __init__(self):
        self.events = []

    def start(self, total):
        self.events.append(("start", total))

    def done(self, name, outcome):
        self.events.append(("done", name, type(outcome).__name__))

    def finish(self, report):
        self.events.append(("finish", len(report.converted)))


def article(**fields) -> aa.ArticleInput:
    return aa.ArticleInput(**{"id": "cms-4512", "html": ARTICLE_HTML,
                              "url": "https://example.org/brest-tramway",
                              "author": "Anne Le Goff", "published": "2026-03-02T08:00+01:00",
                              "categories": ["Transports"], "summary": "Le tram ouvre.",
                              **fields})


@pytest.fixture
def api_project(project) -> aa.Project:
    (project / "audioarticles.toml").write_text('[voice]\ndefault = "fr-espeak"\n',
                                                encoding="utf-8")
    return aa.Project.open(project)


def test_convert_article_makes_the_cms_id_the_guid(api_project, runner):
    progress = Recorder()
    episode = api_project.convert_article(article(), progress=progress)
    assert episode.guid == "cms-4512"
    assert episode.slug == "le-tramway-arrive-a-brest"
    assert episode.state == "published"
    assert (episode.title, episode.author) == ("Le tramway arrive à Brest", "Anne Le Goff")
    assert episode.pub_date.startswith("2026-03-02T08:00")
    assert episode.mp3_path.is_file()
    assert progress.events == [("start", 1), ("done", "article:cms-4512", "Converted"),
                               ("finish", 1)]
    # the library's dict is exactly what `episodes --json` prints
    listed = runner.invoke(cli, ["episodes", "--json"])
    assert listed.exit_code == 0, listed.stderr
    assert json.loads(listed.stdout)["episodes"] == [episode.to_dict()]
    assert [e.guid for e in api_project.episodes(state="published")] == ["cms-4512"]
    assert api_project.episodes(state="draft") == []
    one = runner.invoke(cli, ["episodes", "cms-4512", "--json"])
    assert json.loads(one.stdout)["episodes"] == [episode.to_dict()]
    assert api_project.episodes(slugs_or_ids=[episode.slug]) == [episode]
    unknown = runner.invoke(cli, ["episodes", "cms-1"])
    assert (unknown.exit_code, unknown.stderr.strip()) == (
        1, "error: cms-1: no such episode; list them with `audioarticles episodes`")


def test_a_correction_with_the_same_id_updates_the_same_episode(api_project):
    first = api_project.convert_article(article())
    again = api_project.convert_article(article())
    assert (again.guid, again.slug, again.mp3) == (first.guid, first.slug, first.mp3)
    moved = api_project.convert_article(article(url="https://example.org/moved"))
    assert (moved.guid, moved.slug, moved.url) == (first.guid, first.slug,
                                                   "https://example.org/moved")
    corrected = api_project.convert_article(article(html=CORRECTED_HTML))
    assert (corrected.guid, corrected.slug) == (first.guid, first.slug)
    assert corrected.mp3 != first.mp3
    assert len(api_project.episodes()) == 1


def test_editor_commands_and_embed_take_a_slug_or_an_id(api_project, runner):
    api_project.convert_article(article())
    [held] = api_project.hold("cms-4512", by="desk", reason="à relire")
    assert (held.from_state, held.episode.state, held.episode.state_by) == (
        "published", "held", "desk")
    assert not (api_project.output / held.episode.mp3).exists()
    [back] = api_project.publish("le-tramway-arrive-a-brest", by="desk", reason="relu")
    assert (back.episode.state, back.episode.state_reason) == ("published", "relu")
    assert 'data-audioarticles="le-tramway-arrive-a-brest"' in api_project.embed("cms-4512")
    result = runner.invoke(cli, ["unpublish", "cms-4512", "--reason", "erreur", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["episodes"][0]["state"] == "unpublished"
    history = [(e.from_state, e.to_state) for e in api_project.history("cms-4512")]
    assert history == [("", "published"), ("published", "held"), ("held", "published"),
                       ("published", "unpublished")]
    with pytest.raises(aa.UserError, match="nope: no such episode"):
        api_project.publish("nope")


def test_an_article_unpublished_by_an_editor_is_skipped(api_project):
    api_project.convert_article(article())
    api_project.unpublish("cms-4512", reason="retiré")
    with pytest.raises(aa.ArticleSkipped, match="convert with --force"):
        api_project.convert_article(article())
    assert api_project.convert_article(article(), force=True).state == "published"


@pytest.mark.parametrize("fields, message", [
    ({"html": "", "url": ""}, "nothing to read"),
    ({"text": "Un texte."}, "gives html and text"),
    ({"id": "a\nb"}, "cannot identify an episode"),
])
def test_an_article_input_that_cannot_be_read_says_why(api_project, fields, message):
    with pytest.raises(aa.InputError, match=message):
        api_project.convert_article(article(**fields))


def test_text_and_markdown_inputs_take_the_given_title(api_project):
    text = api_project.convert_article(aa.ArticleInput(
        id="cms-1", title="Un titre donné", text="Premier paragraphe du texte. Il continue."))
    assert (text.title, text.guid) == ("Un titre donné", "cms-1")
    md = api_project.convert_article(aa.ArticleInput(
        id="cms-2", title="Autre titre", markdown="Un paragraphe en *Markdown*."))
    assert (md.title, md.slug) == ("Autre titre", "autre-titre")


def test_front_matter_and_page_meta_ids_become_guids(project, runner):
    (project / "a.md").write_text("---\ntitle: Bonjour\nid: cms-77\n---\nUn court texte lu.\n",
                                  encoding="utf-8")
    (project / "b.html").write_text(ARTICLE_HTML.replace(
        "<title>", '<meta name="audioarticles:id" content="cms-88"><title>'), encoding="utf-8")
    result = runner.invoke(cli, ["convert", "a.md", "b.html", "--voice", "fr-espeak", "--json"])
    assert result.exit_code == 0, result.stderr
    assert [e["guid"] for e in json.loads(result.stdout)["episodes"]] == ["cms-77", "cms-88"]


def test_convert_id_names_one_input(project, runner):
    (project / "in").mkdir()
    for name in ("a", "b"):
        (project / "in" / f"{name}.txt").write_text(f"Titre {name}\n\nUn texte {name}.\n",
                                                    encoding="utf-8")
    result = runner.invoke(cli, ["convert", "in/a.txt", "--id", "cms-9", "--voice",
                                 "fr-espeak", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["episodes"][0]["guid"] == "cms-9"
    many = runner.invoke(cli, ["convert", "in", "--id", "cms-10", "--voice", "fr-espeak"])
    assert many.exit_code == 2
    assert many.stderr.strip() == ("error: --id names one article, but the inputs hold 2; "
                                   "convert them one at a time to give each its id")


@pytest.mark.parametrize("source", [
    Source("path", "in/a.txt", "/tmp/in/a.txt"),
    Source("url", "https://example.org/a", "https://example.org/a", explicit_id="x-1"),
    Source("feed-item", "https://example.org/b", "https://example.org/b",
           {"guid": "g", "link": "https://example.org/b", "title": "T", "body": "<p>x</p>",
            "author": "", "date": "", "summary": "", "categories": ["a"], "language": "fr"}),
    aa.ArticleInput(id="cms-1", title="T", text="Du texte.", categories=["a"]).source(),
])
def test_sources_are_data_that_travel_as_json(source):
    assert Source.from_dict(json.loads(json.dumps(source.to_dict()))) == source


def test_warnings_go_to_the_logger(project, caplog):
    (project / "latin.txt").write_bytes("Titre\n\nUn texte accentué, déjà lu.\n".encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="audioarticles"):
        view = aa.Project.open(project).text("latin.txt", "extract")
    assert view.article.meta.title == "Titre"
    assert ["latin.txt: not UTF-8; read as Latin-1 (Windows-1252). Check the accents, and save "
            "the file as UTF-8 to silence this"] == [r.getMessage() for r in caplog.records]
