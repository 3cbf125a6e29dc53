"""Editorial states against the real public files: feed.xml (read with feedparser),
index.html, the episode pages and embeds, and what `serve` answers for each MP3."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from publish_helpers import SECOND_ARTICLE, SHORT_ARTICLE, free_port, interrupt, make_project

from audioarticles import editorial
from audioarticles.cli import cli
from audioarticles.publish.serve import make_server

THIRD_ARTICLE = """Le marché de Noël ouvre vendredi sur la place centrale
Une soixantaine de chalets s’installent sur la place centrale jusqu’au 24 décembre.
La patinoire revient cette année, gratuite pour les enfants.
"""


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def newsroom(tmp_path):
    """Three published episodes, and a server on output/ (it answers what is there now)."""
    root = tmp_path / "project"
    episodes = make_project(root, "http://127.0.0.1:8000/", {
        "budget.txt": SHORT_ARTICLE, "mediatheque.txt": SECOND_ARTICLE, "noel.txt": THIRD_ARTICLE})
    server = make_server(root / "output", 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"root": root, "port": server.server_address[1], **episodes}
    server.shutdown()
    server.server_close()


def cli_json(runner, root: Path, *args: str) -> dict:
    result = runner.invoke(cli, ["--project", str(root), *args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def status(port: int, path: str) -> int:
    return get(port, path)[0]


def mp3_url(episode: dict) -> str:
    """The MP3's path on the site (`episodes/x.mp3`), wherever the JSON says it is now."""
    return "/episodes/" + Path(episode["mp3"]).name


def public_state(newsroom: dict) -> dict[str, dict]:
    """For each converted article: what the public site shows of it."""
    output = newsroom["root"] / "output"
    feed = feedparser.parse((output / "feed.xml").read_bytes())
    in_feed = {entry.id for entry in feed.entries}
    index = (output / "index.html").read_text(encoding="utf-8")
    shown = {}
    for name in ("budget.txt", "mediatheque.txt", "noel.txt"):
        episode = newsroom[name]
        slug = episode["slug"]
        shown[name] = {
            "feed": episode["guid"] in in_feed,
            "index": f"episodes/{slug}.html" in index,
            "page": (output / "episodes" / f"{slug}.html").exists(),
            "embed": (output / "embed" / f"{slug}.html").exists(),
            "mp3": status(newsroom["port"], mp3_url(episode)),
            "embed_url": status(newsroom["port"], f"/embed/{slug}.html"),
        }
    return shown


VISIBLE = {"feed": True, "index": True, "page": True, "embed": True, "mp3": 200, "embed_url": 200}
GONE = {"feed": False, "index": False, "page": False, "embed": False, "mp3": 404, "embed_url": 404}


def test_held_and_unpublished_episodes_leave_feed_site_embeds_and_server(runner, newsroom):
    root = newsroom["root"]
    assert set(map(str, public_state(newsroom).values())) == {str(VISIBLE)}

    cli_json(runner, root, "hold", newsroom["mediatheque.txt"]["slug"], "--reason", "vérification")
    cli_json(runner, root, "unpublish", newsroom["noel.txt"]["slug"], "--reason", "article retiré")
    shown = public_state(newsroom)
    assert shown == {"budget.txt": VISIBLE, "mediatheque.txt": GONE, "noel.txt": GONE}
    # nothing of theirs is left anywhere under output/
    names = {p.name for p in (root / "output").rglob("*")}
    for gone in ("mediatheque.txt", "noel.txt"):
        assert not {n for n in names if n.startswith(newsroom[gone]["slug"])}

    # released again: back at the same URLs, same GUID
    [back] = cli_json(runner, root, "publish", newsroom["mediatheque.txt"]["slug"])["episodes"]
    assert back["mp3"].endswith(mp3_url(newsroom["mediatheque.txt"]))
    shown = public_state(newsroom)
    assert shown == {"budget.txt": VISIBLE, "mediatheque.txt": VISIBLE, "noel.txt": GONE}

    # a rebuild keeps them as they are
    cli_json(runner, root, "build")
    assert public_state(newsroom) == shown


def test_a_draft_is_public_only_once_published(runner, newsroom):
    root = newsroom["root"]
    article = root / "articles" / "piscine.txt"
    article.write_text("La piscine ferme pour l’été\nLes bassins seront vidés en juillet.\n",
                       encoding="utf-8")
    [draft] = cli_json(runner, root, "convert", str(article), "--voice", "fr-espeak",
                       "--draft")["episodes"]
    output = root / "output"
    feed = feedparser.parse((output / "feed.xml").read_bytes())
    assert draft["guid"] not in {e.id for e in feed.entries} and len(feed.entries) == 3
    assert draft["slug"] not in (output / "index.html").read_text(encoding="utf-8")
    assert status(newsroom["port"], mp3_url(draft)) == 404
    assert status(newsroom["port"], f"/embed/{draft['slug']}.html") == 404
    assert not list(output.rglob(f"{draft['slug']}*"))

    # released by an editor: in the feed, on the site, served
    cli_json(runner, root, "publish", draft["slug"])
    feed = feedparser.parse((output / "feed.xml").read_bytes())
    assert draft["guid"] in {e.id for e in feed.entries} and len(feed.entries) == 4
    assert f"episodes/{draft['slug']}.html" in (output / "index.html").read_text(encoding="utf-8")
    assert status(newsroom["port"], mp3_url(draft)) == 200
    assert status(newsroom["port"], f"/embed/{draft['slug']}.html") == 200


