"""`audioarticles migrate`: a project converted locally moved to object storage (a real
SeaweedFS server) and its catalog to another backend, each copy checked (counts, checksums,
every file read back); the source left as it was."""

from __future__ import annotations

import hashlib
import shutil
import json
import urllib.request
from pathlib import Path

import pytest
from publish_helpers import SECOND_ARTICLE, SHORT_ARTICLE, make_project, make_runner

from audioarticles.cli import cli

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    """Two episodes converted with the offline voice, one of them held (private files)."""
    root = tmp_path_factory.mktemp("migrate") / "project"
    episodes = make_project(root, "https://podcast.example.org/",
                            {"budget.txt": SHORT_ARTICLE, "mediatheque.txt": SECOND_ARTICLE})
    held = episodes["mediatheque.txt"]["slug"]
    result = make_runner().invoke(cli, ["--project", str(root), "hold", held, "--reason",
                                        "à relire"])
    assert result.exit_code == 0, result.stderr
    return root


def migrate(root: Path, *args: str):
    return make_runner().invoke(cli, ["--project", str(root), "migrate", *args, "--json"])


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")}


def test_a_local_project_moves_to_object_storage_checked(converted, s3_service, s3_bucket):
    public_before = tree(converted / "output")
    private_before = tree(converted / ".audioarticles" / "unreleased")
    assert private_before and any(n.endswith(".mp3") for n in public_before)
    result = migrate(converted, "--storage", f"s3://{s3_bucket}/podcast",
                     "--private", f"s3://{s3_bucket}/private/")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["problems"] == []
    assert report["files"] == {"public": len(public_before), "private": len(private_before)}
    assert report["settings"] == ["[storage]", f'public = "s3://{s3_bucket}/podcast/"',
                                  f'private = "s3://{s3_bucket}/private/"']
    fs = s3_service.filesystem()
    for area, files in (("podcast", public_before), ("private", private_before)):
        for name, checksum in files.items():
            assert hashlib.sha256(fs.cat_file(f"{s3_bucket}/{area}/{name}")).hexdigest() \
                == checksum, name
    # as listeners fetch them: the MP3 immutable, the feed short-lived
    mp3 = next(n for n in public_before if n.endswith(".mp3"))
    with urllib.request.urlopen(f"{s3_service.endpoint_url}/{s3_bucket}/podcast/{mp3}") as got:
        assert got.headers["Content-Type"] == "audio/mpeg"
        assert got.headers["Cache-Control"] == IMMUTABLE
    with urllib.request.urlopen(f"{s3_service.endpoint_url}/{s3_bucket}/podcast/feed.xml") as got:
        assert got.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
        assert got.headers["Cache-Control"] == "public, max-age=300"
    # the source is left as it was
    assert tree(converted / "output") == public_before
    assert tree(converted / ".audioarticles" / "unreleased") == private_before
    # a second migration into the same place is refused: it never overwrites
    again = migrate(converted, "--storage", f"s3://{s3_bucket}/podcast/",
                    "--private", f"s3://{s3_bucket}/private/")
    assert again.exit_code == 2
    assert "already holds" in json.loads(again.stdout)["error"]


def test_migrate_refuses_what_it_cannot_do(converted):
    assert migrate(converted).exit_code == 2
    result = migrate(converted, "--storage", "s3://bucket/podcast/")
    assert result.exit_code == 2 and "--private" in json.loads(result.stdout)["error"]
    result = migrate(converted, "--storage", "s3://KEY:hunter2@bucket/p/", "--private",
                     "s3://b/q/")
    assert result.exit_code == 2 and "credentials" in json.loads(result.stdout)["error"]
    assert "hunter2" not in result.stdout


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_catalog_moves_to_another_backend_checked(converted, tmp_path, request, backend):
    target = (request.getfixturevalue("postgres_url") if backend == "postgresql"
              else str(tmp_path / "moved" / "catalog.sqlite"))
    result = migrate(converted, "--catalog", target)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["problems"] == []
    assert report["catalog"]["episodes"] == 2
    assert report["catalog"]["editorial_events"] >= 3  # two conversions and a hold
    assert report["settings"] == ["[catalog]", f'url = "{target}"']
    # the project reads the same episodes from there
    source = make_runner().invoke(cli, ["--project", str(converted), "episodes", "--json"])
    moved = tmp_path / "moved-project"
    shutil.copytree(converted, moved, ignore=shutil.ignore_patterns("catalog.sqlite*"))
    if backend == "postgresql":
        with open(moved / "audioarticles.toml", "a", encoding="utf-8") as handle:
            handle.write(f'\n[catalog]\nurl = "{target}"\n')
    else:
        shutil.copy(target, moved / ".audioarticles" / "catalog.sqlite")
    listed = make_runner().invoke(cli, ["--project", str(moved), "episodes", "--json"])
    assert listed.exit_code == 0, listed.output
    def rows(out):
        return sorted((e["guid"], e["slug"], e["state"], e["bytes"])
                      for e in json.loads(out)["episodes"])
    assert rows(listed.stdout) == rows(source.stdout)
    # a catalog that already holds episodes is never written over
    again = migrate(converted, "--catalog", target)
    assert again.exit_code != 0
    assert "already holds" in json.loads(again.stdout)["error"]
