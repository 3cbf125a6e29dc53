"""Silence by structure: the pause between two pieces of speech, and trimming each engine's own
leading/trailing silence so the pauses are exactly what the settings say."""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, fields

from audioarticles.errors import UsageError

#: block kinds that open a new section of the article
SECTION_KINDS = ("title", "heading")


@dataclass(frozen=True)
class Pauses:
    """Milliseconds of silence, by what comes before and after (`[audio.pauses]`)."""

    sentence_ms: int = 350  # between two sentences of one paragraph
    paragraph_ms: int = 750  # between two paragraphs (or quotes)
    list_item_ms: int = 500  # between two items of one list
    after_title_ms: int = 1200
    before_heading_ms: int = 1100
    after_heading_ms: int = 650
    after_intro_ms: int = 800
    before_outro_ms: int = 1200
    around_jingle_ms: int = 300

    @classmethod
    def from_settings(cls, *tables: dict, origin: str = "[audio.pauses]") -> Pauses:
        """Defaults overridden by each table in turn (project settings, then the voice profile)."""
        known = {f.name for f in fields(cls)}
        values: dict[str, int] = {}
        for table in tables:
            for key, value in (table or {}).items():
                if key not in known:
                    raise UsageError(f"{origin}: unknown pause '{key}'; valid: {', '.join(sorted(known))}")
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise UsageError(f"{origin}: {key} must be a number of milliseconds ≥ 0, not {value!r}")
                values[key] = int(value)
        return cls(**values)


def pause_between(before: str, after: str, same_block: bool, pauses: Pauses) -> int:
    """The pause (ms) between a piece of kind `before` and the next of kind `after`.

    Kinds are block kinds ("title", "heading", "paragraph", "list_item", "quote") or
    "intro", "outro", "jingle". Two sentences of one block get the sentence pause.
    """
    if "jingle" in (before, after):
        return pauses.around_jingle_ms
    if after == "outro" and before != "outro":
        return pauses.before_outro_ms
    if before == "intro" and after != "intro":
        return pauses.after_intro_ms
    if same_block:
        return pauses.sentence_ms
    if after == "heading":
        return max(pauses.before_heading_ms, pauses.after_title_ms if before == "title" else 0)
    if before == "title":
        return pauses.after_title_ms
    if before == "heading":
        return pauses.after_heading_ms
    if before == after == "list_item":
        return pauses.list_item_ms
    return pauses.paragraph_ms


def silence(ms: int, sample_rate: int) -> bytes:
    return b"\x00\x00" * (sample_rate * ms // 1000)


def _loud_window(samples: array, start: int, stop: int, step: int, threshold: int) -> int | None:
    """The first window (scanning from `start` towards `stop`) holding a sample above threshold."""
    for i in range(start, stop, step):
        window = samples[i:i + abs(step)] if step > 0 else samples[max(i + step, 0):i]
        if window and (max(window) > threshold or -min(window) > threshold):
            return i
    return None


def trim_silence(pcm: bytes, sample_rate: int, threshold_db: float = -45.0,
                 keep_ms: int = 15) -> bytes:
    """Cut leading and trailing silence (below `threshold_db` dBFS), keeping `keep_ms` of it.

    Linear in the silence cut, not in the audio: windows are scanned from each end with
    C-speed min/max, then refined sample by sample inside the first loud window.
    """
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    n = len(samples)
    if not n:
        return b""
    threshold = int(32767 * math.pow(10, threshold_db / 20))
    window = max(1, sample_rate // 100)  # 10 ms
    head = _loud_window(samples, 0, n, window, threshold)
    if head is None:
        return b""  # nothing audible at all
    first = next(i for i in range(head, min(head + window, n)) if abs(samples[i]) > threshold)
    tail = _loud_window(samples, n, 0, -window, threshold)
    last = next(i for i in range(tail - 1, max(tail - window, 0) - 1, -1) if abs(samples[i]) > threshold)
    keep = sample_rate * keep_ms // 1000
    start = max(0, first - keep)
    stop = min(n, last + 1 + keep)
    return samples[start:stop].tobytes()
