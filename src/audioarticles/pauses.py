"""Silence by structure: the pause between two pieces of speech, and trimming each engine's own
leading/trailing silence so the pauses are exactly what the settings say."""

from __future__ import annotations

import functools
import math
import re
from typing import Annotated

from pydantic import Field, create_model

from audioarticles.validation import Section, check

#: block kinds that open a new section of the article
SECTION_KINDS = ("title", "heading")


_MS = Field(ge=0, le=60_000)  # a pause of more than a minute is a mistake, not a pause


class Pauses(Section):
    """Milliseconds of silence, by what comes before and after (`[audio.pauses]`, and a voice
    profile's `[pauses]` over it)."""

    sentence_ms: Annotated[int, _MS] = Field(350, description="between two sentences of one "
                                                              "paragraph")
    paragraph_ms: Annotated[int, _MS] = Field(750, description="between two paragraphs (or "
                                                               "quotes)")
    list_item_ms: Annotated[int, _MS] = Field(500, description="between two items of one list")
    after_title_ms: Annotated[int, _MS] = 1200
    before_heading_ms: Annotated[int, _MS] = 1100
    after_heading_ms: Annotated[int, _MS] = 650
    after_intro_ms: Annotated[int, _MS] = 800
    before_outro_ms: Annotated[int, _MS] = 1200
    around_jingle_ms: Annotated[int, _MS] = 300

    @classmethod
    def from_settings(cls, *tables: dict, origin: str = "[audio.pauses]") -> Pauses:
        """Defaults overridden by each table in turn (project settings, then the voice
        profile); a mistake is a UsageError naming `origin`."""
        merged: dict = {}
        for table in tables:
            merged.update(table or {})
        return check(cls, merged, origin)


#: a voice profile's `[pauses]`: the same keys and ranges, each one optional
PauseOverrides = create_model(
    "PauseOverrides", __base__=Section,
    **{name: (Annotated[int, *info.metadata] | None, None)
       for name, info in Pauses.model_fields.items()})


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


def _span(low: int, high: int) -> bytes:
    return b"[\\x%02x-\\x%02x]" % (low, high)


@functools.lru_cache(maxsize=16)
def _quiet_run(threshold: int) -> tuple[re.Pattern, re.Pattern]:
    """Regexes matching a run of s16le samples with |x| <= threshold: read forwards, and read
    on the reversed bytes (high byte first). The regex engine scans in C, sample by sample."""
    alternatives = []  # (low byte class, high byte class) pairs
    high, low = threshold >> 8, threshold & 0xFF  # 0 <= x <= threshold
    if high:
        alternatives.append((_span(0, 255), _span(0, high - 1)))
    alternatives.append((_span(0, low), _span(high, high)))
    m = 65536 - threshold  # -threshold <= x <= -1, as unsigned: m..65535
    m_high, m_low = m >> 8, m & 0xFF
    alternatives.append((_span(m_low, 255), _span(m_high, m_high)))
    if m_high < 255:
        alternatives.append((_span(0, 255), _span(m_high + 1, 255)))
    forwards = b"(?:" + b"|".join(lo + hi for lo, hi in alternatives) + b")*"
    backwards = b"(?:" + b"|".join(hi + lo for lo, hi in alternatives) + b")*"
    return re.compile(forwards, re.S), re.compile(backwards, re.S)


def trim_silence(pcm: bytes, sample_rate: int, threshold_db: float = -45.0,
                 keep_ms: int = 15) -> bytes:
    """Cut leading and trailing silence (samples at or below `threshold_db` dBFS), keeping
    `keep_ms` of it at each end (see `trim_bounds`)."""
    start, end = trim_bounds(pcm, sample_rate, threshold_db, keep_ms)
    return pcm[start:end]


def trim_bounds(pcm: bytes, sample_rate: int, threshold_db: float = -45.0,
                keep_ms: int = 15) -> tuple[int, int]:
    """The byte range `trim_silence` keeps ((0, 0) when nothing is audible): word timings
    are shifted by where it starts.

    Exact per sample, and only as slow as the silence is long: digital silence is skipped
    with bytes.lstrip/rstrip, then the regex engine walks the quiet samples in C (from the
    end, on a reversed window that grows only if the quiet run fills it).
    """
    pcm = pcm[: len(pcm) - len(pcm) % 2]
    threshold = min(32767, int(32767 * math.pow(10, threshold_db / 20)))
    forwards, backwards = _quiet_run(threshold)
    zeros = len(pcm) - len(pcm.lstrip(b"\0"))
    lead = forwards.match(pcm, zeros - zeros % 2).end()
    if lead >= len(pcm):
        return 0, 0  # nothing audible at all
    end = len(pcm.rstrip(b"\0"))
    end += end % 2
    window = 4096
    while True:
        start = max(lead, end - window)
        run = backwards.match(pcm[start:end][::-1]).end()
        if run < end - start or start == lead:
            break
        window *= 4
    keep = 2 * (sample_rate * keep_ms // 1000)
    return max(0, lead - keep), min(len(pcm), end - run + keep)
