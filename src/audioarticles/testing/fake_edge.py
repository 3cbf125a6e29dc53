"""A local stand-in for the Edge read-aloud websocket service, for tests and benchmarks.

It is a real websocket server on 127.0.0.1 (aiohttp, which edge-tts also uses) at the service's
path, speaking its wire format, so edge-tts's own protocol code runs against it: the client
sends a `speech.config` text message and an `ssml` one (the SSML is parsed as XML, so a badly
escaped text is refused here as by the service); the fake answers `turn.start`, one
`audio.metadata` message per word (a `WordBoundary` with offset and duration in 100 ns ticks),
binary `audio` messages (2-byte header length, headers, MP3 frames of 24 kHz 48 kb/s mono),
an empty audio message and `turn.end`. The audio is shaped like speech (tone for words,
silence between them; `fake_gtts`'s frames), so word boundaries can be checked in the PCM.

Faults are injected per connection (in order) or for every connection: an HTTP status on the
handshake ("403" refused, "429" throttled with Retry-After, "503"), "drop" (the connection is
cut after half the audio), "hang" (no answer for `seconds`), "no_audio" (turn.end without
audio, as for an unknown voice).

    with FakeEdge(latency=0.15) as fake:
        os.environ["AUDIOARTICLES_EDGE_URL"] = fake.url
        fake.inject(Fault("429", retry_after="1"), Fault("drop"))

Run it alone: `python -m audioarticles.testing.fake_edge --port 8766 --latency 0.15`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from audioarticles.testing.fake_gtts import (FRAME_S, FaultInjection, _frame_bank, mp3_frames,
                                            speech_mp3, spoken_words)

PATH = "/consumer/speech/synthesize/readaloud/edge/v1"
TRUSTED_CLIENT_TOKEN = "6A5AA1D4EAFF4E9FB37E23D68491D6F4"
BITRATE = "48k"  # audio-24khz-48kbitrate-mono-mp3
TICKS_PER_SECOND = 10_000_000
FRAMES_PER_MESSAGE = 8
FAULT_KINDS = ("403", "429", "500", "503", "drop", "hang", "no_audio")
#: the voices the fake speaks (another name gets a turn without audio, as from the service)
VOICES = frozenset({"fr-FR-DeniseNeural", "fr-FR-HenriNeural", "fr-FR-VivienneMultilingualNeural",
                    "fr-FR-RemyMultilingualNeural", "fr-CA-SylvieNeural", "fr-CA-AntoineNeural",
                    "fr-BE-CharlineNeural", "fr-BE-GerardNeural", "fr-CH-ArianeNeural",
                    "fr-CH-FabriceNeural", "en-US-EmmaMultilingualNeural"})
_LONG_NAME = re.compile(r"^Microsoft Server Speech Text to Speech Voice \((.+), (.+)\)$")
_SSML_NS = "{http://www.w3.org/2001/10/synthesis}"


@dataclass(frozen=True)
class Fault:
    """What the fake does instead of answering normally (see the module docstring)."""

    kind: str
    retry_after: str | None = None
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; one of {FAULT_KINDS}")


@dataclass
class Received:
    """One synthesis request as the fake saw it (the text as the SSML says it, unescaped)."""

    text: str
    voice: str
    rate: str
    pitch: str
    fault: str
    started: float
    ended: float = 0.0
    word_boundaries: bool = False
    request_id: str = ""


@dataclass
class _State:
    latency: float
    queue: deque = field(default_factory=deque)
    always: Fault | None = None
    received: list[Received] = field(default_factory=list)
    handshakes: int = 0
    refused: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def text_message(request_id: str, path: str, body: str,
                 content_type: str = "application/json; charset=utf-8") -> str:
    return (f"X-RequestId:{request_id}\r\nContent-Type:{content_type}\r\nPath:{path}\r\n\r\n"
            f"{body}")


def audio_message(request_id: str, data: bytes) -> bytes:
    """A binary message: the headers' length (2 bytes, big-endian), the headers, the audio
    (the final message of a turn has no Content-Type and no audio)."""
    content = "Content-Type:audio/mpeg\r\n" if data else ""
    headers = f"X-RequestId:{request_id}\r\n{content}Path:audio\r\n".encode()
    return len(headers).to_bytes(2, "big") + headers + data


def parse_message(message: str) -> tuple[dict[str, str], str]:
    head, _, body = message.partition("\r\n\r\n")
    headers = dict(line.split(":", 1) for line in head.split("\r\n") if ":" in line)
    return headers, body


def parse_ssml(ssml: str) -> tuple[str, str, str, str]:
    """(text, voice, rate, pitch) of edge-tts's SSML; ValueError when it is not valid XML."""
    try:
        root = ET.fromstring(ssml)
    except ET.ParseError as exc:
        raise ValueError(f"SSML is not well-formed: {exc}") from exc
    voice = root.find(f"{_SSML_NS}voice")
    prosody = voice.find(f"{_SSML_NS}prosody") if voice is not None else None
    if voice is None or prosody is None:
        raise ValueError("SSML without <voice><prosody>")
    name = voice.get("name", "")
    long_name = _LONG_NAME.match(name)
    if long_name:  # what edge-tts sends, as Edge does: "... Voice (fr-FR, DeniseNeural)"
        name = f"{long_name.group(1)}-{long_name.group(2)}"
    return "".join(prosody.itertext()), name, prosody.get("rate", ""), prosody.get("pitch", "")


