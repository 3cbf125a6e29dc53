"""Assembly of 800 three-second segments: our streamed join vs pydub's `sum()` of AudioSegments.

pydub's `a + b` copies both operands, so joining n segments in a loop is quadratic. Ours
generates the stream piece by piece (trimming each segment's own silence, inserting the
structural pauses) and never holds the whole episode. Both sides produce the joined PCM and
stop there; the full `assemble` (loudness pass and MP3 encoding) is timed too, for scale.
"""

from __future__ import annotations

import math
import tempfile
import time
from array import array
from pathlib import Path

TITLE = "Assembly of 800 segments vs pydub sum()"

SEGMENTS = 800
SECONDS = 3
RATE = 22050  # espeak-ng's rate
TARGET = 100


def segment_pcm(index: int, noise: bool = False) -> bytes:
    """3 s: 100 ms of silence, a tone (a different one per segment), 100 ms of silence; with
    `noise`, the silence is a -60 dBFS hiss instead of digital zero (as a decoded MP3 has)."""
    n = RATE * SECONDS
    lead = RATE // 10
    freq = 200 + index % 50 * 10
    samples = array("h", [(31 if i % 3 else -29) if noise else 0 for i in range(n)])
    for i in range(lead, n - lead):
        samples[i] = round(6000 * math.sin(2 * math.pi * freq * i / RATE))
    return samples.tobytes()


def run() -> str:
    from pydub import AudioSegment

    from audioarticles.assemble import Mastering, Piece, Programme, assemble
    from audioarticles.model import Audio, Segment
    from audioarticles.pauses import Pauses

    # a handful of distinct tones reused: building 800 distinct ones would time Python loops
    tones = [segment_pcm(i) for i in range(8)]
    audios = [Audio(tones[i % 8], RATE) for i in range(SEGMENTS)]
    segments = [Segment(block=i // 4, position=i, written=f"Phrase {i}.", spoken="x",
                        block_kind="paragraph") for i in range(SEGMENTS)]
    pieces = [Piece(s.block_kind, a, s) for s, a in zip(segments, audios)]
    hissing = [segment_pcm(i, noise=True) for i in range(8)]
    noisy = [Piece("paragraph", Audio(hissing[i % 8], RATE), s) for i, s in enumerate(segments)]

    def join(what: list) -> tuple[float, Programme, int]:
        started = time.perf_counter()
        programme = Programme(what, Pauses(), Mastering.from_settings())
        total = sum(len(chunk) for chunk in programme.chunks())
        return time.perf_counter() - started, programme, total

    ours, programme, total_bytes = min(join(pieces) for _ in range(3))
    ours_noisy = min(join(noisy)[0] for _ in range(3))
    ours_seconds = programme.samples / RATE

    started = time.perf_counter()
    joined = b"".join(a.pcm for a in audios)
    raw_once = time.perf_counter() - started
    del joined

    segs = [AudioSegment(data=a.pcm, sample_width=2, frame_rate=RATE, channels=1) for a in audios]
    started = time.perf_counter()
    episode = sum(segs[1:], segs[0])
    pydub = time.perf_counter() - started
    pydub_seconds = len(episode) / 1000
    del episode, segs

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        assembly = assemble(pieces, Path(tmp) / "x.mp3")
        full = time.perf_counter() - started

    ratio = pydub / ours
    met = "met" if min(ratio, pydub / ours_noisy) >= TARGET else "NOT met"
    return f"""{SEGMENTS} segments of {SECONDS} s at {RATE} Hz (in memory), default pauses between them.

| what | time | audio produced |
| --- | ---: | ---: |
| pydub `sum()` of {SEGMENTS} AudioSegments (no pauses) | {pydub:.2f} s | {pydub_seconds / 60:.1f} min |
| ours: `Programme.chunks()` (trim each segment, pauses, stream) | {ours:.3f} s | {ours_seconds / 60:.1f} min ({total_bytes / 1e6:.0f} MB of PCM streamed) |
| ours, segments whose silence is a −60 dBFS hiss (exact per-sample trim) | {ours_noisy:.3f} s | same |
| for reference: `b"".join` of the raw PCM once | {raw_once:.3f} s | {SEGMENTS * SECONDS / 60:.1f} min |
| ours, full `assemble` (loudness pass(es) + levelled MP3 encode) | {full:.1f} s | {assembly.duration_s / 60:.1f} min |

Target: our join ≥ {TARGET}× faster than pydub `sum()` — {met} ({ratio:.0f}×; {pydub / ours_noisy:.0f}× with hissing silence).
Our times are the best of 3 runs; pydub's is one run (it takes minutes under load).

Command: `.venv/bin/python -m benchmarks assembly`
"""
