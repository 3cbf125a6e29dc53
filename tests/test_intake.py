"""What enters the pipeline: text without control characters, terminal escapes or bidi
overrides, and a language from the fixed registry; and a feed build that survives an episode it
cannot write (issue 12, items 4 and 5)."""

from __future__ import annotations

import http.client
import json
import sqlite3
import threading
import xml.etree.ElementTree as ET

import pytest

from audioarticles.cli import cli
from audioarticles.intake import admit, safe_text
from audioarticles.languages import language_tag, normaliser_module
from audioarticles.model import Article, ArticleMeta, Block
from audioarticles.normalise import normaliser
from audioarticles.publish.serve import make_server

VOICE = ["--voice", "fr-espeak"]
BODY = "Le conseil municipal a voté le budget hier soir. Les travaux commencent en mars."


@pytest.mark.parametrize("text, safe", [
    ("Budget 2026", "Budget 2026"),
    ("Titre \x1b[31mrouge\x1b[0m", "Titre rouge"),       # a terminal colour, whole
    ("\x1b]0;pwned\x07Titre", "Titre"),                   # a terminal title (OSC)
    ("a\x01b\x7fc", "abc"),                               # C0 control, DEL
    ("a\x9b31mb", "ab"),                                  # the one-byte CSI (C1)
    ("fin\ufffe\uffff", "fin"),                            # noncharacters XML forbids
    ("admin\u202egnp.exe", "admingnp.exe"),               # a right-to-left override
    ("\u2066isolé\u2069", "isolé"),                       # bidi isolates
    ("ligne\tune\nligne deux\r\n", "ligne\tune\nligne deux\r\n"),  # what XML allows stays
    ("« Déjà » – 7\u202f800 € 😀", "« Déjà » – 7\u202f800 € 😀"),
])
def test_safe_text(text, safe):
    assert safe_text(text) == safe


@pytest.mark.parametrize("value, tag", [
    ("fr", "fr"), ("FR", "fr"), ("fr-CA", "fr-CA"), ("fr_fr", "fr-FR"), ("en-gb", "en-GB"),
    ("zh-hant-tw", "zh-Hant-TW"), (" fr ", "fr"),
    ("fr.numbers", None), ("fr.lexicon", None), ("../../etc/passwd", None), ("xx", None),
    ("generic", None), ("", None), ("fr-", None), ("os.path", None),
])
def test_language_tags_come_from_the_registry(value, tag):
    assert language_tag(value) == tag


def test_a_language_never_names_a_module():
    assert normaliser_module("fr-CA") == "audioarticles.normalise.fr"
    assert normaliser_module("fr.numbers") == "audioarticles.normalise.generic"
    assert normaliser_module("fr.lexicon") == "audioarticles.normalise.generic"
    assert normaliser_module("en") == "audioarticles.normalise.generic"
    # before: import_module("audioarticles.normalise.fr.numbers"), which has no normalise()
    assert normaliser("fr.numbers")("3 chats") == "3 chats"


def test_admit_makes_every_field_safe_and_the_language_known():
    warnings: list[str] = []
    article = Article(ArticleMeta(title="T\x1b[1mitre\x01", author="A\u202eB", language="fr.numbers",
                                  categories=["S\x00anté"], source="a.html"),
                      [Block("title", "T\x1b[1mitre\x01"), Block("paragraph", "Texte\ufffe.")])
    admitted = admit(article, "fr-CA", warnings.append)
    assert (admitted.meta.title, admitted.meta.author) == ("Titre", "AB")
    assert admitted.meta.categories == ["Santé"]
    assert [b.text for b in admitted.blocks] == ["Titre", "Texte."]
    assert admitted.meta.language == "fr-CA"
    assert warnings == [
        "a.html: control characters, terminal escapes or bidi overrides removed from 5 fields "
        "(title, metadata or text)",
        'a.html: unknown language "fr.numbers"; read as fr-CA (the project\'s [podcast] '
        "language)"]
    assert article.meta.title == "T\x1b[1mitre\x01"  # the input is left as it was
    quiet: list[str] = []
    assert admit(Article(ArticleMeta(language="", source="b.txt"), []), "fr", quiet.append) \
        .meta.language == "fr"
    assert quiet == []  # no language said: the project's, silently


