"""The public door: what the CLI, a CMS, a worker or an HTTP service call.

    import audioarticles as aa
    project = aa.Project.open("newsroom/")
    report = project.convert(["a.html"], voice="fr-espeak")
    for episode in project.episodes(state="published"):
        print(episode.slug, episode.to_dict()["mp3"])

A `Project` owns its lock and its catalog: every method that changes the project takes the
lock, and none hands out the catalog. Errors are the `UserError` family
(`audioarticles.errors`); progress goes to a `Progress` given by the caller; warnings go to the
`audioarticles` logger. Everything else in the package is free to move.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from audioarticles import editorial, jobs as job_runs, publish, webhooks
from audioarticles.cms import ArticleNotFound, CmsMethods, ProjectBusy
from audioarticles.config import Settings
from audioarticles.config import load_settings
from audioarticles.disclosure import Disclosure
from audioarticles.engines import engine_class
from audioarticles.errors import ArticleNotFound, ArticleSkipped, UsageError, UserError
from audioarticles.model import EditorialEvent
from audioarticles.model import Job as JobRecord
from audioarticles.model import Episode as EpisodeRecord
from audioarticles.pipeline import run as runs
from audioarticles.pipeline.results import Converted, ConvertReport, Progress, warn
from audioarticles.pipeline.text import STAGES, TextStage, text_at_stage
from audioarticles.publisher_feed import FeedInfo
from audioarticles.sources import ArticleInput, Source, check_id
from audioarticles.store import ProjectStore, storage_error
from audioarticles.version import __version__
from audioarticles.voices import get_voice, load_voices

__all__ = ["JOB_STATES", "STAGES", "STATES", "ArticleInput", "ArticleNotFound",
           "ArticleSkipped", "Change", "Converted", "Edition", "Episode", "Job", "Progress",
           "Project", "ProjectBusy", "Recovery", "Report", "__version__", "cwd_path", "diagnose",
           "format_diagnosis", "state_line", "storage_error"]

STATES = editorial.STATES
JOB_STATES = job_runs.STATES


def cwd_path(path: Path) -> str:
    """A path as it opens from the current directory (the --json contract); a file on object
    storage as its URL."""
    if "://" in str(path):
        return str(path)
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def state_line(episode: EpisodeRecord | Episode) -> str:
    """`held: reason`, `scheduled for TIME`, `published`..."""
    if episode.state == editorial.SCHEDULED:
        return f"scheduled for {episode.publish_at}"
    return f"{episode.state}: {episode.state_reason}" if episode.state_reason else episode.state


@dataclass(frozen=True)
class Episode:
    """One episode of the project, as the catalog has it, with where its files are now.
    Its fields (`slug`, `title`, `guid`, `state`, `duration_s`...) read through to the
    catalog record (`record`)."""

    record: EpisodeRecord
    files_root: Path  # the public folder when published, the private mirror otherwise
    disclosure: str  # what listeners are told about the voice ("" when turned off)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.record, name)

    @property
    def mp3_path(self) -> Path | None:
        return self.files_root / self.record.mp3 if self.record.mp3 else None

    def to_dict(self) -> dict:
        """Exactly what `audioarticles episodes --json` prints for it (paths as they open
        from the current folder)."""
        episode, output = self.record, self.files_root
        return {
            "slug": episode.slug,
            "title": episode.title,
            "guid": episode.guid,
            "mp3": cwd_path(output / episode.mp3) if episode.mp3 else None,
            "duration_s": episode.duration_s,
            "bytes": episode.bytes,
            "voice": episode.voice,
            "engine": episode.engine,
            "degraded": episode.degraded,
            "state": episode.state,
            "source": episode.source,
            "pub_date": episode.pub_date,
            "transcripts": {k: cwd_path(output / v) for k, v in episode.transcripts.items()},
            "chapters": cwd_path(output / episode.chapters) if episode.chapters else None,
            "state_reason": episode.state_reason,
            "state_by": episode.state_by,
            "state_at": episode.state_at,
            "publish_at": episode.publish_at or None,
            "degraded_reason": episode.degraded_reason,
            "intended_voice": episode.intended_voice,
            "page": cwd_path(output / publish.episode_page(episode))
            if episode.state == "published" else None,
            "disclosure": self.disclosure,
            "corrected_on": episode.meta.get("corrected_on") or None,
        }


@dataclass(frozen=True)
class Job:
    """One article handed to `Project.submit`: `id`, `name` (the article), `state` (queued,
    running, done, failed, dead), `status` once done (converted, unchanged, skipped) or
    `interrupted` for a failed embedded job whose process ended before it finished,
    `attempts`, `error`, `guid` (its episode), times, `owner` (an embedded job's process).
    Read through to the record."""

    record: JobRecord

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.record, name)

    def to_dict(self) -> dict:
        """What `audioarticles jobs --json` prints for it."""
        return job_runs.to_dict(self.record)


@dataclass(frozen=True)
class Change:
    """What an editor's command did to one episode (`note` says why nothing changed)."""

    episode: Episode
    from_state: str
    note: str = ""

    @property
    def changed(self) -> bool:
        return not self.note

    def to_dict(self) -> dict:
        return {**self.episode.to_dict(), "from_state": self.from_state,
                "changed": self.changed}


@dataclass
class Report:
    """A conversion run: every article's outcome in input order, and what the site rebuild
    wrote. `episodes` are the converted ones (`status`: converted or unchanged)."""

    run: ConvertReport
    episodes: list[Episode] = field(default_factory=list)
    feed: FeedInfo | None = None  # for `sync`: what the feed said

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.run, name)

    def to_dict(self) -> dict:
        """What `convert --json` (and `sync`, `upgrade`) print."""
        data: dict = {"feed": self.feed.to_dict()} if self.feed is not None else {}
        data.update({
            "episodes": [
                {**episode.to_dict(),
                 "segments_synthesized": c.segments_synthesized,
                 "segments_cached": c.segments_cached,
                 "status": c.status}
                for c, episode in zip(self.run.converted, self.episodes)
            ],
            "failed": [{"input": f.source, "error": f.reason} for f in self.run.failed],
            "skipped": [{"input": s.source, "reason": s.reason} for s in self.run.skipped],
            "summary": self.run.summary(),
        })
        return data


