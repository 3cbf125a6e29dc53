"""Politeness towards a remote TTS service: a run-wide request limiter and retry timing.

One `RequestLimiter` serves a whole run (every article, every thread of the parent process):
a batch of articles converted in parallel shares its cap on requests in flight, its rate and
any pause the service asked for, instead of multiplying them. Engines hold theirs, so reusing
one engine instance for a batch shares it; code that builds several engines passes one
limiter to all of them.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Executor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from audioarticles.errors import SynthesisError
from audioarticles.validation import Section, check


class RemoteSettings(Section):
    """What every engine calling a remote TTS service is configured with (its section of
    audioarticles.toml, all optional); each engine's class adds its own fields."""

    SECTION: ClassVar[str] = ""
    URL_ENV: ClassVar[str] = ""  # an environment variable naming the endpoint wins over `url`
    EXAMPLE_URL: ClassVar[str] = "http://127.0.0.1:8765"
    SCHEMES: ClassVar[tuple[str, ...]] = ("http", "https")

    url: str = Field("", description="base URL of the endpoint; \"\" = the service's own")
    concurrency: int = Field(4, ge=1, le=64, description="requests in flight at once, for the "
                                                         "whole run")
    requests_per_second: float = Field(20.0, gt=0, le=1000, description="request starts per "
                                       "second, for the whole run")
    connect_timeout: float = Field(5.0, gt=0, le=300)
    read_timeout: float = Field(15.0, gt=0, le=300)
    attempts: int = Field(5, ge=1, le=20, description="tries per request on 429, 5xx, timeouts "
                                                      "and dropped connections")
    backoff_base: float = Field(0.5, ge=0, le=60, description="seconds before the first retry "
                                                              "(doubling, with jitter)")
    backoff_max: float = Field(8.0, ge=0, le=600)
    retry_budget: float = Field(30.0, ge=0, le=3600, description="seconds one request may "
                                "spend retrying, Retry-After included")
    unreachable_attempts: int = Field(2, ge=1, le=20, description="tries when the host is not "
                                      "found or refuses connections")
    unreachable_cooldown: float = Field(60.0, ge=0, le=3600, description="then every request "
                                        "fails at once for this long")
    max_chars: int = Field(100, ge=10, le=5000, description="characters per request (the "
                                                            "service's limit)")

    @field_validator("url")
    @classmethod
    def _scheme(cls, url: str) -> str:
        if url and urlsplit(url).scheme not in cls.SCHEMES:
            raise ValueError(f"not an {'/'.join(cls.SCHEMES)} URL; e.g. url = "
                             f"\"{cls.EXAMPLE_URL}\"")
        return url

    @classmethod
    def from_mapping(cls, values: dict[str, Any], env: dict[str, str] | None = None):
        """The checked section; the engine's URL environment variable in `env` (default: the
        process's) overrides `url`."""
        explicit = (env if env is not None else os.environ).get(cls.URL_ENV) if cls.URL_ENV \
            else None
        if explicit:
            values = {**values, "url": explicit}
        return check(cls, values, f"[{cls.SECTION}]")


#: set by a task-queue worker (`tasks/`): `shared(service, limit, per_second, hold_s)` is a
#: context manager holding one of `limit` slots for the whole cluster and waiting for the
#: cluster's turn at `per_second`, so the cap on requests in flight and the rate hold across
#: worker processes and machines, not per process
_shared_slots: Callable[[str, int, float, float], Any] | None = None
_shared_pause: Callable[[str, float], None] | None = None


def share_slots(factory: Callable[[str, int, float, float], Any] | None,
                pause: Callable[[str, float], None] | None = None) -> None:
    """Make every limiter naming its service also hold a cluster-wide slot, and tell the
    cluster (`pause(service, seconds)`) when the service asks to wait (None: stop)."""
    global _shared_slots, _shared_pause
    _shared_slots, _shared_pause = factory, pause


