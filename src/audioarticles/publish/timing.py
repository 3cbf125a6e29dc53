"""An episode's chapters and transcript cues for the feed and the player: the chapters kept in
the catalog at render time (older episodes: the chapters file), the cues from its VTT file."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from audioarticles.chapters import Chapter, from_entries
from audioarticles.dates import chapter_clock
from audioarticles.model import Episode
from audioarticles.transcripts import Cue, parse_vtt

if TYPE_CHECKING:
    from audioarticles.publish.media import Media


def episode_chapters(episode: Episode, media: Media) -> list[Chapter]:
    """The episode's chapters: those recorded with it, else its JSON chapters file."""
    if isinstance(episode.meta.get("chapters"), list):
        return from_entries(episode.meta["chapters"])
    text = media.text(episode, episode.chapters)
    if text is not None:
        try:
            return from_entries(json.loads(text))
        except ValueError:
            pass
    return []


def episode_cues(episode: Episode, media: Media) -> list[Cue]:
    """The transcript cues from the episode's VTT file (none when it has no transcript yet)."""
    text = media.text(episode, episode.transcripts.get("vtt", ""))
    return parse_vtt(text) if text is not None else []


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
