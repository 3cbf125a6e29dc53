"""Loudness: measure the assembled stream (EBU R128, ffmpeg `ebur128`) and choose the gain and
peak limit that bring the episode to the target (−16 LUFS integrated, ≤ −1 dBTP by default).

Mono episodes are measured as dual-mono by default: a player sends a mono file to both
speakers, about 3 dB louder than a plain mono reading says (so −16 LUFS dual-mono is
about −19 LUFS plain mono, the AES recommendation for mono).
"""

from __future__ import annotations

import functools
import math
import re
import subprocess
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from audioarticles.errors import SynthesisError
from audioarticles.tools import DETACHED, check_not_killed, feed_ffmpeg, ffmpeg_exe

#: the peak limiter works on samples; resampling and MP3 coding add inter-sample overshoot,
#: so the sample ceiling sits this far below the true-peak target
TRUE_PEAK_MARGIN_DB = 1.0
#: below this (ffmpeg's absolute gate) nothing was loud enough to measure
SILENT_LUFS = -70.0
MAX_GAIN_DB = 30.0
#: how far off target the encoded episode may land before it is encoded again
TOLERANCE_LU = 0.4

_INTEGRATED = re.compile(r"^\s*I:\s+(-?[\d.]+|-?inf)\s+LUFS")
_PEAK = re.compile(r"^\s*Peak:\s+(-?[\d.]+|-?inf)\s+dBFS")


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float
    sample_peak_db: float


@dataclass(frozen=True)
class Target:
    """What an episode is levelled to (`[audio]` loudness_lufs, true_peak_db, dual_mono: the
    defaults are the schema's, see assemble.Mastering)."""

    integrated_lufs: float
    true_peak_db: float
    dual_mono: bool

    @property
    def ceiling_db(self) -> float:
        return self.true_peak_db - TRUE_PEAK_MARGIN_DB


def parse_summary(lines: list[str]) -> Loudness:
    """The integrated loudness and peak from ebur128's closing summary."""
    start = max((i for i, line in enumerate(lines) if "Summary:" in line), default=0)
    integrated = peak = None
    for line in lines[start:]:
        if integrated is None and (match := _INTEGRATED.match(line)):
            integrated = float(match.group(1))
        if peak is None and (match := _PEAK.match(line)):
            peak = float(match.group(1))
    if integrated is None:
        raise ValueError("no integrated loudness in ffmpeg's ebur128 summary")
    return Loudness(integrated, peak if peak is not None else 0.0)


def scanner(dual_mono: bool) -> str:
    """The ffmpeg filter that measures (EBU R128 integrated loudness, sample peak)."""
    return f"ebur128=peak=sample:dualmono={'true' if dual_mono else 'false'}"


def measure(chunks: Iterable[bytes], sample_rate: int, dual_mono: bool,
            pre_filter: str = "") -> Loudness:
    """Integrated loudness and sample peak of a mono s16le stream (after `pre_filter`)."""
    chain = f"{pre_filter},{scanner(dual_mono)}" if pre_filter else scanner(dual_mono)
    tail = feed_ffmpeg(["-loglevel", "info", "-f", "s16le", "-ar", str(sample_rate), "-ac", "1",
                        "-i", "pipe:0", "-af", chain, "-f", "null", "-"],
                       chunks, "measure the loudness")
    return parse_summary(tail)


def gain_db(measured: Loudness, target: Target, codec_gain: float = 0.0) -> float:
    """The gain that brings `measured` to the target once the encoder's own gain is added."""
    if measured.integrated_lufs <= SILENT_LUFS or math.isinf(measured.integrated_lufs):
        return 0.0
    gain = target.integrated_lufs - measured.integrated_lufs - codec_gain
    return max(-MAX_GAIN_DB, min(MAX_GAIN_DB, gain))


def _rms(pcm: bytes) -> float:
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    return math.sqrt(sum(x * x for x in samples) / len(samples)) if samples else 0.0


@functools.lru_cache(maxsize=8)
def codec_gain_db(encode_args: tuple[str, ...], sample_rate: int) -> float:
    """How much louder (negative: quieter) the MP3 plays than the PCM it was made from.

    LAME's output is about 0.45 dB quieter than its input whatever the frequency; measured
    once per run on a tone (1 kHz at 44.1 kHz) through the very encoder settings used for
    the episode.
    `encode_args` are the encoder's output options (after the input), ending before the file.
    """
    period = array("h", (round(3000 * math.sin(2 * math.pi * i / 44)) for i in range(44)))
    tone = (period * (sample_rate // 2 // 44)).tobytes()  # 0.5 s of a sine, 44 samples a period
    encoder = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "s16le", "-ar",
               str(sample_rate), "-ac", "1", "-i", "pipe:0", *encode_args, "pipe:1"]
    mp3 = subprocess.run(encoder, input=tone, capture_output=True, check=False, **DETACHED)
    decoder = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", "pipe:0",
               "-f", "s16le", "-ac", "1", "-ar", str(sample_rate), "pipe:1"]
    decoded = subprocess.run(decoder, input=mp3.stdout, capture_output=True, check=False,
                             **DETACHED)
    for step, proc in (("encode", mp3), ("decode", decoded)):
        log = proc.stderr.decode("utf-8", "replace").splitlines()
        check_not_killed(proc.returncode, f"{step} a test tone", log)
    if mp3.returncode or decoded.returncode or not decoded.stdout:
        message = (mp3.stderr or decoded.stderr).decode("utf-8", "replace").strip()
        raise SynthesisError(f"ffmpeg cannot encode MP3 with these settings: {message[-300:]}")
    edge = 2 * 44 * (sample_rate // 10 // 44)  # whole periods in 0.1 s: skip the encoder's edges
    middle = decoded.stdout[edge: -edge]
    reference = tone[edge: edge + len(middle)]
    return 20 * math.log10(_rms(middle) / _rms(reference))


def miss_lu(encoded: Loudness, target: Target, codec_gain: float = 0.0) -> float:
    """How far below the target (LU; negative: above) the episode plays, given what was
    measured going into the encoder; 0 when there was nothing loud enough to measure."""
    if encoded.integrated_lufs <= SILENT_LUFS or math.isinf(encoded.integrated_lufs):
        return 0.0
    return target.integrated_lufs - (encoded.integrated_lufs + codec_gain)


def master_filter(gain: float, target: Target) -> str:
    """The ffmpeg filter that applies the gain, then holds sample peaks under the ceiling."""
    limit = 10 ** (target.ceiling_db / 20)
    return (f"volume={gain:.2f}dB,"
            f"alimiter=limit={limit:.4f}:attack=5:release=50:level=false:latency=true")