class RequestLimiter:
    """At most `max_in_flight` requests at once, at most `per_second` request starts per second
    (a token bucket holding up to `burst` starts), and a common pause when the service says
    Retry-After. Thread-safe. With `service` named and a worker sharing slots
    (`share_slots`), the cap on requests in flight and the rate hold for the whole cluster;
    `hold_s` is how long a slot of a killed worker stays taken; a Retry-After pause then
    holds every process's requests too."""

    def __init__(self, max_in_flight: int = 4, per_second: float = 10.0,
                 burst: float | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, service: str = "",
                 hold_s: float = 60.0):
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
        self.service = service
        self.hold_s = hold_s

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the request slots (and the cluster's, when shared), starting when the
        rate and any pause allow."""
        self._slots.acquire()
        try:
            self._wait_pause()  # a paused run holds none of the cluster's slots
            with self._shared():
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

    def _shared(self) -> contextlib.AbstractContextManager:
        factory = _shared_slots
        if factory is None or not self.service:
            return contextlib.nullcontext()
        return factory(self.service, self.max_in_flight, self.per_second, self.hold_s)

    def _wait_pause(self) -> None:
        while (wait := self.paused_for) > 0:
            self._sleep(wait)

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
        """No request of the run starts for `seconds` (the service said Retry-After); nor, when
        shared, any of the cluster's."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
        shared = _shared_pause
        if shared is not None and self.service:
            shared(self.service, seconds)

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


class ServiceUnreachable(SynthesisError):
    """The host could not be resolved or refused the connection: no point retrying for long."""


class Cancelled(Exception):
    """Another request of the same call failed, or the engine is closing."""


@dataclass
class Attempt:
    """What one try of a request came to: its result, or why it failed."""

    result: Any = None
    reason: str = ""  # set when the try failed
    unreachable: bool = False  # the host was not found or refused the connection
    retry_after: float | None = None  # the service asked to wait this long
    final: bool = False  # a failure that retrying cannot mend (a refusal, a bad voice name)


def retrying(attempt: Callable[[], Attempt], settings: RemoteSettings, limiter: RequestLimiter,
             service: str, wait: Callable[[float], None],
             offline_hint: str = "use the offline voice fr-espeak") -> Any:
    """The result of `attempt()`, tried under the run's limiter until it succeeds, with
    exponential backoff and jitter (at least what Retry-After asks, which also pauses the
    whole run on 429/503), within `settings.attempts` tries and `settings.retry_budget`
    seconds; an unreachable host is given up after `settings.unreachable_attempts` tries.
    `wait(seconds)` sleeps, raising Cancelled when the call is abandoned."""
    section = f"[{settings.SECTION}]"
    started = time.monotonic()
    tries = 0
    while True:
        tries += 1
        wait(0)
        with limiter.slot():
            outcome = attempt()
        if not outcome.reason:
            return outcome.result
        reason, retry_after = outcome.reason, outcome.retry_after
        if retry_after is not None:
            limiter.pause(retry_after)
        if outcome.final:
            raise SynthesisError(f"{reason} from {service}", offline_hint)
        limit = settings.unreachable_attempts if outcome.unreachable else settings.attempts
        delay = max(backoff_delay(tries, settings.backoff_base, settings.backoff_max),
                    retry_after or 0.0)
        spent = time.monotonic() - started
        if outcome.unreachable and tries >= limit:
            raise ServiceUnreachable(f"cannot reach {service} ({reason}, {tries} tries)",
                                     f"check the network or {offline_hint}")
        if retry_after is not None and retry_after > settings.retry_budget:
            raise SynthesisError(
                f"{reason} from {service}, which asks to wait {retry_after:g} s (more than "
                f"{section} retry_budget = {settings.retry_budget:g} s)",
                f"try later or {offline_hint}")
        if tries >= limit or spent + delay > settings.retry_budget:
            raise SynthesisError(f"{reason} from {service}: tried {tries} times over {spent:.1f} s",
                                 f"try later, lower {section} concurrency/requests_per_second, "
                                 f"or {offline_hint}")
        wait(delay)


def fan_out(pool: Executor, call: Callable[..., Any], items: list, engine: str) -> list:
    """`call(item, cancelled)` for every item on `pool`, results in order; the first failure
    cancels the rest (`cancelled` is set, so their retry loops stop) and is raised."""
    cancelled = threading.Event()
    futures = [pool.submit(call, item, cancelled) for item in items]
    done, _ = wait(futures, return_when=FIRST_EXCEPTION)
    failures = [f.exception() for f in futures if f in done and f.exception() is not None]
    if not failures:
        return [future.result() for future in futures]
    cancelled.set()
    for future in futures:
        future.cancel()
    cause = next((e for e in failures if not isinstance(e, Cancelled)), failures[0])
    if isinstance(cause, Cancelled):
        raise SynthesisError(f"the {engine} engine was closed while synthesising")
    raise cause


class Reachability:
    """After a ServiceUnreachable, every call fails at once for a while instead of each
    article waiting for its own connection attempts."""

    def __init__(self, cooldown: float):
        self.cooldown = cooldown
        self._lock = threading.Lock()
        self._down: tuple[float, ServiceUnreachable] | None = None

    def check(self) -> None:
        with self._lock:
            if self._down and time.monotonic() < self._down[0]:
                cause = self._down[1]
                raise ServiceUnreachable(cause.what, cause.fix)

    def watch(self, failure: BaseException) -> None:
        if isinstance(failure, ServiceUnreachable):
            with self._lock:
                self._down = (time.monotonic() + self.cooldown, failure)