def convert_json(runner, *args):
    result = runner.invoke(cli, ["convert", *args, *VOICE, "--json"])
    return result, json.loads(result.stdout) if result.stdout else None


@pytest.mark.parametrize("name, text", [
    ("page.html", '<!DOCTYPE html><html lang="fr.numbers"><head><title>Budget</title></head>'
                  f"<body><article><h1>Budget voté</h1><p>{BODY}</p></article></body></html>"),
    ("note.md", f"---\ntitle: Budget voté\nlang: fr.lexicon\n---\n# Budget voté\n\n{BODY}\n"),
])
def test_an_unknown_page_language_falls_back_to_the_project_language(runner, project, name,
                                                                     text):
    (project / name).write_text(text, encoding="utf-8")
    result, report = convert_json(runner, name)
    assert result.exit_code == 0, result.stderr
    declared = "fr.numbers" if name.endswith("html") else "fr.lexicon"
    assert result.stderr == (f'warning: {name}: unknown language "{declared}"; read as fr (the '
                             "project's [podcast] language)\n")
    [episode] = report["episodes"]
    assert episode["status"] == "converted"
    feed = ET.parse(project / "output" / "feed.xml").getroot()
    assert feed.find("channel/language").text == "fr"


POISON = "\x1b[31m\x01\ufffe"


def served_feed(output) -> ET.Element:
    server = make_server(output, 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        connection.request("GET", "/feed.xml")
        response = connection.getresponse()
        assert response.status == 200
        return ET.fromstring(response.read())
    finally:
        server.shutdown()
        server.server_close()


def test_control_characters_in_titles_never_reach_the_feed(runner, project):
    # a .txt title and a Markdown front matter, each with ESC, \x01 and U+FFFE (in an
    # article long enough not to be taken for a binary file)
    body = "\n\n".join([BODY] * 8)
    (project / "a.txt").write_text(f"Budget {POISON}voté\n\n{body}\n", encoding="utf-8")
    (project / "b.md").write_text(f"---\ntitle: Travaux {POISON}en mars\nauthor: Anne{POISON}\n"
                                  f"---\n\n{body}\n", encoding="utf-8")
    result, report = convert_json(runner, "a.txt", "b.md")
    assert result.exit_code == 0, result.stderr
    assert {e["title"] for e in report["episodes"]} == {"Budget voté", "Travaux en mars"}
    assert "removed from" in result.stderr
    for command in (["convert", "a.txt", *VOICE], ["build"], ["episodes", "--json"]):
        again = runner.invoke(cli, command)
        assert again.exit_code == 0, again.stderr
    titles = {item.find("title").text for item in served_feed(project / "output").iter("item")}
    assert titles == {"Budget voté", "Travaux en mars"}


def test_an_episode_the_feed_cannot_hold_is_left_out_and_named(runner, project):
    """A title recorded before titles were made safe: the others are still published."""
    (project / "a.txt").write_text(f"Budget voté\n\n{BODY}\n", encoding="utf-8")
    (project / "b.txt").write_text(f"Travaux en mars\n\n{BODY} Fin.\n", encoding="utf-8")
    result, report = convert_json(runner, "a.txt", "b.txt")
    assert result.exit_code == 0, result.stderr
    slugs = {e["title"]: e["slug"] for e in report["episodes"]}
    with sqlite3.connect(project / ".audioarticles" / "catalog.sqlite") as db:
        db.execute("UPDATE episodes SET title = ? WHERE slug = ?",
                   (f"Budget {POISON}voté", slugs["Budget voté"]))
    for command in (["build"], ["convert", "b.txt", *VOICE]):
        again = runner.invoke(cli, command)
        assert again.exit_code == 0, again.stderr
        assert again.stderr.startswith(
            f"warning: {slugs['Budget voté']}: cannot be written into the feed (")
        assert "left out of the feed and site; fix its title or text and convert it again" \
            in again.stderr
    titles = [item.find("title").text for item in served_feed(project / "output").iter("item")]
    assert titles == ["Travaux en mars"]
    assert not (project / "output" / "episodes" / f"{slugs['Budget voté']}.html").exists()
