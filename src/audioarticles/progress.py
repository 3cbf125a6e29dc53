"""How a batch looks on a console: a live status line (done/total, ETA, current article) on a
terminal, one plain line per finished article otherwise, and the final summary."""

from __future__ import annotations

import logging
import shutil
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from audioarticles.errors import ArticleSkipped, InputError
from audioarticles.pipeline.results import Converted, ConvertReport, Outcome, Progress


def format_eta(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ConsoleProgress(Progress):
    """One line per finished article on `out` (None: not shown, e.g. with --json), written by
    `describe`; errors and warnings on `err`; a status line redrawn on `status` when that
    stream is a terminal."""

    def __init__(self, describe: Callable[[Converted], str], out: TextIO | None, err: TextIO,
                 status: TextIO | None = None, clock: Callable[[], float] = time.monotonic):
        self.describe = describe
        self.out = out
        self.err = err
        self.status = status if status is not None and _is_terminal(status) else None
        self.clock = clock
        self.total = 0
        self.finished = 0
        self.current = ""
        self.started_at = clock()
        self._drawn = False
        self._lock = threading.RLock()

    # Progress

    def start(self, total: int) -> None:
        with self._lock:
            self.total, self.finished, self.started_at = total, 0, self.clock()
            self._draw()

    def begin(self, name: str) -> None:
        with self._lock:
            self.current = name
            self._draw()

    def done(self, name: str, outcome: Outcome) -> None:
        with self._lock:
            self.finished += 1
            self._clear()
            if isinstance(outcome, InputError):
                self._write(self.err, f"error: {outcome}")
            elif isinstance(outcome, ArticleSkipped):
                self._write(self.err, f"skipped: {outcome}")
            elif self.out is not None:
                self._write(self.out, self.describe(outcome))
            self._draw()

    def warn(self, message: str) -> None:
        with self._lock:
            self._clear()
            self._write(self.err, f"warning: {message}")
            self._draw()

    def finish(self, report: ConvertReport) -> None:
        with self._lock:
            self._clear()

    # the status line

    def status_text(self) -> str:
        elapsed = self.clock() - self.started_at
        share = self.finished / self.total if self.total else 1.0
        if self.finished:
            eta = format_eta(elapsed / self.finished * (self.total - self.finished))
        else:
            eta = "--:--"
        text = f"[{self.finished}/{self.total}] {share:4.0%}  ETA {eta}"
        if self.current and self.finished < self.total:
            text += f"  {self.current}"
        return text

    def _draw(self) -> None:
        if self.status is None:
            return
        width = shutil.get_terminal_size((80, 24)).columns
        self.status.write("\r\x1b[K" + self.status_text()[: max(10, width - 1)])
        self.status.flush()
        self._drawn = True

    def _clear(self) -> None:
        if self.status is not None and self._drawn:
            self.status.write("\r\x1b[K")
            self.status.flush()
            self._drawn = False

    @staticmethod
    def _write(stream: TextIO, line: str) -> None:
        stream.write(line + "\n")
        stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class WarningLines(logging.Handler):
    """The library's warnings (the `audioarticles` logger) as `warning: ...` lines on the
    standard error of the moment."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(f"warning: {record.getMessage()}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


def show_warnings() -> None:
    """Print the library's warnings on standard error (once, however often it is called)."""
    logger = logging.getLogger("audioarticles")
    if not any(isinstance(h, WarningLines) for h in logger.handlers):
        logger.addHandler(WarningLines(logging.WARNING))
