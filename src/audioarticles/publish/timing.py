"""An episode's chapters for the feed and the player, as the catalog keeps them (recorded at
render time; `store.recover` reads back those of older episodes once)."""

from __future__ import annotations

from audioarticles.chapters import Chapter, from_entries
from audioarticles.dates import chapter_clock
from audioarticles.model import Episode


def episode_chapters(episode: Episode) -> list[Chapter]:
    """The chapters recorded with the episode ([] when it has none)."""
    entries = episode.meta.get("chapters")
    return from_entries(entries) if isinstance(entries, list) else []


def description_chapters(chapters: list[Chapter], duration_s: float) -> list[tuple[str, str]]:
    """Chapters as (timestamp, title) lines for a description: the first at 00:00, at least
    three (fewer are not read as chapters by apps), all within the audio."""
    inside = [c for c in chapters if c.start_s < duration_s or not duration_s]
    if len(inside) < 3:
        return []
    lines = [("00:00" if i == 0 else chapter_clock(c.start_s), c.title)
             for i, c in enumerate(inside)]
    if duration_s >= 3600:
        lines[0] = ("0:00:00", lines[0][1])
    return lines
