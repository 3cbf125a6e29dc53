"""Finding the external programs the product uses (ffmpeg), preferring the wheel-shipped ones."""

from __future__ import annotations

import collections
import contextlib
import errno
import functools
import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterable, Iterator

from audioarticles.errors import ChildStopped, EngineUnavailable, SynthesisError

#: Every program we start runs in its own session: a Ctrl-C typed in the terminal goes to the
#: whole foreground process group, and a child killed by it would look like a failed voice
#: (fallback, degraded, held). Only the run hears the terminal; it decides how to stop.
DETACHED = {"start_new_session": True}
#: What a terminal sends to its foreground process group (Ctrl-C, Ctrl-\\, Ctrl-Z).
TERMINAL_SIGNALS = frozenset({signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP})


@contextlib.contextmanager
def terminal_signals_held() -> Iterator[None]:
    """Processes started in this block by this thread begin with the terminal's signals
    blocked, for programs we cannot start in their own session (a library's, Python's
    process pools): one typed meanwhile waits until the child has left the terminal's session,
    or is never delivered. Python's own resource tracker is started the same way."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, TERMINAL_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def check_not_killed(status: int, what: str, log: Iterable[str] = (),
                     program: str = "ffmpeg") -> None:
    """ChildStopped when a child's exit `status` says a signal killed it, or its `log` says it
    stopped on one (ffmpeg catches SIGTERM/SIGINT, ends its file and exits 255)."""
    number = -status if status < 0 else 0
    if status >= 0:  # also 0: a file ended early by a signal must not pass for finished
        for line in log:
            caught = _CAUGHT_SIGNAL.search(line)
            number = int(caught[1]) if caught else number
    if number:
        name = signal.Signals(number).name if number in signal.valid_signals() else number
        raise ChildStopped(f"{program} was stopped by {name} while it tried to {what}")


_CAUGHT_SIGNAL = re.compile(r"received signal (\d+)")


@functools.cache
def ffmpeg_exe() -> str:
    """ffmpeg from $AUDIOARTICLES_FFMPEG, else imageio-ffmpeg's bundled binary, else the system's."""
    explicit = os.environ.get("AUDIOARTICLES_FFMPEG")
    if explicit:
        return explicit
    try:
        import imageio_ffmpeg

        # it runs `ffmpeg -version` to check its binary: a Ctrl-C killing that check made the
        # run switch to another ffmpeg (other encoder, other audio) without a word
        with terminal_signals_held():
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
    proc = subprocess.run(cmd, input=data, capture_output=True, check=False, **DETACHED)
    message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    check_not_killed(proc.returncode, "decode the audio", message)
    if proc.returncode != 0:
        raise ValueError(f"ffmpeg could not decode the audio: {message[-1] if message else 'no output'}")
    return proc.stdout


def feed_ffmpeg(args: list[str], chunks: Iterable[bytes], what: str, keep_lines: int = 80) -> list[str]:
    """Run ffmpeg with `args`, streaming `chunks` to its stdin; return the last lines it logged.

    stderr is drained by a thread (an analysis filter logs a line per 100 ms of audio) so
    memory stays flat however long the stream. If producing a chunk fails, ffmpeg is stopped
    and the error propagates; if ffmpeg fails, SynthesisError says so with its last words.
    """
    proc = subprocess.Popen([ffmpeg_exe(), "-hide_banner", "-nostats", *args],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            **DETACHED)
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
    check_not_killed(status, what, tail)
    if status != 0:
        for code in (errno.ENOSPC, errno.EROFS, errno.EACCES):  # the disk refused its output
            if any(os.strerror(code) in line for line in tail):
                raise OSError(code, os.strerror(code))
        last = next((line for line in reversed(tail) if line.strip()), "no message")
        raise SynthesisError(f"ffmpeg failed to {what}: {last[-300:]}")
    return list(tail)
