"""Google Translate TTS through the gTTS package (the default `fr` voice). Needs the network.

gTTS builds each request (`_prepare_requests`, `_package_rpc`) and decodes each answer
(`stream()`); we keep both and change what is around them:
- our text goes in: segments are packed into requests of up to 100 characters at the best
  boundary (`packing.py`); gTTS's English pre-processors and its comma tokenizer are off;
- requests of one segment and of different segments run in parallel, under a run-wide
  `RequestLimiter` (cap on requests in flight, rate, shared Retry-After pause);
- one pooled `requests.Session` with connect/read timeouts and TLS verification, retrying 429,
  5xx, timeouts and connection errors with exponential backoff and jitter (honouring
  Retry-After), never other 4xx, failing fast when the host cannot be reached at all;
- an answer without audio is an error, never an empty segment.

`stream()` runs as gTTS wrote it; it only sees, as its `requests` module, one whose
`Session()` is our pooled, retrying session. The endpoint is Google's unless the `[gtts] url`
setting or `AUDIOARTICLES_GTTS_URL` names another base URL (the local fake in tests): the path
and wire format stay the same.
"""

from __future__ import annotations

import binascii
import sys
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field

from audioarticles.engines.base import Engine
from audioarticles.engines.limits import Cancelled as _Cancelled
from audioarticles.engines.limits import (Reachability, RemoteSettings, RequestLimiter,
                                          ServiceUnreachable, backoff_delay, fan_out,
                                          retry_after_seconds)
from audioarticles.engines.packing import Request, pack
from audioarticles.engines.audio_split import split_at_pauses
from audioarticles.errors import EngineUnavailable, SynthesisError
from audioarticles.model import Audio
from audioarticles.tools import decode_to_pcm
from audioarticles.validation import Section
from audioarticles.voices import Voice

SAMPLE_RATE = 24000
URL_ENV = "AUDIOARTICLES_GTTS_URL"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class GttsSettings(RemoteSettings):
    """The `[gtts]` section of audioarticles.toml (all optional)."""

    SECTION: ClassVar[str] = "gtts"
    URL_ENV: ClassVar[str] = URL_ENV
    EXAMPLE_URL: ClassVar[str] = "http://127.0.0.1:8765"

    pack_across_segments: bool = Field(True, description="a request may hold the end of one "
                                       "sentence and the next")


class GttsOptions(Section):
    """A voice profile's `[options]` for gtts."""

    tld: str = Field("com", pattern=r"^[a-z]{2,3}(\.[a-z]{2,3})?$",
                     description="Google's domain for the accent: \"fr\", \"ca\", \"com\"")
    slow: bool = False



def _problem(exc: Exception, read_timeout: float) -> tuple[str, bool]:
    """(short reason, host unreachable?) for a failed send."""
    from audioarticles.httputil import failure

    return failure(exc, read_timeout)


class Transport:
    """Sends prepared requests through one pooled session, with timeouts, retries and the
    run's limiter. `sent` counts every HTTP attempt (retries included)."""

    def __init__(self, settings: GttsSettings, limiter: RequestLimiter):
        import requests
        from requests.adapters import HTTPAdapter

        self.settings = settings
        self.limiter = limiter
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(settings.concurrency, 4),
                              max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.closing = threading.Event()
        self._lock = threading.Lock()
        self.sent = 0

    def route(self, url: str) -> str:
        """gTTS's URL with the configured base (scheme and host), keeping its path."""
        if not self.settings.url:
            return url
        base = urlsplit(self.settings.url)
        original = urlsplit(url)
        path = base.path.rstrip("/") + original.path
        return urlunsplit((base.scheme, base.netloc, path, original.query, ""))

    def send(self, prepared, cancelled: threading.Event | None = None):
        """The answer to `prepared` (2xx, or a 4xx not worth retrying); raises SynthesisError
        once retries are exhausted or the host is unreachable."""
        import requests

        settings = self.settings
        prepared.url = self.route(prepared.url)
        host = urlsplit(prepared.url).netloc
        env = self.session.merge_environment_settings(prepared.url, {}, None, None, None)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            self._check(cancelled)
            response, retry_after = None, None
            with self.limiter.slot():
                with self._lock:
                    self.sent += 1
                try:
                    response = self.session.send(
                        prepared, timeout=(settings.connect_timeout, settings.read_timeout),
                        allow_redirects=True, **env)
                    # read it all now: a connection dropped mid-body is retried too
                    _ = response.content
                    reason, unreachable = "", False
                except (requests.ConnectionError, requests.Timeout,
                        requests.exceptions.ChunkedEncodingError) as exc:
                    response = None
                    reason, unreachable = _problem(exc, settings.read_timeout)
            if response is not None:
                if response.status_code not in RETRY_STATUSES:
                    return response
                reason = f"{response.status_code} {response.reason or ''}".strip()
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                if retry_after is not None and response.status_code in (429, 503):
                    self.limiter.pause(retry_after)
            limit = settings.unreachable_attempts if unreachable else settings.attempts
            delay = max(backoff_delay(attempt, settings.backoff_base, settings.backoff_max),
                        retry_after or 0.0)
            spent = time.monotonic() - started
            if unreachable and attempt >= limit:
                raise ServiceUnreachable(
                    f"cannot reach the TTS service at {host} ({reason}, {attempt} tries)",
                    "check the network or use the offline voice fr-espeak")
            if retry_after is not None and retry_after > settings.retry_budget:
                raise SynthesisError(
                    f"{reason} from the TTS service at {host}, which asks to wait "
                    f"{retry_after:g} s (more than [gtts] retry_budget = "
                    f"{settings.retry_budget:g} s)", "try later or use the offline voice fr-espeak")
            if attempt >= limit or spent + delay > settings.retry_budget:
                raise SynthesisError(
                    f"{reason} from the TTS service at {host}: tried {attempt} times over "
                    f"{spent:.1f} s", "try later, lower [gtts] concurrency/requests_per_second, "
                    "or use the offline voice fr-espeak")
            self._sleep(delay, cancelled)

    def _check(self, cancelled: threading.Event | None) -> None:
        if self.closing.is_set() or (cancelled is not None and cancelled.is_set()):
            raise _Cancelled()

    def _sleep(self, seconds: float, cancelled: threading.Event | None) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._check(cancelled)
            self.closing.wait(min(left, 0.05))
        self._check(cancelled)

    def close(self) -> None:
        self.closing.set()
        self.session.close()


