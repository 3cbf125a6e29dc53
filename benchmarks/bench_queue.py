"""The task queue: 40 articles through Dramatiq + Redis with 1 worker process vs 2 (target
≥ 1.7x), the same 40 embedded (a local `convert --jobs 1`) vs queued to one worker process
(target: the queue costs ≤ 10 %), and the queue's own overhead for a tiny article, enqueue →
episode recorded (target: median ≤ 50 ms).

Every run has a fresh project and its own throwaway redis-server
(`audioarticles.testing.redis_server`); workers are real `audioarticles worker` processes,
started and warmed (their espeak workers up) before the clock starts. The articles are the
corpus cut by `bench_jobs.write_articles`, converted with the offline voice `fr-espeak`.
Runs alternate so each configuration sees the same machine; the load average is reported.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

TITLE = "Task queue: 1 vs 2 worker processes, embedded vs queued, overhead per article"
ARTICLES = 40
ROUNDS = int(os.environ.get("BENCH_QUEUE_ROUNDS", "1"))
TINY = 15  # tiny articles timed one at a time for the overhead
SPEEDUP_TARGET, COST_TARGET, OVERHEAD_TARGET_MS = 1.7, 0.10, 50.0
ROOT = Path(__file__).resolve().parent.parent


def _project(folder: Path, redis_url: str | None):
    import audioarticles as aa

    folder.mkdir(parents=True)
    queue = f"[queue]\nurl = \"{redis_url}\"\n" if redis_url else ""
    (folder / "audioarticles.toml").write_text(f'[voice]\ndefault = "fr-espeak"\n{queue}',
                                               encoding="utf-8")
    return aa.Project.open(folder)


def _tiny(number: int):
    import audioarticles as aa

    return aa.ArticleInput(id=f"tiny-{number}", title=f"Brève {number}",
                           text=f"Brève numéro {number}. Le conseil se réunit lundi.")


def _wait_done(project, ids: list[str], poll: float = 0.005, timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    with project.store.catalog() as catalog:
        while True:
            states = [catalog.job(i).state for i in ids]
            if all(s in ("done", "failed", "dead") for s in states):
                failed = [i for i, s in zip(ids, states) if s != "done"]
                if failed:
                    raise RuntimeError(f"jobs failed: {[catalog.job(i).error for i in failed]}")
                return
            if time.monotonic() > deadline:
                raise RuntimeError("timed out")
            time.sleep(poll)


class _Workers:
    def __init__(self, root: Path, processes: int):
        self.log = (root / "worker.log").open("wb")
        self.process = subprocess.Popen(
            ["nice", "-n", "10", sys.executable, "-m", "audioarticles", "worker",
             "--processes", str(processes)], cwd=root, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=300)
        self.log.close()


PARTS: list[tuple[float, float, float]] = []  # submit call, until a worker starts, its work


def queued(articles: Path, processes: int, work: Path) -> tuple[float, list[float]]:
    """Wall time from submitting the articles to the last one recorded; and, for `TINY` tiny
    articles sent one at a time afterwards, the overhead of each (latency minus the worker's
    own time on it), in ms."""
    from audioarticles.testing.redis_server import RedisServer

    root = work / f"queue-{processes}-{time.monotonic_ns()}"
    with RedisServer.start(root / "redis") as server:
        project = _project(root / "p", server.url)
        workers = _Workers(project.root, processes)
        try:
            # warm every worker process: imports done, espeak workers up
            warm = project.submit([_tiny(1000 + n) for n in range(2 * processes)])
            _wait_done(project, warm)
            files = sorted(str(p) for p in articles.glob("*.txt"))
            started = time.perf_counter()
            ids = project.submit(files)
            _wait_done(project, ids, poll=0.05)
            elapsed = time.perf_counter() - started
            overheads = []
            for number in range(TINY):
                sent = time.perf_counter()
                wall = time.time()
                [job_id] = project.submit([_tiny(number)])
                submitted = time.perf_counter() - sent
                _wait_done(project, [job_id])
                latency = time.perf_counter() - sent
                job = project.job(job_id)
                started = datetime.fromisoformat(job.started_at).timestamp()
                own = datetime.fromisoformat(job.finished_at).timestamp() - started
                PARTS.append((submitted * 1000, (started - wall - submitted) * 1000,
                              own * 1000))
                overheads.append((latency - own) * 1000)
        finally:
            workers.stop()
    return elapsed, overheads


def embedded(articles: Path, work: Path) -> float:
    """The same articles converted here, `--jobs 1` (in a child process, timed around the
    conversion only, like the queued runs)."""
    root = work / f"embedded-{time.monotonic_ns()}"
    code = (
        "import sys, time, audioarticles as aa\n"
        f"p = aa.Project.open({str(root / 'p')!r})\n"
        "p.convert([sys.argv[1] + '/article-00-warm.txt'], jobs=1)\n"
        "files = sorted(str(x) for x in __import__('pathlib').Path(sys.argv[1]).glob("
        "'article-[0-9]*.txt') if 'warm' not in x.name)\n"
        "t = time.perf_counter(); r = p.convert(files, jobs=1)\n"
        "assert r.ok and len(r.converted) == len(files), r.failed\n"
        "print(time.perf_counter() - t)\n")
    _project(root / "p", None)
    warm = articles / "article-00-warm.txt"
    warm.write_text("Brève\n\nLe conseil se réunit lundi.\n", encoding="utf-8")
    try:
        proc = subprocess.run(["nice", "-n", "10", sys.executable, "-c", code, str(articles)],
                              capture_output=True, text=True, cwd=root)
    finally:
        warm.unlink()
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-800:])
    return float(proc.stdout.strip().splitlines()[-1])


def run() -> str:
    from benchmarks.bench_jobs import write_articles
    from audioarticles.testing.redis_server import binary

    if binary() is None:
        return "Not run: redis-server is not installed (Debian package redis-server)."
    work = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    try:
        chars, words = write_articles(work / "articles", ARTICLES)
        loads = [os.getloadavg()[0]]
        one, two, local, overheads = [], [], [], []
        PARTS.clear()
        for round_ in range(ROUNDS):
            order = ("1", "2", "e") if round_ % 2 == 0 else ("e", "2", "1")
            for which in order:
                if which == "e":
                    local.append(embedded(work / "articles", work))
                else:
                    elapsed, tiny = queued(work / "articles", int(which), work)
                    (one if which == "1" else two).append(elapsed)
                    overheads += tiny
                loads.append(os.getloadavg()[0])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    t1, t2, te = (statistics.median(x) for x in (one, two, local))
    speedup, cost = t1 / t2, t1 / te - 1
    overhead = statistics.median(overheads)

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    return "\n".join([
        f"{ARTICLES} articles cut from the corpus ({chars} characters, {words} words), offline "
        f"voice `fr-espeak`; each run in a fresh project with its own redis-server; workers "
        f"are `audioarticles worker --processes N` (1 thread each) started and warmed before "
        f"the clock starts; time from `Project.submit` to the last job recorded. Embedded: "
        f"`Project.convert(..., jobs=1)` in one process, warmed the same way. {ROUNDS} "
        f"round(s); everything under `nice -n 10`.",
        "",
        "| run | wall time | articles per minute |",
        "| --- | ---: | ---: |",
        f"| queue, 1 worker process | {t1:.1f} s | {ARTICLES * 60 / t1:.1f} |",
        f"| queue, 2 worker processes | {t2:.1f} s | {ARTICLES * 60 / t2:.1f} |",
        f"| embedded (`--jobs 1`, no queue) | {te:.1f} s | {ARTICLES * 60 / te:.1f} |",
        "",
        f"Overhead of the queue for a tiny article ({len(overheads)} sent one at a time to a "
        f"warm worker; latency from submit to the job recorded done, minus the worker's own "
        f"time on it): median {overhead:.0f} ms, best {min(overheads):.0f} ms, worst "
        f"{max(overheads):.0f} ms. Of which, medians: the `submit` call itself (job record, "
        f"message) {statistics.median(p[0] for p in PARTS):.0f} ms; from its return to a "
        f"worker starting the job {statistics.median(p[1] for p in PARTS):.0f} ms; the "
        f"worker's own work on the tiny article (not overhead) "
        f"{statistics.median(p[2] for p in PARTS):.0f} ms.",
        "",
        f"Load average (1 min) before and after each run: "
        f"{', '.join(f'{x:.1f}' for x in loads)} on {os.cpu_count()} cores shared with other "
        "work (other engineers' tests and benchmarks ran meanwhile).",
        "",
        f"Targets: 2 worker processes ≥ {SPEEDUP_TARGET}x one — {verdict(speedup >= SPEEDUP_TARGET)} "
        f"({speedup:.2f}x); the queue with one worker costs ≤ {COST_TARGET:.0%} over embedded — "
        f"{verdict(cost <= COST_TARGET)} ({cost:+.1%}); overhead per tiny article median ≤ "
        f"{OVERHEAD_TARGET_MS:.0f} ms — {verdict(overhead <= OVERHEAD_TARGET_MS)} "
        f"({overhead:.0f} ms).",
    ])
