"""Microsoft Edge's read-aloud neural voices through the edge-tts package. Needs the network.

Like gTTS, an unofficial service (no key, no terms): the engine is polite and robust the same
way (`limits.py`): a run-wide cap on requests in flight and on their rate, Retry-After honoured
for the whole run, connect/receive timeouts, retries with backoff and jitter on 429, 5xx,
timeouts and dropped connections, fast failure when the host cannot be reached.

edge-tts's `Communicate` runs as written (websocket handshake, `speech.config` and `ssml`
messages, audio frames, word-boundary metadata); what it is given stays in this engine: the
SSML escaping and the service's per-request length are handled here (requests of at most
`[edge] max_chars` characters, cut at the best boundary by `packing.py`, so edge-tts never has
to cut one itself), and a stream that ends without `turn.end` (a dropped connection) is caught
and retried instead of giving a truncated segment. Each word's offset and duration become
`Word`s in samples of the decoded audio.

The endpoint is the service's unless `[edge] url` or `AUDIOARTICLES_EDGE_URL` names another
base URL (the local fake in tests): only the scheme and host of edge-tts's websocket URL are
replaced, in the namespace its stream code sees; path, query and wire format stay the same.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field

from audioarticles.engines.base import Engine
from audioarticles.engines.gtts import decode_mp3
from audioarticles.engines.limits import (Attempt, Cancelled, Reachability, RemoteSettings,
                                          RequestLimiter, ServiceUnreachable, fan_out,
                                          retry_after_seconds, retrying)
from audioarticles.engines.packing import pack
from audioarticles.errors import SynthesisError, UsageError
from audioarticles.model import Audio, Word
from audioarticles.validation import Section
from audioarticles.voices import Voice

SAMPLE_RATE = 24000
URL_ENV = "AUDIOARTICLES_EDGE_URL"
TICKS_PER_SECOND = 10_000_000
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_VOICE = "fr-FR-DeniseNeural"


class EdgeSettings(RemoteSettings):
    """The `[edge]` section of audioarticles.toml (all optional)."""

    SECTION: ClassVar[str] = "edge"
    URL_ENV: ClassVar[str] = URL_ENV
    EXAMPLE_URL: ClassVar[str] = "ws://127.0.0.1:8766"
    SCHEMES: ClassVar[tuple[str, ...]] = ("ws", "wss")

    requests_per_second: float = Field(10.0, gt=0, le=1000)
    read_timeout: float = Field(30.0, gt=0, le=300, description="a long sentence streams for "
                                                                "a while")
    #: escaped (&amp; is 5 bytes) and in UTF-8, 800 characters stay under the 4096 bytes
    #: edge-tts would otherwise cut at itself
    max_chars: int = Field(800, ge=10, le=800, description="characters per request")


class EdgeOptions(Section):
    """A voice profile's `[options]` for edge."""

    voice: str = Field(DEFAULT_VOICE, min_length=1, description="an Edge neural voice")
    rate: str = Field("+0%", pattern=r"^[+-]\d+%$", description="\"-10%\" slower, \"+10%\" "
                                                                 "faster")
    pitch: str = Field("+0Hz", pattern=r"^[+-]\d+Hz$")
    volume: str = Field("+0%", pattern=r"^[+-]\d+%$")


def voice_options(voice: Voice) -> tuple[str, str, str, str]:
    """(voice name, rate, pitch, volume) of a profile, checked the way edge-tts checks them."""
    from edge_tts.data_classes import TTSConfig

    options = EdgeEngine.options(voice)
    name, rate, pitch, volume = options.voice, options.rate, options.pitch, options.volume
    try:
        TTSConfig(name, rate, volume, pitch, "WordBoundary")
    except (TypeError, ValueError) as exc:
        raise UsageError(f"voice profile {voice.origin or voice.name}: {exc} (e.g. voice = "
                         f"\"{DEFAULT_VOICE}\", rate = \"+0%\", pitch = \"+0Hz\")") from exc
    return name, rate, pitch, volume