def test_scheduled_episode_appears_on_the_first_build_after_its_time(runner, newsroom,
                                                                      monkeypatch):
    root = newsroom["root"]
    slug = newsroom["budget.txt"]["slug"]
    due = datetime.now(UTC) + timedelta(hours=3)
    [change] = cli_json(runner, root, "hold", slug, "--reason", "attendre le conseil")["episodes"]
    [change] = cli_json(runner, root, "publish", slug, "--at", due.isoformat())["episodes"]
    assert change["state"] == "scheduled"
    assert public_state(newsroom)["budget.txt"] == GONE

    cli_json(runner, root, "build")  # before its time: still out
    assert public_state(newsroom)["budget.txt"] == GONE

    monkeypatch.setattr(editorial, "utcnow", lambda: due + timedelta(minutes=1))
    cli_json(runner, root, "build")
    assert public_state(newsroom)["budget.txt"] == VISIBLE
    listed = {e["slug"]: e for e in cli_json(runner, root, "episodes")["episodes"]}
    assert (listed[slug]["state"], listed[slug]["state_by"]) == ("published", "schedule")


def test_serve_drafts_previews_unreleased_episodes_privately(runner, newsroom):
    root = newsroom["root"]
    held = newsroom["mediatheque.txt"]
    cli_json(runner, root, "hold", held["slug"], "--reason", "relecture")
    article = root / "articles" / "piscine.txt"
    article.write_text("La piscine ferme pour l’été\nLes bassins seront vidés en juillet.\n",
                       encoding="utf-8")
    [draft] = cli_json(runner, root, "convert", str(article), "--voice", "fr-espeak",
                       "--draft")["episodes"]
    port = free_port()
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    process = subprocess.Popen([sys.executable, "-m", "audioarticles", "--project", str(root),
                                "serve", "--drafts", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline().strip()
        assert line == (f"serving {os.path.relpath(root / '.audioarticles' / 'preview')} "
                        f"at http://127.0.0.1:{port}/ (Ctrl-C to stop)")
        code, index = get(port, "/")
        index = index.decode("utf-8")
        assert code == 200
        assert "[Brouillon] La piscine ferme pour l’été" in index
        assert "[Retenu] La médiathèque rouvre ses portes après travaux" in index
        assert "Le conseil municipal adopte le budget" in index  # published ones too
        # the draft can be listened to, through its page and its audio
        code, page = get(port, f"/episodes/{draft['slug']}.html")
        assert code == 200 and mp3_url(draft).lstrip("/").split("/", 1)[1].encode() in page
        code, audio = get(port, mp3_url(draft))
        assert code == 200 and audio == Path(draft["mp3"]).read_bytes()
        # no other web site may read the drafts: no CORS header, whoever asks
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", mp3_url(draft), headers={"Origin": "https://evil.example"})
        answer = connection.getresponse()
        answer.read()
        connection.close()
        assert answer.status == 200
        assert not any(h.lower().startswith("access-control-") for h, _ in answer.getheaders())
        code, _ = get(port, mp3_url(held))
        assert code == 200
    finally:
        interrupt(process)
    assert process.returncode == 0
    # the preview wrote nothing public
    output = root / "output"
    assert "piscine" not in (output / "index.html").read_text(encoding="utf-8")
    assert not list(output.rglob(f"{draft['slug']}*")) and not list(output.rglob(f"{held['slug']}*"))
    assert status(newsroom["port"], mp3_url(draft)) == 404


def test_a_degraded_episode_is_held_out_of_the_feed_until_an_editor_publishes_it(runner,
                                                                                  newsroom):
    """Voice `fr` (gTTS) cannot be reached in tests: the fallback voices the article, and the
    default policy (publish_degraded = false) holds it."""
    root = newsroom["root"]
    article = root / "articles" / "piscine.txt"
    article.write_text("La piscine ferme pour l’été\nLes bassins seront vidés en juillet.\n",
                       encoding="utf-8")
    [held] = cli_json(runner, root, "convert", str(article), "--voice", "fr")["episodes"]
    assert (held["degraded"], held["state"], held["engine"]) == (True, "held", "espeak")
    assert held["state_reason"].startswith("degraded: voiced by fr-espeak (espeak) instead of fr: ")
    output = root / "output"
    feed = feedparser.parse((output / "feed.xml").read_bytes())
    assert held["guid"] not in {e.id for e in feed.entries}
    assert status(newsroom["port"], mp3_url(held)) == 404

    # an editor listens and releases it as it is
    [released] = cli_json(runner, root, "publish", held["slug"], "--by", "Claire")["episodes"]
    assert (released["state"], released["state_by"], released["degraded"]) == (
        "published", "Claire", True)
    feed = feedparser.parse((output / "feed.xml").read_bytes())
    assert held["guid"] in {e.id for e in feed.entries}
    assert status(newsroom["port"], mp3_url(held)) == 200
    # a re-conversion that is still degraded keeps what the editor approved
    [again] = cli_json(runner, root, "convert", str(article), "--voice", "fr",
                       "--rerender")["episodes"]
    assert (again["state"], again["degraded"]) == ("published", True)


def test_publish_degraded_publishes_fallback_episodes_at_once(runner, tmp_path):
    root = tmp_path / "project"
    make_project(root, "http://127.0.0.1:8000/", {}, extra="[editorial]\npublish_degraded = true\n")
    (root / "articles" / "piscine.txt").write_text(
        "La piscine ferme pour l’été\nLes bassins seront vidés en juillet.\n", encoding="utf-8")
    [episode] = cli_json(runner, root, "convert", str(root / "articles" / "piscine.txt"),
                         "--voice", "fr")["episodes"]
    assert (episode["degraded"], episode["state"]) == (True, "published")
    feed = feedparser.parse((root / "output" / "feed.xml").read_bytes())
    assert [e.id for e in feed.entries] == [episode["guid"]]
