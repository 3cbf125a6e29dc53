"""Offline French voice: libespeak-ng (shipped by the espeakng-loader wheel) in worker processes.

The library keeps global state and is not thread-safe, so it never runs in the parent
process: each worker process loads it once and speaks one text at a time.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ClassVar

from pydantic import Field

from audioarticles.engines.base import Engine
from audioarticles.errors import ChildStopped, SynthesisError
from audioarticles.model import Audio
from audioarticles.tools import TERMINAL_SIGNALS, terminal_signals_held
from audioarticles.validation import Section
from audioarticles.voices import Voice

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_ESPEAK_CHARS_UTF8 = 1
_ESPEAK_RATE = 1
_ESPEAK_PITCH = 3

_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _Library:
    """The loaded libespeak-ng of this process (one per worker)."""

    def __init__(self) -> None:
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        data_path = espeakng_loader.get_data_path().encode()
        self.sample_rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, 0)
        if self.sample_rate <= 0:
            raise SynthesisError(f"espeak-ng failed to initialise with data at {data_path.decode()}")
        self._buffer = bytearray()
        self._callback = _SYNTH_CALLBACK(self._collect)
        self.lib.espeak_SetSynthCallback(self._callback)
        self._settings: tuple | None = None

    def _collect(self, wav, count, events) -> int:
        if count > 0:
            self._buffer.extend(ctypes.string_at(wav, count * 2))
        return 0

    def speak(self, text: str, voice_name: str, rate: int, pitch: int) -> bytes:
        settings = (voice_name, rate, pitch)
        if settings != self._settings:
            if self.lib.espeak_SetVoiceByName(voice_name.encode()) != 0:
                raise SynthesisError(f"espeak-ng has no voice '{voice_name}'; use e.g. voice = \"fr\"")
            self.lib.espeak_SetParameter(_ESPEAK_RATE, rate, 0)
            self.lib.espeak_SetParameter(_ESPEAK_PITCH, pitch, 0)
            self._settings = settings
        self._buffer = bytearray()
        data = text.encode("utf-8")
        status = self.lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, _ESPEAK_CHARS_UTF8, None, None)
        if status != 0:
            raise SynthesisError(f"espeak-ng failed (status {status}) on: {text[:60]!r}")
        return bytes(self._buffer)


_worker_library: _Library | None = None


def _worker_init(parent_pid: int) -> None:
    # Ctrl-C goes to the terminal's whole process group: a worker killed by it would look like
    # a failed voice. Leave the session (no terminal signal ever reaches it again), drop what
    # arrived while starting, and let the parent decide how to stop.
    with contextlib.suppress(OSError):
        os.setsid()
    for signum in TERMINAL_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, TERMINAL_SIGNALS)
    # a parent killed with -9 cannot shut the pool down: leave when it is gone
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()


def _exit_with_parent(parent_pid: int, every_s: float = 1.0) -> None:
    while os.getppid() == parent_pid:
        time.sleep(every_s)
    os._exit(1)


def _worker_speak(text: str, voice_name: str, rate: int, pitch: int) -> tuple[bytes, int]:
    global _worker_library
    if _worker_library is None:
        _worker_library = _Library()
    return _worker_library.speak(text, voice_name, rate, pitch), _worker_library.sample_rate


class EspeakSettings(Section):
    """The `[espeak]` section of audioarticles.toml."""

    workers: int | None = Field(None, ge=1, le=64, description="worker processes; default: "
                                "one per article converted at once (--jobs)")


class EspeakOptions(Section):
    """A voice profile's `[options]` for espeak."""

    voice: str = Field("fr", min_length=1, description="espeak-ng voice name (fr = fr-fr)")
    rate: int = Field(165, ge=80, le=450, description="words per minute")
    pitch: int = Field(50, ge=0, le=99)


class EspeakEngine(Engine):
    NAME: ClassVar[str] = "espeak"
    DISPLAY_NAME: ClassVar[str] = "eSpeak NG"
    Settings = EspeakSettings
    VoiceOptions = EspeakOptions
    max_chars: ClassVar[int] = 1000

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or max(1, min(4, os.cpu_count() or 1))
        self._pool: ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()  # a batch's article threads share one pool

    @classmethod
    def available(cls) -> tuple[bool, str]:
        try:
            import espeakng_loader

            path = espeakng_loader.get_library_path()
        except ImportError:
            return False, "the espeakng-loader package is missing; run `pip install espeakng-loader`"
        if not os.path.exists(path):
            return False, f"libespeak-ng not found at {path}; reinstall with `pip install --force-reinstall espeakng-loader`"
        return True, ""

    @classmethod
    def _settings(cls, voice: Voice) -> tuple[str, int, int]:
        options = cls.options(voice)
        return options.voice, options.rate, options.pitch

    def cache_identity(self, voice: Voice) -> str:
        from importlib.metadata import version

        name, rate, pitch = self._settings(voice)
        return f"espeak/{version('espeakng-loader')}/{name}/r{rate}/p{pitch}"

    def set_parallelism(self, jobs: int) -> None:
        # one worker per article in flight: `--jobs 1` is one process, `--jobs N` keeps N busy
        if self._pool is None:
            self.workers = max(1, jobs)

    def _executor(self) -> ProcessPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_init, initargs=(os.getpid(),),
                )
            return self._pool

    def synthesize(self, text: str, voice: Voice) -> Audio:
        return self.synthesize_many([text], voice)[0]

    def synthesize_many(self, texts: list[str], voice: Voice) -> list[Audio]:
        return list(self.synthesize_stream(texts, voice))

    def synthesize_stream(self, texts: list[str], voice: Voice) -> Iterator[Audio]:
        name, rate, pitch = self._settings(voice)
        pool = self._executor()
        with terminal_signals_held():  # submitting starts the worker processes on demand
            futures = [pool.submit(_worker_speak, text, name, rate, pitch) for text in texts]
        try:
            for text, future in zip(texts, futures):
                pcm, sample_rate = self.result_of(pool, future, "an espeak-ng worker process")
                if not pcm:
                    raise SynthesisError(f"espeak-ng produced no audio for: {text[:60]!r}")
                yield Audio(pcm=pcm, sample_rate=sample_rate)
        finally:
            for future in futures:  # abandoned (an error, or the caller stopped): no more work
                future.cancel()

    def result_of(self, pool: ProcessPoolExecutor, future, who: str):
        """A worker's answer; a worker killed by a signal is ChildStopped, and the next text
        gets fresh workers."""
        try:
            return future.result()
        except BrokenProcessPool as exc:
            self._drop_pool(pool)
            raise ChildStopped(f"{who} was stopped by a signal") from exc

    def _drop_pool(self, broken: ProcessPoolExecutor) -> None:
        with self._pool_lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
