"""Batch conversion: folders in parallel, unchanged articles skipped, slugs stable, one bad
article never stopping the others, the summary, and the progress display."""

from __future__ import annotations

import io
import json
import sqlite3
import threading
import time

import pytest
from articles import write_articles

from audioarticles.cli import cli
from audioarticles.config import load_project
from audioarticles.errors import InputError
from audioarticles.model import Episode
from audioarticles.pipeline import Converted, ConvertReport, Interrupted, Sequencer
from audioarticles.progress import ConsoleProgress, format_eta

VOICE = ["--voice", "fr-espeak"]


def run_json(runner, *args):
    result = runner.invoke(cli, ["convert", *args, *VOICE, "--json"])
    return result, json.loads(result.stdout)


@pytest.fixture(scope="module")
def batch_project(tmp_path_factory):
    """A folder of four articles, one empty file and two articles with the same title,
    converted once with two jobs; the tests below read or re-run it."""
    root = tmp_path_factory.mktemp("batch")
    folder = root / "articles"
    write_articles(folder, 4)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "sub").mkdir()
    (folder / "sub" / "same-a.txt").write_text("Même titre\n\nPremier texte de la rédaction.\n")
    (folder / "sub" / "same-b.txt").write_text("Même titre\n\nSecond texte de la rédaction.\n")
    (folder / ".hidden.txt").write_text("Caché\n\nCe fichier caché n'est pas lu.\n")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not an article")
    return root


@pytest.fixture
def in_batch_project(batch_project, monkeypatch):
    monkeypatch.chdir(batch_project)
    return batch_project


def test_folder_batch_converts_all_good_articles_and_reports_the_bad_one(runner, in_batch_project):
    result = runner.invoke(cli, ["convert", "articles", *VOICE, "--jobs", "2"])
    assert result.exit_code == 1, result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: articles/empty.txt: the file is empty; nothing to read"]
    lines = result.stdout.strip().splitlines()
    # one line per finished article (in completion order), then the summary
    assert sorted(line.split(":")[0] for line in lines[:6]) == [
        "la-rentree-des-classes", "le-budget-de-la-ville-adopte", "meme-titre", "meme-titre-2",
        "un-festival-de-musique-en-juillet", "une-nouvelle-ligne-de-tramway"]
    assert lines[6:] == [
        "feed: http://127.0.0.1:8000/feed.xml",
        "7 articles: 6 converted, 0 unchanged, 0 degraded, 0 skipped, 1 failed",
        "  failed: articles/empty.txt: the file is empty; nothing to read",
    ]
    mp3s = sorted(p.name for p in (in_batch_project / "output/episodes").glob("*.mp3"))
    assert len(mp3s) == 6 and "caché" not in " ".join(mp3s)


def test_rerun_reports_unchanged_articles_with_status(runner, in_batch_project):
    result, report = run_json(runner, "articles", "--jobs", "2")
    assert result.exit_code == 1
    episodes = report["episodes"]
    # input order: sorted paths, sub-folders included
    assert [e["source"] for e in episodes] == [
        "articles/article-00.txt", "articles/article-01.txt", "articles/article-02.txt",
        "articles/article-03.txt", "articles/sub/same-a.txt", "articles/sub/same-b.txt"]
    assert {e["status"] for e in episodes} == {"unchanged"}
    # unchanged: nothing synthesised, every segment (title + sentences + the spoken outro)
    # counted as cached
    assert [(e["segments_synthesized"], e["segments_cached"]) for e in episodes] == [
        (0, 4), (0, 4), (0, 4), (0, 4), (0, 3), (0, 3)]
    # every field of the foundation is still there
    assert {"slug", "title", "guid", "mp3", "duration_s", "bytes", "voice", "engine", "degraded",
            "state", "source", "pub_date", "transcripts", "chapters"} <= set(episodes[0])
    assert report["summary"] == {"converted": 0, "unchanged": 6, "degraded": 0, "skipped": 0, "failed": 1,
                                 "interrupted": False, "not_done": 0}


