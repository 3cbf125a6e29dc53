"""Distribution and embeds without a browser: the static oEmbed answer and its discovery link,
Open Graph / Twitter player tags and schema.org JSON-LD on episode pages (parsed, URLs
absolute, a hostile title escaped), the embed data script, `embed --markers`, the ±30 s
setting, listening events' bodies, `[podcast] enclosure_prefix` read by podcastparser, the
read-along fingerprint (Python and embed.js agree) and the WordPress plugin (php -l).
The browser side is in test_player_browser.py."""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, require_tool
from publish_helpers import build, make_project, write_config

from audioarticles.analytics import EventError, parse_event
from audioarticles.cli import cli
from audioarticles.publish.channel import prefixed
from audioarticles.publish.heads import iso_duration
from audioarticles.readalong import fingerprint

BASE = "https://audio.example.org/la-gazette/"
HOSTILE_TITLE = '</script><script>alert(1)</script> Budget & « dettes » "<b>'
ARTICLE = """Le tramway arrive dans le quartier nord
Les travaux du tramway commencent lundi dans le quartier nord de la ville.

Pendant six mois, la circulation sera réduite sur l’avenue principale.
"""


class Head(HTMLParser):
    """The <link>, <meta> and JSON-LD of a page, as a crawler reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []
        self.meta: dict[str, str] = {}
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        elif tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content", "")
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data


def head_of(path: Path) -> Head:
    parser = Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.netloc == "audio.example.org"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("embed") / "project"
    episodes = make_project(root, BASE, {"tram.txt": ARTICLE,
                                         "hostile.txt": HOSTILE_TITLE + "\nLe conseil a voté.\n"})
    return {"root": root, "output": root / "output", "episodes": episodes}


def test_static_oembed_answer_and_its_discovery_link(project):
    tram = project["episodes"]["tram.txt"]
    page = project["output"] / "episodes" / f"{tram['slug']}.html"
    [discovery] = [link for link in head_of(page).links
                   if link.get("type") == "application/json+oembed"]
    assert discovery["rel"] == "alternate"
    assert discovery["href"] == f"{BASE}oembed/{tram['slug']}.json"
    answer = json.loads((project["output"] / "oembed" / f"{tram['slug']}.json").read_text("utf-8"))
    assert answer["version"] == "1.0" and answer["type"] == "rich"
    assert answer["title"] == tram["title"]
    assert answer["provider_name"] == "La Gazette à écouter"
    assert answer["author_name"] == "La Gazette"
    assert (answer["width"], answer["height"]) == (720, 240)
    assert answer["url"] == f"{BASE}episodes/{tram['slug']}.html"
    assert absolute(answer["thumbnail_url"]) and answer["thumbnail_width"] >= 1400
    assert f'src="{BASE}embed/{tram["slug"]}.html"' in answer["html"]
    assert f'<script src="{BASE}player/embed.js" async></script>' in answer["html"]
    assert not re.search(r"\son\w+=", answer["html"])  # no inline handler


def test_oembed_for_the_api_is_the_static_answer(project):
    """`Project.oembed` (the HTTP API's GET /oembed) answers what the build wrote, and honours
    maxwidth/maxheight; any other URL is not found."""
    import audioarticles as aa
    from audioarticles.errors import ArticleNotFound

    tram = project["episodes"]["tram.txt"]
    static = json.loads((project["output"] / "oembed" / f"{tram['slug']}.json").read_text("utf-8"))
    api = aa.Project.open(project["root"])
    page = f"{BASE}episodes/{tram['slug']}.html"
    assert api.oembed(page) == static
    answer = api.oembed(page + "?utm_source=x", maxwidth=400, maxheight=100)
    assert (answer["width"], answer["height"]) == (400, 100)
    assert 'width="400" height="100"' in answer["html"]
    for url in (f"{BASE}episodes/nope.html", "https://evil.example.org/episodes/x.html",
                f"{BASE}feed.xml"):
        with pytest.raises(ArticleNotFound, match="no published episode of this site"):
            api.oembed(url)


@pytest.mark.parametrize("url, slug", [
    (BASE + "episodes/le-tram.html", "le-tram"),
    (BASE + "embed/le-tram.html", "le-tram"),
    (BASE + "embed/le-tram.js", "le-tram"),
    ("HTTPS://AUDIO.example.org/la-gazette/episodes/le-tram-2.html?utm=x#t", "le-tram-2"),
    (BASE + "episodes/Le-Tram.html", None),  # not a slug we write
    (BASE + "episodes/../feed.html", None),
    (BASE + "episodes/le-tram.mp3", None),
    (BASE + "oembed/le-tram.json", None),
    ("https://audio.example.org/autre/episodes/le-tram.html", None),  # another base path
    ("https://evil.example.org/la-gazette/episodes/le-tram.html", None),
    ("javascript:alert(1)", None),
])
def test_slug_from_url(url, slug):
    from audioarticles.publish.channel import Channel
    from audioarticles.publish.embed import slug_from_url

    channel = Channel.__new__(Channel)
    object.__setattr__(channel, "base_url", BASE)
    assert slug_from_url(channel, url) == slug


def test_open_graph_twitter_and_json_ld_on_the_episode_page(project):
    tram = project["episodes"]["tram.txt"]
    head = head_of(project["output"] / "episodes" / f"{tram['slug']}.html")
    page_url = f"{BASE}episodes/{tram['slug']}.html"
    mp3_url = BASE + tram["mp3"].split("/output/", 1)[1]
    meta = head.meta
    assert meta["og:title"] == meta["twitter:title"] == tram["title"]
    assert meta["og:url"] == page_url
    assert meta["og:audio"] == meta["twitter:player:stream"] == mp3_url
    assert meta["og:audio:type"] == meta["twitter:player:stream:content_type"] == "audio/mpeg"
    assert meta["twitter:card"] == "player"
    assert meta["twitter:player"] == f"{BASE}embed/{tram['slug']}.html"
    assert int(meta["twitter:player:width"]) > 0 and int(meta["twitter:player:height"]) > 0
    for key in ("og:url", "og:image", "og:audio", "twitter:player", "twitter:image"):
        assert absolute(meta[key]), key
    [data] = [json.loads(block) for block in head.json_ld]
    assert data["@context"] == "https://schema.org" and data["@type"] == "PodcastEpisode"
    assert data["url"] == page_url and data["name"] == tram["title"]
    assert data["isAccessibleForFree"] is True
    assert data["duration"] == iso_duration(tram["duration_s"])
    audio = data["associatedMedia"]
    assert audio["@type"] == "AudioObject" and audio["contentUrl"] == mp3_url
    assert audio["encodingFormat"] == "audio/mpeg" and audio["duration"] == data["duration"]
    assert "circulation sera réduite" in audio["transcript"]
    assert data["partOfSeries"]["webFeed"] == BASE + "feed.xml"
    assert all(absolute(u) for u in (data["image"], audio["embedUrl"], data["@id"]))


def test_a_hostile_title_stays_text_in_head_tags_and_json_ld(project):
    hostile = project["episodes"]["hostile.txt"]
    page = project["output"] / "episodes" / f"{hostile['slug']}.html"
    raw = page.read_text(encoding="utf-8")
    head = head_of(page)
    assert head.meta["og:title"] == HOSTILE_TITLE  # escaped in the attribute, exact out
    [block] = head.json_ld
    assert "<" not in block and json.loads(block)["name"] == HOSTILE_TITLE
    assert raw.count("<script") == 2  # JSON-LD and player.js: the title opened none
    data_script = (project["output"] / "embed" / f"{hostile['slug']}.js").read_text("utf-8")
    assert "</script" not in data_script and "<b>" not in data_script


@pytest.mark.parametrize("seconds, text", [
    (0, "PT0S"), (0.4, "PT0S"), (59.6, "PT1M"), (61, "PT1M1S"), (3600, "PT1H"),
    (3725, "PT1H2M5S"),
])
def test_iso_duration(seconds, text):
    assert iso_duration(seconds) == text


def test_embed_data_script_holds_the_player_with_absolute_urls(project):
    require_tool("node")
    tram = project["episodes"]["tram.txt"]
    path = project["output"] / "embed" / f"{tram['slug']}.js"
    # run as a browser would: it defines the episode's data on window, nothing else
    script = ("const window = {};" + path.read_text("utf-8") +
              "process.stdout.write(JSON.stringify(window.audioarticlesEpisodes));")
    data = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True,
                                     check=True).stdout)[tram["slug"]]
    assert data["episode"] == tram["guid"]
    assert data["page"] == f"{BASE}episodes/{tram['slug']}.html"
    mp3_url = BASE + tram["mp3"].split("/output/", 1)[1]
    assert f'<audio controls preload="metadata" src="{mp3_url}">' in data["html"]
    assert 'data-skip="15"' in data["html"]
    # title, two paragraphs, then the disclosure, which is no block of the article
    assert [s[2] for s in data["segments"]] == [0, 1, 2, None]
    assert "circulation sera réduite" in data["segments"][2][3]


def test_embed_markers_lists_the_blocks_to_mark(runner, project):
    tram = project["episodes"]["tram.txt"]
    result = runner.invoke(cli, ["--project", str(project["root"]), "embed", tram["slug"],
                                 "--markers"])
    assert result.exit_code == 0, result.stderr
    assert 'data-readalong' in result.stdout
    data = json.loads(runner.invoke(cli, ["--project", str(project["root"]), "embed",
                                          tram["slug"], "--markers", "--json"]).stdout)
    title, first, second = data["markers"]
    assert title == {"block": 0, "starts_with": "Le tramway arrive dans le quartier nord"}
    assert first == {"block": 1,
                     "starts_with": "Les travaux du tramway commencent lundi dans le …"}
    assert second == {"block": 2,
                      "starts_with": "Pendant six mois, la circulation sera réduite sur …"}
    for mark in (title, first, second):
        assert (f'<!-- data-audio-block="{mark["block"]}" on the one that starts '
                f'« {mark["starts_with"]} » -->') in result.stdout


def test_thirty_second_skips_and_the_beacon_setting(runner, project):
    root = project["root"]
    write_config(root, BASE, '[player]\nskip_s = 30\n\n[analytics]\n'
                             'beacon_url = "https://api.example.org/v1/events"\n')
    try:
        build(root)
        tram = project["episodes"]["tram.txt"]
        page = (project["output"] / "episodes" / f"{tram['slug']}.html").read_text("utf-8")
        assert 'aria-label="−30 s : reculer de 30 secondes"' in page and ">+30 s</button>" in page
        assert 'data-beacon="https://api.example.org/v1/events"' in page
        write_config(root, BASE, "[player]\nskip_s = 20\n")
        result = runner.invoke(cli, ["--project", str(root), "build"])
        assert result.exit_code == 2
        assert "skip_s" in result.stderr and "15" in result.stderr and "30" in result.stderr
        write_config(root, BASE, '[analytics]\nbeacon_url = "/v1/events"\n')
        result = runner.invoke(cli, ["--project", str(root), "build"])
        assert result.exit_code == 2 and "beacon_url" in result.stderr
    finally:
        write_config(root, BASE)
        build(root)


def test_enclosure_prefix_applies_to_the_feed_only(project):
    import podcastparser

    root = project["root"]
    write_config(root, BASE, 'enclosure_prefix = "https://op3.dev/e/"\n')
    try:
        build(root)
        with open(project["output"] / "feed.xml", "rb") as stream:
            podcast = podcastparser.parse(BASE + "feed.xml", stream)
        tram = project["episodes"]["tram.txt"]
        relative = tram["mp3"].split("/output/", 1)[1]
        [episode] = [e for e in podcast["episodes"] if e["guid"] == tram["guid"]]
        [enclosure] = episode["enclosures"]
        assert enclosure["url"] == "https://op3.dev/e/audio.example.org/la-gazette/" + relative
        assert (project["output"] / relative).is_file()  # the file keeps its own name
        page = (project["output"] / "episodes" / f"{tram['slug']}.html").read_text("utf-8")
        assert "op3.dev" not in page  # the player plays the file itself
    finally:
        write_config(root, BASE)
        build(root)


@pytest.mark.parametrize("prefix, url, expected", [
    ("", "https://a.org/x.mp3", "https://a.org/x.mp3"),
    ("https://op3.dev/e/", "https://a.org/x.mp3", "https://op3.dev/e/a.org/x.mp3"),
    ("https://dts.podtrac.com/redirect.mp3", "http://a.org/p/x.mp3",
     "https://dts.podtrac.com/redirect.mp3/a.org/p/x.mp3"),
])
def test_prefixed(prefix, url, expected):
    assert prefixed(prefix, url) == expected


GOOD_EVENT = {"v": 1, "event": "progress", "episode": "urn:x", "slug": "le-tram",
              "listen": "0123456789abcdef", "position_s": 31.2, "duration_s": 124.5,
              "percent": 50}


@pytest.mark.parametrize("change, error", [
    ({}, None),
    ({"v": 2}, "v: 1 is required"),
    ({"event": "click"}, "event: one of play, pause, progress, complete, ratechange, seek"),
    ({"listen": "user@example.org"}, "listen: 16 lowercase hex digits are required"),
    ({"position_s": -1}, "position_s: a number of seconds >= 0 is required"),
    ({"duration_s": "12"}, "duration_s: a number of seconds >= 0 is required"),
    ({"percent": 30}, "percent: 25, 50 or 75 is required for progress"),
    ({"slug": ""}, "slug: a non-empty string"),
    ({"event": "ratechange", "rate": 0}, "rate: a speed above 0"),
    ({"event": "seek", "from_s": 3}, None),
])
def test_parse_event(change, error):
    body = {**GOOD_EVENT, **change}
    if error is None:
        checked = parse_event(json.dumps(body).encode())
        assert checked["event"] == body["event"] and "percent" in checked \
            if body["event"] == "progress" else True
    else:
        with pytest.raises(EventError, match=error.replace("(", r"\(")):
            parse_event(json.dumps(body))


def test_parse_event_keeps_only_known_fields():
    checked = parse_event({**GOOD_EVENT, "ip": "192.0.2.1", "user_agent": "x"})
    assert set(checked) == {"v", "event", "episode", "slug", "listen", "position_s",
                            "duration_s", "percent"}
    with pytest.raises(EventError, match="body: not JSON"):
        parse_event(b"{")
    with pytest.raises(EventError, match="larger than"):
        parse_event(b" " * 5000)


FINGERPRINTS = [
    ("L’avenue « principale » — fermée…", "l avenue principale fermee"),
    ("Les  travaux\u00a0commencent\nlundi", "les travaux commencent lundi"),
    ("ÉCOLE Cœur", "ecole coeur"),
    ("Le 14-Juillet, 3,5 %", "le 14 juillet 3 5"),
    ("", ""),
]


@pytest.mark.parametrize("text, expected", FINGERPRINTS)
def test_fingerprint(text, expected):
    assert fingerprint(text) == expected


def test_embed_js_fingerprint_agrees_with_python():
    require_tool("node")
    source = (ROOT / "src" / "audioarticles" / "player" / "embed.js").read_text("utf-8")
    start = source.index("  var FOLD = ")
    end = source.index("  var BLOCKS = ")
    texts = [text for text, _ in FINGERPRINTS] + ["Qu’il s’agisse d’« œuvres »", "Ça va – oui"]
    script = (source[start:end] + f"process.stdout.write(JSON.stringify({json.dumps(texts)}"
              ".map(fingerprint)));")
    shown = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True,
                                      check=True).stdout)
    assert shown == [fingerprint(t) for t in texts]


def test_wordpress_plugin_is_valid_php():
    plugin = ROOT / "integrations" / "wordpress" / "audioarticles" / "audioarticles.php"
    text = plugin.read_text(encoding="utf-8")
    assert "wp_oembed_add_provider(" in text and "wp_embed_register_handler(" in text
    assert "add_filter( 'the_content'" in text and "onclick" not in text
    php = require_tool("php")
    result = subprocess.run([php, "-l", str(plugin)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
