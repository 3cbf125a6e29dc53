"""The task queue's guarantees, each against a real redis-server (its own, per test) and real
`audioarticles worker` processes running Dramatiq workers: conversions through the queue;
the same article twice renders once; a worker killed with kill -9 mid-article; a poison
article retried with backoff then dead-lettered; Redis restarted mid-batch; the gTTS cap
across two worker processes; SIGTERM finishing the articles in flight."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

import audioarticles as aa
from audioarticles.cli import cli
from audioarticles.store import ProjectStore

from queue_helpers import Workers, article, queue_project

pytestmark = pytest.mark.slow


def episodes_files(project: aa.Project) -> list[str]:
    """Every MP3 in the public and private episode folders."""
    store = ProjectStore(project.settings)
    found = []
    for root in (project.output, store.files.private):
        folder = root / "episodes"
        found += sorted(p.name for p in folder.glob("*.mp3")) if folder.is_dir() else []
    return found


def partial_files(project: aa.Project) -> list[str]:
    return [str(p) for p in project.output.rglob(".*.part")] if project.output.is_dir() else []


def wait_state(project: aa.Project, job_id: str, states: tuple[str, ...], timeout=90.0):
    return Workers.wait_for(lambda: project.job(job_id).state in states and project.job(job_id),
                            f"job {job_id} to be {'/'.join(states)}", timeout)


def rebuilds(project: aa.Project) -> int:
    return int(project.queue().client.get("audioarticles:rebuild:count") or 0)


def test_articles_go_through_the_queue_and_the_feed_follows(redis_server, tmp_path, runner,
                                                            monkeypatch):
    project = queue_project(tmp_path / "p", redis_server.url)
    monkeypatch.chdir(project.root)
    with Workers(project.root, processes=2):
        ids = project.submit([article(1), article(2), article(3)])
        assert [project.job(i).runner for i in ids] == ["queue"] * 3
        report = project.wait(ids, timeout=120)
        assert report.ok and report.summary()["converted"] == 3
        assert sorted(e.guid for e in report.episodes) == ["cms-1", "cms-2", "cms-3"]
        # one debounced rebuild (or a few), not one per article
        Workers.wait_for(lambda: rebuilds(project) >= 1, "a rebuild")
        Workers.wait_for(lambda: all(
            f"cms-{n}" in (project.output / "feed.xml").read_text(encoding="utf-8")
            for n in (1, 2, 3)), "the feed to name the three episodes")
        assert rebuilds(project) <= 3
        # the command line: convert --queue --wait prints what a local run prints
        (project.root / "note.md").write_text("# Une note\n\nUne note assez longue pour être "
                                              "lue par la voix hors ligne.\n", encoding="utf-8")
        result = runner.invoke(cli, ["convert", "note.md", "--wait"])
        assert result.exit_code == 0, result.stderr
        assert "1 article: 1 converted, 0 unchanged" in result.stdout
        queued = runner.invoke(cli, ["convert", "note.md", "--json"])
        assert queued.exit_code == 0, queued.stderr
        [row] = json.loads(queued.stdout)["jobs"]
        assert row["state"] in ("queued", "running", "done") and row["runner"] == "queue"
        done = project.wait([row["id"]], timeout=60)
        assert done.converted[0].status == "unchanged"
        listed = json.loads(runner.invoke(cli, ["jobs", "--json"]).stdout)["jobs"]
        assert len(listed) == 5 and {j["state"] for j in listed} == {"done"}


def test_the_same_article_twice_renders_once(redis_server, tmp_path):
    project = queue_project(tmp_path / "p", redis_server.url)
    with Workers(project.root, processes=2):
        # twice in one batch, then twice at once again with a correction
        first = project.submit([article(7, sentences=3), article(7, sentences=3)])
        report = project.wait(first, timeout=120)
        assert sorted(c.status for c in report.converted) == ["converted", "unchanged"]
        [episode] = project.episodes()
        assert (episode.guid, episode.slug) == ("cms-7", "article-numero-7")
        corrected = article(7, sentences=4)
        again = project.submit([corrected, corrected])
        report = project.wait(again, timeout=120)
        assert sorted(c.status for c in report.converted) == ["converted", "unchanged"]
        [after] = project.episodes()
        assert (after.guid, after.slug) == ("cms-7", "article-numero-7")
        assert after.mp3 != episode.mp3  # the correction was voiced, once
    assert len(project.jobs(state="done")) == 4


def test_a_worker_killed_mid_article_has_it_delivered_again(redis_server, tmp_path):
    project = queue_project(tmp_path / "p", redis_server.url, redelivery_s=2)
    with Workers(project.root, processes=2) as workers:
        [job_id] = project.submit([article(1, sentences=40)])
        wait_state(project, job_id, ("running",))
        victim = Workers.wait_for(lambda: workers.pid_running(job_id), "the worker's pid")
        time.sleep(1.0)  # mid-article: voicing and encoding under way
        assert project.job(job_id).state == "running"
        os.kill(victim, signal.SIGKILL)
        job = wait_state(project, job_id, ("done", "failed", "dead"), timeout=180)
        assert (job.state, job.status, job.attempts) == ("done", "converted", 2), job
        assert workers.pid_running(job_id) != victim  # another worker took it
    [episode] = project.episodes()
    assert (episode.guid, episode.slug, episode.state) == ("cms-1", "article-numero-1",
                                                            "published")
    assert ProjectStore(project.settings).files.intact(episode.record)
    assert episodes_files(project) == [episode.mp3.split("/")[-1]]
    assert partial_files(project) == []


def test_a_poison_article_is_retried_with_backoff_then_dead_lettered(redis_server, tmp_path,
                                                                     runner, monkeypatch):
    project = queue_project(tmp_path / "p", redis_server.url, max_retries=2, min_backoff_s=0.4)
    monkeypatch.chdir(project.root)
    poison = aa.ArticleInput(id="cms-poison", title="Vide", text="")
    with Workers(project.root, processes=1, threads=2):
        ids = project.submit([article(1), poison, article(2)])
        starts: list[str] = []

        def dead() -> bool:
            job = project.job(ids[1])
            if job.started_at and job.started_at not in starts:
                starts.append(job.started_at)
            return job.state == "dead"

        Workers.wait_for(dead, "the poison article to be dead-lettered", timeout=120,
                         poll=0.01)
        report = project.wait([ids[0], ids[2]], timeout=120)
        assert report.ok and report.summary()["converted"] == 2  # the batch is unaffected
    job = project.job(ids[1])
    assert (job.state, job.attempts) == ("dead", 3)
    assert "nothing to read" in job.error
    # exponential backoff: the second wait is at least min_backoff (jitter halves the first)
    from datetime import datetime

    times = [datetime.fromisoformat(t) for t in starts]
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
    assert len(gaps) == 2 and gaps[0] >= 0.2 and gaps[1] >= 0.4, gaps
    # Dramatiq moved the message to its dead-letter queue
    assert project.queue().client.zcard("audioarticles:articles.XQ") == 1
    listed = runner.invoke(cli, ["jobs", "--failed"])
    assert listed.exit_code == 0 and ids[1] in listed.stdout
    assert "nothing to read" in listed.stdout and "dead" in listed.stdout
    rows = json.loads(runner.invoke(cli, ["jobs", "--failed", "--json"]).stdout)["jobs"]
    assert [(r["id"], r["state"]) for r in rows] == [(ids[1], "dead")]


def test_redis_restarted_mid_batch_loses_and_doubles_nothing(redis_server, tmp_path):
    project = queue_project(tmp_path / "p", redis_server.url)
    count = 6
    with Workers(project.root, processes=2) as workers:
        ids = project.submit([article(n, sentences=3) for n in range(count)])
        Workers.wait_for(lambda: len(project.jobs(state="done")) >= 1, "a first article")
        redis_server.restart(pause_s=1.0)
        report = project.wait(ids, timeout=400)
        states = [(j.name, j.state, j.attempts, j.error) for j in project.jobs(ids=ids)]
        assert report.ok, (states, report.failed, workers.text()[-3000:])
    assert sorted(c.episode.guid for c in report.converted) == [f"cms-{n}"
                                                                for n in range(count)]
    assert len(project.episodes()) == count
    assert len(episodes_files(project)) == count  # no article voiced twice into a new file
    assert partial_files(project) == []


FAKE_GTTS_LATENCY = 0.3


def test_the_gtts_cap_holds_across_two_worker_processes(redis_server, tmp_path, fake_gtts):
    extra = "[gtts]\nconcurrency = 2\nrequests_per_second = 100\n"
    project = queue_project(tmp_path / "p", redis_server.url, voice="fr", extra=extra)
    with Workers(project.root, processes=2, threads=2):
        ids = project.submit([article(n, sentences=6, language="fr") for n in range(4)])
        report = project.wait(ids, timeout=240)
    assert report.ok, report.failed
    assert {c.episode.engine for c in report.converted} == {"gtts"}
    assert len(fake_gtts.state.received) >= 8
    # 2 processes x 2 articles each could have 8 requests in flight; the cluster cap is 2
    assert fake_gtts.state.max_in_flight == 2


def test_the_gtts_rate_holds_across_two_worker_processes(redis_server, tmp_path, fake_gtts):
    extra = "[gtts]\nconcurrency = 4\nrequests_per_second = 4\n"
    project = queue_project(tmp_path / "p", redis_server.url, voice="fr", extra=extra)
    with Workers(project.root, processes=2, threads=2):
        # every sentence its own, so the segment cache shares none of them
        texts = [" ".join(f"Le quartier {word} attend la ligne {n} depuis {k + 2} ans, "
                          f"et la mairie promet {k + n + 3} nouvelles rames."
                          for k, word in enumerate(("nord", "sud", "est", "ouest", "centre")))
                 for n in range(4)]
        ids = project.submit([aa.ArticleInput(id=f"r-{n}", title=f"Ligne {n}", text=text,
                                              language="fr") for n, text in enumerate(texts)])
        report = project.wait(ids, timeout=240)
    assert report.ok, report.failed
    starts = sorted(r.started for r in fake_gtts.state.received)
    assert len(starts) >= 20
    # after the first burst (4), no faster than 4 starts a second in all: each process
    # alone may start 4 a second, so two would reach about 8 without the shared rate
    rate = (len(starts) - 4) / (starts[-1] - starts[0])
    assert rate <= 4 * 1.1, rate


def test_sigterm_finishes_the_articles_in_flight(redis_server, tmp_path):
    project = queue_project(tmp_path / "p", redis_server.url)
    workers = Workers(project.root, processes=1)
    try:
        [job_id] = project.submit([article(1, sentences=30)])
        wait_state(project, job_id, ("running",))
        assert workers.stop() == 0
        job = project.job(job_id)
        assert (job.state, job.status, job.attempts) == ("done", "converted", 1)
    finally:
        workers.__exit__(None, None, None)


def test_a_burst_of_finished_articles_causes_a_handful_of_rebuilds(redis_server, tmp_path):
    project = queue_project(tmp_path / "p", redis_server.url, rebuild_debounce_s=1.0,
                            rebuild_max_wait_s=4.0)
    count = 24
    briefs = [aa.ArticleInput(id=f"b-{n}", title=f"Brève {n}", text=f"Brève numéro {n}.")
              for n in range(count)]
    with Workers(project.root, processes=2, threads=2):
        ids = project.submit(briefs)
        report = project.wait(ids, timeout=240)
        assert report.ok and len(report.converted) == count
        feed = project.output / "feed.xml"
        Workers.wait_for(lambda: feed.is_file() and all(
            f"b-{n}<" in feed.read_text(encoding="utf-8") for n in range(count)),
            "the feed to name every episode", timeout=60)
        time.sleep(1.5)  # no rebuild is left pending
        done = rebuilds(project)
    # quiet for 1 s, or at most every 4 s: a handful, not one per article
    assert 1 <= done <= 6, done


def test_scheduled_episodes_are_released_by_the_periodic_task(redis_server, tmp_path):
    from datetime import datetime, timedelta, timezone

    project = queue_project(tmp_path / "p", redis_server.url, release_interval_s=1)
    at = (datetime.now(timezone.utc) + timedelta(seconds=25)).isoformat(timespec="seconds")
    started = time.monotonic()
    with Workers(project.root, processes=2):
        ids = project.submit([article(1)], publish_at=at)
        [converted] = project.wait(ids, timeout=120).converted
        assert project.find("cms-1").state == "scheduled"
        Workers.wait_for(lambda: project.find("cms-1").state == "published",
                         "the periodic task to release the episode", timeout=60)
        feed = project.output / "feed.xml"
        Workers.wait_for(lambda: feed.is_file() and "cms-1" in feed.read_text(encoding="utf-8"),
                         "the feed to name it")
        elapsed = time.monotonic() - started
        fired = int(project.queue().client.get("audioarticles:release:count") or 0)
    # each worker process runs a scheduler; one fires per 1 s tick for the whole cluster
    assert 1 <= fired <= elapsed + 1, (fired, elapsed)


def test_a_lease_of_a_killed_holder_lapses_and_slots_expire(redis_server):
    """The coordination primitives on a real Redis: one holder at a time; a holder that
    stops renewing (killed) frees the lease after its length; a slot never given back
    expires."""
    import multiprocessing
    import threading

    import redis

    from audioarticles.tasks.coordination import ClusterSlots, Lease

    client = redis.Redis.from_url(redis_server.url)
    lease = Lease(client, "t:lease", lease_s=1.0)
    order = []

    def hold(name):
        with lease.held():
            order.append(f"{name}+")
            time.sleep(0.3)
            order.append(f"{name}-")

    threads = [threading.Thread(target=hold, args=(n,)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert order in (["a+", "a-", "b+", "b-"], ["b+", "b-", "a+", "a-"])
    # held longer than its length: renewed, so nobody else gets it meanwhile
    with lease.held():
        time.sleep(1.5)
        with pytest.raises(TimeoutError):
            with Lease(client, "t:lease", 1.0).held(wait_s=0.3):
                pass
    # a holder killed while holding: the lease lapses after about its length
    holder = multiprocessing.get_context("fork").Process(target=_hold_forever,
                                                         args=(redis_server.url,))
    holder.start()
    Workers.wait_for(lambda: client.exists("t:killed"), "the holder")
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()
    started = time.monotonic()
    with Lease(client, "t:killed", 1.0).held(wait_s=10):
        assert time.monotonic() - started < 3
    # slots: two at once; a third waits; one never given back comes back after expiry
    slots = ClusterSlots(client, "t:slots", limit=2, expiry_s=1.0)
    leaked = slots.slot()
    leaked.__enter__()  # never exited, as if its holder were killed
    with slots.slot():
        started = time.monotonic()
        with slots.slot():  # waits for the leaked slot to expire
            assert 0.5 < time.monotonic() - started < 3
    assert client.zcard("t:slots") == 0


def _hold_forever(url: str) -> None:
    import redis

    from audioarticles.tasks.coordination import Lease

    with Lease(redis.Redis.from_url(url), "t:killed", 1.0).held():
        time.sleep(60)


def test_sync_through_the_queue_converts_each_item_once(redis_server, tmp_path, runner,
                                                        monkeypatch):
    from test_sync import FULL_1, Feed, article_page, item
    from web import Site

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    project = queue_project(tmp_path / "p", redis_server.url,
                            extra="[fetch]\nallow_private = true\n")
    monkeypatch.chdir(project.root)
    feed = Feed()
    routes = {"/feed.xml": feed,
              "/articles/2": article_page("La deuxième nouvelle",
                                          "La métropole ouvrira une ligne de tramway.",
                                          "Elle reliera la gare au campus en vingt minutes.")}
    with Site(routes) as site, Workers(project.root, processes=2):
        feed.items = [item("journal-1", "Le budget adopté", site.url("/articles/1"), FULL_1),
                      item("journal-2", "La deuxième nouvelle", site.url("/articles/2"))]
        first = runner.invoke(cli, ["sync", site.url("/feed.xml"), "--wait", "--json"])
        assert first.exit_code == 0, first.stderr
        report = json.loads(first.stdout)
        assert sorted((e["title"], e["status"]) for e in report["episodes"]) == [
            ("La deuxième nouvelle", "converted"), ("Le budget adopté", "converted")]
        again = runner.invoke(cli, ["sync", site.url("/feed.xml"), "--wait", "--json"])
        assert again.exit_code == 0, again.stderr
        assert {e["status"] for e in json.loads(again.stdout)["episodes"]} == {"unchanged"}
    assert len(project.episodes()) == 2


def test_an_idle_worker_polls_redis_often_only_for_articles(redis_server, tmp_path):
    """Dramatiq polls every queue (articles, publish and their delayed-message queues) at
    one rate; polling all four every 20 ms cost an idle worker process 8 % of a core and
    Redis 5 % more. Only the articles queue, which a lone article waits on, is polled that
    often: counted with Redis's own command statistics over 3 idle seconds."""
    import redis

    from audioarticles.tasks.worker import POLL_MS, SLOW_POLL_MS

    project = queue_project(tmp_path / "p", redis_server.url)
    client = redis.Redis.from_url(redis_server.url)
    with Workers(project.root, processes=1):
        [warm] = project.submit([article(1)])
        assert project.wait([warm], timeout=120).ok
        time.sleep(1.5)  # the consumers' backoff reaches its ceiling
        client.config_resetstat()
        time.sleep(3.0)
        stats = client.info("commandstats")
        polls = sum(v["calls"] for k, v in stats.items() if k in ("cmdstat_evalsha",
                                                                  "cmdstat_eval"))
        # the articles consumer: 3 s / 20 ms = 150 fetches; the three others: about 3 each
        fast_only = 3.0 * 1000 / POLL_MS + 3 * 3.0 * 1000 / SLOW_POLL_MS
        assert polls < 1.5 * fast_only, polls  # all four at 20 ms would be about 600
        # and a lone article is still taken at once
        started = time.monotonic()
        [job] = project.submit([aa.ArticleInput(id="brief", title="Brève", text="Une brève.")])
        assert project.wait([job], timeout=60).ok
        assert time.monotonic() - started < 10


