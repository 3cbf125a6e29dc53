"""Whole runs on object storage (a real SeaweedFS server of each test's own): a batch of
conversions while the server restarts (nothing lost, nothing doubled)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from articles import write_articles

from audioarticles.store.files import episode_files


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
    stored = {p.removeprefix(f"{bucket}/podcast/") for p in fs.find(f"{bucket}/podcast/episodes")}
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
