"""Finding the external programs the product uses (ffmpeg), preferring the wheel-shipped ones."""

from __future__ import annotations

import collections
import functools
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable

from audioarticles.errors import EngineUnavailable, SynthesisError


@functools.cache
def ffmpeg_exe() -> str:
    """ffmpeg from $AUDIOARTICLES_FFMPEG, else imageio-ffmpeg's bundled binary, else the system's."""
    explicit = os.environ.get("AUDIOARTICLES_FFMPEG")
    if explicit:
        return explicit
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        pass
    found = shutil.which("ffmpeg")
    if found:
        return found
    raise EngineUnavailable("ffmpeg not found; run `pip install imageio-ffmpeg` (or install ffmpeg)")


def decode_to_pcm(data: bytes, sample_rate: int) -> bytes:
    """Decode any audio ffmpeg reads (MP3 from a TTS service) to mono s16le PCM at `sample_rate`."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", "pipe:0",
           "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1", "-ar", str(sample_rate), "pipe:1"]
    proc = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ValueError(f"ffmpeg could not decode the audio: {message[-1] if message else 'no output'}")
    return proc.stdout


def feed_ffmpeg(args: list[str], chunks: Iterable[bytes], what: str, keep_lines: int = 80) -> list[str]:
    """Run ffmpeg with `args`, streaming `chunks` to its stdin; return the last lines it logged.

    stderr is drained by a thread (an analysis filter logs a line per 100 ms of audio) so
    memory stays flat however long the stream. If producing a chunk fails, ffmpeg is stopped
    and the error propagates; if ffmpeg fails, SynthesisError says so with its last words.
    """
    proc = subprocess.Popen([ffmpeg_exe(), "-hide_banner", "-nostats", *args],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tail: collections.deque[str] = collections.deque(maxlen=keep_lines)

    def drain() -> None:
        for line in proc.stderr:
            tail.append(line.decode("utf-8", "replace").rstrip())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        for chunk in chunks:
            proc.stdin.write(chunk)
        proc.stdin.close()
    except BrokenPipeError:
        pass  # ffmpeg stopped reading: its exit status and log say why
    except BaseException:
        proc.kill()
        proc.wait()
        reader.join()
        raise
    status = proc.wait()
    reader.join()
    if status != 0:
        last = next((line for line in reversed(tail) if line.strip()), "no message")
        raise SynthesisError(f"ffmpeg failed to {what}: {last[-300:]}")
    return list(tail)
