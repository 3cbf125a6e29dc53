"""Whole runs on object storage (a real SeaweedFS server): a batch of conversions while the
server restarts (nothing lost, nothing doubled); convert, publish, build and unpublish checked
over HTTP as listeners fetch the objects, with the order of uploads and deletes watched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from articles import write_articles

from audioarticles.store.files import episode_files
from audioarticles.store.objects import Area


def storage_project(root: Path, bucket: str) -> None:
    (root / "audioarticles.toml").write_text(
        f'[podcast]\nbase_url = "https://podcast.example.org/"\n'
        f'[storage]\npublic = "s3://{bucket}/podcast/"\nprivate = "s3://{bucket}/private/"\n',
        encoding="utf-8")


def run_cli(root: Path, env: dict, *args: str, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "audioarticles", "--project", str(root),
                             *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, **options)


def test_the_store_restarted_mid_batch_loses_and_doubles_nothing(s3_server, tmp_path):
    bucket = s3_server.new_bucket()
    root = tmp_path / "project"
    root.mkdir()
    storage_project(root, bucket)
    articles = write_articles(root / "articles", 6)
    env = {**os.environ, **s3_server.environ(), "NO_PROXY": "127.0.0.1,localhost"}
    batch = run_cli(root, env, "convert", str(root / "articles"), "--voice", "fr-espeak",
                    "--json")
    fs = s3_server.filesystem()
    deadline = time.monotonic() + 300
    while not any(p.endswith(".mp3") for p in fs.find(bucket)):  # the first episode is in
        assert batch.poll() is None, batch.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.1)
    down = time.monotonic()
    s3_server.restart(pause_s=1.0)  # down for about 3 s, mid-batch
    down = time.monotonic() - down
    assert batch.poll() is None  # the batch was still running when the store came back
    out, err = batch.communicate(timeout=600)
    assert batch.returncode == 0, err
    episodes = json.loads(out)["episodes"]
    assert len(episodes) == len(articles)
    listed = run_cli(root, env, "episodes", "--json")
    out, err = listed.communicate(timeout=120)
    recorded = json.loads(out)["episodes"]
    assert len({e["guid"] for e in recorded}) == len(articles)  # one episode per article
    fs = s3_server.filesystem()
    stored = {p.removeprefix(f"{bucket}/podcast/") for p in fs.find(f"{bucket}/podcast/episodes")
              if not p.endswith(".html")}  # the episodes' files, not their pages
    from audioarticles.store import ProjectStore
    from audioarticles.config import load_settings

    settings = load_settings(root)
    with ProjectStore(settings).catalog() as catalog:
        named = {n for e in catalog.episodes() for n in episode_files(e)}
        sizes = {e.mp3: e.bytes for e in catalog.episodes()}
    assert stored == named  # every file there, and no second copy of any
    for mp3, size in sizes.items():
        assert fs.info(f"{bucket}/podcast/{mp3}")["size"] == size
    left = fs.find(f"{bucket}/private/episodes", detail=True)
    assert [p for p, i in left.items() if i["type"] == "file"] == []  # all published


# ---- convert → publish → build → unpublish, as listeners see it over HTTP ------------------

def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), b""


def enclosures(feed: bytes) -> list[tuple[str, int]]:
    channel = ET.fromstring(feed).find("channel")
    return [(e.get("url"), int(e.get("length"))) for e in channel.iter("enclosure")]


class Watch:
    """Checks, at the moment of each upload or delete in the public area, what a listener
    could see then: a feed is uploaded only when every enclosure it names can be fetched; an
    episode file is deleted only when the public feed no longer names it."""

    def __init__(self, base: str):
        self.base = base
        self.feed_puts = 0
        self.removed: list[str] = []
        self.problems: list[str] = []

    def before_put(self, area, name: str, data: bytes) -> None:
        if not area.url.endswith("/podcast/") or name != "feed.xml":
            return
        self.feed_puts += 1
        for url, _ in enclosures(data):
            if fetch(url)[0] != 200:
                self.problems.append(f"feed.xml uploaded naming {url}, not there yet")

    def before_remove(self, area, name: str) -> None:
        if not area.url.endswith("/podcast/") or not name.startswith("episodes/"):
            return
        self.removed.append(name)
        status, _, feed = fetch(self.base + "feed.xml")
        if status == 200 and name.encode() in feed:
            self.problems.append(f"{name} deleted while feed.xml still names it")


@pytest.fixture
def watch(s3_service, s3_bucket, monkeypatch) -> Watch:
    watching = Watch(f"{s3_service.endpoint_url}/{s3_bucket}/podcast/")
    put, put_many, remove = Area.put_bytes, Area.put_many, Area.remove

    def put_bytes(self, name, data, headers=None):
        watching.before_put(self, name, data)
        return put(self, name, data, headers)

    def putting_many(self, files, headers=None):
        for name, data in files.items():
            watching.before_put(self, name, data)
        return put_many(self, files, headers)

    def removing(self, name, present=False):
        watching.before_remove(self, name)
        return remove(self, name, present)

    monkeypatch.setattr(Area, "put_bytes", put_bytes)
    monkeypatch.setattr(Area, "put_many", putting_many)
    monkeypatch.setattr(Area, "remove", removing)
    return watching


def test_convert_publish_build_unpublish_on_object_storage(project, runner, s3_service,
                                                           s3_bucket, watch):
    from audioarticles.cli import cli

    base = f"{s3_service.endpoint_url}/{s3_bucket}/podcast/"
    (project / "audioarticles.toml").write_text(
        f'[podcast]\nbase_url = "{base}"\nowner_email = "radio@example.org"\n'
        f'[editorial]\nauto_publish = false\n'
        f'[storage]\npublic = "s3://{s3_bucket}/podcast/"\n'
        f'private = "s3://{s3_bucket}/private/"\n', encoding="utf-8")
    write_articles(project / "articles", 2)
    result = runner.invoke(cli, ["convert", "articles", "--voice", "fr-espeak", "--json"])
    assert result.exit_code == 0, result.stderr
    slugs = [e["slug"] for e in json.loads(result.stdout)["episodes"]]
    status, _, feed = fetch(base + "feed.xml")
    assert status == 200 and enclosures(feed) == []  # drafts: nothing public yet
    fs = s3_service.filesystem()
    assert not [p for p in fs.find(f"{s3_bucket}/podcast/episodes") if p.endswith(".mp3")]

    result = runner.invoke(cli, ["publish", *slugs, "--json"])
    assert result.exit_code == 0, result.stderr
    status, headers, feed = fetch(base + "feed.xml")
    assert headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert headers["Cache-Control"] == "public, max-age=300"
    listed = enclosures(feed)
    assert len(listed) == 2
    for url, length in listed:
        status, headers, body = fetch(url)
        assert status == 200 and len(body) == length and body[:3] == b"ID3"
        assert headers["Content-Type"] == "audio/mpeg"
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for slug in slugs:
        status, headers, page = fetch(f"{base}episodes/{slug}.html")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    status, headers, _ = fetch(base + "index.html")
    assert status == 200 and headers["Cache-Control"] == "public, max-age=300"

    puts_before = watch.feed_puts
    result = runner.invoke(cli, ["build", "--json"])
    assert result.exit_code == 0, result.stderr
    assert watch.feed_puts == puts_before  # nothing changed: the feed is not uploaded again

    gone = slugs[0]
    result = runner.invoke(cli, ["unpublish", gone, "--reason", "erreur", "--json"])
    assert result.exit_code == 0, result.stderr
    status, _, feed = fetch(base + "feed.xml")
    [(kept_url, _)] = enclosures(feed)
    assert gone not in kept_url
    removed_mp3 = [n for n in watch.removed if n.endswith(".mp3")]
    assert removed_mp3 and all(gone in n for n in removed_mp3)
    assert fetch(base + removed_mp3[0])[0] == 404
    assert fetch(f"{base}episodes/{gone}.html")[0] == 404
    assert fs.exists(f"{s3_bucket}/private/{removed_mp3[0]}")  # kept privately
    assert watch.problems == []


KILLED_CONVERSION = """
import sys, time
import s3fs

