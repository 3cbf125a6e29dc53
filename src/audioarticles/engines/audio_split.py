"""Find the pauses in synthesised speech and cut the audio there.

When one TTS request holds the end of a segment and the start of the next, its audio is split
back into the two at the pause the voice makes at the sentence end. The pause is chosen near
where the characters say the boundary should be; when no clear pause is there, the caller asks
for the segments separately instead of guessing.
"""

from __future__ import annotations

import sys
from array import array

FRAME_S = 0.01
#: a frame whose peak stays under this (or under this share of the loudest peak) is silent
SILENCE_FLOOR = 400
SILENCE_SHARE = 0.03
#: shortest pause taken as a sentence end, and how far (share of the audio) it may sit from
#: where the characters put the boundary
MIN_PAUSE_S = 0.15
MAX_DRIFT = 0.3
#: seconds of pause worth one second of distance from the expected place
DISTANCE_WEIGHT = 0.3


def _samples(pcm: bytes) -> array:
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def pauses(pcm: bytes, sample_rate: int, min_pause_s: float = MIN_PAUSE_S) -> list[tuple[int, int]]:
    """Silent stretches of at least `min_pause_s` inside the audio (not at its ends), as
    (first sample, end sample)."""
    samples = _samples(pcm)
    frame = max(1, int(sample_rate * FRAME_S))
    peaks = []
    for start in range(0, len(samples), frame):
        chunk = samples[start:start + frame]
        peaks.append(max(max(chunk), -min(chunk)))
    if not peaks:
        return []
    threshold = max(SILENCE_FLOOR, max(peaks) * SILENCE_SHARE)
    found: list[tuple[int, int]] = []
    run_start: int | None = None
    for index, peak in enumerate(peaks + [threshold + 1]):
        if peak <= threshold:
            if run_start is None:
                run_start = index
            continue
        if run_start is not None:
            at_edge = run_start == 0 or index == len(peaks)
            if not at_edge and (index - run_start) * FRAME_S >= min_pause_s:
                found.append((run_start * frame, min(index * frame, len(samples))))
            run_start = None
    return found


def split_at_pauses(pcm: bytes, sample_rate: int, boundaries: list[float],
                    min_pause_s: float = MIN_PAUSE_S) -> list[bytes] | None:
    """Cut mono s16le `pcm` in the middle of the pause nearest each expected boundary (given as
    fractions of the whole), or None when some boundary has no clear pause near it."""
    total = len(pcm) // 2
    if not boundaries:
        return [pcm]
    candidates = pauses(pcm, sample_rate, min_pause_s)
    cuts: list[int] = []
    for fraction in boundaries:
        expected = fraction * total
        after = cuts[-1] if cuts else 0
        best, best_score = None, float("-inf")
        for start, end in candidates:
            centre = (start + end) // 2
            distance = abs(centre - expected)
            if centre <= after or distance > MAX_DRIFT * total:
                continue
            score = (end - start) - DISTANCE_WEIGHT * distance
            if score > best_score:
                best, best_score = centre, score
        if best is None:
            return None
        cuts.append(best)
    edges = [0, *cuts, total]
    return [pcm[2 * a:2 * b] for a, b in zip(edges, edges[1:])]
