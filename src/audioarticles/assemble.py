"""Join segment audio with pauses into one stream, encode it to MP3, and record the timeline."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from audioarticles.errors import SynthesisError
from audioarticles.model import Audio, Segment, TimelineEntry
from audioarticles.tools import ffmpeg_exe


@dataclass
class Assembly:
    timeline: list[TimelineEntry]
    duration_s: float


def encode_stream(chunks, sample_rate: int, out_path: Path, bitrate: str = "64k",
                  out_rate: int = 44100) -> None:
    """Stream PCM chunks into ffmpeg's MP3 encoder (mono CBR with a Xing/Info header)."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
           "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
           "-ac", "1", "-ar", str(out_rate), "-codec:a", "libmp3lame", "-b:a", bitrate,
           "-write_xing", "1", "-id3v2_version", "0", "-f", "mp3", str(out_path)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for chunk in chunks:
            proc.stdin.write(chunk)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    stderr = proc.stderr.read().decode("utf-8", "replace")
    if proc.wait() != 0:
        raise SynthesisError(f"ffmpeg failed to encode the MP3: {stderr.strip()[-300:]}")


def assemble(segments: list[Segment], audios: list[Audio], out_path: Path, pause_ms: int = 400,
             bitrate: str = "64k", out_rate: int = 44100) -> Assembly:
    if not audios:
        raise SynthesisError("nothing to assemble: no segment produced audio")
    rate = audios[0].sample_rate
    if any(a.sample_rate != rate for a in audios):
        raise SynthesisError("segments have different sample rates; one episode uses one engine")
    pause = b"\x00\x00" * int(rate * pause_ms / 1000)
    timeline: list[TimelineEntry] = []
    position = 0  # in samples

    def chunks():
        nonlocal position
        for i, (seg, audio) in enumerate(zip(segments, audios)):
            if i:
                yield pause
                position += len(pause) // 2
            start = position
            yield audio.pcm
            position += audio.samples
            timeline.append(TimelineEntry(kind=seg.block_kind, start_ms=start * 1000 / rate,
                                          end_ms=position * 1000 / rate, block=seg.block,
                                          segment=seg.position, written=seg.written))

    encode_stream(chunks(), rate, out_path, bitrate, out_rate)
    return Assembly(timeline=timeline, duration_s=position / rate)
