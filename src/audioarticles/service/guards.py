"""What stands in front of the HTTP API's routes: a request-size limit (an ASGI middleware that
also counts a body sent without Content-Length) and per-token rate limits (token buckets)."""

from __future__ import annotations

import json
import math
import threading
import time


class TokenBucket:
    """`per_minute` requests a minute on average, in bursts of at most `per_minute`."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.clock = clock
        self.level: dict[str, tuple[float, float]] = {}  # key: (tokens, when)
        self.lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when `key` may go on now, else the seconds to wait (for Retry-After)."""
        with self.lock:
            now = self.clock()
            tokens, when = self.level.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - when) * self.rate)
            if tokens >= 1:
                self.level[key] = (tokens - 1, now)
                return 0.0
            self.level[key] = (tokens, now)
            return (1 - tokens) / self.rate


def retry_after(wait_s: float) -> str:
    return str(max(1, math.ceil(wait_s)))


class BodyLimit:
    """ASGI middleware: a request body above `max_bytes` is answered 413, from its
    Content-Length before anything is read, else once the count passes the limit (the body is
    read here first, then handed to the app: at most `max_bytes` are ever held)."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(send)
        messages, seen = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                return await self._refuse(send)
            if not message.get("more_body", False):
                break

        async def replay():
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send) -> None:
        body = json.dumps({"error": f"request body: larger than {self.max_bytes} bytes; "
                                    "send less (or raise [api] max_body_kb)"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
