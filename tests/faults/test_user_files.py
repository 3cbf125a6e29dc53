"""Never delete a file we did not write: a publisher's own files in `output/` (or in an
existing site given to `--out`), symlinks there, their own `.part` files, survive every
command; only what the manifest of written files names is ever swept."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from harness import assert_consistent, run_cli, snapshot

VOICE = ["--voice", "fr-espeak"]
OLD = time.time() - 7 * 86400  # older than any run: sweeps judge files by age too

USER_FILES = {
    "index-ancien.html": b"<h1>notre ancien site</h1>",
    "style.css": b"body { color: black }",
    "episodes/interview.mp3": b"ID3 an interview we recorded ourselves",
    "episodes/interview-0123456789.mp3": b"ID3 named like ours, but ours it is not",
    "episodes/interview.vtt": b"WEBVTT\n",
    "episodes/interview.html": b"<h1>interview</h1>",
    "embed/widget.html": b"<div>widget</div>",
    "artwork/podcast-logo.png": b"\x89PNG not really",
    "artwork/podcast-0123456789.jpg": b"\xff\xd8 not really",
    ".brouillon.xyz.part": b"a draft of ours, half saved",
    "episodes/.montage.abc.mp3.part": b"half an export",
}


def place_user_files(site) -> None:
    for name, data in USER_FILES.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (OLD, OLD))


def user_files_intact(site) -> None:
    for name, data in USER_FILES.items():
        assert (site / name).read_bytes() == data, name


def article(project, name: str, title: str) -> str:
    folder = project / "articles"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"{title}\n\nLe conseil municipal s'est réuni hier soir.\n",
                               encoding="utf-8")
    return f"articles/{name}"


def test_convert_into_an_existing_site_never_deletes_the_publishers_files(project, tmp_path):
    site = tmp_path / "site"
    place_user_files(site)
    first = article(project, "a.txt", "Premier article")
    done = run_cli(project, "convert", first, *VOICE, "--out", str(site))
    assert done.returncode == 0, done.stderr
    user_files_intact(site)
    second = article(project, "b.txt", "Second article")
    for args in (["convert", second, *VOICE, "--out", str(site)], ["build", "--out", str(site)],
                 ["hold", "premier-article", "--reason", "x"], ["publish", "premier-article"]):
        if args[0] in ("hold", "publish"):
            args = ["--project", str(project), *args]
        done = run_cli(project, *args)
        assert done.returncode == 0, (args, done.stderr)
        user_files_intact(site)


def test_symlinks_in_output_are_left_alone_and_never_followed(project, tmp_path):
    outside = tmp_path / "outside"
    (outside / "archives").mkdir(parents=True)
    (outside / "precious.mp3").write_bytes(b"ID3 the only copy")
    (outside / "archives" / "old-0123456789.mp3").write_bytes(b"ID3 an archived episode")
    (outside / "archives" / ".x.abc.part").write_bytes(b"not ours")
    first = article(project, "a.txt", "Premier article")
    assert run_cli(project, "convert", first, *VOICE).returncode == 0
    episodes = project / "output" / "episodes"
    links = {episodes / "precious-0123456789.mp3": outside / "precious.mp3",
             project / "output" / "archives": outside / "archives",
             episodes / "vieux.html": outside / "precious.mp3"}
    for link, target in links.items():
        link.symlink_to(target)
        os.utime(link, (OLD, OLD), follow_symlinks=False)
    before = snapshot(outside)
    second = article(project, "b.txt", "Second article")
    for args in (["convert", second, *VOICE], ["build"], ["unpublish", "premier-article",
                                                          "--reason", "erreur"]):
        done = run_cli(project, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert snapshot(outside) == before
        for link, target in links.items():
            assert link.is_symlink() and os.readlink(link) == str(target), link
    assert_consistent(project)


@pytest.mark.parametrize("command", ["convert", "build"])
def test_a_run_sweeps_only_the_leftovers_of_ours(project, command):
    """A killed run's `.part` files and orphaned audio are ours (the manifest says so) and go;
    files of the publisher's with the same shapes of names stay."""
    first = article(project, "a.txt", "Premier article")
    assert run_cli(project, "convert", first, *VOICE).returncode == 0
    place_user_files(project / "output")
    args = ["convert", first, *VOICE, "--rerender"] if command == "convert" else ["build"]
    done = run_cli(project, *args)
    assert done.returncode == 0, done.stderr
    user_files_intact(project / "output")


KILLED_BUILD = """
import os, sys
from audioarticles.config import load_settings
from audioarticles.store import ProjectStore, SiteKind
from audioarticles.store.recover import open_catalog

project = load_settings(sys.argv[1])
with open_catalog(project), ProjectStore(project).files.site_batch() as batch:
    batch.write("feed.xml", b"<rss>half</rss>", SiteKind.FEED)
    os._exit(9)  # killed between writing the temporary file and renaming it
"""


def test_a_command_that_writes_output_sweeps_its_own_leftovers_first(project):
    first = article(project, "a.txt", "Premier article")
    assert run_cli(project, "convert", first, *VOICE).returncode == 0
    place_user_files(project / "output")
    died = subprocess.run([sys.executable, "-c", KILLED_BUILD, str(project)], check=False)
    assert died.returncode == 9
    [leftover] = [p for p in (project / "output").glob(".feed.xml.*.part")]
    os.utime(leftover, (OLD, OLD))
    for command in (["build"], ["hold", "premier-article", "--reason", "x"]):
        done = run_cli(project, *command)
        assert done.returncode == 0, done.stderr
        assert not leftover.exists()
        user_files_intact(project / "output")
