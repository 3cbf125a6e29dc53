"""Crash safety and concurrency with real processes: SIGTERM and kill -9 mid-batch, two runs on
one project, the project lock, leftovers swept, and the live progress display on a terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import feedparser
import pytest
from conftest import SAMPLE

from audioarticles.cli import cli
from audioarticles.config import load_settings
from audioarticles.model import Episode, RetiredFile
from audioarticles.pipeline import sweep_orphan_audio, sweep_partial_files
from audioarticles.store import open_files
from audioarticles.store.catalog import Catalog
from audioarticles.store.lock import project_lock
from audioarticles.store.manifest import Manifest

VOICE = ["--voice", "fr-espeak"]
BASE_URL = "http://127.0.0.1:8000/"  # the default [podcast] base_url
ARTICLES = 12


def write_long_articles(folder: Path, count: int = ARTICLES, sentences: int = 12) -> None:
    """Distinct articles of a dozen sentences: long enough to stop a run in the middle."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(1, count + 1):
        body = " ".join(f"Le conseil numéro {i} a examiné le dossier {j} pendant la séance du soir."
                        for j in range(1, sentences + 1))
        (folder / f"seance-{i:02d}.txt").write_text(f"Séance numéro {i}\n\n{body}\n", encoding="utf-8")


def start(project: Path, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "audioarticles", *args], cwd=project, env=env,
                            stdout=kwargs.pop("stdout", subprocess.PIPE),
                            stderr=kwargs.pop("stderr", subprocess.PIPE), text=True, **kwargs)


def finished_mp3s(project: Path) -> list[Path]:
    """Finished audio, published or still in the private mirror (until the run's rebuild)."""
    return sorted(p for root in (project / "output", project / ".audioarticles" / "unreleased")
                  for p in (root / "episodes").glob("*.mp3"))


