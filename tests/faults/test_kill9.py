"""kill -9 at seeded random moments of `convert`, `build`, `publish` and `sync`, each followed by
the same command and a consistency check: the catalog passes SQLite's integrity check, every
feed enclosure exists with its exact length, no `.part` file is left, no file is lost (every
file of the output folder before the crash is still there, the user's own file unchanged).

The moments come from one seed (`FAULT_SEED`, default below); a failure names the command and
the delay, so `FAULT_SEED=<seed> pytest tests/faults/test_kill9.py` replays it."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import time
from html import escape
from pathlib import Path

import pytest
from harness import assert_consistent, descendants, environment, feed_enclosures, start, wait_for
from web import Answer, Site

from audioarticles.cli import cli

SEED = int(os.environ.get("FAULT_SEED", "1212"))
VOICE = ["--voice", "fr-espeak", "--jobs", "2"]
#: (command, iterations, latest moment of the kill in seconds after the start)
PLAN = [("convert", 6, 3.0), ("build", 5, 1.2), ("publish", 4, 1.2), ("sync", 5, 3.0)]
USER_FILE = "a-lire.txt"  # the publisher's own file in output/: never ours to delete


def article(n: int, extra: str = "") -> str:
    return (f"Brève numéro {n}\n\nLe conseil numéro {n} s'est réuni hier soir à la mairie. "
            f"Il a voté le budget.{extra}\n")


def rss(items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{escape(title)}</title><link>https://journal.example/{guid}</link>"
        f'<guid isPermaLink="false">{guid}</guid>'
        "<pubDate>Tue, 14 Jan 2020 10:00:00 +0100</pubDate>"
        f"<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded></item>"
        for guid, title, text in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            "<title>Le Journal</title><link>https://journal.example/</link>"
            f"<description>Actualités</description><language>fr</language>{body}"
            "</channel></rss>").encode()


FEED_ITEMS = [(f"j-{n}", f"Dépêche {n}",
               f"La dépêche numéro {n} annonce la réouverture de la piscine municipale.")
              for n in (1, 2)]


@pytest.fixture(scope="module")
def feed_site():
    routes = {"/feed.xml": Answer(200, rss(FEED_ITEMS),
                                  {"Content-Type": "application/rss+xml; charset=utf-8"})}
    with Site(routes) as site:
        yield site


@pytest.fixture(scope="module")
def base(tmp_path_factory, feed_site):
    """A project with three published episodes, a held one and the publisher's own file in
    output/ (made once, copied for every iteration)."""
    from click.testing import CliRunner

    root = tmp_path_factory.mktemp("kill9") / "base"
    (root / "articles").mkdir(parents=True)
    # the publisher's feed is on 127.0.0.1, which fetching refuses unless allowed
    (root / "audioarticles.toml").write_text("[fetch]\nallow_private = true\n", encoding="utf-8")
    for n in range(1, 5):
        (root / "articles" / f"breve-{n}.txt").write_text(article(n), encoding="utf-8")
    previous = os.getcwd()
    os.chdir(root)
    try:
        runner = CliRunner()
        for args in (["convert", "articles", *VOICE],
                     ["hold", "breve-numero-4", "--reason", "à relire"]):
            result = runner.invoke(cli, args)
            assert result.exit_code == 0, result.output
    finally:
        os.chdir(previous)
    (root / "output" / USER_FILE).write_text("notes de la rédaction\n", encoding="utf-8")
    return root


def command_for(name: str, project, feed_site) -> list[str]:
    """The command of one iteration (after preparing what it will do)."""
    if name == "convert":  # one article edited (new audio, the old one retired), one new
        (project / "articles" / "breve-1.txt").write_text(article(1, " Il a aussi parlé des "
                                                                     "écoles."), encoding="utf-8")
        (project / "articles" / "breve-5.txt").write_text(article(5), encoding="utf-8")
        return ["convert", "articles", *VOICE]
    if name == "build":
        return ["build"]
    if name == "publish":
        return ["publish", "breve-numero-4"]
    return ["sync", feed_site.url("/feed.xml"), *VOICE]


def files(folder) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_size
            for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".part")}


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def iterations():
    chooser = random.Random(SEED)
    return [(name, round(chooser.uniform(0.15, latest), 3))
            for name, count, latest in PLAN for _ in range(count)]


@pytest.mark.parametrize("name,delay", iterations(),
                         ids=[f"{n}-{d}s" for n, d in iterations()])
def test_kill_9_then_the_same_command_leaves_a_consistent_project(
        tmp_path, base, feed_site, name, delay):
    project = tmp_path / "project"
    shutil.copytree(base, project, symlinks=True)
    before = files(project / "output")
    args = command_for(name, project, feed_site)
    proc = start(project, *args, env=environment())
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    children = descendants(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    # what a crash leaves running (ffmpeg, espeak workers) notices and leaves
    wait_for(lambda: not [p for p in children if alive(p)], timeout=15,
             what="the killed run's children to exit")

    again = start(project, *args, "--json", env=environment())
    out, err = again.communicate(timeout=120)
    where = f"FAULT_SEED={SEED}: `{' '.join(args)}` killed after {delay} s"
    assert again.returncode == 0, f"{where}; the same command again failed: {err}"
    json.loads(out)
    rows = assert_consistent(project)
    after = files(project / "output")
    lost = sorted(set(before) - set(after))
    assert not lost, f"{where}: files lost {lost}"
    assert (project / "output" / USER_FILE).read_text() == "notes de la rédaction\n"
    published = {r["mp3"] for r in rows if r["state"] == "published"}
    assert set(feed_enclosures(project)) == published, where
    expected = {"convert": 5, "build": 4, "publish": 4, "sync": 6}[name]
    assert len(rows) == expected, where
    if name == "publish":
        assert {r["slug"]: r["state"] for r in rows}["breve-numero-4"] == "published", where