def test_a_retry_after_pauses_every_worker_process(redis_server, tmp_path, fake_gtts):
    """The service answers one request 429 with Retry-After: 3 while two worker processes
    (two threads each) have articles in flight. Every process holds its requests for those
    3 s, not only the one that was told."""
    from audioarticles.testing.fake_gtts import Fault

    extra = "[gtts]\nconcurrency = 4\nrequests_per_second = 100\n"
    project = queue_project(tmp_path / "p", redis_server.url, voice="fr", extra=extra)
    fake_gtts.latency = 0.1
    with Workers(project.root, processes=2, threads=2) as workers:
        # both processes up and taking articles before the timed part
        ran_in: set[int] = set()
        for attempt in range(10):
            warm = project.submit([aa.ArticleInput(id=f"w-{attempt}-{n}", title="Brève",
                                                   text=f"Brève {attempt} {n}.", language="fr")
                                   for n in range(4)])
            assert project.wait(warm, timeout=120).ok
            ran_in |= {workers.pid_running(job) for job in warm}
            if len(ran_in) == 2:
                break
        assert len(ran_in) == 2
        # long enough to keep requests going well past the pause in both processes
        texts = [" ".join(f"Le quartier {k} attend la ligne {n} depuis {k + 2} ans, et la "
                          f"mairie promet {k + n + 3} nouvelles rames." for k in range(24))
                 for n in range(4)]
        fake_gtts.reset()
        fake_gtts.latency = 0.1
        fake_gtts.inject(*[None] * 8, Fault("429", retry_after="3"))
        ids = project.submit([aa.ArticleInput(id=f"p-{n}", title=f"Ligne {n}", text=text,
                                              language="fr") for n, text in enumerate(texts)])
        report = project.wait(ids, timeout=240)
        assert len({workers.pid_running(job) for job in ids}) == 2
    assert report.ok, report.failed
    received = fake_gtts.state.received
    [told] = [r for r in received if r.fault == "429"]
    assert len(received) > 16
    # requests another process had already let go may still arrive a moment after the
    # answer; then nothing until the pause is over
    during = [round(r.started - told.ended, 2) for r in received
              if told.ended + 0.3 < r.started < told.ended + 3 - 0.1]
    assert during == []
    assert any(r.started > told.ended + 2.9 for r in received)