def _communicate_class(base_url: str):
    """edge-tts's Communicate, counting the turns it completes (a stream cut before `turn.end`
    ends quietly in edge-tts) and, with `base_url`, connecting there."""
    from edge_tts import communicate as module

    class Counted(module.Communicate):
        turns = 0

        def _Communicate__compensate_offset(self) -> None:  # noqa: N802 (edge-tts's name)
            self.turns += 1
            module.Communicate._Communicate__compensate_offset(self)

    if base_url:
        original = module.Communicate._Communicate__stream
        base, service = urlsplit(base_url), urlsplit(module.WSS_URL)
        routed = urlunsplit((base.scheme, base.netloc, service.path, service.query, ""))
        Counted._Communicate__stream = types.FunctionType(
            original.__code__, dict(original.__globals__, WSS_URL=routed), original.__name__,
            original.__defaults__, original.__closure__)
    return Counted


def _problem(exc: BaseException, settings: EdgeSettings) -> Attempt:
    """How a failed try is handled, from the exception edge-tts or aiohttp raised."""
    import aiohttp
    from edge_tts import exceptions

    if isinstance(exc, aiohttp.WSServerHandshakeError | aiohttp.ClientResponseError):
        status = exc.status
        reason = f"{status} {exc.message or ''}".strip()
        if status not in RETRY_STATUSES:
            return Attempt(reason=f"handshake refused ({reason})", final=True)
        after = retry_after_seconds((exc.headers or {}).get("Retry-After")) \
            if status in (429, 503) else None
        return Attempt(reason=reason, retry_after=after)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return Attempt(reason="connection refused or host not found", unreachable=True)
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return Attempt(reason=f"no answer within {settings.read_timeout:g} s")
    if isinstance(exc, aiohttp.ClientError | exceptions.WebSocketError | ConnectionError):
        return Attempt(reason="connection dropped")
    if isinstance(exc, exceptions.EdgeTTSException):
        return Attempt(reason=f"unexpected answer ({exc})")
    raise exc


