"""`audioarticles sync FEED_URL` against a publisher's feed on 127.0.0.1: full text from the feed
or the linked page, new/changed/unchanged items, conditional GET, --limit, failures."""

from __future__ import annotations

import json
import uuid
from html import escape

import pytest
from web import Answer, Site, page

from audioarticles.cli import cli
from audioarticles.identity import GUID_NAMESPACE

VOICE = ["--voice", "fr-espeak"]


def item(guid: str, title: str, link: str, full_text: str | None = None,
         summary: str = "Résumé de l'article.") -> str:
    content = (f"<content:encoded><![CDATA[{full_text}]]></content:encoded>"
               if full_text is not None else "")
    return (f"<item><title>{escape(title)}</title><link>{link}</link>"
            f'<guid isPermaLink="false">{guid}</guid><dc:creator>Anne Roy</dc:creator>'
            f"<pubDate>Tue, 14 Jan 2020 10:00:00 +0100</pubDate>"
            f"<description>{escape(summary)}</description>{content}</item>")


def rss(*items: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Le Journal</title>'
            "<link>https://journal.example/</link><description>Actualités</description>"
            f"<language>fr</language>{''.join(items)}</channel></rss>").encode()


def article_page(title: str, *paragraphs: str) -> Answer:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return page(f"<!DOCTYPE html><html lang=fr><head><title>{title}</title></head><body>"
                f"<nav>Accueil Rubriques</nav><article><h1>{title}</h1>{body}</article>"
                "<footer>Mentions légales</footer></body></html>")


def allow_local_sites(project) -> None:
    """The publisher's site is on 127.0.0.1, which fetching refuses unless allowed."""
    (project / "audioarticles.toml").write_text("[fetch]\nallow_private = true\n")


FULL_1 = ("<p>Le conseil municipal a voté le budget de la ville lundi soir.</p>"
          "<p>Les habitants attendaient cette décision depuis des mois.</p>")
FULL_1_EDITED = FULL_1.replace("lundi soir", "mardi soir")


class Feed:
    """The publisher's feed: its items and ETag change when the test edits them."""

    def __init__(self):
        self.version = 1
        self.items: list[str] = []

    def __call__(self, request) -> Answer:
        etag = f'"v{self.version}"'
        if request.headers.get("if-none-match") == etag:
            return Answer(304, b"", {"ETag": etag})
        return Answer(200, rss(*self.items), {"Content-Type": "application/rss+xml; charset=utf-8",
                                               "ETag": etag})


@pytest.fixture
def publisher(project, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    allow_local_sites(project)
    feed = Feed()
    routes = {
        "/feed.xml": feed,
        "/articles/2": article_page("La deuxième nouvelle",
                                    "La métropole ouvrira une ligne de tramway au printemps.",
                                    "Elle reliera la gare au campus en vingt minutes."),
        "/articles/3": article_page("Troisième page",
                                    "Le festival réunira des artistes venus de toute l'Europe.",
                                    "Les concerts auront lieu sur la grande place."),
        "/articles/4": article_page("Quatrième page",
                                    "La bibliothèque rouvre ses portes après deux ans de travaux.",
                                    "Les lecteurs découvrent une salle plus lumineuse."),
    }
    with Site(routes) as site:
        feed.items = [
            item("journal-1", "Le budget adopté", site.url("/articles/1"), FULL_1),
            item("journal-2", "La deuxième nouvelle", site.url("/articles/2")),
            item("journal-3", "Troisième nouvelle", site.url("/articles/3")),
        ]
        yield site, feed


def sync(runner, site, *args):
    result = runner.invoke(cli, ["sync", site.url("/feed.xml"), *VOICE, "--jobs", "2", "--json",
                                 *args])
    return result, json.loads(result.stdout) if result.stdout else None


def test_sync_converts_new_then_changed_items_and_skips_the_rest(runner, project, publisher):
    site, feed = publisher
    result, report = sync(runner, site)
    assert result.exit_code == 0, result.stderr
    assert report["feed"] == {"url": site.url("/feed.xml"), "title": "Le Journal", "entries": 3,
                              "not_modified": False}
    episodes = report["episodes"]
    assert [(e["title"], e["status"]) for e in episodes] == [
        ("Le budget adopté", "converted"), ("La deuxième nouvelle", "converted"),
        ("Troisième nouvelle", "converted")]
    # the feed's GUID is the identity; the feed's title wins over the page's
    assert episodes[0]["guid"] == str(uuid.uuid5(GUID_NAMESPACE, "feed-guid:journal-1"))
    assert episodes[0]["source"] == site.url("/articles/1")
    assert episodes[0]["pub_date"].startswith("2020-01-14")
    # full text came from the feed: the first article's page was never fetched
    assert site.hits("/articles/1") == [] and len(site.hits("/articles/2")) == 1
    assert "if-none-match" not in site.hits("/feed.xml")[0].headers

    # nothing changed: the conditional GET answers 304 and nothing is read
    result, report = sync(runner, site)
    assert result.exit_code == 0, result.stderr
    assert report["feed"]["not_modified"] is True and report["episodes"] == []
    assert site.hits("/feed.xml")[-1].headers["if-none-match"] == '"v1"'
    assert len(site.hits("/articles/2")) == 1
    text = runner.invoke(cli, ["sync", site.url("/feed.xml"), *VOICE])
    assert text.stdout.splitlines()[0] == (f"{site.url('/feed.xml')}: not modified since the "
                                           "last sync; nothing to do")

    # the publisher edits item 1, adds item 4: one re-converted, one new, two unchanged
    feed.version = 2
    feed.items = [item("journal-4", "Quatrième nouvelle", site.url("/articles/4")),
                  item("journal-1", "Le budget adopté", site.url("/articles/1"), FULL_1_EDITED),
                  *feed.items[1:]]
    result, report = sync(runner, site)
    assert result.exit_code == 0, result.stderr
    by_title = {e["title"]: e for e in report["episodes"]}
    assert {t: e["status"] for t, e in by_title.items()} == {
        "Quatrième nouvelle": "converted", "Le budget adopté": "converted",
        "La deuxième nouvelle": "unchanged", "Troisième nouvelle": "unchanged"}
    edited = by_title["Le budget adopté"]
    assert (edited["guid"], edited["slug"]) == (episodes[0]["guid"], episodes[0]["slug"])
    assert edited["segments_synthesized"] == 1
    assert report["summary"]["converted"] == 2 and report["summary"]["unchanged"] == 2


def test_sync_limit_takes_the_first_items(runner, project, publisher):
    site, _ = publisher
    result, report = sync(runner, site, "--limit", "1")
    assert result.exit_code == 0, result.stderr
    assert [e["title"] for e in report["episodes"]] == ["Le budget adopté"]
    # a sync without the limit asks for more than the last one covered: the feed is read again
    result, report = sync(runner, site)
    assert "if-none-match" not in site.hits("/feed.xml")[-1].headers
    assert [e["status"] for e in report["episodes"]] == ["unchanged", "converted", "converted"]


def test_a_failed_item_is_retried_next_time(runner, project, publisher):
    site, feed = publisher
    feed.items.append(item("journal-5", "Page disparue", site.url("/articles/gone")))
    result, report = sync(runner, site)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: {site.url('/articles/gone')}: not found (HTTP 404); "
                                     "check the address")
    assert len(report["episodes"]) == 3
    # the validators were not kept: the next sync reads the feed and tries the item again
    sync(runner, site)
    assert "if-none-match" not in site.hits("/feed.xml")[-1].headers
    assert len(site.hits("/articles/gone")) == 2


