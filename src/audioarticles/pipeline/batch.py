"""A batch's threads and signals: articles run in `jobs` worker threads sharing one engine
and one catalog; slugs are given in input order (`Sequencer`); Ctrl-C and SIGTERM only set a
flag the batch polls, so articles in flight finish their stage and no new one starts."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from audioarticles import editorial, netguard
from audioarticles.config import Settings
from audioarticles.errors import ArticleSkipped, ChildStopped, InputError, StorageError, UserError
from audioarticles.pipeline.ledger import Ledger
from audioarticles.pipeline.results import (ConvertReport, Interrupted, Outcome,
                                            Progress)
from audioarticles.pipeline.text import prepare_episode
from audioarticles.pipeline.voicing import Voicing, render
from audioarticles.sources import Reader, Source
from audioarticles.store import CATALOG_ERRORS, CatalogStore, ProjectStore, storage_error


class Sequencer:
    """Lets article i plan only after articles 0..i-1 have planned or failed, so slugs follow
    the input order whatever the number of jobs."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next = 0
        self._passed: set[int] = set()
        self._aborted = False

    @contextlib.contextmanager
    def turn(self, index: int) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: self._next == index or self._aborted)
            if self._aborted:
                raise Interrupted()
        try:
            yield
        finally:
            self.passed(index)

    def passed(self, index: int) -> None:
        with self._cond:
            if index in self._passed:
                return
            self._passed.add(index)
            while self._next in self._passed:
                self._next += 1
            self._cond.notify_all()

    def abort(self) -> None:
        with self._cond:
            self._aborted = True
            self._cond.notify_all()


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


class Batch:
    """One run over many articles with `jobs` worker threads."""

    def __init__(self, project: Settings, store: ProjectStore, catalog: CatalogStore,
                 reader: Reader, voicing: Voicing, jobs: int, release: editorial.Release,
                 rerender: bool, progress: Progress):
        self.project = project
        self.store = store
        self.reader = reader
        self.files = store.files
        self.voicing = voicing
        self.jobs = max(1, jobs)
        self.progress = progress
        self.cache = store.segment_cache()
        self.ledger = Ledger(project, catalog, self.files, voicing, release, rerender)
        self.sequencer = Sequencer()
        self.stop = threading.Event()  # seen by the article threads
        self.stop_requested = False  # set by signal handlers; the main loop sets `stop`
        self.fetches = netguard.Scope()  # this run's URL fetches, ended when it stops

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise Interrupted()

    def convert_one(self, index: int, source: Source | InputError) -> Outcome:
        with self.fetches.entered():  # pages and pictures it fetches end when the run stops
            return self._convert_one(index, source)

    def _convert_one(self, index: int, source: Source | InputError) -> Outcome:
        name = source.source if isinstance(source, InputError) else source.name
        try:
            if isinstance(source, InputError):
                raise source
            self._check_stop()
            self.progress.begin(name)
            article = self.reader.load(source)
            self.ledger.screen(article)
            prepared = prepare_episode(article, self.project, self.voicing.max_chars)
            with self.sequencer.turn(index):
                plan = self.ledger.plan(prepared)
            if plan.unchanged:
                return self.ledger.unchanged(plan)
            self._check_stop()
            rendered, by = render(self.project, prepared, plan.slug, self.voicing, self.cache,
                                  self.files, plan.existing, plan.corrected_on, self.progress.warn)
            return self.ledger.record(plan, rendered, by)  # finished work is kept, even when stopping
        except Interrupted:
            raise
        except (InputError, ArticleSkipped) as exc:
            return exc
        except ChildStopped as exc:
            # a signal sent to the whole process group reaches our children and us at once
            if self._stopping(within_s=2.0):
                raise Interrupted() from exc
            return InputError(name, str(exc))
        except StorageError:
            raise  # stops the run: every later write would fail the same way
        except OSError as exc:
            problem = storage_error(exc)
            if problem is not None:
                raise problem from exc
            return self._unexpected(name, exc)
        except CATALOG_ERRORS as exc:
            raise self.store.catalog_unusable(exc) from exc
        except UserError as exc:
            if self.stop.is_set():
                raise Interrupted() from exc
            return InputError(name, str(exc))
        except Exception as exc:
            return self._unexpected(name, exc)
        finally:
            self.sequencer.passed(index)

    def _unexpected(self, name: str, exc: Exception) -> InputError:
        if self.stop.is_set():
            raise Interrupted() from exc
        return InputError(name, f"unexpected error ({type(exc).__name__}: {exc}); please "
                                "report it with this input")

    def _stopping(self, within_s: float) -> bool:
        """Whether the run is asked to stop, waiting up to `within_s` for the request."""
        deadline = time.monotonic() + within_s
        while not (self.stop_requested or self.stop.is_set()):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def request_stop(self) -> None:
        """Ask the batch to stop (safe from a signal handler: it only sets a flag)."""
        self.stop_requested = True

    def run(self, sources: list[Source | InputError]) -> ConvertReport:
        report = ConvertReport()
        outcomes: list[Outcome | None] = [None] * len(sources)
        refused: StorageError | None = None
        self.progress.start(len(sources))
        self.voicing.articles_in_flight(min(self.jobs, len(sources)))
        with ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="article") as pool:
            futures = {pool.submit(self.convert_one, i, s): i for i, s in enumerate(sources)}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in done:
                    index = futures[future]
                    if future.cancelled():
                        continue
                    try:
                        outcomes[index] = future.result()
                        self.progress.done(_name(sources[index]), outcomes[index])
                    except Interrupted:
                        pass
                    except StorageError as exc:  # stop as for a signal, then say why
                        refused = refused or exc
                        self.stop_requested = True
                if self.stop_requested and not self.stop.is_set():
                    # let articles in flight finish their stage, start no new one
                    report.interrupted = True
                    self.stop.set()
                    self.fetches.cancel()  # a fetch waiting on a slow server ends now
                    self.sequencer.abort()
                    pending = {f for f in pending if not f.cancel()}
        if refused is not None:
            raise refused
        for source, outcome in zip(sources, outcomes):
            if isinstance(outcome, InputError) and isinstance(source, Source) \
                    and source.explicit_id:
                outcome.article_id = source.explicit_id
            report.add(outcome)
        self.progress.finish(report)
        return report


@contextlib.contextmanager
def stop_on_signals(request_stop) -> Iterator[None]:
    """While a batch runs, Ctrl-C and SIGTERM ask it to stop cleanly; a second Ctrl-C forces.

    The handlers only set a flag: raising from a signal handler could land inside a lock
    of the thread machinery. Only the main thread can install handlers; elsewhere this is a
    no-op and the caller stops the batch itself.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    asked = []

    def handler(signum, frame):
        if asked and signum == signal.SIGINT:
            raise KeyboardInterrupt
        asked.append(signum)
        request_stop()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _name(source: Source | InputError) -> str:
    return source.source if isinstance(source, InputError) else source.name
