"""Chapters and transcript cues, read back from the files beside the MP3 for the feed and player."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from audioarticles.model import Episode

_CUE_TIME = re.compile(
    r"^(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})\s+-->\s+(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})")
_TAG = re.compile(r"<[^>]*>")
_WORD_STAMP = re.compile(r"<((?:\d+:)?\d{1,2}:\d{2}\.\d{3})>")


@dataclass(frozen=True)
class Chapter:
    start_s: float
    title: str


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    text: str
    #: (start, text) of each run of words, from the cue's timestamps (`<00:00:01.250>`)
    words: tuple[tuple[float, str], ...] = ()


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def parse_vtt(text: str) -> list[Cue]:
    """The cues of a WebVTT (or SRT) file: times and plain text (tags removed, entities read)."""
    cues: list[Cue] = []
    lines = text.replace("\ufeff", "").splitlines()
    i, count = 0, len(lines)
    while i < count:
        match = _CUE_TIME.match(lines[i].strip()) if "-->" in lines[i] else None
        i += 1
        if match is None:
            continue
        words = []
        while i < count and lines[i].strip():
            words.append(lines[i])
            i += 1
        raw = " ".join(words)
        cue_text = _plain(raw)
        if cue_text:
            g = match.groups()
            start = _seconds(*g[:4])
            cues.append(Cue(start, _seconds(*g[4:]), cue_text, _timed_words(raw, start)))
    return cues


def _plain(text: str) -> str:
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


def _timed_words(raw: str, start: float) -> tuple[tuple[float, str], ...]:
    """The words of a cue with timestamps, each run with the time it starts at."""
    parts = _WORD_STAMP.split(raw)
    if len(parts) == 1:
        return ()
    runs = [(start, parts[0])]
    for stamp, text in zip(parts[1::2], parts[2::2]):
        hours, minutes, rest = ([None] + stamp.split(":"))[-3:]
        seconds, millis = rest.split(".")
        runs.append((_seconds(hours, minutes, seconds, millis), text))
    return tuple((at, _plain(text)) for at, text in runs if _plain(text))


def _chapters_from_json(data: dict | list) -> list[Chapter]:
    entries = data.get("chapters", []) if isinstance(data, dict) else data
    chapters = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("toc") is False:
            continue
        start = entry.get("startTime", entry.get("start_s", entry.get("start")))
        title = str(entry.get("title") or "").strip()
        if isinstance(start, (int, float)) and title:
            chapters.append(Chapter(float(start), title))
    return sorted(chapters, key=lambda c: c.start_s)


def _chapters_from_timeline(timeline: list[dict], title: str) -> list[Chapter]:
    """One chapter for the opening, then one per heading (the article's sections)."""
    chapters = [Chapter(0.0, title)]
    for entry in timeline:
        if entry.get("kind") == "heading" and entry.get("written"):
            chapters.append(Chapter(float(entry["start_ms"]) / 1000, str(entry["written"])))
    return chapters if len(chapters) > 1 else []


def episode_chapters(episode: Episode, output: Path) -> list[Chapter]:
    """The episode's chapters: its JSON chapters file, else chapters or a timeline in its meta."""
    if episode.chapters:
        path = output / episode.chapters
        try:
            return _chapters_from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            pass
    if isinstance(episode.meta.get("chapters"), list):
        return _chapters_from_json(episode.meta["chapters"])
    if isinstance(episode.meta.get("timeline"), list):
        return _chapters_from_timeline(episode.meta["timeline"], episode.title)
    return []


def episode_cues(episode: Episode, output: Path) -> list[Cue]:
    """The transcript cues from the episode's VTT file (none when it has no transcript yet)."""
    relative = episode.transcripts.get("vtt")
    if not relative:
        return []
    try:
        return parse_vtt((output / relative).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return []


def clock(seconds: float) -> str:
    """`04:05`, or `1:02:03` past an hour (the form apps turn into chapter links)."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def description_chapters(chapters: list[Chapter], duration_s: float) -> list[tuple[str, str]]:
    """Chapters as (timestamp, title) lines for a description: the first at 00:00, at least
    three (fewer are not read as chapters by apps), all within the audio."""
    inside = [c for c in chapters if c.start_s < duration_s or not duration_s]
    if len(inside) < 3:
        return []
    lines = [("00:00" if i == 0 else clock(c.start_s), c.title) for i, c in enumerate(inside)]
    if duration_s >= 3600:
        lines[0] = ("0:00:00", lines[0][1])
    return lines