def test_same_title_gets_distinct_slugs_in_input_order_and_keeps_them(runner, in_batch_project):
    (in_batch_project / "articles/sub/same-b.txt").write_text(
        "Même titre\n\nSecond texte de la rédaction, corrigé.\n")
    result, report = run_json(runner, "articles/sub", "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    by_source = {e["source"]: e for e in report["episodes"]}
    assert by_source["articles/sub/same-a.txt"]["slug"] == "meme-titre"
    assert by_source["articles/sub/same-a.txt"]["status"] == "unchanged"
    edited = by_source["articles/sub/same-b.txt"]
    assert edited["slug"] == "meme-titre-2" and edited["status"] == "converted"
    assert edited["segments_synthesized"] == 1 and edited["segments_cached"] == 2  # title, outro


def test_force_renders_again(runner, in_batch_project):
    result, report = run_json(runner, "articles/article-00.txt", "--force")
    assert result.exit_code == 0
    [episode] = report["episodes"]
    assert episode["status"] == "converted"
    assert episode["segments_synthesized"] == 0 and episode["segments_cached"] == 4  # with the outro


def test_changed_audio_settings_render_again(runner, in_batch_project):
    (in_batch_project / "audioarticles.toml").write_text("[audio]\npause_ms = 250\n")
    try:
        _, report = run_json(runner, "articles/article-01.txt")
        assert report["episodes"][0]["status"] == "converted"
        _, report = run_json(runner, "articles/article-01.txt")
        assert report["episodes"][0]["status"] == "unchanged"
    finally:
        (in_batch_project / "audioarticles.toml").unlink()


def test_missing_audio_file_renders_again(runner, in_batch_project):
    _, report = run_json(runner, "articles/article-02.txt")
    (in_batch_project / report["episodes"][0]["mp3"]).unlink()
    _, report = run_json(runner, "articles/article-02.txt")
    [episode] = report["episodes"]
    assert episode["status"] == "converted"
    assert (in_batch_project / episode["mp3"]).stat().st_size == episode["bytes"]


def test_catalog_and_files_agree_after_the_batches(in_batch_project):
    db = sqlite3.connect(in_batch_project / ".audioarticles/catalog.sqlite")
    rows = db.execute("SELECT slug, mp3, bytes FROM episodes").fetchall()
    # re-rendered episodes keep their previous audio reachable for a while, as retired files
    retired = {r[0] for r in db.execute("SELECT path FROM retired_files")}
    files = {p.relative_to(in_batch_project / "output").as_posix()
             for p in (in_batch_project / "output").rglob("*.mp3")}
    referenced = {mp3 for _, mp3, _ in rows}
    assert retired and referenced <= files <= referenced | retired
    for _, mp3, size in rows:
        assert (in_batch_project / "output" / mp3).stat().st_size == size
    assert not list(in_batch_project.rglob("*.part"))


def test_one_unreadable_article_among_good_ones(runner, project):
    write_articles(project / "in", 2)
    (project / "in" / "blank.txt").write_text("   \n\t\n", encoding="utf-8")
    result = runner.invoke(cli, ["convert", "in/article-00.txt", "missing.txt", "in/blank.txt",
                                 "in/article-01.txt", *VOICE, "--jobs", "2", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [e["source"] for e in report["episodes"]] == ["in/article-00.txt", "in/article-01.txt"]
    assert report["failed"] == [
        {"input": "missing.txt",
         "error": "no such file; check the path (relative to the current folder)"},
        {"input": "in/blank.txt", "error": "contains only blank space; nothing to read"},
    ]


def test_glob_and_duplicate_inputs(runner, project):
    write_articles(project / "in", 3)
    result, report = run_json(runner, "in/*-0[01].txt", "in/article-00.txt", "in/*.nothing")
    assert result.exit_code == 1
    assert [e["source"] for e in report["episodes"]] == ["in/article-00.txt", "in/article-01.txt"]
    assert report["failed"] == [{"input": "in/*.nothing", "error": "no file matches this pattern"}]


def test_same_article_twice_in_one_batch_is_converted_once(runner, project):
    write_articles(project / "in", 1)
    (project / "in" / "copy").mkdir()
    # two paths, one file (a symlink): the batch reads it once
    (project / "in" / "copy" / "same.txt").symlink_to(project / "in" / "article-00.txt")
    result, report = run_json(runner, "in")
    assert result.exit_code == 0
    assert len(report["episodes"]) == 1


def test_jobs_must_be_positive(runner, project):
    result = runner.invoke(cli, ["convert", "x.txt", "--jobs", "0"])
    assert result.exit_code == 2
    assert "--jobs" in result.stderr


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_status_line_with_eta_on_a_terminal():
    now = [0.0]
    out = FakeTerminal()
    progress = ConsoleProgress(lambda c: f"{c.episode.slug}: done", out=out, err=io.StringIO(),
                               status=out, clock=lambda: now[0])
    progress.start(4)
    progress.begin("articles/a.txt")
    assert out.getvalue().endswith("\r\x1b[K[0/4]   0%  ETA --:--  articles/a.txt")
    now[0] = 30.0
    episode = Episode(guid="g", slug="a", title="A", source="a.txt", voice="v", engine="e")
    progress.done("articles/a.txt", Converted(episode, 1, 0))
    progress.begin("articles/b.txt")
    # one article in 30 s, three to go: 1:30 left
    assert out.getvalue().endswith("\r\x1b[K[1/4]  25%  ETA 1:30  articles/b.txt")
    assert "\r\x1b[Ka: done\n" in out.getvalue()
    progress.finish(ConvertReport())
    assert out.getvalue().endswith("\r\x1b[K")


def test_progress_is_line_oriented_off_a_terminal():
    out, err = io.StringIO(), io.StringIO()
    progress = ConsoleProgress(lambda c: f"{c.episode.slug}: done", out=out, err=err, status=out)
    progress.start(2)
    progress.begin("a.txt")
    progress.done("b.txt", InputError("b.txt", "the file is empty; nothing to read"))
    progress.warn("c.txt: read as Latin-1")
    progress.finish(ConvertReport())
    assert out.getvalue() == ""
    assert err.getvalue() == ("error: b.txt: the file is empty; nothing to read\n"
                              "warning: c.txt: read as Latin-1\n")


@pytest.mark.parametrize("seconds, text", [(0, "0:00"), (59.6, "1:00"), (3725, "1:02:05")])
def test_format_eta(seconds, text):
    assert format_eta(seconds) == text


def test_sequencer_lets_articles_plan_in_input_order_whatever_finishes_first():
    sequencer = Sequencer()
    planned: list[int] = []

    def article(index: int) -> None:
        time.sleep((5 - index) * 0.03)  # the last article is ready first
        if index == 2:
            sequencer.passed(index)  # failed while reading: it never takes its turn
            return
        with sequencer.turn(index):
            planned.append(index)

    threads = [threading.Thread(target=article, args=(i,)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert planned == [0, 1, 3, 4]


def test_sequencer_abort_releases_waiting_articles():
    sequencer = Sequencer()
    outcome: list[str] = []

    def waiting() -> None:
        try:
            with sequencer.turn(1):  # article 0 never comes: the run was stopped
                outcome.append("planned")
        except Interrupted:
            outcome.append("interrupted")

    thread = threading.Thread(target=waiting)
    thread.start()
    time.sleep(0.05)
    sequencer.abort()
    thread.join(5)
    assert outcome == ["interrupted"]


def test_one_engine_serves_the_whole_run(project, monkeypatch):
    """Limits that hold for a run (a request cap, a rate limit) live in the one engine all
    article threads share; the offline voice gets one worker process per job."""
    from audioarticles import pipeline
    from audioarticles.pipeline import voicing

    made = []
    real_get_engine = voicing.get_engine

    def counting_get_engine(name, **settings):
        engine = real_get_engine(name, **settings)
        made.append(engine)
        return engine

    monkeypatch.setattr(voicing, "get_engine", counting_get_engine)
    write_articles(project / "in", 4)
    report = pipeline.convert(load_project(project), ["in"], "fr-espeak", jobs=3)
    assert len(report.converted) == 4 and not report.failed
    [engine] = made
    assert engine.workers == 3
    assert engine._pool is None  # closed at the end of the run


def test_converting_the_project_folder_never_reads_back_its_own_site(runner, project):
    write_articles(project / "articles", 2)
    result, report = run_json(runner, ".")
    assert result.exit_code == 0, result.stderr
    assert (project / "output" / "index.html").exists()
    # again: the published pages under output/ are not articles
    result, report = run_json(runner, ".")
    assert result.exit_code == 0, result.stderr
    assert [e["source"] for e in report["episodes"]] == ["articles/article-00.txt",
                                                         "articles/article-01.txt"]
    assert {e["status"] for e in report["episodes"]} == {"unchanged"}



def test_a_parallel_batch_keeps_the_gtts_cap_for_the_whole_run(runner, project, monkeypatch):
    """Four articles converted at once with the gTTS voice, against the local fake of the
    service: the requests in flight never exceed the run's cap, whatever --jobs says."""
    from audioarticles.testing.fake_gtts import FakeGtts

    write_articles(project / "in", 4)
    (project / "audioarticles.toml").write_text(
        "[gtts]\nconcurrency = 2\nrequests_per_second = 100\n")
    with FakeGtts(latency=0.05) as fake:
        monkeypatch.setenv("AUDIOARTICLES_GTTS_URL", fake.url)
        result = runner.invoke(cli, ["convert", "in", "--voice", "fr", "--jobs", "4", "--json"])
        assert result.exit_code == 0, result.stderr
        report = json.loads(result.stdout)
        assert [e["engine"] for e in report["episodes"]] == ["gtts"] * 4
        assert not any(e["degraded"] for e in report["episodes"])
        assert len(fake.received) >= 4
        assert fake.max_in_flight == 2
