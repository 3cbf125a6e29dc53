"""The machine refuses a write: a full disk, a read-only folder, a folder without permission.
Each is one line naming the file and the fix, exit 1, and nothing half-written is left; what
was published before is untouched. (The damaged catalog is in test_catalog_damage.py.)"""

from __future__ import annotations

import re

import pytest
from harness import (
    assert_consistent,
    catalog_rows,
    medium_article,
    mount_tmpfs,
    partial_files,
    remount_read_only,
    run_cli,
    snapshot,
    unmount,
    without_permission_override,
)

VOICE = ["--voice", "fr-espeak"]
SHORT = "Une brève\n\nLe conseil se réunit ce soir à la mairie.\n"


@pytest.fixture
def disk(tmp_path):
    """A folder on its own small disk, unmounted afterwards."""
    mounted = []

    def make(name: str, size: str):
        path = tmp_path / name
        mount_tmpfs(path, size)
        mounted.append(path)
        return path

    yield make
    for path in reversed(mounted):
        unmount(path)


def start_project(root):
    (root / "articles").mkdir()
    (root / "articles" / "breve.txt").write_text(SHORT, encoding="utf-8")
    medium_article(root / "articles", "long.txt")
    done = run_cli(root, "convert", "articles/breve.txt", *VOICE)
    assert done.returncode == 0, done.stderr
    return snapshot(root / "output")


def no_partial_audio(root) -> None:
    for folder in (root / "output" / "episodes", root / ".audioarticles" / "unreleased"):
        assert not [p for p in folder.rglob("*") if "long" in p.name or "ia-fil" in p.name]


def test_a_full_disk_stops_the_run_with_one_line_and_leaves_nothing_half_written(disk):
    # a project on a 3 MB disk: the short article fits, the long one's audio does not
    root = disk("project", "3m")
    published = start_project(root)
    done = run_cli(root, "convert", "articles/long.txt", *VOICE)
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.splitlines()
    assert re.fullmatch(r"error: no space left while writing \S+ \(\d+\.\d MB free on that "
                        r"disk\); free some space there and run the command again", line), line
    assert not partial_files(root) and not list((root / ".audioarticles").rglob("*.part"))
    no_partial_audio(root)
    assert snapshot(root / "output") == published
    [row] = assert_consistent(root)
    assert row["state"] == "published"


def test_an_output_folder_on_a_full_disk_stops_the_run_before_anything_half_copied(
        tmp_path, disk):
    root = tmp_path / "newsroom"
    root.mkdir()
    site = disk("site", "300k")  # --out on another, nearly full disk
    medium_article(root / "articles", "long.txt")
    done = run_cli(root, "convert", "articles/long.txt", *VOICE, "--out", str(site))
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.splitlines()
    assert re.fullmatch(r"error: no space left while writing \.\./site/episodes/"
                        r"l-ia-fil-conducteur-de-la-4e-journee-nationale-de-l-[0-9a-f]{10}\.\S+ "
                        r"\(\d+\.\d MB free on that disk\); free some space there and run the "
                        r"command again", line), line
    assert not list(site.rglob("*.part")) and not list(site.rglob("*.mp3"))
    # the episode waits, whole, in the private mirror; the next run with space publishes it
    [row] = catalog_rows(root)
    assert (root / ".audioarticles" / "unreleased" / row["mp3"]).stat().st_size == row["bytes"]


def test_a_read_only_output_folder_is_one_line_and_changes_nothing(tmp_path, disk):
    root = tmp_path / "newsroom"
    root.mkdir()
    output = disk("newsroom/output", "20m")
    published = start_project(root)
    (root / "articles" / "autre.txt").write_text("Autre brève\n\nLa piscine ouvre demain.\n",
                                                  encoding="utf-8")
    remount_read_only(output)
    done = run_cli(root, "convert", "articles/autre.txt", *VOICE)
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.splitlines()
    assert re.fullmatch(r"error: cannot write output/episodes/autre-breve-[0-9a-f]{10}\.\S+: its "
                        r"folder is on a read-only file system; make it writable \(or choose "
                        r"another --out folder\) and run the command again", line), line
    assert snapshot(output) == published


def test_a_folder_without_write_permission_is_one_line_and_changes_nothing(project):
    published = start_project(project)
    (project / "articles" / "autre.txt").write_text(
        "Autre brève\n\nLa piscine ouvre demain.\n", encoding="utf-8")
    episodes = project / "output" / "episodes"
    episodes.chmod(0o555)
    try:
        # tests run as root, who ignores permissions: the run loses that power (it stays root,
        # without CAP_DAC_OVERRIDE), as any other user would be refused
        done = run_cli(project, "convert", "articles/autre.txt", *VOICE,
                       preexec_fn=without_permission_override)
    finally:
        episodes.chmod(0o755)
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.splitlines()
    assert re.fullmatch(r"error: permission denied while writing output/episodes/autre-breve-"
                        r"[0-9a-f]{10}\.\S+; give this user write access to output/episodes and "
                        r"run the command again", line), line
    assert snapshot(project / "output") == published
