"""Jobs: one article's conversion handed over to run later, and what became of it.

`Project.submit` records one job per article in the catalog (`jobs` table) and hands it to a
runner: the embedded executor below (threads of this process: the laptop default, nothing to
start) or, with `[queue] url`, the task queue (`tasks/`: one Dramatiq message per article, run
by `audioarticles worker` processes). Both move a job through the same states:

    queued ──► running ──► done                (converted, unchanged or skipped)
                 │
                 └──► failed ──► (retried) ──► running ...   ──► dead (retries used up)

In the embedded executor a failure is final (`failed`, no automatic retry); on the queue,
`failed` means a retry is scheduled (exponential backoff) and `dead` that the article was
dead-lettered. `Project.retry` queues failed and dead jobs again.

An embedded job lives only as long as the process that submitted it: each names that process
(`owner`, `store.owners`). When the catalog's jobs are read (`settle_orphans`: `Project.job`,
`jobs`, `retry`, `wait`) a queued or running embedded job whose process has ended is `failed`
with status `interrupted` and a reason saying it is unfinished (its article never failed) and
how to run it again; `retry` takes it like any failed job. A job of a live process, or of
another host, is never touched; queue jobs are the broker's to deliver again.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from audioarticles import editorial
from audioarticles.config import Settings
from audioarticles.errors import ArticleSkipped, InputError, UserError
from audioarticles.model import Job
from audioarticles.pipeline.results import Converted, ConvertReport, Outcome, Progress, warn
from audioarticles.sources import Source
from audioarticles.store import CatalogStore, ProjectStore, owners
from audioarticles.store.catalog import now_precise

QUEUED, RUNNING, DONE, FAILED, DEAD = "queued", "running", "done", "failed", "dead"
STATES = (QUEUED, RUNNING, DONE, FAILED, DEAD)
FINISHED = (DONE, FAILED, DEAD)  # `wait` returns when every job is in one of these
EMBEDDED, QUEUE = "embedded", "queue"
#: the status of a failed embedded job whose process ended before it finished
INTERRUPTED = "interrupted"

#: the options a job carries (what `convert` takes besides its inputs)
OPTION_DEFAULTS = {"voice": None, "rerender": False, "draft": False, "publish_at": None,
                   "force": False, "fallback": True}


def options(**given) -> dict:
    """A job's options: OPTION_DEFAULTS with what is given (a `publish_at` datetime as ISO)."""
    unknown = set(given) - set(OPTION_DEFAULTS)
    assert not unknown, unknown
    values = {**OPTION_DEFAULTS, **given}
    if isinstance(values["publish_at"], datetime):
        values["publish_at"] = values["publish_at"].isoformat()
    return values


def release_for(settings: Settings, draft: bool = False,
                publish_at: str | datetime | None = None,
                force: bool = False) -> editorial.Release:
    """The editorial release of a run from its flags (`publish_at` as typed, or a datetime)."""
    policy = editorial.Policy.from_project(settings)
    at = editorial.parse_time(publish_at, policy, "--publish-at") \
        if isinstance(publish_at, str) else publish_at
    return editorial.Release.for_project(settings, force=force, draft=draft, publish_at=at)


def new_job(source: Source, job_options: dict, runner: str, owner: dict | None = None) -> Job:
    """A queued job; `owner`: the process that runs it (embedded jobs)."""
    stamp = now_precise()
    return Job(id=uuid.uuid4().hex[:16], name=source.name, source=source.to_dict(),
               options=job_options, runner=runner, created_at=stamp, updated_at=stamp,
               owner=owner or {})


def failed_job(error: InputError, job_options: dict, runner: str) -> Job:
    """A job for an input that named no article (a missing file, a bad glob): failed at once."""
    stamp = now_precise()
    return Job(id=uuid.uuid4().hex[:16], name=error.source, source={}, options=job_options,
               runner=runner, state=FAILED, error=error.reason, created_at=stamp,
               updated_at=stamp, finished_at=stamp)


def mutex_key(source: dict) -> str:
    """What names one article across messages (its explicit id, else its file or URL, else
    its name): two deliveries of it never run at once."""
    return source.get("explicit_id") or source.get("ref") or source.get("name", "")


# ---- state changes ---------------------------------------------------------------------------

def mark_running(catalog: CatalogStore, job_id: str) -> bool:
    """A runner starts the job (one more attempt); False when it is no longer to be run
    (done, or dead after a retry was scheduled)."""
    return catalog.update_job(job_id, only_from=(QUEUED, RUNNING, FAILED), state=RUNNING,
                              attempts="+1", started_at=now_precise(), error="")


def mark_finished(catalog: CatalogStore, job_id: str, outcome: Outcome) -> None:
    """Record what the attempt gave: done (converted, unchanged, skipped) or failed."""
    stamp = now_precise()
    if isinstance(outcome, Converted):
        catalog.update_job(job_id, state=DONE, status=outcome.status, guid=outcome.episode.guid,
                           error="", finished_at=stamp)
    elif isinstance(outcome, ArticleSkipped):
        catalog.update_job(job_id, state=DONE, status="skipped", error=outcome.reason,
                           finished_at=stamp)
    else:
        catalog.update_job(job_id, state=FAILED, error=outcome.reason, finished_at=stamp)