class EdgeEngine(Engine):
    NAME: ClassVar[str] = "edge"
    DISPLAY_NAME: ClassVar[str] = "Microsoft Edge TTS"
    Settings = EdgeSettings
    VoiceOptions = EdgeOptions
    #: segments stay whole sentences; requests are cut from them at `[edge] max_chars`
    max_chars: ClassVar[int] = 1000

    def __init__(self, limiter: RequestLimiter | None = None, **settings: Any) -> None:
        self.settings = EdgeSettings.from_mapping(settings)
        self.limiter = limiter or RequestLimiter(
            self.settings.concurrency, self.settings.requests_per_second, service="edge",
            hold_s=self.settings.connect_timeout + self.settings.read_timeout)
        self._communicate = _communicate_class(self.settings.url)
        self._pool = ThreadPoolExecutor(max_workers=2 * self.settings.concurrency,
                                        thread_name_prefix="edge")
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self.reachability = Reachability(self.settings.unreachable_cooldown)
        self.sent = 0  # connections attempted, retries included

    @classmethod
    def available(cls) -> tuple[bool, str]:
        try:
            import aiohttp  # noqa: F401
            import edge_tts  # noqa: F401
        except ImportError:
            return False, "the edge-tts package is missing; run `pip install 'audioarticles[edge]'`"
        return True, ""

    def cache_identity(self, voice: Voice) -> str:
        from importlib.metadata import version

        name, rate, pitch, volume = voice_options(voice)
        endpoint = f"/{urlsplit(self.settings.url).netloc}" if self.settings.url else ""
        return f"edge/{version('edge-tts')}/{name}/r{rate}/p{pitch}/v{volume}/words{endpoint}"

    @property
    def service(self) -> str:
        host = urlsplit(self.settings.url).netloc if self.settings.url else "speech.platform"
        return f"the Edge TTS service at {host}"

    def synthesize(self, text: str, voice: Voice) -> Audio:
        return self.synthesize_many([text], voice)[0]

    def synthesize_many(self, texts: list[str], voice: Voice) -> list[Audio]:
        self.reachability.check()
        options = voice_options(voice)
        for text in texts:
            if not text.split():
                raise SynthesisError("nothing to say: an empty text reached the Edge engine")
        plan = pack(texts, self.settings.max_chars, across_segments=False)
        try:
            audios = fan_out(self._pool, lambda request, cancelled: self._speak(
                request.text, options, cancelled), plan, "Edge")
        except ServiceUnreachable as exc:
            self.reachability.watch(exc)
            raise
        pieces: dict[int, list[Audio]] = {i: [] for i in range(len(texts))}
        for request, audio in zip(plan, audios):
            pieces[request.pieces[0].segment].append(audio)
        return [joined(pieces[i]) for i in range(len(texts))]

    def _speak(self, text: str, options: tuple[str, str, str, str],
               cancelled: threading.Event) -> Audio:
        """One request, retried as the settings say: its audio and word timings."""
        def attempt() -> Attempt:
            with self._lock:
                self.sent += 1
            try:
                return Attempt(result=asyncio.run(self._fetch(text, options)))
            except Exception as exc:  # noqa: BLE001 (sorted by _problem, which re-raises the rest)
                return _problem(exc, self.settings)

        def pause(seconds: float) -> None:
            deadline = time.monotonic() + seconds
            while True:
                if self._closing.is_set() or cancelled.is_set():
                    raise Cancelled()
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._closing.wait(min(left, 0.05))

        mp3, marks = retrying(attempt, self.settings, self.limiter, self.service, pause)
        try:
            pcm = decode_mp3(mp3)
        except ValueError as exc:
            raise SynthesisError(f"{self.service} sent audio that does not decode ({exc})") \
                from exc
        if not pcm:
            raise SynthesisError(f"{self.service} sent empty audio for: {text[:60]!r}")
        total = len(pcm) // 2
        words = []
        for offset, duration, word in marks:
            start = min(total, round(offset * SAMPLE_RATE / TICKS_PER_SECOND))
            end = min(total, round((offset + duration) * SAMPLE_RATE / TICKS_PER_SECOND))
            words.append(Word(start, max(start, end), word))
        return Audio(pcm=pcm, sample_rate=SAMPLE_RATE, words=tuple(words))

    async def _fetch(self, text: str, options: tuple[str, str, str, str]):
        """edge-tts's stream for one request: (MP3 bytes, [(offset, duration, word)])."""
        from edge_tts.exceptions import NoAudioReceived

        name, rate, pitch, volume = options
        communicate = self._communicate(
            text, name, rate=rate, pitch=pitch, volume=volume, boundary="WordBoundary",
            connect_timeout=math.ceil(self.settings.connect_timeout),
            receive_timeout=math.ceil(self.settings.read_timeout))
        audio, marks = bytearray(), []
        try:
            async for chunk in communicate.stream():
                if chunk["type"] == "audio":
                    audio += chunk["data"]
                elif chunk["type"] == "WordBoundary":
                    marks.append((chunk["offset"], chunk["duration"], chunk["text"]))
        except NoAudioReceived:
            if communicate.turns:  # the turn ended normally, without audio
                raise SynthesisError(f"{self.service} sent no audio for voice {name!r}; check "
                                     "the voice name (`edge-tts --list-voices`)") from None
            raise ConnectionError("the stream ended before any audio") from None
        if not communicate.turns:
            raise ConnectionError("the stream ended before turn.end")
        return bytes(audio), marks

    def close(self) -> None:
        self._closing.set()
        self._pool.shutdown(wait=True, cancel_futures=True)


def joined(parts: list[Audio]) -> Audio:
    """One segment's audio from the audio of its requests, word timings shifted to match."""
    if len(parts) == 1:
        return parts[0]
    pcm, words, offset = [], [], 0
    for part in parts:
        pcm.append(part.pcm)
        words.extend(Word(w.start + offset, w.end + offset, w.text) for w in part.words)
        offset += part.samples
    return Audio(pcm=b"".join(pcm), sample_rate=parts[0].sample_rate, words=tuple(words))
