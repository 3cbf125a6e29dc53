"""Read-along in the host article: which paragraph of the publisher's page is being read.

The embed (player/embed.js, with `data-readalong`) highlights the paragraph being read in the
host page and plays from a clicked paragraph. It needs, per transcript cue, its times, its
text and the article block (paragraph, heading, list item) it belongs to: `segments` gives
them, in the episode's embed data. Blocks come from the timeline, kept with the episode at
conversion (`block_starts`: when each is read, `Episode.meta["blocks"]`); an episode converted before has none
and is matched by text only.

A host paragraph is matched to segments two ways:
- a `data-audio-block="N"` attribute the CMS added (`audioarticles embed SLUG --markers`
  lists them, with each block's first words), exact;
- else a fingerprint of its text: `fingerprint` (here and, the same rules, in embed.js)
  folds case, accents, quotes, apostrophes, dashes, ellipses and spaces, so that the CMS's
  typography (« », ’, non-breaking spaces, `&nbsp;`) matches the transcript's; a segment
  belongs to the first paragraph at or after the previous match whose fingerprint contains
  the segment's first `PREFIX_CHARS` fingerprint characters."""

from __future__ import annotations

import re
import unicodedata

from audioarticles.model import TimelineEntry
from audioarticles.transcripts import Cue

PREFIX_CHARS = 48
_FOLD = str.maketrans({
    "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "«": '"', "»": '"', "“": '"', "”": '"',
    "„": '"', "‹": '"', "›": '"', "–": "-", "—": "-", "‑": "-", "−": "-", "…": "...",
    "œ": "oe", "æ": "ae"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fingerprint(text: str) -> str:
    """The text as read-along compares it: lower case, no accents, typography folded, only
    letters and digits, words joined by one space."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def block_starts(timeline: list[TimelineEntry]) -> list[list[float]]:
    """`[block, start_s, end_s]` per article block (the title, the intro and outro belong to
    none), in the order they are read."""
    spans: dict[int, list[float]] = {}
    for entry in timeline:
        if entry.block is None or entry.block < 0 or not entry.written.strip():
            continue
        span = spans.setdefault(entry.block, [entry.block, round(entry.start_ms / 1000, 3), 0.0])
        span[2] = round(entry.end_ms / 1000, 3)
    return list(spans.values())


def _block_at(spans: list[list[float]], start_s: float) -> int | None:
    """The block read at `start_s` (None in the title, intro, outro, pauses)."""
    for block, start, end in spans:
        if start - 0.001 <= start_s < end - 0.001:
            return int(block)
    return None


def segments(cues: list[Cue], starts: list[list[float]] | None) -> list[list]:
    """`[start_s, end_s, block or None, text]` per cue (what embed.js reads along with)."""
    return [[round(cue.start_s, 3), round(cue.end_s, 3),
             _block_at(starts, cue.start_s) if starts else None, cue.text] for cue in cues]


def markers(rows: list[list]) -> list[dict]:
    """Per article block: its number and its first words (what `embed --markers` prints for
    the CMS to put `data-audio-block="N"` on the paragraph that starts so)."""
    blocks: dict[int, list[str]] = {}
    for _start, _end, block, text in rows:
        if block is not None:
            blocks.setdefault(block, []).append(text)
    result = []
    for block, texts in blocks.items():
        words = " ".join(texts).split()
        result.append({"block": block, "starts_with": " ".join(words[:8]) +
                       (" …" if len(words) > 8 else "")})
    return result