def mark_failed(catalog: CatalogStore, job_id: str, error: str, dead: bool = False) -> None:
    catalog.update_job(job_id, state=DEAD if dead else FAILED, error=error,
                       finished_at=now_precise())


def interrupted_reason(job: Job) -> str:
    """Why an embedded job whose process ended is not done: unfinished, not failed."""
    return (f"unfinished: the process that ran it stopped before it finished (pid "
            f"{job.owner.get('pid')} on {job.owner.get('host')}); `audioarticles jobs retry "
            f"{job.id}` runs it again")


def settle_orphans(catalog: CatalogStore, records: list[Job] | None = None) -> bool:
    """Mark the queued or running embedded jobs whose process has ended (`owners.gone`) as
    failed, status `interrupted`, with `interrupted_reason`. `records`: judge the owners of
    these (default: of every unfinished embedded job); all of a gone owner's unfinished jobs
    are marked, then its lease is removed. True when a job changed."""
    def orphanable(jobs: Iterable[Job]) -> list[Job]:
        return [j for j in jobs if j.runner == EMBEDDED and j.state in (QUEUED, RUNNING)
                and j.owner.get("token")]

    candidates = orphanable(catalog.jobs(states=(QUEUED, RUNNING)) if records is None
                            else records)
    verdicts: dict[str, bool] = {}
    for job in candidates:
        token = job.owner["token"]
        if token not in verdicts:
            verdicts[token] = owners.gone(job.owner)
    dead = {token for token, ended in verdicts.items() if ended}
    if not dead:
        return False
    if records is not None:  # not only those asked about: the lease goes after this
        candidates = orphanable(catalog.jobs(states=(QUEUED, RUNNING)))
    ended: dict[str, dict] = {}
    for job in candidates:
        if job.owner["token"] in dead:
            catalog.update_job(job.id, only_from=(QUEUED, RUNNING), only_owner=job.owner,
                               state=FAILED, status=INTERRUPTED, error=interrupted_reason(job),
                               finished_at=now_precise())
            ended[job.owner["token"]] = job.owner
    for owner in ended.values():
        owners.release(owner)
    return True


def outcome(job: Job, catalog: CatalogStore) -> Outcome | None:
    """What a finished job gave, as a local run reports it (None while it runs)."""
    if job.state in (QUEUED, RUNNING):
        return None
    if job.state == DONE and job.status == "skipped":
        return ArticleSkipped(job.name, job.error)
    if job.state == DONE:
        episode = catalog.get(job.guid)
        if episode is not None:
            return Converted(episode, 0, 0, status=job.status or "converted")
        return InputError(job.name, "its episode is no longer in the catalog")
    suffix = {FAILED: " (a retry is scheduled)" if job.runner == QUEUE else "",
              DEAD: f" (dead-lettered after {job.attempts} attempts; "
                    f"`audioarticles jobs retry {job.id}` tries again)"}[job.state]
    return InputError(job.name, f"{job.error or 'failed'}{suffix}")


def to_dict(job: Job) -> dict:
    """What `audioarticles jobs --json` prints for one job."""
    return {"id": job.id, "article": job.name, "state": job.state, "status": job.status or None,
            "attempts": job.attempts, "error": job.error or None, "guid": job.guid or None,
            "runner": job.runner, "created_at": job.created_at, "started_at": job.started_at
            or None, "finished_at": job.finished_at or None}


def wait(store: ProjectStore, ids: list[str], progress: Progress | None = None,
         timeout_s: float | None = None, poll_s: float = 0.05,
         stop: Callable[[], bool] = lambda: False) -> ConvertReport:
    """Follow jobs until each is done, failed or dead, telling `progress` as a local run
    does (begin when one starts, done when it ends); the report lists them in the order of
    `ids`. A queue job that failed with a retry scheduled is followed through its retries
    (`progress.warn` says each failure): only its last attempt is its outcome, so a passing
    fault (Redis restarting, a service answering 503) is not reported as the article
    failing. `timeout_s` or `stop()`: the unfinished ones count as not done (interrupted)."""
    progress = progress or Progress()
    progress.start(len(ids))
    outcomes: dict[str, Outcome] = {}
    begun: set[str] = set()
    retrying: set[tuple[str, int]] = set()  # (job, attempt) failures already told
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    interrupted = False
    with store.catalog() as catalog:
        while len(outcomes) < len(ids):
            unfinished = [i for i in ids if i not in outcomes]
            records = catalog.jobs(ids=unfinished)
            if settle_orphans(catalog, records):
                records = catalog.jobs(ids=unfinished)
            for job in records:
                if job.state != QUEUED and job.id not in begun:
                    begun.add(job.id)
                    progress.begin(job.name)
                if job.state == FAILED and job.runner == QUEUE:
                    if (job.id, job.attempts) not in retrying:
                        retrying.add((job.id, job.attempts))
                        progress.warn(f"{job.name}: attempt {job.attempts} failed "
                                      f"({job.error or 'no reason given'}); a retry is "
                                      "scheduled")
                    continue
                result = outcome(job, catalog)
                if result is not None:
                    outcomes[job.id] = result
                    progress.done(job.name, result)
            if len(outcomes) == len(ids):
                break
            if stop() or (deadline is not None and time.monotonic() > deadline):
                interrupted = True
                break
            time.sleep(poll_s)
    report = ConvertReport(interrupted=interrupted)
    for job_id in ids:
        report.add(outcomes.get(job_id))
    progress.finish(report)
    return report


