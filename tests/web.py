"""A programmable web site on 127.0.0.1 for fetch and sync tests: each path answers what the
test says (a page, a feed, a 404, a PDF, a redirect loop, silence), and every request is kept."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait this long before answering (a server that times out)


Route = Answer | Callable[["Request"], Answer]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    method: str = "GET"
    body: bytes = b""


def page(html: str, charset: str = "utf-8", **headers: str) -> Answer:
    return Answer(200, html.encode(charset), {"Content-Type": f"text/html; charset={charset}",
                                              **headers})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # a client closing a kept-alive connection is normal; printed, it would land in the
        # stderr a CliRunner is capturing at that moment
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


class Site:
    """`with Site({"/a": page("...")}) as site:` then fetch `site.url("/a")`."""

    def __init__(self, routes: dict[str, Route] | None = None):
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[Request] = []
        self._stop = threading.Event()
        handler = type("Handler", (_Handler,), {"site": self})
        self.server = _Server(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()  # wake handlers still sleeping in a delay
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class _Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.do_GET(method="POST", body=self.rfile.read(length))

    def do_GET(self, method: str = "GET", body: bytes = b"") -> None:
        request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, method,
                          body)
        self.site.requests.append(request)
        route = self.site.routes.get(self.path.split("?")[0])
        answer = route(request) if callable(route) else route
        if answer is None:
            answer = Answer(404, b"<h1>Not Found</h1>", {"Content-Type": "text/html"})
        if answer.delay_s:
            deadline = time.monotonic() + answer.delay_s
            while time.monotonic() < deadline and not self.site._stop.is_set():
                time.sleep(0.05)
        try:
            self.send_response(answer.status)
            for key, value in answer.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class Drip:
    """A hostile server on 127.0.0.1: it announces a large body, then sends it 2 bytes a
    second, for as long as the client listens. `started` is set once a body is dripping."""

    def __init__(self, content_length: int = 1_000_000, content_type: str = "text/html"):
        import socket

        self.head = (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n"
                     f"Content-Length: {content_length}\r\n\r\n<html><body><p>").encode()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.started = threading.Event()
        self.closed = threading.Event()  # the client went away
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        self.listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._drip, args=(client,), daemon=True).start()

    def _drip(self, client) -> None:
        with client:
            try:
                client.recv(65536)
                client.sendall(self.head)
                self.started.set()
                while not self._stop.wait(0.5):
                    client.sendall(b"a")
            except OSError:
                self.closed.set()

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.thread.join(5)
        self.listener.close()
