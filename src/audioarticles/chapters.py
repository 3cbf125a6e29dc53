"""Chapters: one per section (the title with its intro, then each heading), made from the
timeline at render time, for ID3 CHAP/CTOC frames, the Podcasting 2.0 JSON chapters file
(version 1.2.0), the feed and the player; read back from that JSON for older episodes."""

from __future__ import annotations

import json
from dataclasses import dataclass

from audioarticles.model import TimelineEntry

JSON_VERSION = "1.2.0"


@dataclass(frozen=True)
class Chapter:
    """A section of the audio: its title, where it starts and (when known) ends."""

    title: str
    start_ms: float
    end_ms: float | None = None
    url: str = ""  # a page about the chapter (an edition's article), "" for none

    @property
    def start_s(self) -> float:
        return self.start_ms / 1000


def shorten(title: str, max_chars: int) -> str:
    """A title cut at a word boundary with an ellipsis, for apps that show few characters."""
    title = " ".join(title.split())
    if len(title) <= max_chars:
        return title
    cut = title[: max_chars - 1].rsplit(" ", 1)[0].rstrip(" ,;:–-—«(")
    return f"{cut or title[: max_chars - 1]}…"


def chapters_from_timeline(timeline: list[TimelineEntry], title: str,
                           duration_ms: float) -> list[Chapter]:
    """The first chapter starts at 0 under the article's title; each heading opens the next."""
    sections: list[tuple[float, list[str]]] = [(0.0, [title])]
    seen: set[int] = set()
    for entry in timeline:
        if entry.kind != "heading" or entry.block is None:
            continue
        if entry.block not in seen:  # a long heading may be voiced as several segments
            seen.add(entry.block)
            sections.append((entry.start_ms, []))
        sections[-1][1].append(entry.written)
    ends = [start for start, _ in sections[1:]] + [duration_ms]
    return [Chapter(title=" ".join(" ".join(words).split()), start_ms=start, end_ms=end)
            for (start, words), end in zip(sections, ends)]


def to_entries(chapters: list[Chapter]) -> list[dict]:
    """The chapters as Podcasting 2.0 JSON entries: ascending `startTime` in seconds."""
    entries = []
    for c in sorted(chapters, key=lambda c: c.start_ms):
        entry: dict = {"startTime": round(c.start_ms / 1000, 3)}
        if c.end_ms is not None:
            entry["endTime"] = round(c.end_ms / 1000, 3)
        entry["title"] = c.title
        if c.url:
            entry["url"] = c.url
        entries.append(entry)
    return entries


def to_json(chapters: list[Chapter], episode_title: str = "", podcast_name: str = "") -> str:
    """Podcasting 2.0 JSON chapters: ascending `startTime` in seconds."""
    document: dict = {"version": JSON_VERSION}
    if episode_title:
        document["title"] = episode_title
    if podcast_name:
        document["podcastName"] = podcast_name
    document["chapters"] = to_entries(chapters)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def from_entries(data: dict | list) -> list[Chapter]:
    """Chapters from a JSON chapters document (or its list of entries), in time order;
    entries without a start or a title, or marked `toc: false`, are left out."""
    entries = data.get("chapters", []) if isinstance(data, dict) else data
    chapters = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("toc") is False:
            continue
        start = entry.get("startTime")
        end = entry.get("endTime")
        title = " ".join(str(entry.get("title") or "").split())
        if isinstance(start, (int, float)) and not isinstance(start, bool) and title:
            chapters.append(Chapter(title, float(start) * 1000,
                                    float(end) * 1000 if isinstance(end, (int, float)) else None,
                                    str(entry.get("url") or "")))
    return sorted(chapters, key=lambda c: c.start_ms)