def wait_for(condition, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def catalog_rows(project: Path) -> list[tuple]:
    db = sqlite3.connect(project / ".audioarticles" / "catalog.sqlite")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return db.execute("SELECT guid, slug, mp3, bytes FROM episodes ORDER BY slug").fetchall()
    finally:
        db.close()


def feed_enclosures(project: Path) -> list[str]:
    """The audio files the published feed points at, relative to the output folder."""
    feed = project / "output" / "feed.xml"
    if not feed.exists():
        return []
    parsed = feedparser.parse(feed.read_bytes())
    return [link["href"].removeprefix(BASE_URL) for entry in parsed.entries
            for link in entry.get("links", []) if link.get("rel") == "enclosure"]


def assert_feed_points_at_files(project: Path) -> None:
    for relative in feed_enclosures(project):
        assert (project / "output" / relative).is_file(), relative


def assert_consistent(project: Path) -> list[tuple]:
    """Every row's MP3 exists at its recorded size, every MP3 has a row (or is a previous
    version kept for a while), the feed points at existing files, nothing partial."""
    rows = catalog_rows(project)
    output = project / "output"
    for _, _, mp3, size in rows:
        assert (output / mp3).stat().st_size == size
    db = sqlite3.connect(project / ".audioarticles" / "catalog.sqlite")
    retired = {r[0] for r in db.execute("SELECT path FROM retired_files")}
    db.close()
    referenced = {mp3 for _, _, mp3, _ in rows}
    files = {p.relative_to(p.parent.parent).as_posix() for p in finished_mp3s(project)}
    assert referenced <= files <= referenced | retired
    assert sorted(feed_enclosures(project)) == sorted(referenced)
    assert_feed_points_at_files(project)
    assert not [p for p in project.rglob("*.part") if "cache" not in p.parts]
    return rows


def rerun(project: Path) -> dict:
    proc = start(project, "convert", "in", *VOICE, "--jobs", "2", "--json")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return json.loads(out)


def child_pids(pid: int) -> list[int]:
    pids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return pids


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stop_signal_mid_batch_keeps_finished_episodes_and_rerun_continues(project, signum):
    write_long_articles(project / "in")
    proc = start(project, "convert", "in", *VOICE, "--jobs", "2")
    wait_for(lambda: finished_mp3s(project) or proc.poll() is not None, what="a first episode")
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == (
        "interrupted: finished episodes are kept; run the same command again to continue")
    kept = assert_consistent(project)
    assert 1 <= len(kept) < ARTICLES
    summary = out.strip().splitlines()[-1]
    assert summary.startswith(f"{ARTICLES} articles: {len(kept)} converted")
    assert summary.endswith(f"{ARTICLES - len(kept)} not done")

    report = rerun(project)
    statuses = {e["slug"]: e["status"] for e in report["episodes"]}
    assert len(statuses) == ARTICLES
    assert {slug for _, slug, _, _ in kept} == {s for s, st in statuses.items() if st == "unchanged"}
    assert len(assert_consistent(project)) == ARTICLES


def test_kill_9_mid_conversion_then_rerun_leaves_a_consistent_project(project):
    write_long_articles(project / "in")
    proc = start(project, "convert", "in", *VOICE, "--jobs", "2")
    wait_for(lambda: finished_mp3s(project) or proc.poll() is not None, what="a first episode")
    workers = child_pids(proc.pid)
    proc.kill()
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # what a crash can leave: rows only for finished episodes (their audio still in the
    # private mirror: the run died before its rebuild), possibly partial files
    for _, _, mp3, size in catalog_rows(project):
        assert (project / ".audioarticles" / "unreleased" / mp3).stat().st_size == size
    # the espeak worker processes notice their parent is gone and leave
    wait_for(lambda: not [p for p in workers if Path(f"/proc/{p}").exists()
                          and b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()],
             timeout=10, what="orphaned espeak workers to exit")

    report = rerun(project)
    assert len(report["episodes"]) == ARTICLES
    assert len(assert_consistent(project)) == ARTICLES


def test_kill_9_while_rerendering_never_leaves_the_feed_pointing_at_a_missing_file(project):
    write_long_articles(project / "in", count=6, sentences=8)
    rerun(project)
    before = feed_enclosures(project)
    assert len(before) == 6
    proc = start(project, "convert", "in", *VOICE, "--jobs", "2", "--rerender")
    unreleased = project / ".audioarticles" / "unreleased" / "episodes"
    wait_for(lambda: list(unreleased.glob("*.mp3")) or proc.poll() is not None,
             what="a first re-rendered episode")
    proc.kill()
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # the catalog may already point at new audio the site has not admitted yet; the feed
    # written by the last complete run still points at files that exist
    assert feed_enclosures(project) == before
    assert_feed_points_at_files(project)
    report = rerun(project)
    assert len(report["episodes"]) == 6
    assert_consistent(project)


def test_two_runs_on_one_project_wait_for_each_other(project):
    write_long_articles(project / "in", count=4, sentences=6)
    write_long_articles(project / "other", count=4, sentences=5)
    first = start(project, "convert", "in", *VOICE, "--jobs", "1")
    lock_file = project / ".audioarticles" / "lock"
    wait_for(lambda: lock_file.exists() and lock_file.read_text(), what="the first run's lock")
    second = start(project, "convert", "other", *VOICE, "--jobs", "1")
    _, err1 = first.communicate(timeout=300)
    _, err2 = second.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    rows = assert_consistent(project)
    # same titles from two folders: eight episodes, the second run's slugs numbered after
    assert len(rows) == 8 and len({slug for _, slug, _, _ in rows}) == 8


def test_second_run_refuses_naming_the_first_when_it_cannot_wait(project):
    write_long_articles(project / "in", count=6)
    (project / "other.txt").write_text("Autre\n\nUn autre article.\n", encoding="utf-8")
    first = start(project, "convert", "in", *VOICE, "--jobs", "1")
    lock_file = project / ".audioarticles" / "lock"
    wait_for(lambda: lock_file.exists() and lock_file.read_text(), what="the first run's lock")
    (project / "audioarticles.toml").write_text("[batch]\nlock_wait_s = 0\n")
    second = start(project, "convert", "other.txt", *VOICE)
    _, err2 = second.communicate(timeout=60)
    first.send_signal(signal.SIGTERM)
    first.communicate(timeout=60)
    assert second.returncode == 1
    [line] = err2.strip().splitlines()
    assert line.startswith(f"error: project {project} is busy: another audioarticles run "
                           f"(pid {first.pid} on ")
    assert "convert in --voice fr-espeak --jobs 1`" in line
    assert line.endswith(f"holds {lock_file}; waited 0 s. Let it finish (or stop it), or raise "
                         "[batch] lock_wait_s in audioarticles.toml")
    assert not any("autre" in p.name for p in finished_mp3s(project))
    assert_consistent(project)


def test_lock_held_in_process_refuses_then_waits(runner, project):
    (project / "a.txt").write_text("Un titre\n\nUne phrase courte.\n", encoding="utf-8")
    state = load_settings(project).state_dir
    (project / "audioarticles.toml").write_text("[batch]\nlock_wait_s = 0.3\n")
    with project_lock(state, command="audioarticles build"):
        result = runner.invoke(cli, ["convert", "a.txt", *VOICE])
    assert result.exit_code == 1
    assert f"(pid {os.getpid()} on " in result.stderr
    assert "`audioarticles build`" in result.stderr and "waited 0.3 s" in result.stderr
    assert not finished_mp3s(project)

    (project / "audioarticles.toml").write_text("[batch]\nlock_wait_s = 30\n")
    released = threading.Event()

    def hold_briefly():
        with project_lock(state, command="audioarticles build"):
            released.wait(5)
            time.sleep(0.5)

    holder = threading.Thread(target=hold_briefly)
    holder.start()
    released.set()
    time.sleep(0.1)
    result = runner.invoke(cli, ["convert", "a.txt", *VOICE])
    holder.join()
    assert result.exit_code == 0, result.stderr
    assert len(finished_mp3s(project)) == 1
    # the lock is released, and names nobody, once the run is over
    assert (state / "lock").read_text() == ""


def test_stale_partial_files_are_swept_but_not_newer_ones(project):
    paths = load_settings(project)
    episodes = paths.output / "episodes"
    episodes.mkdir(parents=True)
    stale = episodes / ".x.abc.mp3.part"
    Manifest(paths.state_dir).add([stale])  # ours: written down before it was created
    stale.write_bytes(b"half an mp3")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    theirs = episodes / ".montage.abc.mp3.part"  # the publisher's: never written down
    theirs.write_bytes(b"half an export")
    os.utime(theirs, (time.time() - 3600, time.time() - 3600))
    cache_stale = paths.cache_dir / "ab" / ".ab12.pcm.xyz.part"
    cache_stale.parent.mkdir(parents=True)
    cache_stale.write_bytes(b"half a segment")
    os.utime(cache_stale, (time.time() - 3600, time.time() - 3600))
    fresh = paths.output / ".feed.xml.def.part"
    fresh.write_bytes(b"being written right now")
    kept = episodes / "x-0123456789.mp3"
    kept.write_bytes(b"a finished file")
    removed = sweep_partial_files(open_files(paths), before=time.time() - 60)
    assert sorted(removed) == sorted([stale, cache_stale])
    assert fresh.exists() and kept.exists() and theirs.exists()


def test_a_corpus_batch_shows_its_progress_on_a_terminal(project):
    corpus = project / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / "ia-sante.txt")
    for name in ("franceculture.fr.idees.html", "sauvonsluniversite.com.spip.html"):
        shutil.copy(Path(__file__).parent / "fixtures" / "html" / name, corpus / name)
    master, slave = pty.openpty()
    proc = start(project, "convert", "corpus", *VOICE, "--jobs", "2", stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    screen = b"".join(chunks).decode("utf-8")
    # the status line is redrawn in place: done/total, share, ETA, the article being converted
    assert "\r\x1b[K[0/3]   0%  ETA --:--  corpus/" in screen
    assert re.search(r"\r\x1b\[K\[1/3\]  33%  ETA \d+:\d\d  corpus/", screen)
    assert re.search(r"\r\x1b\[K\[2/3\]  67%  ETA \d+:\d\d", screen)
    # finished articles are printed above it, then the summary
    assert "\r\x1b[Kprendre-la-parole: output/episodes/prendre-la-parole-" in screen
    lines = screen.replace("\r\x1b[K", "\n").splitlines()
    assert lines[-1] == "3 articles: 3 converted, 0 unchanged, 0 degraded, 0 skipped, 0 failed"


def test_commands_that_change_the_project_take_the_lock_too(runner, project):
    (project / "a.txt").write_text("Un titre\n\nUne phrase courte.\n", encoding="utf-8")
    assert runner.invoke(cli, ["convert", "a.txt", *VOICE]).exit_code == 0
    (project / "audioarticles.toml").write_text("[batch]\nlock_wait_s = 0\n")
    with project_lock(load_settings(project).state_dir, command="audioarticles convert big/"):
        for args in (["build"], ["hold", "un-titre", "--reason", "vérification"],
                     ["unpublish", "un-titre", "--reason", "erreur"], ["publish", "un-titre"]):
            result = runner.invoke(cli, args)
            assert result.exit_code == 1, args
            assert "is busy: another audioarticles run" in result.stderr
            assert "`audioarticles convert big/`" in result.stderr
        # reading is never blocked
        assert runner.invoke(cli, ["episodes", "--json"]).exit_code == 0
        assert runner.invoke(cli, ["embed", "un-titre"]).exit_code == 0
    assert runner.invoke(cli, ["build"]).exit_code == 0


def test_orphan_audio_is_swept_but_not_kept_versions_nor_newer_files(project):
    paths = load_settings(project)
    old = time.time() - 3600
    files = {}
    for root, name in ((paths.unreleased_dir, "orphan-0123456789.mp3"),
                       (paths.unreleased_dir, "orphan-0123456789.vtt"),
                       (paths.output, "kept-abcdefabcd.mp3"),
                       (paths.output, "current-1111111111.mp3"),
                       (paths.unreleased_dir, "fresh-2222222222.mp3")):
        path = root / "episodes" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"audio")
        if not name.startswith("fresh"):
            os.utime(path, (old, old))
        files[name] = path
    with Catalog(paths.catalog_path) as catalog, catalog.transaction():
        catalog.save(Episode(guid="g", slug="current", title="T", source="t.txt", voice="v",
                             engine="e", mp3="episodes/current-1111111111.mp3"))
        catalog.retire_file(RetiredFile("episodes/kept-abcdefabcd.mp3", "g",
                                        "2026-01-01T00:00:00+00:00"))
    with Catalog(paths.catalog_path) as catalog:
        removed = sweep_orphan_audio(open_files(paths), catalog, before=time.time() - 60)
    assert sorted(p.name for p in removed) == ["orphan-0123456789.mp3", "orphan-0123456789.vtt"]
    assert all(files[n].exists() for n in ("kept-abcdefabcd.mp3", "current-1111111111.mp3",
                                           "fresh-2222222222.mp3"))


