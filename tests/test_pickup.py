"""Instant pickup against a local hub: a WebSub publish ping and a Podping call after each
build that changed a public feed, none when nothing changed, retries, and a hub that fails
costing a warning, never the build."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import free_port
from lxml import etree
from publish_helpers import SHORT_ARTICLE, write_config
from web import Answer, Site

from audioarticles.cli import cli
from audioarticles.config import Settings
from audioarticles.publish.pickup import announce

BASE = "https://audio.example.org/"
SECTION = '\n[[feeds]]\nname = "ville"\ntitle = "La ville"\nvoices = ["fr-espeak"]\n'


def pickup_settings(hub: str, ping: str, retries: int = 3) -> str:
    return (f'\n[pickup]\nwebsub_hub = "{hub}"\npodping_url = "{ping}"\nretries = {retries}\n'
            "timeout_s = 2\n")


def pings(site: Site) -> list[tuple[str, str, str]]:
    found = []
    for request in site.requests:
        if request.method == "POST":
            form = parse_qs(request.body.decode())
            found.append(("websub", form["hub.mode"][0], form["hub.url"][0]))
        else:
            found.append(("podping", "", parse_qs(urlsplit(request.path).query)["url"][0]))
    return found


def test_changed_feeds_are_announced_once(runner, project, monkeypatch):
    monkeypatch.setenv("AUDIOARTICLES_PODPING_TOKEN", "secret-token")
    with Site({"/hub": Answer(204), "/ping": Answer(200, b"Success!")}) as site:
        write_config(project, BASE)
        (project / "audioarticles.toml").write_text(
            (project / "audioarticles.toml").read_text() + SECTION
            + pickup_settings(site.url("/hub"), site.url("/ping")), encoding="utf-8")
        (project / "a.txt").write_text(SHORT_ARTICLE, encoding="utf-8")
        result = runner.invoke(cli, ["convert", "a.txt", "--voice", "fr-espeak"])
        assert result.exit_code == 0, result.stderr
        assert "warning" not in result.stderr
        feeds = [BASE + "feed.xml", BASE + "feeds/ville.xml"]
        assert sorted(pings(site)) == sorted(
            [("websub", "publish", url) for url in feeds] + [("podping", "", url) for url in feeds])
        assert all(r.headers["authorization"] == "secret-token" for r in site.requests
                   if r.method == "GET")
        hub = etree.parse(str(project / "output" / "feed.xml")).getroot().find(
            "channel/{http://www.w3.org/2005/Atom}link[@rel='hub']")
        assert hub.get("href") == site.url("/hub")
        # nothing changed: nobody is told
        before = len(site.requests)
        assert runner.invoke(cli, ["build"]).exit_code == 0
        assert len(site.requests) == before


def test_a_failing_hub_is_retried_then_a_warning(runner, project):
    calls = []

    def flaky(request):
        calls.append(request)
        return Answer(503, b"busy") if len(calls) < 2 else Answer(204)

    with Site({"/hub": flaky, "/ping": Answer(500, b"down")}) as site:
        write_config(project, BASE, pickup_settings(site.url("/hub"), site.url("/ping"), 2))
        (project / "a.txt").write_text(SHORT_ARTICLE, encoding="utf-8")
        result = runner.invoke(cli, ["convert", "a.txt", "--voice", "fr-espeak"])
    assert result.exit_code == 0
    assert len(calls) == 2  # the hub answered the second time: no warning for it
    assert result.stderr.strip().splitlines()[-1] == (
        f"warning: podping notification for {BASE}feed.xml failed after 2 attempts (HTTP 500 "
        f"Internal Server Error from {site.url('/ping')}); apps will pick the feed up at their "
        "next poll")
    assert "websub" not in result.stderr


def test_nobody_listening_never_fails_anything(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}/"
    project = Settings(root=tmp_path, settings={"pickup": {
        "websub_hub": dead, "podping_url": "", "retries": 3, "timeout_s": 1}})
    warnings, pauses = [], []
    notices = announce(project, [BASE + "feed.xml"], warnings.append, sleep=pauses.append)
    assert [(n.service, n.ok, n.attempts) for n in notices] == [("websub", False, 3)]
    assert pauses == [0.5, 1.0]  # a growing pause between attempts
    assert warnings == [f"websub notification for {BASE}feed.xml failed after 3 attempts (could "
                        f"not reach it (ConnectionError) from {dead}); apps will pick the feed "
                        "up at their next poll"]


@pytest.mark.parametrize("settings", [{}, {"websub_hub": "", "podping_url": ""}])
def test_off_by_default(tmp_path, settings):
    project = Settings(root=tmp_path, settings={"pickup": settings})
    assert announce(project, [BASE + "feed.xml"], pytest.fail) == []