def test_a_feed_that_cannot_be_read(runner, project, publisher):
    site, _ = publisher
    result = runner.invoke(cli, ["sync", site.url("/nope.xml"), *VOICE])
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: {site.url('/nope.xml')}: not found (HTTP 404); "
                                     "check the address")
    result = runner.invoke(cli, ["sync", site.url("/articles/2"), *VOICE])
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: {site.url('/articles/2')}: is a web page, not an "
                                     "RSS or Atom feed; pass the feed's address instead (often "
                                     "/feed or /rss.xml)")
    site.routes["/broken.xml"] = Answer(200, b"Ceci n est pas un flux.", {"Content-Type": "text/plain"})
    result = runner.invoke(cli, ["sync", site.url("/broken.xml"), *VOICE])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {site.url('/broken.xml')}: not a readable RSS or "
                                     "Atom feed (")
    result = runner.invoke(cli, ["sync", "feed.xml", *VOICE])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: feed.xml: not a feed address; pass the http(s) URL "
                                     "of an RSS or Atom feed")


def test_a_home_page_is_not_a_feed_and_names_the_feed_it_announces(runner, project, publisher):
    """It used to "sync" 0 articles and exit 0."""
    site, _ = publisher
    site.routes["/"] = page('<!DOCTYPE html><html><head><title>Le Journal</title><link '
                            'rel="alternate" type="application/rss+xml" href="/feed.xml">'
                            "</head><body><p>Bienvenue</p></body></html>")
    result = runner.invoke(cli, ["sync", site.url("/"), *VOICE, "--json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: {site.url('/')}: is a web page, not an RSS or Atom "
                                     f"feed; its feed is {site.url('/feed.xml')}")
    assert report == {"error": result.stderr.strip()[len("error: "):]}


def test_an_empty_feed_is_a_feed(runner, project, publisher):
    site, feed = publisher
    feed.items = []
    result, report = sync(runner, site)
    assert result.exit_code == 0, result.stderr
    assert report["summary"]["converted"] == 0 and report["feed"]["entries"] == 0


def test_each_repeated_guid_gets_one_warning_line(runner, project, publisher):
    site, feed = publisher
    feed.items = [item("journal-1", "Le budget adopté", site.url("/articles/1"), FULL_1),
                  item("journal-1", "Le budget adopté (bis)", site.url("/articles/1"), FULL_1),
                  item("journal-2", "La deuxième nouvelle", site.url("/articles/2")),
                  item("journal-1", "Le budget adopté (ter)", site.url("/articles/1"), FULL_1)]
    result, report = sync(runner, site)
    assert result.exit_code == 0, result.stderr
    feed_url = site.url("/feed.xml")
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {feed_url} item {n}: the guid 'journal-1' of item 1 again; only the first is "
        "read (the publisher's feed should give each item its own guid)" for n in (2, 4)]
    assert sorted(e["title"] for e in report["episodes"]) == ["La deuxième nouvelle",
                                                             "Le budget adopté"]