class _SessionView:
    """What gTTS's `with requests.Session() as s: s.send(...)` gets: our pooled session, which
    outlives the `with`, and our retrying send (gTTS's `verify=False` and proxies are ignored:
    TLS is verified and the environment's proxy settings, NO_PROXY included, apply)."""

    def __init__(self, transport: Transport, cancelled: threading.Event | None):
        self.transport = transport
        self.cancelled = cancelled
        self.sends = 0

    def __enter__(self) -> _SessionView:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def send(self, request, **_gtts_options):
        self.sends += 1
        return self.transport.send(request, self.cancelled)


class _RequestsThroughTransport:
    """Stands for the `requests` module inside gTTS's stream(): the real module, except that
    `Session()` is our transport."""

    def __init__(self, transport: Transport, cancelled: threading.Event | None):
        import requests

        self._requests = requests
        self.view = _SessionView(transport, cancelled)

    def __getattr__(self, name: str):
        return getattr(self._requests, name)

    def Session(self) -> _SessionView:  # noqa: N802 (the name gTTS calls)
        return self.view


def _gtts_for(text: str, voice: Voice):
    """A gTTS object for one packed request: our text as is (no pre-processors, no tokenizer:
    the text already fits), the voice's language, accent (tld) and speed."""
    from gtts import gTTS

    options = GttsEngine.options(voice)
    return gTTS(text, lang=voice.language, tld=options.tld, slow=options.slow, lang_check=False,
                pre_processor_funcs=[], tokenizer_func=lambda whole: [whole])


def _stream_through(transport: Transport, cancelled: threading.Event | None):
    """gTTS's own stream() code, seeing our transport as its `requests.Session`."""
    from gtts import gTTS

    original = gTTS.stream
    shim = _RequestsThroughTransport(transport, cancelled)
    namespace = dict(original.__globals__, requests=shim)
    stream = types.FunctionType(original.__code__, namespace, original.__name__,
                                original.__defaults__, original.__closure__)
    return stream, shim.view


def decode_mp3(audio: bytes) -> bytes:
    """Mono s16le PCM at SAMPLE_RATE from the service's MP3: in process with miniaudio (no
    program started for each of an article's many answers), else with ffmpeg. ValueError when
    it is not audio."""
    try:
        import miniaudio
    except ImportError:
        return decode_to_pcm(audio, SAMPLE_RATE)
    try:
        decoded = miniaudio.decode(audio, output_format=miniaudio.SampleFormat.SIGNED16,
                                   nchannels=1, sample_rate=SAMPLE_RATE)
    except miniaudio.DecodeError as exc:
        raise ValueError(f"not MP3: {exc.args[0]}") from exc
    samples = decoded.samples
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


