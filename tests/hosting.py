"""Small static web hosts on 127.0.0.1 for doctor tests: one configured right, and the usual
ways a real host gets it wrong (MIME types, no byte ranges, no CORS, a lying Content-Length,
missing files)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import unquote, urlsplit

RIGHT_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".html": "text/html; charset=utf-8",
}
CORS_SUFFIXES = (".vtt", ".srt", ".json")


@dataclass
class HostConfig:
    """How the host behaves; the defaults are a correctly configured host."""

    types: dict[str, str] = field(default_factory=lambda: dict(RIGHT_TYPES))
    ranges: bool = True  # False: ignore Range and send the whole file with 200
    cors: bool = True
    content_length_error: int = 0  # bytes added to the Content-Length of whole MP3 responses
    missing: set[str] = field(default_factory=set)  # URL paths answering 404


class StaticHost:
    """Serves `root` on 127.0.0.1 (a free port) in a thread, as `with StaticHost(...) as host`."""

    def __init__(self, root: Path, config: HostConfig | None = None):
        self.root = root
        self.config = config or HostConfig()
        self.requests: list[tuple[str, str, str]] = []  # (method, path, Range header)
        handler = type("Handler", (_Handler,), {"host": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class _Handler(BaseHTTPRequestHandler):
    host: StaticHost

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _answer(self, send_body: bool) -> None:
        config = self.host.config
        path = unquote(urlsplit(self.path).path)
        self.host.requests.append((self.command, path, self.headers.get("Range", "")))
        target = (self.host.root / path.lstrip("/")).resolve()
        if path in config.missing or ".." in path or not target.is_file():
            self._send(404, {"Content-Type": "text/html"}, b"<h1>404 Not Found</h1>", send_body)
            return
        data = target.read_bytes()
        suffix = target.suffix.lower()
        headers = {"Content-Type": config.types.get(suffix, "application/octet-stream")}
        if config.cors and suffix in CORS_SUFFIXES:
            headers["Access-Control-Allow-Origin"] = "*"
        if config.ranges:
            headers["Accept-Ranges"] = "bytes"
        wanted = self.headers.get("Range")
        if config.ranges and wanted:
            match = _RANGE.match(wanted.strip())
            first, last = _byte_span(match, len(data)) if match else (None, None)
            if first is None:
                self._send(416, {"Content-Range": f"bytes */{len(data)}"}, b"", send_body)
                return
            headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
            self._send(206, headers, data[first:last + 1], send_body)
            return
        length = len(data) + (config.content_length_error if suffix == ".mp3" else 0)
        self._send(200, headers, data, send_body, length)

    def _send(self, status: int, headers: dict[str, str], body: bytes, send_body: bool,
              length: int | None = None) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def _byte_span(match: re.Match, size: int) -> tuple[int | None, int | None]:
    """(first, last) for `bytes=a-b`, `bytes=a-` or `bytes=-n`; (None, None) if unsatisfiable."""
    start, end = match.groups()
    if not start and not end:
        return None, None
    if not start:
        first, last = max(0, size - int(end)), size - 1
    else:
        first = int(start)
        last = min(int(end), size - 1) if end else size - 1
    if first >= size or first > last:
        return None, None
    return first, last
