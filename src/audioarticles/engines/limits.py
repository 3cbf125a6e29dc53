"""Politeness towards a remote TTS service: a run-wide request limiter and retry timing.

One `RequestLimiter` serves a whole run (every article, every thread of the parent process):
a batch of articles converted in parallel shares its cap on requests in flight, its rate and
any pause the service asked for, instead of multiplying them. Engines hold theirs, so reusing
one engine instance for a batch shares it; code that builds several engines passes one
limiter to all of them.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime


class RequestLimiter:
    """At most `max_in_flight` requests at once, at most `per_second` request starts per second
    (a token bucket holding up to `burst` starts), and a common pause when the service says
    Retry-After. Thread-safe."""

    def __init__(self, max_in_flight: int = 4, per_second: float = 10.0,
                 burst: float | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if max_in_flight < 1 or per_second <= 0:
            raise ValueError("max_in_flight must be at least 1 and per_second above 0")
        self.max_in_flight = max_in_flight
        self.per_second = per_second
        self.burst = burst if burst is not None else max(1.0, float(max_in_flight))
        self._clock = clock
        self._sleep = sleep
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self._lock = threading.Lock()
        self._tokens = self.burst
        self._refilled = clock()
        self._paused_until = 0.0
        self.started = 0
        self.in_flight = 0
        self.peak_in_flight = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the request slots, starting when the rate and any pause allow."""
        self._slots.acquire()
        try:
            self._wait_turn()
            with self._lock:
                self.in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                yield
            finally:
                with self._lock:
                    self.in_flight -= 1
        finally:
            self._slots.release()

    def _wait_turn(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self.burst,
                                   self._tokens + (now - self._refilled) * self.per_second)
                self._refilled = now
                wait = self._paused_until - now
                if wait <= 0:
                    if self._tokens >= 1 - 1e-9:  # rounding must not keep a token out of reach
                        self._tokens = max(0.0, self._tokens - 1)
                        self.started += 1
                        return
                    wait = max((1 - self._tokens) / self.per_second, 1e-4)
            self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """No request of the run starts for `seconds` (the service said Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    @property
    def paused_for(self) -> float:
        with self._lock:
            return max(0.0, self._paused_until - self._clock())


def backoff_delay(attempt: int, base: float, cap: float,
                  rand: Callable[[], float] = random.random) -> float:
    """Seconds before retry number `attempt` (1 = first retry): exponential, capped, with
    "equal jitter" (half fixed, half random) so parallel clients do not retry in step."""
    ceiling = min(cap, base * 2 ** (attempt - 1))
    return ceiling / 2 + rand() * ceiling / 2


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """The wait a Retry-After header asks for (delta-seconds or an HTTP date), None if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())
