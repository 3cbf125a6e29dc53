"""Transcripts from the timeline: WebVTT and SRT cues (one per sentence, long ones split,
lines of at most 65 characters), the Podcasting 2.0 JSON transcript and the plain text for
the MP3's lyrics frame.

The text is the article's written text (what the page says), not what the voice was given.
Cue times at sentence boundaries are exact (sample counts); when a long sentence is split
over several cues, its time is shared among them by length of text, or, when the engine gave
word timings, split where the first word of the next cue starts. With word timings the VTT
carries each word's start (`<00:00:01.250>` cue timestamps) and the JSON transcript has one
segment per word; without, one per cue. The cues are kept in the catalog at render time
(`to_entries`), where the pages read them.
"""

from __future__ import annotations

import json
import math
import textwrap
from dataclasses import dataclass

from audioarticles.model import TimelineEntry, WordTime

LINE_CHARS = 65
MAX_LINES = 2


@dataclass(frozen=True)
class Cue:
    """One caption: when it shows and its lines of written text."""

    start_ms: float
    end_ms: float
    lines: tuple[str, ...]
    words: tuple[WordTime, ...] = ()  # the cue's words with their times, when known

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
        if entry.words and sum(len(w.text.split()) for w in entry.words) == len(
                entry.written.split()):
            result.extend(_timed_cues(entry, parts))
            continue
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


def _timed_cues(entry: TimelineEntry, parts: list[list[str]]) -> list[Cue]:
    """The cues of one sentence whose words have times: each cue holds its words, and a cue
    ends where the next one's first word starts."""
    result: list[Cue] = []
    words = list(entry.words)
    at = 0
    for index, part in enumerate(parts):
        tokens = sum(len(line.split()) for line in part)
        own, count = [], 0
        while at < len(words) and count < tokens:
            own.append(words[at])
            count += len(words[at].text.split())
            at += 1
        start = entry.start_ms if index == 0 else result[-1].end_ms
        last = index + 1 == len(parts) or at >= len(words)
        end = entry.end_ms if last else max(start, min(words[at].start_ms, entry.end_ms))
        result.append(Cue(start, end, tuple(part), tuple(own)))
    return result


def timestamp(ms: float, separator: str = ".") -> str:
    total = round(ms)
    hours, rest = divmod(total, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _vtt_escape(line: str) -> str:
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _stamped_lines(cue: Cue) -> list[str]:
    """The cue's lines with each word after the first preceded by its start time, as WebVTT
    cue timestamps (strictly inside the cue, increasing)."""
    starts: dict[int, float] = {}  # token index -> start of the word it begins
    token = 0
    for word in cue.words:
        starts[token] = word.start_ms
        token += len(word.text.split())
    lines, token, last = [], 0, cue.start_ms
    for line in cue.lines:
        out = []
        for piece in line.split():
            at = starts.get(token)
            if token and at is not None and last < at < cue.end_ms \
                    and timestamp(at) != timestamp(last):
                out.append(f"<{timestamp(at)}>{_vtt_escape(piece)}")
                last = at
            else:
                out.append(_vtt_escape(piece))
            token += 1
        lines.append(" ".join(out))
    return lines


def to_vtt(cue_list: list[Cue]) -> str:
    blocks = ["WEBVTT\n"]
    for number, cue in enumerate(cue_list, start=1):
        if cue.words:
            text = "\n".join(_stamped_lines(cue))
        else:
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


def to_json(cue_list: list[Cue]) -> str:
    """The Podcasting 2.0 JSON transcript (`application/json`): one segment per word when the
    words have times, else one per cue; times in seconds."""
    segments = []
    for cue in cue_list:
        if cue.words:
            segments.extend({"startTime": round(w.start_ms / 1000, 3),
                             "endTime": round(w.end_ms / 1000, 3), "body": w.text}
                            for w in cue.words)
        else:
            segments.append({"startTime": round(cue.start_ms / 1000, 3),
                             "endTime": round(cue.end_ms / 1000, 3),
                             "body": " ".join(cue.lines)})
    return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False,
                      indent=1) + "\n"


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


def to_entries(cue_list: list[Cue]) -> list[dict]:
    """The cues as JSON data, kept in the catalog at render time: the feed's pages read them
    from there, never back from the VTT file."""
    entries = []
    for cue in cue_list:
        entry: dict = {"start": round(cue.start_ms, 3), "end": round(cue.end_ms, 3),
                       "lines": list(cue.lines)}
        if cue.words:
            entry["words"] = [[round(w.start_ms, 3), round(w.end_ms, 3), w.text]
                              for w in cue.words]
        entries.append(entry)
    return entries


def from_entries(entries: list) -> list[Cue]:
    """Cues from `to_entries`'s data (entries that are not one are left out)."""
    cue_list = []
    for entry in entries:
        try:
            words = tuple(WordTime(float(start), float(end), str(text))
                          for start, end, text in entry.get("words", ()))
            cue_list.append(Cue(float(entry["start"]), float(entry["end"]),
                                tuple(str(line) for line in entry["lines"]), words))
        except (AttributeError, KeyError, TypeError, ValueError):
            continue
    return cue_list