def test_wait_follows_a_failed_attempt_through_its_retry(redis_server, tmp_path, fake_gtts):
    """An article whose first attempt fails (the service answers 500, no fallback) and
    whose retry succeeds: `wait` reports it converted, after a warning about the failed
    attempt, instead of returning at the first failure as if the article had failed."""
    import threading

    from audioarticles.pipeline.results import Progress

    class Told(Progress):
        def __init__(self):
            self.warnings = []

        def warn(self, message):
            self.warnings.append(message)

    extra = "[gtts]\nattempts = 1\nunreachable_attempts = 1\n"
    project = queue_project(tmp_path / "p", redis_server.url, voice="fr", extra=extra,
                            min_backoff_s=1.0)
    fake_gtts.fail_always("500")
    with Workers(project.root, processes=1):
        [job_id] = project.submit([article(1, language="fr")], fallback=False)

        def heal_after_the_first_failure():
            wait_state(project, job_id, ("failed",), timeout=120)
            fake_gtts.fail_always(None)

        healer = threading.Thread(target=heal_after_the_first_failure)
        healer.start()
        told = Told()
        report = project.wait([job_id], told, timeout=180)
        healer.join()
    assert report.ok, report.failed
    assert project.job(job_id).attempts == 2
    assert len(told.warnings) == 1 and "attempt 1 failed" in told.warnings[0]
    assert "a retry is scheduled" in told.warnings[0]
