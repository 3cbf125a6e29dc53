"""A local stand-in for Google Translate's TTS endpoint, for tests and benchmarks.

It is a real HTTP server on 127.0.0.1 that answers `POST /_/TranslateWebserverUi/data/batchexecute`
in the batchexecute wire format gTTS parses (`)]}'`, length-prefixed frames, the `jQ1olc` frame
carrying base64 MP3), so gTTS's own request building and response decoding run against it. The
audio is real MP3 (made with ffmpeg): a tone while words are "spoken", short gaps between words,
and pauses after commas and sentence ends, so its length follows the text like speech does.

Faults can be injected per request (in order) or for every request: latency, 429 with
Retry-After, 5xx, 4xx, dropped connections, hanging responses and malformed bodies.

    with FakeGtts(latency=0.15) as fake:
        os.environ["AUDIOARTICLES_GTTS_URL"] = fake.url
        fake.inject(Fault("429", retry_after="1"), Fault("500"))

Run it alone: `python -m audioarticles.testing.fake_gtts --port 8765 --latency 0.15`.
"""

from __future__ import annotations

import argparse
import base64
import functools
import json
import re
import subprocess
import threading
import time
from array import array
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from math import pi, sin
from typing import Any
from urllib.parse import parse_qs

from audioarticles.tools import DETACHED, ffmpeg_exe

PATH = "/_/TranslateWebserverUi/data/batchexecute"
RPC = "jQ1olc"
SAMPLE_RATE = 24000
#: seconds of "speech" per character, gap between words, pauses after punctuation
CHAR_S = 0.06
WORD_GAP_S = 0.04
CLAUSE_PAUSE_S = 0.2
SENTENCE_PAUSE_S = 0.5
LEAD_S, TRAIL_S = 0.05, 0.1
TONE_HZ = 200
FAULT_KINDS = ("429", "500", "502", "503", "400", "403", "drop", "hang", "malformed", "no_audio",
               "corrupt_audio")


@dataclass(frozen=True)
class Fault:
    """What the fake does instead of answering normally.

    kind: an HTTP status ("429", "500", "503", "400", ...); "drop" closes the connection without
    answering; "hang" waits `seconds` before answering normally (past the client's read timeout);
    "malformed" answers 200 with the RPC frame but no audio in it (gTTS raises); "no_audio"
    answers 200 with a page that has no RPC frame at all (gTTS yields nothing);
    "corrupt_audio" answers a well-formed frame whose base64 is not MP3.
    """

    kind: str
    retry_after: str | None = None
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; one of {FAULT_KINDS}")


@dataclass
class Received:
    """One request as the fake saw it."""

    text: str
    lang: str
    slow: bool
    fault: str  # "" when answered normally
    started: float
    ended: float = 0.0
    connection: int = 0


FRAME_SAMPLES = 576  # one MPEG-2 layer III frame
FRAME_S = FRAME_SAMPLES / SAMPLE_RATE
_BITRATES_MPEG2_L3 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)


def _timeline(text: str, slow: bool = False) -> list[tuple[int, bool]]:
    """(frames, sounding) pieces: each word sounds, then a gap or a pause after it."""
    scale = 1.5 if slow else 1.0
    pieces: list[tuple[int, bool]] = [(round(LEAD_S / FRAME_S), False)]
    words = text.split()
    for i, word in enumerate(words):
        letters = sum(1 for c in word if c.isalnum())
        if letters:
            pieces.append((max(1, round(letters * CHAR_S * scale / FRAME_S)), True))
        if i + 1 == len(words):
            break
        if re.search(r"[.!?…][»\"”)]*$", word):
            pause = SENTENCE_PAUSE_S
        elif re.search(r"[,;:][»\"”)]*$", word) or word in (":", ";", "»"):
            pause = CLAUSE_PAUSE_S
        else:
            pause = WORD_GAP_S
        pieces.append((max(1, round(pause * scale / FRAME_S)), False))
    pieces.append((round(TRAIL_S / FRAME_S), False))
    return pieces


def spoken_words(text: str, slow: bool = False) -> list[tuple[int, int, str]]:
    """(first frame, frames, word) of each word the fake's audio for `text` sounds."""
    words = [w for w in text.split() if any(c.isalnum() for c in w)]
    found, frame = [], 0
    for frames, sounding in _timeline(text, slow):
        if sounding:
            found.append((frame, frames, words[len(found)]))
        frame += frames
    return found


def speech_seconds(text: str, slow: bool = False) -> float:
    """How long the fake's audio for `text` lasts, lead-in and tail included."""
    return sum(frames for frames, _ in _timeline(text, slow)) * FRAME_S


