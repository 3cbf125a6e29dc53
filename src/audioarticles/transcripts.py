"""Transcripts from the timeline: WebVTT and SRT cues (one per sentence, long ones split,
lines of at most 65 characters) and the plain text for the MP3's lyrics frame.

The text is the article's written text (what the page says), not what the voice was given.
Cue times at sentence boundaries are exact (sample counts); when a long sentence is split
over several cues, its time is shared among them by length of text.
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from dataclasses import dataclass

from audioarticles.model import TimelineEntry

LINE_CHARS = 65
MAX_LINES = 2


_CUE_TIME = re.compile(
    r"^(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})\s+-->\s+(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})")
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Cue:
    """One caption: when it shows and its lines of written text."""

    start_ms: float
    end_ms: float
    lines: tuple[str, ...]

    @property
    def start_s(self) -> float:
        return self.start_ms / 1000

    @property
    def end_s(self) -> float:
        return self.end_ms / 1000

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def wrap(text: str, width: int = LINE_CHARS) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def balanced_pieces(text: str, count: int) -> list[str]:
    """`text` cut between words into `count` pieces of about the same length."""
    words = text.split()
    total = sum(len(w) + 1 for w in words)
    pieces: list[list[str]] = [[]]
    length = 0
    for word in words:
        if pieces[-1] and len(pieces) < count and length >= total * len(pieces) / count:
            pieces.append([])
        pieces[-1].append(word)
        length += len(word) + 1
    return [" ".join(p) for p in pieces if p]


def split_text(text: str, line_chars: int = LINE_CHARS,
               max_lines: int = MAX_LINES) -> list[list[str]]:
    """The lines of each cue one sentence needs: as few cues as fit, balanced in length."""
    text = " ".join(text.split())
    lines = wrap(text, line_chars)
    if len(lines) <= max_lines:
        return [lines]
    count = math.ceil(len(lines) / max_lines)
    while True:
        wrapped = [wrap(piece, line_chars) for piece in balanced_pieces(text, count)]
        if all(len(w) <= max_lines for w in wrapped) or count >= len(text.split()):
            return wrapped
        count += 1


def cues(timeline: list[TimelineEntry], line_chars: int = LINE_CHARS,
         max_lines: int = MAX_LINES) -> list[Cue]:
    result: list[Cue] = []
    for entry in timeline:
        if not entry.written.strip():
            continue  # jingles
        parts = split_text(entry.written, line_chars, max_lines)
        weights = [sum(len(line) for line in part) for part in parts]
        total = sum(weights) or 1
        start = entry.start_ms
        span = entry.end_ms - entry.start_ms
        done = 0
        for part, weight in zip(parts, weights):
            done += weight
            end = entry.start_ms + span * done / total
            result.append(Cue(start, end, tuple(part)))
            start = end
    return result


def timestamp(ms: float, separator: str = ".") -> str:
    total = round(ms)
    hours, rest = divmod(total, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _vtt_escape(line: str) -> str:
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(cue_list: list[Cue]) -> str:
    blocks = ["WEBVTT\n"]
    for number, cue in enumerate(cue_list, start=1):
        text = "\n".join(_vtt_escape(line) for line in cue.lines)
        blocks.append(f"{number}\n{timestamp(cue.start_ms)} --> {timestamp(cue.end_ms)}\n{text}\n")
    return "\n".join(blocks)


def _srt_text(line: str) -> str:
    """SRT has no escapes, and players read <i>-like tags in it: angle brackets become ‹ ›."""
    return line.replace("-->", "→").replace("<", "‹").replace(">", "›")


def to_srt(cue_list: list[Cue]) -> str:
    blocks = []
    for number, cue in enumerate(cue_list, start=1):
        text = "\n".join(_srt_text(line) for line in cue.lines)
        blocks.append(f"{number}\n{timestamp(cue.start_ms, ',')} --> "
                      f"{timestamp(cue.end_ms, ',')}\n{text}\n")
    return "\n".join(blocks)


def plain_text(timeline: list[TimelineEntry]) -> str:
    """The whole transcript as text: one paragraph per block (intro and outro included)."""
    paragraphs: list[list[str]] = []
    previous: tuple | None = None
    for entry in timeline:
        if not entry.written.strip():
            continue
        where = (entry.kind, entry.block)
        if where != previous:
            paragraphs.append([])
            previous = where
        paragraphs[-1].append(entry.written)
    return "\n\n".join(" ".join(p) for p in paragraphs) + "\n"


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def parse_vtt(text: str) -> list[Cue]:
    """The cues of a WebVTT (or SRT) file, each as one line of plain text (tags removed,
    entities read): the inverse of `to_vtt`, for episodes whose cues were not kept."""
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
        cue_text = " ".join(words)
        if "<" in cue_text:
            cue_text = _TAG.sub("", cue_text)
        if "&" in cue_text:
            cue_text = html.unescape(cue_text)
        cue_text = " ".join(cue_text.split())
        if cue_text:
            g = match.groups()
            cues.append(Cue(_ms(*g[:4]), _ms(*g[4:]), (cue_text,)))
    return cues
