"""Editorial control on `sync`: an unpublished article in the publisher's feed stays down
(unless --force), and opt-out rules read the feed item's categories and byline."""

from __future__ import annotations

import json

import pytest
from test_sync import FULL_1, FULL_1_EDITED, Feed, allow_local_sites, item
from web import Site

from audioarticles.cli import cli

VOICE = ["--voice", "fr-espeak"]
SECOND = ("<p>La métropole ouvrira une ligne de tramway au printemps.</p>"
          "<p>Elle reliera la gare au campus en vingt minutes.</p>")


@pytest.fixture
def publisher(project, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    allow_local_sites(project)
    feed = Feed()
    with Site({"/feed.xml": feed}) as site:
        feed.items = [item("journal-1", "Le budget adopté", "https://journal.example/1", FULL_1),
                      item("journal-2", "Le tramway arrive", "https://journal.example/2", SECOND)]
        yield site, feed


def sync(runner, site, *args):
    result = runner.invoke(cli, ["sync", site.url("/feed.xml"), *VOICE, "--json", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_an_unpublished_article_does_not_come_back_with_sync(runner, project, publisher):
    site, feed = publisher
    first = {e["title"]: e for e in sync(runner, site)["episodes"]}
    slug = first["Le budget adopté"]["slug"]
    result = runner.invoke(cli, ["unpublish", slug, "--reason", "erreur factuelle", "--by", "Léa"])
    assert result.exit_code == 0, result.stderr

    # the publisher corrects the article: the sync sees it changed, and still leaves it down
    feed.version = 2
    feed.items[0] = item("journal-1", "Le budget adopté", "https://journal.example/1",
                         FULL_1_EDITED)
    report = sync(runner, site)
    assert "Le budget adopté" not in {e["title"] for e in report["episodes"]}
    [skipped] = report["skipped"]
    assert skipped["reason"].startswith("unpublished on ") and skipped["reason"].endswith(
        " by Léa (erreur factuelle); convert with --force to bring it back")
    listed = {e["slug"]: e for e in json.loads(
        runner.invoke(cli, ["episodes", "--json"]).stdout)["episodes"]}
    assert listed[slug]["state"] == "unpublished"
    assert not (project / "output" / "embed" / f"{slug}.html").exists()

    # --force brings it back, same identity
    report = sync(runner, site, "--force")
    back = {e["title"]: e for e in report["episodes"]}["Le budget adopté"]
    assert (back["slug"], back["guid"], back["state"]) == (
        slug, first["Le budget adopté"]["guid"], "published")
    assert (project / "output" / "embed" / f"{slug}.html").exists()


def test_opt_out_rules_read_the_feed_items_categories_and_byline(runner, project, publisher):
    site, feed = publisher
    (project / "optout.toml").write_text('categories = ["Partenaires"]\n', encoding="utf-8")
    feed.items[1] = feed.items[1].replace("</item>", "<category>Partenaires</category></item>")
    report = sync(runner, site)
    assert [e["title"] for e in report["episodes"]] == ["Le budget adopté"]
    assert report["skipped"] == [{"input": "https://journal.example/2", "reason":
                                  'opt-out: category "Partenaires" matches "Partenaires" '
                                  "(optout.toml)"}]

    (project / "optout.toml").write_text('authors = ["anne roy"]\n', encoding="utf-8")
    feed.version = 2
    feed.items.append(item("journal-3", "Le festival", "https://journal.example/3", SECOND))
    report = sync(runner, site)
    rule = 'opt-out: author "Anne Roy" matches "anne roy" (optout.toml)'
    assert report["episodes"] == []
    assert {s["input"]: s["reason"] for s in report["skipped"]} == {
        # already an episode: it stays, and the reason says how to take it down
        "https://journal.example/1": rule + "; its episode le-budget-adopte stays published "
                                            "(`audioarticles unpublish le-budget-adopte` takes it down)",
        "https://journal.example/2": rule,
        "https://journal.example/3": rule,
    }