def encode_mp3(pcm: bytes, reservoir: bool = True, bitrate: str = "32k") -> bytes:
    """MP3 frames like the service sends (MPEG-2 layer III, 24 kHz mono, 32 kb/s, no tags)."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "s16le", "-ar",
           str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0", "-codec:a", "libmp3lame", "-b:a", bitrate,
           "-reservoir", "1" if reservoir else "0", "-write_xing", "0", "-id3v2_version", "0",
           "-f", "mp3", "pipe:1"]
    return subprocess.run(cmd, input=pcm, capture_output=True, check=True, **DETACHED).stdout


def mp3_frames(data: bytes) -> list[bytes]:
    """Split an MPEG-2 layer III stream into its frames."""
    frames, at = [], 0
    while at + 4 <= len(data):
        header = int.from_bytes(data[at:at + 4], "big")
        if header >> 21 != 0x7FF:
            raise ValueError(f"no MP3 frame header at byte {at}")
        bitrate = _BITRATES_MPEG2_L3[(header >> 12) & 0xF] * 1000
        rate = (22050, 24000, 16000)[(header >> 10) & 0x3]
        length = 72 * bitrate // rate + ((header >> 9) & 1)
        frames.append(data[at:at + length])
        at += length
    return frames


@functools.cache
def _frame_bank(bitrate: str = "32k") -> tuple[tuple[bytes, ...], bytes]:
    """Tone frames and one silent frame, encoded once without the bit reservoir so that any
    sequence of them is a valid MP3 stream; answers are spliced from them (no work per request)."""
    tone = array("h", (int(9000 * sin(2 * pi * TONE_HZ * i / SAMPLE_RATE))
                       for i in range(SAMPLE_RATE * 4)))
    tone_frames = mp3_frames(encode_mp3(tone.tobytes(), reservoir=False, bitrate=bitrate))
    silent_frames = mp3_frames(encode_mp3(bytes(2 * SAMPLE_RATE), reservoir=False,
                                          bitrate=bitrate))
    # skip the encoder's start-up frames; stop before its flush
    return tuple(tone_frames[10:-10]), silent_frames[len(silent_frames) // 2]


def speech_mp3(text: str, pauses: bool = True, slow: bool = False, bitrate: str = "32k") -> bytes:
    """MP3 shaped like speech of `text`: tone for words, silence for gaps and pauses (all tone
    if not `pauses`, as if the voice ran sentences together)."""
    tone, silence = _frame_bank(bitrate)
    out, cursor = [], 0
    for count, sounding in _timeline(text, slow):
        for _ in range(count):
            if sounding or not pauses:
                out.append(tone[cursor % len(tone)])
                cursor += 1
            else:
                out.append(silence)
    return b"".join(out)


def batchexecute_body(payload: str | None) -> bytes:
    """The response wire format: `)]}'`, then length-prefixed JSON frames."""
    rpc_frame = json.dumps([["wrb.fr", RPC, payload, None, None, None if payload else [3],
                             "generic"]], separators=(",", ":"))
    frames = [rpc_frame, '[["di",37],["af.httprm",36,"-668177807451224424",66]]',
              '[["e",4,null,null,%d]]' % (len(rpc_frame) + 100)]
    body = ")]}'\n"
    for frame in frames:
        body += f"\n{len(frame)}\n{frame}"
    return (body + "\n").encode("utf-8")


def parse_request_text(body: str) -> tuple[str, str, bool]:
    """(text, lang, slow) from a gTTS request body `f.req=...`."""
    rpc = json.loads(parse_qs(body)["f.req"][0])
    text, lang, speed, _ = json.loads(rpc[0][0][1])
    return text, lang, bool(speed)


@dataclass
class _State:
    latency: float
    pauses: bool
    queue: deque = field(default_factory=deque)
    always: Fault | None = None
    received: list[Received] = field(default_factory=list)
    connections: int = 0
    in_flight: int = 0  # requests of the current generation (since the last reset) in flight
    max_in_flight: int = 0
    generation: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format, *args) -> None:  # noqa: A002 (quiet)
        pass

    def setup(self) -> None:
        super().setup()
        with self.server.state.lock:
            self.server.state.connections += 1
            self.connection_number = self.server.state.connections

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        state = self.server.state
        started = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
        if self.path.split("?")[0] != PATH:
            self._reply(404, b"not found", "text/plain")
            return
        try:
            text, lang, slow = parse_request_text(body)
        except (KeyError, ValueError, IndexError, TypeError):
            self._reply(400, b"bad f.req", "text/plain")
            return
        with state.lock:
            fault = state.queue.popleft() if state.queue else state.always
            record = Received(text, lang, slow, fault.kind if fault else "", started,
                              connection=self.connection_number)
            state.received.append(record)
            state.in_flight += 1
            state.max_in_flight = max(state.max_in_flight, state.in_flight)
            self._generation = state.generation
        self._record = record
        try:
            self._answer(text, slow, fault, started)
        finally:
            self._finish()

    def _finish(self) -> None:
        """The request stops counting as in flight just before its answer leaves (so a client
        that starts another one on receiving it is never counted twice)."""
        record, self._record = getattr(self, "_record", None), None
        if record is not None:
            with self.server.state.lock:
                if self._generation == self.server.state.generation:
                    self.server.state.in_flight -= 1
                record.ended = time.monotonic()

    def _answer(self, text: str, slow: bool, fault: Fault | None, started: float) -> None:
        state = self.server.state
        kind = fault.kind if fault else ""
        if kind == "hang":
            state.stopping.wait(fault.seconds)
        if kind == "drop":
            self._wait(started)
            self._finish()
            self.close_connection = True
            return
        if kind.isdigit():
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._wait(started)
            self._reply(int(kind), f"fake TTS error {kind}".encode(), "text/html", headers)
            return
        if kind == "no_audio":
            body = b"<html><body>Our systems have detected unusual traffic</body></html>"
        elif kind == "malformed":
            body = batchexecute_body(None)
        elif kind == "corrupt_audio":
            body = batchexecute_body(json.dumps([base64.b64encode(b"\x00garbage" * 64).decode()])
                                     + "\n")
        else:
            mp3 = speech_mp3(text, state.pauses, slow)
            audio = base64.b64encode(mp3).decode("ascii")
            body = batchexecute_body(json.dumps([audio]) + "\n")
        self._wait(started)
        self._reply(200, body, "application/json; charset=utf-8")

    def _wait(self, started: float) -> None:
        """The latency is the whole answer time: work done above counts towards it."""
        remaining = self.server.state.latency - (time.monotonic() - started)
        if remaining > 0:
            self.server.state.stopping.wait(remaining)

    def _reply(self, status: int, body: bytes, content_type: str,
               headers: dict[str, str] | None = None) -> None:
        self._finish()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (read timeout)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: _State


class FaultInjection:
    """What the fake services share: their latency and the faults they answer with. `state`
    has `latency`, `lock`, `queue` and `always`."""

    fault_class: type = Fault
    state: Any

    @property
    def latency(self) -> float:
        return self.state.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.state.latency = seconds

    def inject(self, *faults) -> None:
        """Faults for the next requests, in order (None: answer that one normally)."""
        with self.state.lock:
            for fault in faults:
                self.state.queue.append(self.fault_class(fault) if isinstance(fault, str)
                                        else fault)

    def fail_always(self, fault) -> None:
        """A fault for every request once the injected ones are used (None: heal)."""
        self.state.always = self.fault_class(fault) if isinstance(fault, str) else fault


class FakeGtts(FaultInjection):
    """The fake endpoint on 127.0.0.1, serving from a background thread while in use."""

    def __init__(self, latency: float = 0.0, port: int = 0, pauses: bool = True):
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.state = _State(latency=latency, pauses=pauses)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def state(self) -> _State:
        return self._server.state

    @property
    def pauses(self) -> bool:
        return self.state.pauses

    @pauses.setter
    def pauses(self, value: bool) -> None:
        self.state.pauses = value

    def reset(self) -> None:
        with self.state.lock:
            self.state.queue.clear()
            self.state.always = None
            self.state.received.clear()
            self.state.connections = 0
            self.state.max_in_flight = 0
            self.state.in_flight = 0  # answers still pending from before no longer count
            self.state.generation += 1

    @property
    def received(self) -> list[Received]:
        with self.state.lock:
            return list(self.state.received)

    @property
    def connections(self) -> int:
        return self.state.connections

    @property
    def max_in_flight(self) -> int:
        return self.state.max_in_flight

    def start(self) -> FakeGtts:
        _frame_bank()  # made once, before the first request, so no answer pays for it
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-gtts",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.state.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeGtts:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m audioarticles.testing.fake_gtts",
                                     description="Serve a fake Google Translate TTS endpoint.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--fail", choices=FAULT_KINDS, help="answer every request with this fault")
    args = parser.parse_args(argv)
    fake = FakeGtts(latency=args.latency, port=args.port)
    _frame_bank()
    if args.fail:
        fake.fail_always(args.fail)
    print(f"fake gTTS endpoint at {fake.url} (set AUDIOARTICLES_GTTS_URL={fake.url})", flush=True)
    try:
        fake._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake._server.server_close()


if __name__ == "__main__":
    main()