class GttsEngine(Engine):
    NAME: ClassVar[str] = "gtts"
    DISPLAY_NAME: ClassVar[str] = "Google Text-to-Speech"
    Settings = GttsSettings
    VoiceOptions = GttsOptions
    #: segments stay whole sentences; requests of 100 characters are packed from them
    max_chars: ClassVar[int] = 1000

    def __init__(self, limiter: RequestLimiter | None = None, **settings: Any) -> None:
        self.settings = GttsSettings.from_mapping(settings)
        self.limiter = limiter or RequestLimiter(
            self.settings.concurrency, self.settings.requests_per_second, service="gtts",
            hold_s=self.settings.connect_timeout + self.settings.read_timeout)
        self.transport = Transport(self.settings, self.limiter)
        # more workers than requests in flight: decoding an answer overlaps the next requests
        # (the limiter, not the pool, caps what is in flight)
        self._pool = ThreadPoolExecutor(max_workers=2 * self.settings.concurrency,
                                        thread_name_prefix="gtts")
        self._lock = threading.Lock()
        self.reachability = Reachability(self.settings.unreachable_cooldown)
        self.requests_planned = 0
        self.splits_failed = 0

    @classmethod
    def available(cls) -> tuple[bool, str]:
        try:
            import gtts  # noqa: F401
            import requests  # noqa: F401
        except ImportError:
            return False, "the gTTS package is missing; run `pip install gTTS`"
        return True, ""

    def cache_identity(self, voice: Voice) -> str:
        from importlib.metadata import version

        endpoint = f"/{urlsplit(self.settings.url).netloc}" if self.settings.url else ""
        options = self.options(voice)
        return (f"gtts/{version('gTTS')}/{voice.language}/{options.tld}"
                f"/slow={options.slow}/packed{endpoint}")

    @property
    def requests_sent(self) -> int:
        """HTTP requests actually made, retries included."""
        return self.transport.sent

    def synthesize(self, text: str, voice: Voice) -> Audio:
        return self.synthesize_many([text], voice)[0]

    def synthesize_many(self, texts: list[str], voice: Voice) -> list[Audio]:
        self.reachability.check()
        for text in texts:
            if not text.split():
                raise SynthesisError("nothing to say: an empty text reached the gTTS engine")
        limit = self.settings.max_chars
        pieces: dict[int, list[bytes]] = {i: [] for i in range(len(texts))}
        redo: set[int] = set()
        plan = pack(texts, limit, self.settings.pack_across_segments)
        for request, pcm in zip(plan, self._speak(plan, voice)):
            if len(request.pieces) == 1:
                pieces[request.pieces[0].segment].append(pcm)
                continue
            parts = split_at_pauses(pcm, SAMPLE_RATE, request.boundaries())
            if parts is None:
                redo.update(request.segments)
                continue
            for piece, part in zip(request.pieces, parts):
                pieces[piece.segment].append(part)
        if redo:
            # no clear pause where two sentences met: ask for those sentences on their own
            with self._lock:
                self.splits_failed += 1
            order = sorted(redo)
            plan = pack([texts[i] for i in order], limit, across_segments=False)
            for i in order:
                pieces[i] = []
            for request, pcm in zip(plan, self._speak(plan, voice)):
                pieces[order[request.pieces[0].segment]].append(pcm)
        return [Audio(pcm=b"".join(pieces[i]), sample_rate=SAMPLE_RATE) for i in range(len(texts))]

    def _speak(self, plan: list[Request], voice: Voice) -> list[bytes]:
        """PCM for every request of `plan`, fetched in parallel; the first failure cancels the
        rest and is raised."""
        with self._lock:
            self.requests_planned += len(plan)
        try:
            return fan_out(self._pool, lambda request, cancelled: self._speak_one(
                request.text, voice, cancelled), plan, "gTTS")
        except ServiceUnreachable as exc:
            self.reachability.watch(exc)
            raise

    def _speak_one(self, text: str, voice: Voice, cancelled: threading.Event) -> bytes:
        """One request: gTTS builds it and decodes the answer; we send it. Returns PCM."""
        from gtts import gTTSError

        stream, view = _stream_through(self.transport, cancelled)
        try:
            audio = b"".join(stream(_gtts_for(text, voice)))
        except gTTSError as exc:
            raise SynthesisError(f"the TTS service refused: {exc}") from exc
        except (binascii.Error, ValueError) as exc:
            raise SynthesisError(f"the TTS service answered unreadable audio ({exc})") from exc
        if view.sends == 0:
            raise EngineUnavailable("this gTTS version no longer sends through requests.Session; "
                                    "install a supported one: pip install 'gTTS>=2.5,<3'")
        if not audio:
            raise SynthesisError("the TTS service answered without audio (the page it sent has "
                                 f"no speech in it) for: {text[:60]!r}")
        try:
            pcm = decode_mp3(audio)
        except ValueError as exc:
            raise SynthesisError(
                f"the TTS service sent audio that does not decode ({exc})") from exc
        if not pcm:
            raise SynthesisError(f"the TTS service sent empty audio for: {text[:60]!r}")
        return pcm

    def close(self) -> None:
        self.transport.close()
        self._pool.shutdown(wait=True, cancel_futures=True)
