"""Finding the external programs the product uses (ffmpeg), preferring the wheel-shipped ones."""

from __future__ import annotations

import functools
import os
import shutil

from audioarticles.errors import EngineUnavailable


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
    import subprocess

    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", "pipe:0",
           "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1", "-ar", str(sample_rate), "pipe:1"]
    proc = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ValueError(f"ffmpeg could not decode the audio: {message[-1] if message else 'no output'}")
    return proc.stdout