calls = s3fs.S3FileSystem._call_s3

async def call(self, method, *args, **kwargs):
    if method == "put_object" and kwargs.get("Key", "").endswith(".mp3"):
        print("UPLOADING", kwargs["Key"], flush=True)  # the MP3's upload has begun
        time.sleep(600)  # to be killed here
    return await calls(self, method, *args, **kwargs)

s3fs.S3FileSystem._call_s3 = call
from audioarticles.cli import main
sys.argv = ["audioarticles", *sys.argv[1:]]
main()
"""


def test_a_conversion_killed_while_uploading_leaves_no_object_and_runs_again(
        s3_service, s3_bucket, tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    storage_project(root, s3_bucket)
    write_articles(root / "articles", 1)
    env = {**os.environ, **s3_service.environ(), "NO_PROXY": "127.0.0.1,localhost"}
    child = subprocess.Popen([sys.executable, "-c", KILLED_CONVERSION, "--project", str(root),
                              "convert", str(root / "articles"), "--voice", "fr-espeak"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    try:
        line = child.stdout.readline()
        assert line.startswith("UPLOADING"), child.communicate()
        os.kill(child.pid, 9)
    finally:
        child.kill()
        child.wait()
    key = line.split()[1]
    fs = s3_service.filesystem()
    assert not fs.exists(f"{s3_bucket}/{key}")  # nothing under the MP3's final name
    stored = {p for p, i in fs.find(s3_bucket, detail=True).items() if i["type"] == "file"}
    assert not [p for p in stored if "/podcast/" in p]  # nothing public
    again = run_cli(root, env, "convert", str(root / "articles"), "--voice", "fr-espeak",
                    "--json")
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    [episode] = json.loads(out)["episodes"]
    assert fs.info(episode["mp3"].removeprefix("s3://"))["size"] == episode["bytes"]
    listed = {p for p, i in fs.find(f"{s3_bucket}/podcast/episodes", detail=True).items()
              if i["type"] == "file" and p.endswith(".mp3")}
    assert listed == {episode["mp3"].removeprefix("s3://")}
