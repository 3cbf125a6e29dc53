"""The HTTP/1.1 server under `audioarticles serve`, built so that idle or slow clients cost a
socket, not a thread.

One thread waits on every connection at once (`selectors`) and reads each request up to its
blank line; a fixed pool of worker threads answers complete requests only. A connection that
sends nothing for `idle_timeout_s`, or takes more than `request_timeout_s` to send a request's
head, is closed; past `max_connections` the longest-idle connection makes room. The listen
backlog is the system's usual maximum, not socketserver's 5.
"""

from __future__ import annotations

import contextlib
import errno
import io
import queue
import selectors
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler

MAX_HEAD_BYTES = 64 * 1024  # a request line and headers larger than this are refused
_ENDS = (b"\r\n\r\n", b"\n\n")


def head_end(buffer: bytes | bytearray) -> int:
    """Where the first request's head ends in `buffer` (after its blank line), or -1."""
    found = [buffer.find(end) + len(end) for end in _ENDS if buffer.find(end) >= 0]
    return min(found) if found else -1


class Connection:
    """One client socket, the bytes it sent that no request has used yet, and since when it
    waits (idle, or in the middle of sending a request)."""

    def __init__(self, sock: socket.socket, address):
        self.sock = sock
        self.address = address
        self.buffer = bytearray()
        self.since = time.monotonic()
        self.head = b""  # the request being answered

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class OneRequestHandler(BaseHTTPRequestHandler):
    """A BaseHTTPRequestHandler that answers the one request head the server read already;
    the server keeps the connection for the next one."""

    protocol_version = "HTTP/1.1"
    request: Connection

    def setup(self) -> None:
        self.connection = self.request.sock
        self.rfile = io.BytesIO(self.request.head)
        self.wfile = _Writer(self.connection)

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()
        # a body we did not read would be taken for the next request: close instead
        headers = getattr(self, "headers", None)
        if headers is not None and (headers.get("Content-Length", "0") not in ("", "0")
                                    or headers.get("Transfer-Encoding")):
            self.close_connection = True

    def finish(self) -> None:
        pass  # writes are unbuffered; the server decides what becomes of the socket


class _Writer(io.RawIOBase):
    def __init__(self, sock: socket.socket):
        self._sock = sock

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._sock.sendall(data)
        return len(data)