# ---- the embedded executor -------------------------------------------------------------------

class JobProgress(Progress):
    """Moves the jobs of an embedded batch along as the batch reports its articles."""

    def __init__(self, catalog: CatalogStore, by_name: dict[str, list[str]]):
        self.catalog = catalog
        self.by_name = by_name
        self.lock = threading.Lock()  # article threads report here; one catalog connection
        self.finished: set[str] = set()
        self.called_off: set[str] = set()

    def begin(self, name: str) -> None:
        """Start the article's jobs; when none of them is still to be run (withdrawn while
        the batch waited for the project's lock), the article is skipped, not converted."""
        with self.lock:
            ids = self.by_name.get(name, ())
            started = [job_id for job_id in ids if mark_running(self.catalog, job_id)]
            if ids and not started:
                self.called_off.update(ids)
                job = self.catalog.job(ids[0])
                raise ArticleSkipped(name, job.error if job and job.error else "withdrawn")

    def done(self, name: str, result: Outcome) -> None:
        with self.lock:
            for job_id in self.by_name.get(name, ()):
                if job_id not in self.called_off:  # never over a job withdrawn before it ran
                    mark_finished(self.catalog, job_id, result)
                self.finished.add(job_id)


class EmbeddedExecutor:
    """Runs a project's submitted jobs in a thread of this process, as batches: what is queued
    when a batch starts runs together (one lock, slugs in order, one site rebuild). One per
    project folder and process (`for_project`)."""

    _instances: dict[Path, EmbeddedExecutor] = {}
    _instances_lock = threading.Lock()

    def __init__(self, settings: Settings, convert: Callable[..., ConvertReport]):
        self.settings = settings
        self.convert = convert  # pipeline.run.convert (given, so this module stays below it)
        self.pending: list[str] = []
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    @classmethod
    def for_project(cls, settings: Settings, convert) -> EmbeddedExecutor:
        with cls._instances_lock:
            executor = cls._instances.get(settings.root.resolve())
            if executor is None:
                executor = cls._instances[settings.root.resolve()] = cls(settings, convert)
            return executor

    def submit(self, ids: Iterable[str]) -> None:
        with self.lock:
            self.pending.extend(ids)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._drain, name="audioarticles-jobs",
                                               daemon=True)
                self.thread.start()

    def idle(self) -> bool:
        with self.lock:
            return not self.pending and (self.thread is None or not self.thread.is_alive())

    @classmethod
    def settle(cls, settings: Settings, timeout_s: float | None = None) -> None:
        """Wait until this process's executor of the project is idle: its batch has rebuilt
        the site after the articles it finished."""
        executor = cls._instances.get(settings.root.resolve())
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while executor is not None and not executor.idle():
            if deadline is not None and time.monotonic() > deadline:
                return
            time.sleep(0.02)

    def _drain(self) -> None:
        while True:
            with self.lock:
                ids, self.pending = self.pending, []
                if not ids:
                    self.thread = None
                    return
            try:
                self._run(ids)
            except Exception as exc:  # never lose the thread's reason: the jobs carry it
                warn(f"jobs {', '.join(ids)}: {exc}")

    def _run(self, ids: list[str]) -> None:
        store = ProjectStore(self.settings)
        with store.catalog() as catalog:
            jobs = [j for j in reversed(catalog.jobs(ids=ids)) if j.state == QUEUED]
            groups: dict[str, list[Job]] = {}
            for job in jobs:
                groups.setdefault(json.dumps(job.options, sort_keys=True), []).append(job)
            for group in groups.values():
                self._run_group(catalog, group)

    def _run_group(self, catalog: CatalogStore, group: list[Job]) -> None:
        by_name: dict[str, list[str]] = {}
        sources: list[Source] = []
        for job in group:
            if job.name not in by_name:
                sources.append(Source.from_dict(job.source))
            by_name.setdefault(job.name, []).append(job.id)
        opts = group[0].options
        progress = JobProgress(catalog, by_name)
        try:
            release = release_for(self.settings, opts["draft"], opts["publish_at"], opts["force"])
            self.convert(self.settings, sources, opts["voice"], release,
                         rerender=opts["rerender"], fallback=opts["fallback"], progress=progress)
        except (UserError, OSError) as exc:
            reason = str(exc)
        else:
            reason = "the run stopped before this article"
        for job in group:  # not those finished (one may be queued again already)
            if job.id not in progress.finished:
                catalog.update_job(job.id, only_from=(QUEUED, RUNNING), state=FAILED,
                                   error=reason, finished_at=now_precise())