@pytest.mark.parametrize("queue, young_kept", [(False, False), (True, True)])
def test_a_command_leaves_the_temporary_files_queue_workers_may_be_writing(project, runner,
                                                                         queue, young_kept):
    """Queue workers do not take the project's lock, so a command that holds it (here a
    local `convert`) cannot tell a worker's rendering in progress from a dead run's: in a project
    with `[queue] url` it sweeps only our temporary files quiet for an hour; without a
    queue, the lock means nobody writes, and every one of ours goes."""
    from audioarticles.store import STALE_PART_S, ProjectStore

    toml = '[queue]\nurl = "redis://127.0.0.1:1/0"\n' if queue else ""
    (project / "audioarticles.toml").write_text(toml, encoding="utf-8")
    store = ProjectStore(load_settings(project))
    with store.files.placing("being-written") as young, \
            store.files.placing("left-by-a-dead-worker") as old:
        hour_ago = time.time() - STALE_PART_S - 60
        os.utime(old.tmp_mp3, (hour_ago, hour_ago))
        (project / "note.txt").write_text("Une note.\n\nLe conseil se réunit lundi.\n",
                                          encoding="utf-8")
        result = runner.invoke(cli, ["convert", "note.txt", "--no-queue", *VOICE])
        assert result.exit_code == 0, result.output
        assert young.tmp_mp3.exists() is young_kept
        assert not old.tmp_mp3.exists()
        if young_kept:
            young.place({})  # the worker finishes: its file takes its name
