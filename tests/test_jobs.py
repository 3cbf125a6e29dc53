"""Jobs without a queue: `Project.submit` runs articles in the embedded executor (a thread of
this process), records each as a job in the catalog, and `wait`, `job`, `jobs`, `retry`
follow and mend them. Real conversions with the offline voice."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import audioarticles as aa
from audioarticles.cli import cli


class Recorder(aa.Progress):
    def __init__(self):
        self.events = []

    def start(self, total):
        self.events.append(("start", total))

    def begin(self, name):
        self.events.append(("begin", name))

    def done(self, name, outcome):
        self.events.append(("done", name, type(outcome).__name__))

    def finish(self, report):
        self.events.append(("finish", len(report.converted)))


def html(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{title}"
            f"</title></head><body><article><h1>{title}</h1><p>{body}</p></article></body></html>")


def article(number: int, **fields) -> aa.ArticleInput:
    return aa.ArticleInput(**{"id": f"cms-{number}", "title": f"Article numéro {number}",
                              "html": html(f"Article numéro {number}",
                                           "La ligne ouvre lundi entre la gare et le port."),
                              **fields})


@pytest.fixture
def api_project(project) -> aa.Project:
    (project / "audioarticles.toml").write_text('[voice]\ndefault = "fr-espeak"\n',
                                                encoding="utf-8")
    return aa.Project.open(project)


def test_submitted_articles_run_in_the_embedded_executor_and_are_followed(api_project):
    ids = api_project.submit([article(1), article(2)])
    assert len(ids) == 2 and len(set(ids)) == 2
    progress = Recorder()
    report = api_project.wait(ids, progress)
    assert report.ok and report.summary()["converted"] == 2
    assert [e.guid for e in report.episodes] == ["cms-1", "cms-2"]
    assert progress.events[0] == ("start", 2) and progress.events[-1] == ("finish", 2)
    assert {e[1] for e in progress.events if e[0] == "done"} == {"article:cms-1",
                                                                "article:cms-2"}
    job = api_project.job(ids[0])
    assert (job.state, job.status, job.guid, job.attempts) == ("done", "converted", "cms-1", 1)
    assert job.started_at and job.finished_at >= job.started_at
    assert {j.id for j in api_project.jobs(state="done")} == set(ids)
    assert api_project.jobs(state="failed") == []
    assert api_project.find("cms-2").state == "published"
    # the embedded batch rebuilt the site
    assert "cms-1" in (api_project.output / "feed.xml").read_text(encoding="utf-8")
    # the same article again: unchanged, same episode
    [again] = api_project.submit(article(1))
    [converted] = api_project.wait([again]).converted
    assert (converted.status, converted.episode.slug) == ("unchanged", "article-numero-1")


def test_a_bad_input_is_a_failed_job_the_others_go_on(api_project, project):
    (project / "ok.md").write_text("# Un titre\n\nUn texte assez long pour être lu à voix "
                                   "haute par la voix hors ligne.\n", encoding="utf-8")
    ids = api_project.submit(["ftp://example.org/a", "missing.md", "ok.md",
                              aa.ArticleInput(id="cms-empty", title="Vide", text="")])
    report = api_project.wait(ids)
    assert [c.episode.source for c in report.converted] == ["ok.md"]
    assert [f.source for f in report.failed] == ["ftp://example.org/a", "missing.md",
                                                 "article:cms-empty"]
    bad, missing, ok, empty = (api_project.job(i) for i in ids)
    assert [j.state for j in (bad, missing, ok, empty)] == ["failed", "failed", "done", "failed"]
    assert "unsupported address scheme" in bad.error and bad.attempts == 0
    assert "no such file" in missing.error and empty.error
    # a job that names no article cannot be retried; a missing file or the empty article can
    with pytest.raises(aa.UsageError, match="names no article"):
        api_project.retry(bad.id)
    with pytest.raises(aa.UsageError, match="only failed and dead"):
        api_project.retry(ok.id)
    assert api_project.retry(empty.id) == [empty.id]
    [failed] = api_project.wait([empty.id]).failed
    assert api_project.job(empty.id).attempts == 2 and failed.source == "article:cms-empty"


def test_retry_failed_runs_every_failed_job_again(api_project, project):
    broken = project / "later.md"
    broken.write_text("", encoding="utf-8")
    [job_id] = api_project.submit(["later.md"])
    assert api_project.wait([job_id]).failed
    broken.write_text("# Corrigé\n\nLe texte est arrivé entre-temps, il peut être lu.\n",
                      encoding="utf-8")
    assert api_project.retry(failed=True) == [job_id]
    report = api_project.wait([job_id])
    assert report.ok and api_project.job(job_id).state == "done"
    with pytest.raises(aa.UsageError):
        api_project.retry()


def test_jobs_command_lists_and_retries(api_project, runner, project):
    (project / "empty.md").write_text("", encoding="utf-8")
    ids = api_project.submit([article(3), "empty.md"])
    api_project.wait(ids)
    listed = runner.invoke(cli, ["jobs", "--json"])
    assert listed.exit_code == 0, listed.stderr
    rows = json.loads(listed.stdout)["jobs"]
    assert {r["id"]: r["state"] for r in rows} == {ids[0]: "done", ids[1]: "failed"}
    assert rows == [j.to_dict() for j in api_project.jobs()]
    failed = runner.invoke(cli, ["jobs", "--failed"])
    assert failed.exit_code == 0 and ids[1] in failed.stdout and ids[0] not in failed.stdout
    assert "empty.md" in failed.stdout
    retried = runner.invoke(cli, ["jobs", "retry", ids[1], "--json"])
    assert retried.exit_code == 0, retried.stderr
    assert json.loads(retried.stdout)["retried"] == [ids[1]]
    unknown = runner.invoke(cli, ["jobs", "retry", "nope"])
    assert (unknown.exit_code, unknown.stderr.strip()) == (
        1, "error: nope: no such job; list them with `audioarticles jobs`")


@pytest.mark.parametrize("url, message", [
    ("http://localhost:6379/0", "not a Redis URL"),
    ("redis://aa:s3cret@localhost:6379/0", "holds a password; remove it from the URL and set "
                                           "$REDISCLI_AUTH"),
])
def test_a_bad_queue_url_is_one_line_without_the_secret(project, url, message):
    (project / "audioarticles.toml").write_text(f'[queue]\nurl = "{url}"\n', encoding="utf-8")
    with pytest.raises(aa.UsageError) as caught:
        aa.Project.open(project)
    assert message in str(caught.value) and "s3cret" not in str(caught.value)


def test_the_queue_commands_say_what_is_missing(api_project, runner, project):
    worker = runner.invoke(cli, ["worker"])
    assert worker.exit_code == 2 and "no [queue] url in audioarticles.toml" in worker.stderr
    queued = runner.invoke(cli, ["convert", "x.md", "--queue", "--json"])
    assert queued.exit_code == 2, queued.stderr
    assert "no [queue] url" in json.loads(queued.stdout)["error"]
    assert api_project.check_queue()["ok"]
    (project / "audioarticles.toml").write_text('[queue]\nurl = "redis://127.0.0.1:9/0"\n',
                                                encoding="utf-8")
    check = aa.Project.open(project).check_queue()
    assert not check["ok"] and "Redis does not answer" in check["fix"]
    assert "start redis-server there, or fix [queue] url" in check["fix"]
    down = runner.invoke(cli, ["worker"])
    assert down.exit_code == 1 and "Redis does not answer" in down.stderr


# ---- a submitter that dies: its embedded jobs are unfinished, never lost -------------------

SUBMITTER = """
import sys, time
import audioarticles as aa
from audioarticles import jobs
from audioarticles.store.lock import run_lock