def boundaries(text: str) -> list[dict]:
    """The WordBoundary metadata for the fake's audio of `text`."""
    tick = FRAME_S * TICKS_PER_SECOND
    return [{"Type": "WordBoundary",
             "Data": {"Offset": round(first * tick), "Duration": round(frames * tick),
                      "text": {"Text": escape(word.strip(".,;:!?«»\"“”()…")),
                               "Length": len(word), "BoundaryType": "WordBoundary"}}}
            for first, frames, word in spoken_words(text)]


class FakeEdge(FaultInjection):
    """The fake service on 127.0.0.1, serving from a background thread while in use."""

    fault_class = Fault

    def __init__(self, latency: float = 0.0, port: int = 0):
        self.state = _State(latency=latency)
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner = None
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._port}"

    def reset(self) -> None:
        with self.state.lock:
            self.state.queue.clear()
            self.state.always = None
            self.state.received.clear()
            self.state.handshakes = self.state.refused = 0
            self.state.max_in_flight = self.state.in_flight

    @property
    def received(self) -> list[Received]:
        with self.state.lock:
            return list(self.state.received)

    @property
    def max_in_flight(self) -> int:
        return self.state.max_in_flight

    # ---- the server -------------------------------------------------------------------------

    async def _handle(self, request):
        from aiohttp import web

        state = self.state
        started = time.monotonic()
        query = request.query
        if query.get("TrustedClientToken") != TRUSTED_CLIENT_TOKEN or not all(
                query.get(key) for key in ("ConnectionId", "Sec-MS-GEC", "Sec-MS-GEC-Version")):
            return web.Response(status=400, text="missing token")
        with state.lock:
            state.handshakes += 1
            fault = state.queue.popleft() if state.queue else state.always
        kind = fault.kind if fault else ""
        if kind == "hang":
            await asyncio.sleep(fault.seconds)
        if kind.isdigit():
            with state.lock:
                state.refused += 1
            await self._wait(started)
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return web.Response(status=int(kind), text=f"fake Edge error {kind}", headers=headers)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        record: Received | None = None
        try:
            config_headers, config = parse_message(await ws.receive_str())
            word_boundaries = json.loads(config)["context"]["synthesis"]["audio"][
                "metadataoptions"]["wordBoundaryEnabled"] == "true"
            headers, ssml = parse_message(await ws.receive_str())
            if config_headers.get("Path") != "speech.config" or headers.get("Path") != "ssml":
                await ws.close(code=1002, message=b"expected speech.config then ssml")
                return ws
            request_id = headers.get("X-RequestId", uuid.uuid4().hex)
            try:
                text, voice, rate, pitch = parse_ssml(ssml)
            except ValueError as exc:
                await ws.close(code=1007, message=str(exc).encode()[:120])
                return ws
            record = Received(text, voice, rate, pitch, kind, started,
                              word_boundaries=word_boundaries, request_id=request_id)
            with state.lock:
                state.received.append(record)
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            await self._answer(ws, request, request_id, text, voice, kind, word_boundaries,
                               started)
        finally:
            if record is not None:
                with state.lock:
                    state.in_flight -= 1
                record.ended = time.monotonic()
        return ws

    async def _answer(self, ws, request, request_id: str, text: str, voice: str, kind: str,
                      word_boundaries: bool, started: float) -> None:
        await ws.send_str(text_message(request_id, "turn.start",
                                       '{"context":{"serviceTag":"fake"}}'))
        frames = [] if kind == "no_audio" or voice not in VOICES else \
            mp3_frames(speech_mp3(text, bitrate=BITRATE))
        await self._wait(started)
        if word_boundaries and frames:
            for boundary in boundaries(text):
                await ws.send_str(text_message(request_id, "audio.metadata",
                                               json.dumps({"Metadata": [boundary]})))
        cut = len(frames) // 2 if kind == "drop" else len(frames)
        for at in range(0, cut, FRAMES_PER_MESSAGE):
            await ws.send_bytes(audio_message(request_id,
                                              b"".join(frames[at:min(at + FRAMES_PER_MESSAGE, cut)])))
        if kind == "drop":
            request.transport.abort()  # the connection is cut: no close frame, no turn.end
            return
        await ws.send_bytes(audio_message(request_id, b""))
        await ws.send_str(text_message(request_id, "turn.end", "{}"))
        await ws.close()

    async def _wait(self, started: float) -> None:
        remaining = self.state.latency - (time.monotonic() - started)
        if remaining > 0:
            await asyncio.sleep(remaining)

    def _serve(self) -> None:
        from aiohttp import web

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        app = web.Application()
        app.router.add_get(PATH, self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        loop.run_until_complete(site.start())
        self._port = site._server.sockets[0].getsockname()[1]
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(self._runner.cleanup())
        loop.close()

    def start(self) -> FakeEdge:
        _frame_bank(BITRATE)  # made once, before the first request, so no answer pays for it
        self._thread = threading.Thread(target=self._serve, name="fake-edge", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake Edge service did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeEdge:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m audioarticles.testing.fake_edge",
                                     description="Serve a fake Edge read-aloud service.")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--fail", choices=FAULT_KINDS, help="answer every request with this fault")
    args = parser.parse_args(argv)
    fake = FakeEdge(latency=args.latency, port=args.port)
    if args.fail:
        fake.fail_always(args.fail)
    fake.start()
    print(f"fake Edge service at {fake.url} (set AUDIOARTICLES_EDGE_URL={fake.url})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