class BoundedHTTPServer:
    """socketserver's serving interface (`serve_forever`, `shutdown`, `server_close`,
    `server_address`) over a selector thread and `workers` answering threads."""

    def __init__(self, address: tuple[str, int], handler: type[OneRequestHandler], *,
                 workers: int = 8, idle_timeout_s: float = 60.0, request_timeout_s: float = 10.0,
                 send_timeout_s: float = 30.0, max_connections: int = 4096):
        self.RequestHandlerClass = handler
        self.idle_timeout_s = idle_timeout_s
        self.request_timeout_s = request_timeout_s
        self.send_timeout_s = send_timeout_s
        self.max_connections = max_connections
        self.socket = socket.create_server(address, backlog=socket.SOMAXCONN)
        self.socket.setblocking(False)
        self.server_address = self.socket.getsockname()
        self._selector = selectors.DefaultSelector()
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self._returned: queue.SimpleQueue[Connection] = queue.SimpleQueue()
        self._waiting: dict[int, Connection] = {}  # by fd; insertion order = longest waiting
        self._busy = 0
        self._jobs: queue.SimpleQueue[Connection | None] = queue.SimpleQueue()
        self._stop = False
        self._stopped = threading.Event()
        self._stopped.set()
        self._paused_until = 0.0
        self._workers = [threading.Thread(target=self._work, name=f"serve-{n}", daemon=True)
                         for n in range(workers)]
        for thread in self._workers:
            thread.start()

    # the selector thread

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._stopped.clear()
        selector = self._selector
        selector.register(self.socket, selectors.EVENT_READ, "accept")
        selector.register(self._wake_read, selectors.EVENT_READ, "wake")
        next_sweep = time.monotonic()
        try:
            while not self._stop:
                now = time.monotonic()
                if self._paused_until and now >= self._paused_until:
                    self._paused_until = 0.0
                    selector.register(self.socket, selectors.EVENT_READ, "accept")
                for key, _ in selector.select(timeout=min(poll_interval, 0.25)):
                    if key.data == "accept":
                        self._accept()
                    elif key.data == "wake":
                        with contextlib.suppress(OSError):
                            self._wake_read.recv(4096)
                        self._take_back()
                    else:
                        self._read(key.data)
                if time.monotonic() >= next_sweep:
                    self._sweep(time.monotonic())
                    next_sweep = time.monotonic() + 0.2
        finally:
            for connection in list(self._waiting.values()):
                self._drop(connection)
            for fileobj in (self.socket, self._wake_read):
                with contextlib.suppress(KeyError, ValueError):
                    selector.unregister(fileobj)
            self._stop = False
            self._stopped.set()

    def _accept(self) -> None:
        for _ in range(256):
            try:
                sock, address = self.socket.accept()
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    if not self._evict_one():
                        # nothing to close: stop accepting for a moment instead of spinning
                        self._selector.unregister(self.socket)
                        self._paused_until = time.monotonic() + 0.1
                        return
                    continue
                return  # e.g. ECONNABORTED: that client gave up
            sock.setblocking(False)
            connection = Connection(sock, address)
            if len(self._waiting) + self._busy >= self.max_connections:
                self._evict_one()
            self._wait(connection)

    def _wait(self, connection: Connection) -> None:
        self._waiting[connection.sock.fileno()] = connection
        self._selector.register(connection.sock, selectors.EVENT_READ, connection)

    def _unwait(self, connection: Connection) -> None:
        self._waiting.pop(connection.sock.fileno(), None)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(connection.sock)

    def _drop(self, connection: Connection) -> None:
        self._unwait(connection)
        connection.close()

    def _evict_one(self) -> bool:
        for connection in self._waiting.values():
            self._drop(connection)
            return True
        return False

    def _read(self, connection: Connection) -> None:
        try:
            data = connection.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._drop(connection)
            return
        if not connection.buffer:
            connection.since = time.monotonic()  # a request starts: its own deadline
        connection.buffer += data
        if head_end(connection.buffer) >= 0:
            self._unwait(connection)
            self._dispatch(connection)
        elif len(connection.buffer) > MAX_HEAD_BYTES:
            self._refuse(connection, b"431 Request Header Fields Too Large")

    def _refuse(self, connection: Connection, status: bytes) -> None:
        with contextlib.suppress(OSError):
            connection.sock.send(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")
        self._drop(connection)

    def _sweep(self, now: float) -> None:
        """Close connections idle too long, or too slow to send a request's head."""
        for connection in list(self._waiting.values()):
            limit = self.request_timeout_s if connection.buffer else self.idle_timeout_s
            if now - connection.since > limit:
                if connection.buffer:
                    self._refuse(connection, b"408 Request Timeout")
                else:
                    self._drop(connection)

    def _dispatch(self, connection: Connection) -> None:
        end = head_end(connection.buffer)
        connection.head = bytes(connection.buffer[:end])
        del connection.buffer[:end]
        self._busy += 1
        self._jobs.put(connection)

    def _take_back(self) -> None:
        while True:
            try:
                connection = self._returned.get_nowait()
            except queue.Empty:
                return
            self._busy -= 1
            if connection.sock.fileno() < 0:
                continue  # closed by its worker
            connection.since = time.monotonic()
            if head_end(connection.buffer) >= 0:  # pipelined: the next request is here
                self._dispatch(connection)
            else:
                self._wait(connection)

    # the worker threads

    def _work(self) -> None:
        while True:
            connection = self._jobs.get()
            if connection is None:
                return
            keep = False
            try:
                connection.sock.settimeout(self.send_timeout_s)
                handler = self.RequestHandlerClass(connection, connection.address, self)
                keep = not handler.close_connection
                connection.sock.setblocking(False)
            except Exception:  # noqa: BLE001 - a broken client; the server goes on
                keep = False
            if not keep:
                connection.close()
            self._returned.put(connection)
            with contextlib.suppress(OSError):
                self._wake_write.send(b"\0")

    # socketserver's interface

    def shutdown(self) -> None:
        """Stop serve_forever (from another thread) and wait until it has."""
        self._stop = True
        with contextlib.suppress(OSError):
            self._wake_write.send(b"\0")
        self._stopped.wait()

    def server_close(self) -> None:
        for _ in self._workers:
            self._jobs.put(None)
        while not self._returned.empty():
            self._returned.get_nowait().close()
        with contextlib.suppress(OSError):
            self.socket.close()
        self._selector.close()
        for sock in (self._wake_read, self._wake_write):
            with contextlib.suppress(OSError):
                sock.close()

    def open_connections(self) -> int:
        """Connections held now (waiting and being answered)."""
        return len(self._waiting) + self._busy