project = aa.Project.open(sys.argv[1])
articles = [aa.ArticleInput(id=f"cms-{n}", title=f"Article numéro {n}",
                            text="La ligne ouvre lundi entre la gare et le port.")
            for n in (1, 2)]
if sys.argv[2] == "queued":
    # the executor's batch waits for the project's lock, held here: the jobs stay queued
    with run_lock(project.settings, "test hold"):
        print(" ".join(project.submit(articles)), flush=True)
        time.sleep(120)
else:
    # the articles start (running, one attempt each) and hang there
    begin = jobs.JobProgress.begin
    def hang(self, name):
        begin(self, name)
        time.sleep(120)
    jobs.JobProgress.begin = hang
    print(" ".join(project.submit(articles)), flush=True)
    time.sleep(120)
"""


@pytest.mark.parametrize("hold", ["queued", "running"])
def test_jobs_of_a_killed_submitter_are_unfinished_then_retried_once(catalog_backend, project,
                                                                     runner, hold):
    """The process that submitted embedded jobs is killed (-9) before they ran: while it
    lived they were queued and left alone; then every reader sees them failed, status
    interrupted, saying so and how to run them again; `jobs retry --failed` runs each once."""
    import socket
    import subprocess
    import sys

    catalog_backend.configure(project, '[voice]\ndefault = "fr-espeak"\n'
                                       '[batch]\nlock_wait_s = 120\n')
    child = subprocess.Popen([sys.executable, "-c", SUBMITTER, str(project), hold],
                             stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        ids = child.stdout.readline().split()
        assert len(ids) == 2, "the submitter printed no job ids"
        api = aa.Project.open(project)
        deadline = time.monotonic() + 60
        while {j.state for j in api.jobs()} != {hold}:
            assert time.monotonic() < deadline, [j.state for j in api.jobs()]
            time.sleep(0.1)
        # its process lives: left alone by readers
        assert [api.job(i).state for i in ids] == [hold, hold]
        assert api.jobs(state="failed") == []
        assert api.wait(ids, timeout=0.3).interrupted
    finally:
        child.kill()
        child.wait()
    reason = ("unfinished: the process that ran it stopped before it finished (pid "
              f"{child.pid} on {socket.gethostname()}); `audioarticles jobs retry {{}}` runs it "
              "again")
    report = api.wait(ids, timeout=30)  # a waiter sees them end, not hang
    assert not report.interrupted and report.converted == []
    assert [f.reason for f in report.failed] == [reason.format(i) for i in ids]
    for job_id in ids:
        job = api.job(job_id)
        assert (job.state, job.status, job.error) == (
            "failed", "interrupted", reason.format(job_id))
        assert job.attempts == (0 if hold == "queued" else 1)
    listed = runner.invoke(cli, ["jobs", "--failed", "--json"])
    assert listed.exit_code == 0, listed.stderr
    assert {(r["id"], r["state"], r["status"]) for r in json.loads(listed.stdout)["jobs"]} == {
        (i, "failed", "interrupted") for i in ids}
    # the dead process's lease is gone with its jobs settled
    leases = project / ".audioarticles" / "processes"
    assert list(leases.iterdir()) == []
    retried = runner.invoke(cli, ["jobs", "retry", "--failed", "--json"])
    assert retried.exit_code == 0, retried.stderr
    assert sorted(json.loads(retried.stdout)["retried"]) == sorted(ids)
    report = api.wait(ids, timeout=120)
    assert report.ok and [c.status for c in report.converted] == ["converted", "converted"]
    for job_id in ids:
        job = api.job(job_id)
        assert (job.state, job.status, job.error) == ("done", "converted", "")
        assert job.attempts == (1 if hold == "queued" else 2)
        assert job.owner["pid"] != child.pid
    assert sorted(e.guid for e in api.episodes()) == ["cms-1", "cms-2"]
    assert [p.name for p in leases.iterdir()] == [api.job(ids[0]).owner["token"]]


def test_a_process_is_judged_gone_only_when_certain(tmp_path):
    """`owners.gone`: a lease nobody holds is a process that ended; this process, a live one
    and one of another host are never judged gone."""
    import os
    import socket
    import subprocess
    import sys

    from audioarticles.store import owners

    mine = owners.this_process(tmp_path)
    assert owners.this_process(tmp_path) == mine and Path(mine["lease"]).exists()
    assert not owners.gone(mine)
    child = subprocess.run([sys.executable, "-c", (
        "import json, sys; from pathlib import Path\n"
        "from audioarticles.store import owners\n"
        "print(json.dumps(owners.this_process(Path(sys.argv[1]))))\n"), str(tmp_path)],
        capture_output=True, text=True, check=True)
    ended = json.loads(child.stdout)
    assert ended["pid"] != os.getpid() and ended["host"] == socket.gethostname()
    elsewhere = {**ended, "host": socket.gethostname() + "-other"}
    live_pid_no_lease = {**ended, "lease": str(tmp_path / "nope"), "pid": os.getppid()}
    dead_pid_no_lease = {**ended, "lease": str(tmp_path / "nope")}
    cases = [(ended, True), (elsewhere, False), (live_pid_no_lease, False),
             (dead_pid_no_lease, True), ({}, False)]
    assert [(owner, owners.gone(owner)) for owner, _ in cases] == cases
    owners.release(mine)  # never a live process's lease
    assert Path(mine["lease"]).exists()
    owners.release(ended)
    assert not Path(ended["lease"]).exists()


FINISHER = """
import sys
import audioarticles as aa

