"""What a worker process does with a message: convert one article (`convert_article`), rebuild
the feed and the site (`rebuild_site`, debounced), release scheduled episodes that are due
(`release_scheduled`, sent by the worker's scheduler).

A worker process holds one `WorkerContext` (`install`): the project's settings and store, a
catalog connection per worker thread, the voicings it made (an engine and its worker
processes are made once per voice), and the Redis client its coordination uses.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from datetime import datetime, timezone

from dramatiq.middleware import Middleware

from audioarticles import editorial, jobs, publish, webhooks
from audioarticles.config import Settings
from audioarticles.errors import InputError
from audioarticles.pipeline import run as runs
from audioarticles.pipeline.batch import Batch
from audioarticles.pipeline.results import Progress
from audioarticles.sources import Source
from audioarticles.store import CATALOG_ERRORS, STALE_PART_S, CatalogStore, ProjectStore
from audioarticles.tasks import coordination

log = logging.getLogger("audioarticles")


class ArticleFailed(Exception):
    """The article's attempt failed (its reason is the message): Dramatiq retries it with
    backoff, then dead-letters it."""


class WorkerContext:
    """One worker process's state, shared by its worker threads."""

    def __init__(self, settings: Settings, queue, threads: int = 1):
        self.settings = settings
        self.queue = queue
        self.client = queue.client
        self.threads = threads
        self.store = ProjectStore(settings)
        self.values = settings.section("queue")
        self._local = threading.local()
        self._setups: dict[str, runs.RunSetup] = {}
        self._lock = threading.Lock()
        self.rebuilds = coordination.Debounce(self.client, queue.key("rebuild", "pending"),
                                              self.values["rebuild_debounce_s"],
                                              self.values["rebuild_max_wait_s"])

    # resources

    def catalog(self) -> CatalogStore:
        """This thread's catalog connection (opened on first use)."""
        catalog = getattr(self._local, "catalog", None)
        if catalog is None:
            catalog = self._local.catalog = self.store.catalog()
        return catalog

    def drop_catalog(self) -> None:
        catalog = getattr(self._local, "catalog", None)
        self._local.catalog = None
        if catalog is not None:
            try:
                catalog.close()
            except CATALOG_ERRORS:
                pass

    def setup(self, options: dict) -> runs.RunSetup:
        """The voice, reader and release for these options, made once per process."""
        key = json.dumps(options, sort_keys=True)
        with self._lock:
            if key not in self._setups:
                release = jobs.release_for(self.settings, options["draft"], options["publish_at"],
                                           options["force"])
                setup = runs.set_up(self.settings, options["voice"], release, self.threads,
                                    Progress(), fallback=options["fallback"])
                setup.voicing.__enter__()
                self._setups[key] = setup
            return self._setups[key]

    def close(self) -> None:
        with self._lock:
            for setup in self._setups.values():
                setup.voicing.__exit__(None, None, None)
            self._setups.clear()

    # the actors' work

    def convert(self, job_id: str, source_data: dict, options: dict) -> None:
        catalog = self.catalog()
        if not jobs.mark_running(catalog, job_id):
            log.info("job %s: already finished; message dropped", job_id)
            return
        source = Source.from_dict(source_data)
        log.info("job %s: %s: converting", job_id, source.name)
        setup = self.setup(options)
        key = hashlib.sha256(jobs.mutex_key(source_data).encode()).hexdigest()[:32]
        lease = coordination.Lease(self.client, self.queue.key("article", key),
                                   self.values["redelivery_s"])
        try:
            with lease.held():
                batch = Batch(self.settings, self.store, catalog, setup.reader, setup.voicing,
                              1, setup.release, options["rerender"], Progress())
                outcome = batch.convert_one(0, source)
        except CATALOG_ERRORS:
            self.drop_catalog()  # a fresh connection for the retry
            raise
        if isinstance(outcome, InputError):
            log.info("job %s: %s: failed: %s", job_id, source.name, outcome.reason)
            raise ArticleFailed(outcome.reason)
        jobs.mark_finished(catalog, job_id, outcome)
        webhooks.record_outcome(self.settings, catalog, outcome, waiting=True)
        log.info("job %s: %s: %s", job_id, source.name, getattr(outcome, "status", "skipped"))
        self.request_rebuild()

    def _send_rebuild(self, delay_ms: int) -> None:
        self.queue.actors["rebuild_site"].send_with_options(delay=max(1, delay_ms))

    def request_rebuild(self) -> None:
        self.rebuilds.request(self._send_rebuild)

    def rebuild(self) -> None:
        """The feed and the site from the catalog once the articles have been quiet for
        `[queue] rebuild_debounce_s` (or the oldest waited `rebuild_max_wait_s`), one worker
        at a time in the cluster; the articles that finish meanwhile ask for the next one."""
        if not self.rebuilds.due(self._send_rebuild):
            return
        lease = coordination.Lease(self.client, self.queue.key("rebuild", "running"),
                                   self.values["redelivery_s"])
        with lease.held():
            catalog = self.catalog()
            # no sweep of temporary files: other workers are writing theirs now
            build = publish.rebuild(self.settings, catalog, self.store.files, sweep=False)
            for message in build.warnings:
                log.warning(message)
            webhooks.site_rebuilt(self.settings, catalog)  # the episodes are public now
            self.client.incr(self.queue.key("rebuild", "count"))

    def release_due(self) -> None:
        """Rebuild when a scheduled episode's time has come (the rebuild releases it)."""
        self.client.incr(self.queue.key("release", "count"))
        now = datetime.now(timezone.utc)
        catalog = self.catalog()
        due = [e for e in catalog.episodes(states=(editorial.SCHEDULED,))
               if e.publish_at and _parse(e.publish_at) <= now]
        if due:
            self.request_rebuild()
        if coordination.fire_once(self.client, self.queue.key("sweep"), STALE_PART_S):
            # what a killed worker was writing (never public); an hour without a write
            # means no one is writing it any more
            self.store.files.sweep_partial(time.time() - STALE_PART_S)


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


_context: WorkerContext | None = None


def install(context: WorkerContext | None) -> None:
    """Make `context` the one the actors of this process use."""
    global _context
    _context = context


def context() -> WorkerContext:
    if _context is None:
        raise RuntimeError("no worker context in this process (run `audioarticles worker`)")
    return _context


# the actors (declared on a broker by tasks.connect)

def convert_article(job_id: str, source: dict, options: dict) -> None:
    context().convert(job_id, source, options)


def rebuild_site() -> None:
    context().rebuild()


def release_scheduled() -> None:
    context().release_due()


class JobStates(Middleware):
    """Dramatiq middleware: a conversion that raised is recorded `failed` (a retry is
    scheduled) or `dead` (retries used up: Dramatiq dead-letters the message), with its
    reason. Placed before Retries, so it sees Retries' verdict."""

    def after_process_message(self, broker, message, *, result=None, exception=None):
        if exception is None or message.actor_name != "convert_article":
            return
        reason = str(exception) if isinstance(exception, ArticleFailed) else \
            f"unexpected error ({type(exception).__name__}: {exception})"
        for attempt in range(20):  # the catalog may be busy or restarting: keep the reason
            try:
                jobs.mark_failed(context().catalog(), message.args[0], reason,
                                 dead=message.failed)
                if message.failed:  # dead-lettered: the CMS hears it failed
                    webhooks.record_dead(context().settings, context().catalog(),
                                         message.args[1], reason)
                return
            except CATALOG_ERRORS:
                context().drop_catalog()
                time.sleep(0.5)
