"""The static site and the embed snippet: pages for published episodes only, newest first,
everything from the catalog escaped (a hostile article proves it)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import feedparser
import pytest
from publish_helpers import SECOND_ARTICLE, SHORT_ARTICLE, build, make_project

from audioarticles.config import load_settings
from audioarticles.store import open_catalog
from audioarticles.cli import cli

BASE = "http://127.0.0.1:8000/"
HOSTILE_TITLE = '<script>alert("titre")</script> Budget & "dettes" <img src=x onerror=alert(1)>'
HOSTILE_ARTICLE = HOSTILE_TITLE + "\nLe conseil a adopté le budget.\n"


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("site") / "project"
    episodes = make_project(root, BASE, {"budget.txt": SHORT_ARTICLE,
                                         "mediatheque.txt": SECOND_ARTICLE,
                                         "hostile.txt": HOSTILE_ARTICLE})
    return {"root": root, "output": root / "output", "episodes": episodes}


def test_index_lists_published_episodes_newest_first_with_a_player_each(site):
    index = (site["output"] / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<h2><a href="episodes/([^"]+)\.html">', index)
    assert links == [site["episodes"][n]["slug"] for n in ("hostile.txt", "mediatheque.txt",
                                                           "budget.txt")]
    assert index.count("data-aa-player") == 3
    assert '<a href="http://127.0.0.1:8000/feed.xml" rel="alternate"' in index  # subscribe
    assert re.search(r'<img class="aa-cover" src="artwork/podcast-[0-9a-f]{10}\.png"', index)
    assert '<html lang="fr">' in index


def test_episode_page_has_the_player_the_audio_and_french_labels(site):
    episode = site["episodes"]["budget.txt"]
    page = (site["output"] / "episodes" / f"{episode['slug']}.html").read_text(encoding="utf-8")
    mp3_name = episode["mp3"].rsplit("/", 1)[1]
    assert f'<audio controls preload="metadata" src="{mp3_name}">' in page
    for label in ('aria-label="Lire"', 'aria-label="−15 s : reculer de 15 secondes"',
                  'aria-label="+15 s : avancer de 15 secondes"', 'aria-label="Vitesse de lecture"',
                  'aria-label="Position de lecture"', "Télécharger l’épisode (MP3,"):
        assert label in page
    rates = re.findall(r'<option value="([\d.]+)"', page)
    assert rates == ["0.75", "1", "1.25", "1.5", "1.75", "2"]
    assert 'src="../player/player.js"' in page and 'href="../player/player.css"' in page
    assert "Cet épisode est lu par une voix de synthèse." in page
    embed = site["output"] / "embed" / f"{episode['slug']}.html"
    assert 'class="aa-embed"' in embed.read_text(encoding="utf-8")


def test_player_assets_are_shipped_and_use_no_network(site):
    js = (site["output"] / "player" / "player.js").read_text(encoding="utf-8")
    css = (site["output"] / "player" / "player.css").read_text(encoding="utf-8")
    assert "mediaSession" in js and "playbackRate" in js
    for asset in (js, css):
        assert "http://" not in asset and "https://" not in asset and "@import" not in asset
    assert ".innerHTML" not in js  # text from the page is never parsed as HTML


def test_hostile_title_is_text_everywhere(site):
    hostile = site["episodes"]["hostile.txt"]
    assert hostile["title"] == HOSTILE_TITLE
    pages = [site["output"] / "index.html",
             site["output"] / "episodes" / f"{hostile['slug']}.html",
             site["output"] / "embed" / f"{hostile['slug']}.html"]
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html
        elements = parse(html)
        # the only scripts are the player's own file (and the page's JSON-LD, a data block);
        # no element carries an inline handler
        scripts = [attrs for tag, attrs in elements.tags if tag == "script"]
        assert scripts and all(a.get("src", "").endswith("player/player.js")
                               or a == {"type": "application/ld+json"} for a in scripts)
        handlers = [(tag, name) for tag, attrs in elements.tags for name in attrs
                    if name.startswith("on")]
        assert handlers == []
        assert [tag for tag, _ in elements.tags].count("img") <= 1  # the cover on the index only
        assert HOSTILE_TITLE in "".join(elements.text)  # shown, as text
        # data attributes the player reads hold the exact title
        players = [attrs for tag, attrs in elements.tags if "data-aa-player" in attrs]
        assert any(p["data-title"] == HOSTILE_TITLE for p in players)
    feed = feedparser.parse(site["output"] / "feed.xml")
    assert HOSTILE_TITLE in [e.title for e in feed.entries]


def test_embed_prints_a_script_embed_without_inline_javascript(runner, site):
    episode = site["episodes"]["hostile.txt"]
    result = runner.invoke(cli, ["--project", str(site["root"]), "embed", episode["slug"]])
    assert result.exit_code == 0, result.stderr
    snippet = result.stdout.strip()
    elements = parse(snippet)
    assert [tag for tag, _ in elements.tags] == ["div", "a", "script"]
    (_, div), (_, link), (_, script) = elements.tags
    assert div == {"data-audioarticles": episode["slug"]}
    assert link["href"] == f"{BASE}episodes/{episode['slug']}.html"  # readers without scripts
    assert script == {"src": f"{BASE}player/embed.js", "async": None}
    assert f"Écouter l’article : {HOSTILE_TITLE}" in "".join(elements.text)  # escaped in, exact out
    assert "<script>alert" not in snippet and "<img" not in snippet

    frame = runner.invoke(cli, ["--project", str(site["root"]), "embed", episode["slug"],
                                "--iframe"]).stdout.strip()
    tags = parse(frame).tags
    assert [tag for tag, _ in tags] == ["iframe", "script"]
    assert tags[0][1]["src"] == f"{BASE}embed/{episode['slug']}.html"
    assert tags[0][1]["title"] == f"Lecteur audio : {HOSTILE_TITLE}"
    assert not [name for _, attrs in tags for name in attrs if name.startswith("on")]

    as_json = runner.invoke(cli, ["--project", str(site["root"]), "embed", episode["slug"],
                                  "--json"])
    data = json.loads(as_json.stdout)
    assert data["snippet"] == snippet and data["iframe"] == frame
    assert data["embed_url"] == tags[0][1]["src"]
    assert data["oembed_url"] == f"{BASE}oembed/{episode['slug']}.json"


def test_embed_of_an_unknown_or_unpublished_slug_says_so(runner, site):
    result = runner.invoke(cli, ["--project", str(site["root"]), "embed", "nope"])
    assert result.exit_code == 1
    assert result.stderr.strip() == ("error: nope: no published episode with this slug or id; "
                                     "list them with `audioarticles episodes`")


def test_only_published_episodes_reach_the_public_files(runner, site):
    """An episode leaving the `published` state (drafts, holds: the editorial workflow)
    disappears from feed, index, its page and its embed at the next build."""
    root, output = site["root"], site["output"]
    slug = site["episodes"]["mediatheque.txt"]["slug"]
    with open_catalog(load_settings(root)) as catalog:
        episode = catalog.by_slug(slug)
        episode.state = "held"
        with catalog.transaction():
            catalog.save(episode)
    try:
        report = build(root)
        assert report["episodes"] == 2
        assert slug not in (output / "index.html").read_text(encoding="utf-8")
        assert slug not in (output / "feed.xml").read_text(encoding="utf-8")
        assert not (output / "episodes" / f"{slug}.html").exists()
        assert not (output / "embed" / f"{slug}.html").exists()
        result = runner.invoke(cli, ["--project", str(root), "embed", slug])
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            f"error: {slug}: no published episode with this slug or id (it is held); "
            "list them with `audioarticles episodes`")
    finally:
        with open_catalog(load_settings(root)) as catalog:
            episode = catalog.by_slug(slug)
            episode.state = "published"
            with catalog.transaction():
                catalog.save(episode)
        build(root)


def test_build_prints_the_feed_url_and_the_page_to_open(runner, site):
    result = runner.invoke(cli, ["--project", str(site["root"]), "build"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    newest = site["episodes"]["hostile.txt"]["slug"]
    assert "feed: http://127.0.0.1:8000/feed.xml" in lines
    assert any(line.startswith(f"page: http://127.0.0.1:8000/episodes/{newest}.html")
               for line in lines)


def test_build_without_a_catalog_says_what_to_do(runner, project):
    result = runner.invoke(cli, ["build"])
    assert result.exit_code == 1
    assert result.stderr.strip() == ("error: no episodes yet; "
                                     "run `audioarticles convert ARTICLE` first")