project = aa.Project.open(sys.argv[1])
ids = project.submit([aa.ArticleInput(id=sys.argv[2], title="Article fini",
                                      text="La ligne ouvre lundi entre la gare et le port.")])
assert project.wait(ids, timeout=120).ok
print(project.job(ids[0]).owner["token"], flush=True)
"""


def test_a_process_that_ended_normally_leaves_no_lease_behind_for_long(project):
    """A submitter whose jobs all finished ends normally and leaves its lease; the next
    process that submits removes it (and every other lease of an ended process no
    unfinished job names), so `.audioarticles/processes/` does not grow with every run. A
    lease still held, or named by an unfinished job, stays."""
    import subprocess
    import sys

    from audioarticles.store import owners

    (project / "audioarticles.toml").write_text('[voice]\ndefault = "fr-espeak"\n',
                                                encoding="utf-8")
    leases = project / ".audioarticles" / "processes"
    tokens = []
    for number in (1, 2):
        done = subprocess.run([sys.executable, "-c", FINISHER, str(project), f"cms-{number}"],
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr
        tokens.append(done.stdout.strip())
        # the second run swept the first one's lease when it took its own
        assert sorted(p.name for p in leases.iterdir()) == [tokens[-1]]
    named = leases / "0123456789abcdef"  # an ended process an unfinished job still names
    named.write_text("")
    other = leases / "notes.txt"  # a file we did not write
    other.write_text("mine")
    assert owners.sweep(project / ".audioarticles", keep={named.name}) == 1
    assert sorted(p.name for p in leases.iterdir()) == sorted([named.name, "notes.txt"])


def test_an_article_whose_conversion_runs_is_not_withdrawn(project, monkeypatch):
    """`Project.withdraw` (DELETE of an article not converted yet) refuses while the
    conversion runs, since an episode is about to appear; once it did, the caller
    unpublishes it instead (withdraw answers None)."""
    import threading

    from audioarticles import jobs
    from audioarticles.errors import UserError

    (project / "audioarticles.toml").write_text('[voice]\ndefault = "fr-espeak"\n',
                                                encoding="utf-8")
    started, go_on = threading.Event(), threading.Event()
    begin = jobs.JobProgress.begin

    def held(self, name):
        begin(self, name)
        started.set()
        go_on.wait(60)
    monkeypatch.setattr(jobs.JobProgress, "begin", held)
    api = aa.Project.open(project)
    assert api.put_article(article(7))["status"] == "queued"
    assert started.wait(60)
    with pytest.raises(UserError, match="its conversion is running now"):
        api.withdraw("cms-7")
    assert api.article_status("cms-7")["status"] == "rendering"
    go_on.set()
    deadline = time.monotonic() + 120
    while api.article_status("cms-7")["status"] != "ready":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert api.withdraw("cms-7") is None
