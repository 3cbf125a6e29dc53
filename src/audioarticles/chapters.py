"""Chapters from the timeline: one per section (the title with its intro, then each heading),
for ID3 CHAP/CTOC frames and the Podcasting 2.0 JSON chapters file (version 1.2.0)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from audioarticles.model import TimelineEntry

JSON_VERSION = "1.2.0"


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: float
    end_ms: float
    url: str = ""  # a page about the chapter (an edition's article), "" for none


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


def to_json(chapters: list[Chapter], episode_title: str = "", podcast_name: str = "") -> str:
    """Podcasting 2.0 JSON chapters: ascending `startTime` in seconds."""
    document: dict = {"version": JSON_VERSION}
    if episode_title:
        document["title"] = episode_title
    if podcast_name:
        document["podcastName"] = podcast_name
    document["chapters"] = [
        {"startTime": round(c.start_ms / 1000, 3), "endTime": round(c.end_ms / 1000, 3),
         "title": c.title, **({"url": c.url} if c.url else {})}
        for c in sorted(chapters, key=lambda c: c.start_ms)
    ]
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
