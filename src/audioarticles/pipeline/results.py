"""What a batch hands back (one outcome per article, a report per run) and what it tells its
caller while it runs (`Progress`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from audioarticles.errors import ArticleSkipped, InputError
from audioarticles.model import Episode, TimelineEntry

if TYPE_CHECKING:
    from audioarticles.publish import Build

log = logging.getLogger("audioarticles")


@dataclass
class Converted:
    """One article made into an episode (`status` "converted"), or found unchanged."""

    episode: Episode
    segments_synthesized: int
    segments_cached: int
    status: str = "converted"  # or "unchanged"
    timeline: list[TimelineEntry] = field(default_factory=list)  # where each piece is in the MP3


@dataclass
class ConvertReport:
    """A whole run: every article's outcome, in input order, and what the rebuild wrote."""

    converted: list[Converted] = field(default_factory=list)  # in input order, with status
    failed: list[InputError] = field(default_factory=list)
    skipped: list[ArticleSkipped] = field(default_factory=list)
    interrupted: bool = False
    not_done: int = 0  # articles a stopped run did not finish
    build: Build | None = None  # what the run's rebuild wrote

    @property
    def ok(self) -> bool:
        return not self.failed and not self.interrupted

    def add(self, outcome: Outcome | None) -> None:
        """One article's outcome, in input order (None: not done)."""
        if isinstance(outcome, Converted):
            self.converted.append(outcome)
        elif isinstance(outcome, ArticleSkipped):
            self.skipped.append(outcome)
        elif isinstance(outcome, InputError):
            self.failed.append(outcome)
        else:
            self.not_done += 1

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.converted)

    @property
    def degraded(self) -> int:
        return sum(c.episode.degraded for c in self.converted)

    def summary(self) -> dict:
        return {"converted": self.count("converted"), "unchanged": self.count("unchanged"),
                "degraded": self.degraded, "skipped": len(self.skipped),
                "failed": len(self.failed),
                "interrupted": self.interrupted, "not_done": self.not_done}


class Progress:
    """What a batch tells its caller while it runs; the CLI draws it, a library may ignore it."""

    def start(self, total: int) -> None:
        """The batch has `total` articles."""

    def begin(self, name: str) -> None:
        """An article starts (called from a worker thread)."""

    def done(self, name: str, outcome: Outcome) -> None:
        """An article finished: converted, unchanged, skipped or failed (main thread)."""

    def warn(self, message: str) -> None:
        """Something the user should know that did not stop an article (any thread)."""
        warn(message)

    def finish(self, report: ConvertReport) -> None:
        """The batch is over (also after an interruption)."""


Outcome = Converted | ArticleSkipped | InputError


class Interrupted(Exception):
    """The run was asked to stop (Ctrl-C, SIGTERM) before this article finished."""


def warn(message: str) -> None:
    """A warning for whoever listens to the `audioarticles` logger (the CLI prints it)."""
    log.warning(message)

