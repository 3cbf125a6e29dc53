"""`audioarticles serve`: a local preview of output/ on 127.0.0.1 that behaves like a good
host: podcast MIME types, HTTP Range requests (206) for seeking, CORS for web players (none
for the private drafts preview). Only files inside the served folders are served: a symbolic
link that leads out of them is refused."""

from __future__ import annotations

import email.utils
import errno
import posixpath
import re
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote, urlsplit

from audioarticles.errors import UsageError
from audioarticles.publish.connections import BoundedHTTPServer, OneRequestHandler

HOST = "127.0.0.1"
MIME_TYPES = {
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/rss+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain; charset=utf-8",
}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str, size: int) -> tuple[int, int] | None | str:
    """(first, last) for a single `bytes=` range; None to send the whole file (no header,
    several ranges, or a syntax we ignore, as RFC 9110 allows); "unsatisfiable" for 416."""
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    if start >= size:
        return "unsatisfiable"
    end = min(int(last), size - 1) if last else size - 1
    if end < start:
        return None
    return start, end


def contained(root: Path, path: Path) -> Path | None:
    """`path` with every symbolic link resolved, when it stays inside `root` (resolved
    already); None when it leads outside, or nowhere."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a link loop
        return None
    if not resolved.is_relative_to(root):
        return None
    if any(part.startswith(".") for part in resolved.relative_to(root).parts):
        return None  # a link to a hidden or temporary file
    return resolved


class PreviewHandler(OneRequestHandler):
    server_version = "audioarticles-preview"
    protocol_version = "HTTP/1.1"
    root: Path = Path(".")
    behind: tuple[Path, ...] = ()  # folders a file is looked for in when `root` lacks it
    quiet = False
    # "*": any web page may read the files (public site); an origin: only that one; None:
    # no CORS header at all (a browser then keeps other sites from reading drafts)
    allow_origin: str | None = "*"

    def log_message(self, format: str, *args) -> None:
        if not self.quiet:
            super().log_message(format, *args)

    def _file(self) -> Path | None:
        path = unquote(urlsplit(self.path).path)
        parts = [p for p in posixpath.normpath(path).split("/") if p and p != "."]
        if any(p.startswith(".") or p == ".." for p in parts):
            return None  # hidden and temporary (.part) files are never served
        for root in (self.root, *self.behind):
            target = contained(root, root.joinpath(*parts))
            if target is not None and target.is_dir():
                target = contained(root, target / "index.html")
            if target is not None and target.is_file():
                return target
        return None

    def _common_headers(self) -> None:
        origin = self.allow_origin
        if origin == "*" or (origin and self.headers.get("Origin") == origin):
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Expose-Headers",
                             "Content-Length, Content-Range, Accept-Ranges")
        if origin and origin != "*":
            self.send_header("Vary", "Origin")
        self.send_header("Cache-Control", "no-cache")

    def _not_found(self, head: bool) -> None:
        body = b"not found\n"
        self.send_response(HTTPStatus.NOT_FOUND)
        self._common_headers()
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _send(self, head: bool) -> None:
        target = self._file()
        if target is None:
            self._not_found(head)
            return
        stat = target.stat()
        size = stat.st_size
        etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
        wanted = byte_range(self.headers.get("Range", ""), size) if self.headers.get("Range") else None
        if_range = self.headers.get("If-Range")
        if if_range and if_range.strip() != etag:
            wanted = None  # the client's copy is stale: send it all
        if wanted == "unsatisfiable":
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self._common_headers()
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        first, last = wanted if isinstance(wanted, tuple) else (0, size - 1)
        length = max(0, last - first + 1)
        self.send_response(HTTPStatus.PARTIAL_CONTENT if isinstance(wanted, tuple) else HTTPStatus.OK)
        self._common_headers()
        self.send_header("Content-Type", MIME_TYPES.get(target.suffix.lower(),
                                                         "application/octet-stream"))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(length))
        if isinstance(wanted, tuple):
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        self.end_headers()
        if head or not length:
            return
        with open(target, "rb") as handle:
            handle.seek(first)
            remaining = length
            while remaining:
                block = handle.read(min(1 << 16, remaining))
                if not block:
                    break
                self.wfile.write(block)
                remaining -= len(block)

    def do_GET(self) -> None:
        try:
            self._send(head=False)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the player moved on (seeking aborts requests)

    def do_HEAD(self) -> None:
        self._send(head=True)

    def do_OPTIONS(self) -> None:
        self.send_response(HTTPStatus.NO_CONTENT)
        self._common_headers()
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Range")
        self.send_header("Content-Length", "0")
        self.end_headers()


def make_server(root: Path, port: int, quiet: bool = False,
                behind: tuple[Path, ...] = (), allow_origin: str | None = "*",
                **limits) -> BoundedHTTPServer:
    """A preview server for `root` on 127.0.0.1:`port` (0 picks a free port); a file missing
    from `root` is looked for in the `behind` folders, in order. `allow_origin`: the CORS
    origin ("*" for a public site, None for none). `limits`: BoundedHTTPServer's (workers,
    idle_timeout_s, request_timeout_s...)."""
    handler = type("Handler", (PreviewHandler,), {
        "root": Path(root).resolve(), "quiet": quiet, "allow_origin": allow_origin,
        "behind": tuple(Path(folder).resolve() for folder in behind)})
    try:
        server = BoundedHTTPServer((HOST, port), handler, **limits)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is already in use on {HOST}; "
                             "pick another with --port") from exc
        raise
    return server