@dataclass(frozen=True)
class Recovery:
    """What `Project.recover` rebuilt: the episodes, by state, and where the replaced catalog
    was kept (None when there was none)."""

    result: Any
    episodes: list[Episode]

    def count(self, state: str) -> int:
        return self.result.count(state)

    @property
    def warnings(self) -> list[str]:
        return self.result.warnings

    @property
    def kept_aside(self) -> Path | None:
        return self.result.kept_aside

    def to_dict(self) -> dict:
        """What `audioarticles recover --json` prints."""
        return {"episodes": [e.to_dict() for e in self.episodes],
                "published": self.count("published"), "held": self.count("held"),
                "retired_files": len(self.result.retired),
                "kept_aside": cwd_path(self.kept_aside) if self.kept_aside else None}


@dataclass(frozen=True)
class Edition:
    """What `Project.edition` made: `episode` (None when no article was published that
    day), its `status` (created, unchanged, empty) and the articles it gathers."""

    report: Any
    episode: Episode | None
    feed: str
    feed_url: str | None

    @property
    def status(self) -> str:
        return self.report.status

    @property
    def left_out(self) -> list[str]:
        return self.report.left_out

    def to_dict(self) -> dict:
        """What `audioarticles edition --json` prints."""
        report = self.report
        return {"status": report.status, "date": report.day.isoformat(),
                "feed": self.feed or None, "feed_url": self.feed_url,
                "episode": {**self.episode.to_dict(), "page": None} if self.episode else None,
                "articles": [a.slug for a in report.articles],
                "left_out": report.left_out, "segments_synthesized": report.synthesized,
                "segments_cached": report.cached}


@dataclass(frozen=True)
class Preview:
    """A local preview server and what it serves (`serve_forever()` it, then `close()`)."""

    server: Any
    root: Path
    host: str
    port: int
    base_url: str
    matches_base_url: bool

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def close(self) -> None:
        self.server.server_close()


def _portable(source: Source | UserError, reader, everywhere: bool) -> Source | UserError:
    """A source another thread (or, `everywhere`, another machine) can read: standard input,
    and for the queue a file too, is read now and carried as the article itself; a file's
    path is made absolute."""
    from audioarticles.sources import PATH, PARSED, STDIN_KIND

    if isinstance(source, UserError):
        return source
    if source.kind == STDIN_KIND or (everywhere and source.kind == PATH):
        try:
            article = reader.load(source)
        except UserError as exc:
            return exc
        return Source(PARSED, source.name, source.ref, article.to_dict(), source.explicit_id)
    if source.kind == PATH:
        return replace(source, ref=str(Path(source.ref).resolve()))
    return source


def _names(slugs_or_ids: str | Iterable[str]) -> list[str]:
    return [slugs_or_ids] if isinstance(slugs_or_ids, str) else list(slugs_or_ids)


