"""Retry timing and the run-wide request limiter (on a simulated clock: no real waiting)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import pytest

from audioarticles.engines.limits import RequestLimiter, backoff_delay, retry_after_seconds


class SimulatedClock:
    """A clock that only moves when someone sleeps."""

    def __init__(self):
        self.now = 100.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


@pytest.mark.parametrize("attempt, low, high", [(1, 0.25, 0.5), (2, 0.5, 1.0), (3, 1.0, 2.0),
                                                (4, 2.0, 4.0), (6, 4.0, 8.0), (20, 4.0, 8.0)])
def test_backoff_doubles_with_jitter_up_to_the_cap(attempt, low, high):
    assert backoff_delay(attempt, 0.5, 8.0, rand=lambda: 0.0) == low
    assert backoff_delay(attempt, 0.5, 8.0, rand=lambda: 1.0) == high
    import random

    rng = random.Random(attempt)
    delays = {backoff_delay(attempt, 0.5, 8.0, rand=rng.random) for _ in range(50)}
    assert all(low <= d <= high for d in delays) and len(delays) > 40  # jittered


@pytest.mark.parametrize("header, seconds", [
    ("3", 3.0), (" 120 ", 120.0), ("0", 0.0),
    ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0),
    ("Wed, 21 Oct 2026 07:27:00 GMT", 0.0),  # in the past: no wait
    (None, None), ("", None), ("soon", None), ("-5", None),
])
def test_retry_after_as_seconds_or_http_date(header, seconds):
    now = datetime(2026, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(header, now=now) == seconds


def test_rate_limit_spaces_request_starts():
    clock = SimulatedClock()
    limiter = RequestLimiter(max_in_flight=4, per_second=10, burst=2, clock=clock,
                             sleep=clock.sleep)
    starts = []
    for _ in range(12):
        with limiter.slot():
            starts.append(clock())
    assert starts[:2] == [100.0, 100.0]  # the burst
    gaps = [b - a for a, b in zip(starts[1:], starts[2:])]
    assert all(gap == pytest.approx(0.1) for gap in gaps)
    assert limiter.started == 12


def test_retry_after_pauses_every_request_of_the_run():
    clock = SimulatedClock()
    limiter = RequestLimiter(max_in_flight=4, per_second=1000, clock=clock, sleep=clock.sleep)
    limiter.pause(5)
    assert limiter.paused_for == pytest.approx(5)
    with limiter.slot():
        assert clock() >= 105.0
    limiter.pause(1)
    limiter.pause(0.5)  # a shorter pause never shortens a longer one
    with limiter.slot():
        assert clock() >= 106.0


def test_a_paused_limiter_tells_the_cluster_and_takes_no_shared_slot_meanwhile():
    """With the cluster's slots shared (a queue worker), a Retry-After pause is passed on
    to the cluster, and a paused process waits before taking one of the cluster's slots
    (holding them while paused would stop every other process's requests too)."""
    from contextlib import contextmanager

    from audioarticles.engines import limits

    clock = SimulatedClock()
    taken, paused = [], []

    @contextmanager
    def shared_slot(service, limit, per_second, hold_s):
        taken.append(clock())
        yield

    limits.share_slots(shared_slot, pause=lambda service, seconds: paused.append(
        (service, seconds)))
    try:
        limiter = RequestLimiter(max_in_flight=2, per_second=1000, clock=clock,
                                 sleep=clock.sleep, service="gtts")
        limiter.pause(3)
        with limiter.slot():
            pass
    finally:
        limits.share_slots(None)
    assert paused == [("gtts", 3)]
    assert taken == [pytest.approx(103.0)]


def test_cap_on_requests_in_flight_holds_across_threads():
    limiter = RequestLimiter(max_in_flight=3, per_second=10_000, burst=100)
    barrier = threading.Barrier(8)

    def work():
        barrier.wait()
        for _ in range(5):
            with limiter.slot():
                time.sleep(0.005)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limiter.peak_in_flight == 3
    assert limiter.in_flight == 0 and limiter.started == 40


def test_limiter_refuses_nonsense():
    with pytest.raises(ValueError):
        RequestLimiter(max_in_flight=0)
    with pytest.raises(ValueError):
        RequestLimiter(per_second=0)