class Project(CmsMethods):
    """A project folder: its settings (`audioarticles.toml`), its catalog, its files."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = ProjectStore(settings)
        self._queue = None  # the task queue's connection, made on first use

    @classmethod
    def open(cls, root: str | Path | None = None, out: str | Path | None = None) -> Project:
        """Read and check `audioarticles.toml` in `root` (default: the current folder);
        `out`: publish the site there instead of `output/`."""
        return cls(load_settings(root, out))

    @property
    def root(self) -> Path:
        return self.settings.root

    @property
    def output(self) -> Path:
        """The public folder: feed, site, players and published episodes' files."""
        return self.store.files.public_dir

    # reading the catalog

    def episode(self, record: EpisodeRecord) -> Episode:
        """The public view of a catalog record."""
        return Episode(record, self.store.files.root_for(record),
                       Disclosure.from_project(self.settings).written(record.engine))

    def episodes(self, state: str | Sequence[str] | None = None,
                 slugs_or_ids: str | Iterable[str] = ()) -> list[Episode]:
        """Episodes, newest first; `state`: only those in this state (or these states);
        `slugs_or_ids`: only these (a UserError names any unknown one)."""
        states = (state,) if isinstance(state, str) else tuple(state or ())
        unknown = [s for s in states if s not in STATES]
        if unknown:
            raise UsageError(f"unknown state {unknown[0]!r}; valid: {', '.join(STATES)}")
        names = _names(slugs_or_ids)
        if not self.store.has_catalog:
            if names:
                self._require_catalog()
            return []
        with self.store.catalog() as catalog:
            records = catalog.episodes(states=states or None)
            if names:
                found = {name: catalog.find(name) for name in dict.fromkeys(names)}
                missing = [name for name, record in found.items() if record is None]
                if missing:
                    raise UserError(f"{', '.join(missing)}: no such episode; list them with "
                                    "`audioarticles episodes`")
                wanted = {record.guid for record in found.values()}
                records = [e for e in records if e.guid in wanted]
            return [self.episode(e) for e in records]

    def find(self, slug_or_id: str) -> Episode:
        """The episode with this slug or id; a UserError when there is none."""
        with self._catalog() as catalog:
            return self.episode(editorial.find_episodes(catalog, [slug_or_id])[0])

    def history(self, slugs_or_ids: str | Iterable[str] = ()) -> list[EditorialEvent]:
        """The editorial audit trail, oldest first: of the named episodes, else of all."""
        names = _names(slugs_or_ids)
        if not self.store.has_catalog:
            return []
        with self.store.catalog() as catalog:
            if names:
                return [e for episode in editorial.find_episodes(catalog, names)
                        for e in catalog.events(episode.guid)]
            return catalog.events()

    # conversions

    def _release(self, draft: bool, publish_at: str | datetime | None,
                 force: bool) -> editorial.Release:
        return job_runs.release_for(self.settings, draft, publish_at, force)

    def _report(self, run: ConvertReport, feed: FeedInfo | None = None) -> Report:
        return Report(run, [self.episode(c.episode) for c in run.converted], feed)

    def convert(self, inputs: str | Iterable[str], voice: str | None = None, *,
                jobs: int | None = None, rerender: bool = False, draft: bool = False,
                publish_at: str | datetime | None = None, force: bool = False,
                fallback: bool = True, progress: Progress | None = None,
                stdin: BinaryIO | None = None, id: str | None = None) -> Report:
        """Convert files, folders, globs, `-` (read from `stdin`) and URLs into episodes.

        `rerender`: render unchanged articles again; `force`: that, and bring back articles an
        editor unpublished; `draft`/`publish_at`: new episodes wait as drafts / are scheduled;
        `fallback`: an article its voice cannot speak is voiced by the voice's fallback and
        marked degraded (off: it fails); `id`: the episode's GUID, for one input naming one
        article. One bad input never stops the others: see `report.failed`."""
        release = self._release(draft, publish_at, force)
        if id is not None:
            id = check_id(id, "--id")
        run = runs.convert(self.settings, _names(inputs), voice, release, jobs=jobs,
                           rerender=rerender, progress=progress, stdin=stdin,
                           fallback=fallback, explicit_id=id)
        return self._report(run)

    def convert_article(self, article: ArticleInput, voice: str | None = None, *,
                        rerender: bool = False, draft: bool = False,
                        publish_at: str | datetime | None = None, force: bool = False,
                        fallback: bool = True, progress: Progress | None = None) -> Episode:
        """Convert one article handed over in memory and return its episode (the site is
        rebuilt). Raises the article's `InputError` when it cannot be converted, and
        `ArticleSkipped` when an opt-out rule or an editor's unpublish excludes it."""
        release = self._release(draft, publish_at, force)
        run = runs.convert(self.settings, [article.source()], voice, release, jobs=1,
                           rerender=rerender, progress=progress, fallback=fallback)
        if run.failed:
            raise run.failed[0]
        if run.skipped:
            raise run.skipped[0]
        if not run.converted:
            raise KeyboardInterrupt  # the run was stopped before the article finished
        return self.episode(run.converted[0].episode)

    def sync(self, feed_url: str, voice: str | None = None, *, limit: int | None = None,
             jobs: int | None = None, rerender: bool = False, draft: bool = False,
             publish_at: str | datetime | None = None, force: bool = False,
             progress: Progress | None = None) -> Report:
        """Convert the items of a publisher's RSS/Atom feed: new ones, changed ones again;
        an unmodified feed is not read again (`report.feed.not_modified`)."""
        release = self._release(draft, publish_at, force)
        info, run = runs.sync(self.settings, feed_url, voice, release, limit=limit, jobs=jobs,
                              rerender=rerender, progress=progress)
        return self._report(run, info)

    def upgrade(self, *, jobs: int | None = None, progress: Progress | None = None) -> Report:
        """Voice degraded episodes again with the voice they were meant to have."""
        return self._report(runs.upgrade(self.settings, jobs=jobs, progress=progress))

    # jobs: conversions handed to the embedded executor or the task queue

    @property
    def uses_queue(self) -> bool:
        """Whether `[queue] url` is set: submitted articles go to `audioarticles worker`s."""
        return bool(self.settings.section("queue")["url"])

    def queue(self):
        """The task queue's connection (`tasks.Queue`); a UserError without `[queue] url`."""
        if self._queue is None:
            from audioarticles import tasks

            self._queue = tasks.connect(self.settings)
        return self._queue

    def submit(self, inputs: str | ArticleInput | Iterable[str | ArticleInput],
               voice: str | None = None, *, rerender: bool = False, draft: bool = False,
               publish_at: str | datetime | None = None, force: bool = False,
               fallback: bool = True, queue: bool | None = None,
               stdin: BinaryIO | None = None) -> list[str]:
        """Hand articles over to run in the background; returns one job id per article, in
        input order. `inputs`: what `convert` takes (files, folders, globs, URLs) and
        `ArticleInput`s. With `[queue] url` (or `queue=True`) each is one message for the
        `audioarticles worker`s; otherwise the embedded executor runs them in a thread of
        this process. Follow them with `job`, `jobs` or `wait`; an input that names no
        article is a job failed at once. The options are `convert`'s."""
        if isinstance(inputs, (str, ArticleInput)):
            inputs = [inputs]
        inputs = list(inputs)
        use_queue = self.uses_queue if queue is None else queue
        release = self._release(draft, publish_at, force)  # a bad time stops before any job
        if voice is not None:
            get_voice(voice, self.root)
        opts = job_runs.options(voice=voice, rerender=rerender, draft=draft,
                                publish_at=release.publish_at, force=force, fallback=fallback)
        from audioarticles.sources import Reader

        reader = Reader(self.settings, stdin=stdin, exclude=self.store.own_folders)
        sources: list = []
        seen: set[tuple[str, str]] = set()  # a file named twice (or by two globs) runs once
        for entry in inputs:
            found = reader.expand([entry]) if isinstance(entry, str) else \
                [entry.source() if isinstance(entry, ArticleInput) else entry]
            for source in found:
                key = (source.kind, source.ref) if isinstance(source, Source) and source.ref \
                    else None
                if key is None or key not in seen:
                    sources.append(source)
                    seen.add(key)
        return self._submit_sources([_portable(s, reader, use_queue) for s in sources], opts,
                                    use_queue)

    def _submit_sources(self, sources: list, opts: dict, use_queue: bool) -> list[str]:
        runner = job_runs.QUEUE if use_queue else job_runs.EMBEDDED
        owner = None if use_queue else self.store.process_owner()
        records = [job_runs.failed_job(s, opts, runner) if isinstance(s, UserError)
                   else job_runs.new_job(s, opts, runner, owner) for s in sources]
        queue = self.queue() if use_queue else None  # before any record: a missing extra
        with self.store.catalog() as catalog:
            catalog.add_jobs(records)
        todo = [r for r in records if r.state == job_runs.QUEUED]
        if queue is not None:
            self._send(queue, todo)
        else:
            job_runs.EmbeddedExecutor.for_project(self.settings, runs.convert).submit(
                [r.id for r in todo])
        return [r.id for r in records]

    def _send(self, queue, records: list[JobRecord]) -> None:
        from audioarticles.tasks.supervisor import check_reachable

        try:
            queue.send_articles(records)
        except Exception as exc:
            with self.store.catalog() as catalog:
                for record in records:
                    catalog.update_job(record.id, only_from=(job_runs.QUEUED,),
                                       state=job_runs.FAILED, error=f"not queued: {exc}")
            check_reachable(self.settings)  # says what to fix
            raise UserError(f"[queue] url {self.settings.section('queue')['url']}: could not "
                            f"queue the articles ({exc})") from exc

    def submit_sync(self, feed_url: str, voice: str | None = None, *,
                    limit: int | None = None, rerender: bool = False, draft: bool = False,
                    publish_at: str | datetime | None = None, force: bool = False,
                    queue: bool | None = None) -> tuple[FeedInfo, list[str]]:
        """`sync` through jobs: the feed is read here, each item is one job (the workers find
        unchanged ones unchanged). Returns what the feed said and the job ids."""
        release = self._release(draft, publish_at, force)
        info, sources = runs.feed_sources(self.settings, feed_url, voice, release, limit)
        opts = job_runs.options(voice=voice, rerender=rerender, draft=draft,
                                publish_at=release.publish_at, force=force)
        return info, self._submit_sources(sources, opts, self.uses_queue if queue is None
                                          else queue)

    def submit_upgrade(self, queue: bool | None = None) -> list[str]:
        """`upgrade` through jobs: one per degraded episode, with the voice it was meant to
        have (no fallback)."""
        use_queue = self.uses_queue if queue is None else queue
        ids: list[str] = []
        for voice_name, sources in runs.upgrade_sources(self.settings):
            opts = job_runs.options(voice=voice_name, rerender=True, fallback=False)
            ids += self._submit_sources(sources, opts, use_queue)
        return ids

    @property
    def _has_jobs(self) -> bool:
        """Whether there may be jobs to read: the SQLite file exists, or the catalog is a
        database (a new PostgreSQL catalog holds jobs before its first episode)."""
        return bool(self.settings.section("catalog")["url"]) or self.store.has_catalog

    def job(self, job_id: str) -> Job:
        """One job by its id; a UserError when there is none."""
        record = None
        if self._has_jobs:
            with self.store.catalog() as catalog:
                record = catalog.job(job_id)
                if record is not None and job_runs.settle_orphans(catalog, [record]):
                    record = catalog.job(job_id)
        if record is None:
            raise UserError(f"{job_id}: no such job; list them with `audioarticles jobs`")
        return Job(record)

    def jobs(self, state: str | Sequence[str] | None = None,
             ids: Iterable[str] | None = None) -> list[Job]:
        """Jobs, newest first; `state`: only those in this state (or these states)."""
        states = (state,) if isinstance(state, str) else tuple(state or ())
        unknown = [s for s in states if s not in JOB_STATES]
        if unknown:
            raise UsageError(f"unknown job state {unknown[0]!r}; valid: {', '.join(JOB_STATES)}")
        if not self._has_jobs:
            return []
        with self.store.catalog() as catalog:
            job_runs.settle_orphans(catalog)  # those of a process that ended: failed
            records = catalog.jobs(states or None, None if ids is None else list(ids))
        return [Job(r) for r in records]

    def retry(self, job_id: str | Iterable[str] | None = None, *,
              failed: bool = False) -> list[str]:
        """Run failed or dead jobs again (the one named, or with `failed=True` every failed
        and dead one); returns their ids. A UsageError for a job that is not failed or dead."""
        if (job_id is None) == (not failed):
            raise UsageError("give a job id or --failed (every failed and dead job)")
        chosen = self.jobs(state=(job_runs.FAILED, job_runs.DEAD)) if failed else \
            [self.job(i) for i in _names(job_id)]
        for job in chosen:
            if job.state not in (job_runs.FAILED, job_runs.DEAD) or not job.source:
                raise UsageError(f"{job.id}: job {job.name} is {job.state}"
                                 f"{'' if job.source else ' (it names no article)'}; only "
                                 "failed and dead jobs are retried")
        chosen = [j for j in chosen if j.source]
        by_runner: dict[str, list[JobRecord]] = {}
        with self.store.catalog() as catalog:
            for job in chosen:
                # an embedded job runs here now: this process owns it
                owner = self.store.process_owner() if job.runner == job_runs.EMBEDDED else {}
                catalog.update_job(job.id, state=job_runs.QUEUED, status="", error="",
                                   finished_at="", owner=owner)
                by_runner.setdefault(job.runner, []).append(job.record)
        for runner, records in by_runner.items():
            if runner == job_runs.QUEUE:
                self._send(self.queue(), records)
            else:
                job_runs.EmbeddedExecutor.for_project(self.settings, runs.convert).submit(
                    [r.id for r in records])
        return [j.id for j in chosen]

    def wait(self, ids: Iterable[str], progress: Progress | None = None, *,
             timeout: float | None = None, stop=None) -> Report:
        """Follow jobs until each is done, failed or dead, telling `progress` what a local run
        would (`begin`, `done`, `finish`); returns the same report as a local run (in the
        order of `ids`). After `timeout` seconds, or when `stop()` is true, the unfinished
        ones are counted as not done (`report.interrupted`). On the queue, a job that failed
        with a retry scheduled is followed through its retries (`progress.warn` says each
        failure) until it is done or dead-lettered."""
        run = job_runs.wait(self.store, list(ids), progress, timeout,
                            stop=stop or (lambda: False))
        if not run.interrupted:  # embedded: also the rebuild after them
            job_runs.EmbeddedExecutor.settle(self.settings, timeout)
        return self._report(run)

    def check_queue(self) -> dict:
        """The queue part of `doctor --config`: `part`, `ok`, `detail` (what answered) or
        `fix` (what to do). Without `[queue] url` there is nothing to check (ok)."""
        if not self.uses_queue:
            return {"part": "queue", "ok": True, "detail": "no [queue] url: conversions run "
                    "in the command's own threads", "fix": ""}
        try:
            from audioarticles import tasks
            from audioarticles.tasks.supervisor import check_reachable

            tasks.require()
            url = check_reachable(self.settings)
        except UserError as exc:
            return {"part": "queue", "ok": False, "detail": "", "fix": str(exc)}
        return {"part": "queue", "ok": True, "detail": f"Redis answers at {url}", "fix": ""}

    def run_workers(self, processes: int = 1, threads: int = 1,
                    queues: Sequence[str] | None = None, say=print) -> int:
        """`audioarticles worker`: run Dramatiq workers on this project's queue until Ctrl-C
        or SIGTERM (the articles in flight finish first). Returns the exit code."""
        from audioarticles import tasks

        tasks.require()
        if not self.uses_queue:
            raise UsageError("no [queue] url in audioarticles.toml; add e.g. [queue] url = "
                             "\"redis://localhost:6379/0\" (workers take their articles from "
                             "that Redis)")
        from audioarticles.tasks.supervisor import run_workers

        return run_workers(self.settings, processes, threads,
                           tuple(queues or tasks.QUEUES), say)

    # editorial control

    def _require_catalog(self) -> None:
        if not self.store.has_catalog:
            raise UserError("no episodes yet; run `audioarticles convert ARTICLE` first")

    def _catalog(self):
        self._require_catalog()
        return self.store.catalog()

    def _changing(self, names: list[str], command, after=None) -> list[Change]:
        """Run an editor's command under the lock, then rebuild the feed and the site (which
        moves files in or out of the public folder), then `after(changes)`."""
        self._require_catalog()  # before waiting for the lock
        files = self.store.files
        with self.store.lock(), self.store.catalog() as catalog:
            episodes = editorial.find_episodes(catalog, names)
            changes = command(catalog, episodes)
            publish.rebuild(self.settings, catalog, files)
            if after is not None:
                after(changes)
        return [Change(self.episode(c.episode), c.from_state, c.note) for c in changes]

    def publish(self, slugs_or_ids: str | Iterable[str], *, by: str | None = None,
                reason: str = "", at: str | datetime | None = None) -> list[Change]:
        """Release episodes (drafts, held, scheduled or unpublished) to the feed and the site,
        or schedule them for `at` (ISO 8601; without a zone, the project's)."""
        if isinstance(at, str):
            at = editorial.parse_time(at, editorial.Policy.from_project(self.settings))
        actor = by or editorial.default_actor()
        present = self.store.files.present
        return self._changing(_names(slugs_or_ids), lambda catalog, episodes: (
            editorial.publish_episodes(catalog, episodes, actor, at, present, reason)))

    def hold(self, slugs_or_ids: str | Iterable[str], *, reason: str,
             by: str | None = None) -> list[Change]:
        """Keep episodes out of the feed and the site until `publish`."""
        actor = by or editorial.default_actor()
        return self._changing(_names(slugs_or_ids), lambda catalog, episodes: (
            editorial.hold_episodes(catalog, episodes, actor, reason)))

    def unpublish(self, slugs_or_ids: str | Iterable[str], *, reason: str,
                  by: str | None = None, purge: bool = False) -> list[Change]:
        """Take episodes down for good (their articles are tombstoned: a later conversion
        skips them unless `force`); `purge` deletes their files instead of keeping them
        privately."""
        actor = by or editorial.default_actor()

        def purge_files(changes: list[editorial.Change]) -> None:
            for change in changes:
                self.store.files.purge(change.episode)

        def take_down(catalog, episodes: list[EpisodeRecord]) -> list[editorial.Change]:
            changes = editorial.unpublish_episodes(catalog, episodes, actor, reason)
            with catalog.transaction():  # the CMS hears of it (webhooks.py)
                for change in changes:
                    if not change.note:
                        webhooks.record_unpublished(self.settings, catalog, change.episode,
                                                    reason)
            return changes

        changes = self._changing(_names(slugs_or_ids), take_down,
                                 purge_files if purge else None)
        webhooks.deliver_soon(self.settings)
        return changes

    def config_checks(self) -> list[dict]:
        """`doctor --config`: each configured part reachable and usable, or what to fix
        (`{"part", "where", "ok", "message"}`)."""
        from audioarticles.store.checks import storage_checks
        from audioarticles.store.recover import catalog_check

        return [catalog_check(self.settings), *storage_checks(self.settings)]

    def migrate(self, *, catalog: str = "", storage: str = "", private: str = "",
                endpoint_url: str = ""):
        """Copy the catalog to `catalog` (a PostgreSQL URL or a new SQLite file) and/or the
        files to `storage` and `private` (storage URLs), then check counts and checksums.
        Nothing changes at the source; the report says what to set in audioarticles.toml."""
        from audioarticles.store.migrate import check_targets, migrate

        check_targets(catalog, storage, private)
        self._require_catalog()
        with self.store.lock():
            return migrate(self.settings, catalog=catalog, storage=storage, private=private,
                           endpoint_url=endpoint_url)

    # the public site

    def build(self) -> publish.Build:
        """Rebuild the feed, the site and the players from the catalog."""
        self._require_catalog()
        with self.store.lock(), self.store.catalog() as catalog:
            return publish.rebuild(self.settings, catalog, self.store.files)

    def embed(self, slug_or_id: str) -> str:
        """The HTML snippet that puts an « Écouter l'article » player in an article (the
        script embed: no inline JavaScript)."""
        return self.embed_info(slug_or_id)["snippet"]

    def embed_info(self, slug_or_id: str, *, readalong: bool = False,
                   markers: bool = False) -> dict:
        """The snippets (`snippet`: script embed, `iframe`: the iframe alternative), with the
        embed, page and oEmbed URLs (what `embed --json` prints). `readalong`: the embed
        highlights the article's paragraph being read; `markers`: also the article's blocks,
        each with its first words, for the CMS to mark `data-audio-block="N"`."""
        channel = publish.check_settings(self.settings)
        with self._catalog() as catalog:
            episode = publish.published_episode(catalog, slug_or_id)
            cues = catalog.cues(episode.guid) if markers else []
        return publish.embed_info(channel, episode, cues, readalong=readalong, markers=markers)

    def oembed(self, url: str, *, maxwidth: int | None = None,
               maxheight: int | None = None) -> dict:
        """The oEmbed answer for a published episode's page (or embed) URL on this site (what
        `GET /oembed?url=` serves; the build writes the same answer to oembed/<slug>.json).
        ArticleNotFound for any other URL or an episode that is not published."""
        from audioarticles.publish.channel import channel_settings
        from audioarticles.publish.cover import channel_artwork
        from audioarticles.publish.embed import slug_from_url
        from audioarticles.publish.oembed import oembed

        channel = channel_settings(self.settings)
        slug = slug_from_url(channel, url)
        with self._catalog() as catalog:
            episode = catalog.find(slug) if slug else None
        if episode is None or episode.state != editorial.PUBLISHED or episode.slug != slug:
            raise ArticleNotFound(f"{url}: no published episode of this site has this URL; "
                                  f"episode pages are {channel.base_url}episodes/<slug>.html")
        # the picture the static answer names: the episode's own, else the podcast's cover
        own = episode.meta.get("artwork") and episode.meta.get("artwork_px")
        cover = None if own else channel_artwork(self.settings, channel)
        return oembed(channel, episode,
                      thumbnail=episode.meta["artwork"] if own else cover.name,
                      thumbnail_px=int(episode.meta["artwork_px"]) if own else cover.size,
                      maxwidth=maxwidth, maxheight=maxheight)

    def preview(self, port: int | None = None, drafts: bool = False,
                allow_origin: str | None = None) -> tuple[Preview, list[str]]:
        """A local server for the site (with Range requests); `drafts`: also the drafts, held
        and scheduled episodes, in a private preview never written to the public folder.
        `allow_origin`: the one web origin that may read it (default: any for the public
        site, none for drafts). Returns it and the rebuild's warnings."""
        from urllib.parse import urlsplit

        from audioarticles.publish.serve import HOST, make_server

        if not self.store.local_files:
            raise UserError(f"the site is on object storage ({self.output}); `serve` previews "
                            "local folders only: open [podcast] base_url instead")
        warnings: list[str] = []
        if self.store.has_catalog:
            with self.store.catalog() as catalog:
                warnings += publish.rebuild(self.settings, catalog, self.store.files).warnings
                if drafts:
                    warnings += publish.write_preview(self.settings, catalog).warnings
        if not self.output.is_dir():
            raise UserError(f"{cwd_path(self.output)}: nothing to serve yet; "
                            "run `audioarticles convert ARTICLE` first")
        base = urlsplit(self.settings.section("podcast")["base_url"])
        if port is None:
            local = base.hostname in ("127.0.0.1", "localhost") and base.port
            port = base.port if local else 8000
        if drafts:
            root = self.store.preview_dir
            files = self.store.files
            server = make_server(root, port, behind=(files.private, files.public_dir),
                                 allow_origin=allow_origin)
        else:
            root = self.output
            server = make_server(root, port, allow_origin=allow_origin or "*")
        actual = server.server_address[1]
        matches = base.hostname in ("127.0.0.1", "localhost") and base.port == actual
        return Preview(server, root, HOST, actual, base.geturl(), matches), warnings

    # the catalog's recovery, the lexicon

    def recover(self, force: bool = False) -> Recovery:
        """Rebuild a lost or damaged catalog from the published files (feed, pages, MP3
        tags), under the lock; a catalog that opens cleanly is left alone unless `force`
        (then it is kept aside, never deleted)."""
        from audioarticles.store.recover import recover

        result = recover(self.settings, force=force)
        return Recovery(result, [self.episode(e) for e in result.episodes])

    def add_pronunciation(self, word: str, pronunciation: str) -> tuple[Path, str | None]:
        """Say `word` as `pronunciation` from now on (the project's lexicon.toml `[say]`
        table); returns the file and the pronunciation it replaced, if any."""
        from audioarticles.normalise.fr.lexicon import add_say_entry

        return add_say_entry(self.root, word, pronunciation)

    def rewrites(self, view: TextStage) -> list[tuple[Any, list]]:
        """Each segment of a `text` view with the normaliser's rewrites of it (written →
        spoken, rule, position), in the order of the written text."""
        from audioarticles.normalise import explain

        language = (view.article.meta.language
                    or self.settings.section("podcast")["language"])
        return [(seg, sorted(explain(seg.written, language, self.root), key=lambda c: c.start))
                for seg in view.segments]

    # feeds beside the main one, and the daily edition

    def feeds(self) -> list[dict]:
        """Every feed the build writes (the main one first), with its address and how many
        episodes it selects (`audioarticles feeds list --json`)."""
        from audioarticles.publish import private, sections

        channel = publish.check_settings(self.settings)
        specs = sections.feed_specs(self.settings)
        published: list[EpisodeRecord] = []
        grants: list = []
        if self.store.has_catalog:
            with self.store.catalog() as catalog:
                published = catalog.published()
                grants = private.grants(self.settings, catalog)
        rows = [{"name": "", "title": channel.title, "url": channel.feed_url, "private": False,
                 "episodes": len(published), "subscribers": 0}]
        for spec in specs:
            rows.append({"name": spec.name, "title": spec.title,
                         "url": None if spec.private else channel.url(spec.path),
                         "private": spec.private,
                         "episodes": sum(sections.selects(spec, e) for e in published),
                         "subscribers": sum(g.feed == spec.name for g in grants)})
        return rows

    def _grant_dict(self, channel, grant) -> dict:
        return {"id": grant.id, "feed": grant.feed, "subscriber": grant.subscriber,
                "created_at": grant.created_at,
                "url": channel.url(grant.path) if grant.path else None}

    def create_feed_token(self, feed: str, subscriber: str = "") -> tuple[dict, list[str]]:
        """A new private address for the private feed `feed` (its file is written at once);
        returns it (`id`, `feed`, `subscriber`, `created_at`, `url`) and the rebuild's
        warnings. Give the address to that subscriber only."""
        from audioarticles.publish import private, sections

        channel = publish.check_settings(self.settings)
        spec = sections.find_spec(self.settings, feed)
        with self.store.lock(), self.store.catalog() as catalog:
            grant = private.create_token(self.settings, catalog, spec, subscriber)
            result = publish.rebuild(self.settings, catalog, self.store.files)
        return self._grant_dict(channel, grant), result.warnings

    def feed_tokens(self, feed: str | None = None) -> list[dict]:
        """Subscribers of private feeds (of `feed` only, when given); `url` is None when the
        project's key file is missing (revoked at the next build)."""
        from audioarticles.publish import private

        channel = publish.check_settings(self.settings)
        if not self.store.has_catalog:
            return []
        with self.store.catalog() as catalog:
            return [self._grant_dict(channel, g) for g in private.grants(self.settings, catalog,
                                                                          feed)]

    def revoke_feed_token(self, which: str) -> tuple[dict, list[str]]:
        """Take a subscriber's address back (by its id, its token or its URL); its feed file
        is deleted now. Returns what was revoked and the rebuild's warnings."""
        from audioarticles.publish import private

        channel = publish.check_settings(self.settings)
        self._require_catalog()
        with self.store.lock(), self.store.catalog() as catalog:
            grant = private.revoke(catalog, which)
            result = publish.rebuild(self.settings, catalog, self.store.files)
        return {**self._grant_dict(channel, grant), "revoked": True}, result.warnings

    def edition(self, day: date | str | None = None, feed: str = "",
                limit: int | None = None) -> Edition:
        """One episode of the day's published articles (`day`: default today in the
        podcast's zone; `feed`: a section's articles only; `limit`: the first N), each
        introduced by its title, with a chapter per article; reassembled from the segment
        cache, not voiced again. Warnings (articles left out) go to the logger."""
        from audioarticles.publish import edition as editions

        publish.check_settings(self.settings)
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                raise UsageError(f"--date {day!r}: not a day; write it as YYYY-MM-DD") from None
        self._require_catalog()
        with self.store.lock(), self.store.catalog() as catalog:
            report = editions.make_edition(self.settings, catalog, day, feed, limit, warn=warn)
            result = publish.rebuild(self.settings, catalog, self.store.files) \
                if report.episode else None
        for message in (result.warnings if result else []):
            warn(message)
        channel = publish.channel_settings(self.settings)
        episode = self.episode(report.episode) if report.episode else None
        return Edition(report, episode, feed,
                       channel.url(editions.edition_feed_path(feed)) if episode else None)

    # what a run would do

    def voices(self) -> list[dict]:
        """The voice profiles, their engine, and whether each can be used here."""
        rows = []
        for voice in load_voices(self.root).values():
            try:
                engine = engine_class(voice.engine)
                ok, reason = engine.available()
                if ok:
                    reason = engine.voice_problem(voice, self.root)
                    ok = not reason
            except UserError as exc:
                ok, reason = False, str(exc)
            rows.append({"name": voice.name, "engine": voice.engine, "language": voice.language,
                         "available": ok, "reason": reason, "fallback": voice.fallback or None,
                         "description": voice.description})
        return rows

    def install_voice_model(self, name: str, source: str, sha256: str = "",
                            replace: bool = False):
        """Check a Piper model (a folder holding NAME.onnx and NAME.onnx.json, the .onnx file,
        or its URL) and install it into the project's voices/models/."""
        from audioarticles.engines.piper_models import install

        return install(self.root, name, source, sha256, replace)

    def audition(self, text: str = "", article_file: str | None = None,
                 voices: Sequence[str] | None = None):
        """Voice the same passage (`text`, or the start of `article_file`) with each voice
        (default: every voice usable here) into output/auditions/, with a page to compare."""
        from audioarticles.audition import audition
        from audioarticles.sources import Reader

        if text and article_file:
            raise UsageError("give TEXT or --article FILE, not both")
        article = None
        if article_file:
            reader = Reader(self.settings, exclude=self.store.own_folders)
            [source] = reader.expand([article_file])
            if isinstance(source, UserError):
                raise source
            article = reader.load(source)
        return audition(self.settings, text, article, list(voices) if voices else None)

    def text(self, name: str, stage: str = "normalized", voice: str | None = None,
             max_chars: int | None = None) -> TextStage:
        """What will be read of one input, at one stage (extract, clean, normalized,
        segments); `max_chars`: the segment length limit (default: the voice engine's)."""
        if max_chars is None:
            profile = get_voice(voice or self.settings.section("voice")["default"], self.root)
            max_chars = engine_class(profile.engine).max_chars
        return replace(text_at_stage(self.settings, name, stage, max_chars),
                       max_chars=max_chars)


def diagnose(url: str, timeout: float = 15.0, max_episodes: int | None = None):
    """Check a published feed where listeners fetch it (`audioarticles doctor`)."""
    from audioarticles.doctor import diagnose as run

    return run(url, timeout=timeout, max_episodes=max_episodes)


def format_diagnosis(report) -> str:
    from audioarticles.doctor import format_report

    return format_report(report)

