"""What workers agree on through Redis: who converts an article now (a renewed lease), how
many requests a remote engine has in flight across the cluster (a semaphore whose slots
expire), that one feed rebuild runs at a time and soon after a burst of finished articles
(a debounce), and which worker's scheduler fires (a lock per tick).

Every holder's claim expires on its own: a worker killed with `kill -9` blocks nobody for
longer than its lease (`[queue] redelivery_s` for an article, the request timeout for a
slot). Dramatiq's `ConcurrentRateLimiter` is not used for the slots because it keeps one
counter whose expiry every holder renews: a slot held by a killed worker would never come
back while the others keep sending requests.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger("audioarticles")

# KEYS[1]: the slots (a sorted set: holder -> expiry in ms); ARGV: now, expiry, limit, holder
_ACQUIRE_SLOT = """
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[1])
if redis.call('zcard', KEYS[1]) < tonumber(ARGV[3]) then
    redis.call('zadd', KEYS[1], ARGV[2], ARGV[4])
    redis.call('pexpire', KEYS[1], math.max(1, tonumber(ARGV[2]) - tonumber(ARGV[1])))
    return 1
end
return 0
"""


#: how long a worker keeps trying while Redis is unreachable (restarting, failing over)
PATIENCE_S = 120.0


def patiently(call, what: str, patience_s: float = PATIENCE_S, pause_s: float = 0.5):
    """`call()`, tried again while Redis cannot be reached, up to `patience_s`: a Redis
    restart delays the articles in flight instead of failing them."""
    import redis

    deadline = time.monotonic() + patience_s
    while True:
        try:
            return call()
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            if time.monotonic() > deadline:
                raise
            log.warning("%s: Redis unreachable (%s); trying again", what, exc)
            time.sleep(pause_s)


def _now_ms(client) -> int:
    """Redis's clock, not ours: workers on several machines compare the same times."""
    seconds, micros = client.time()
    return int(seconds) * 1000 + int(micros) // 1000


class Lease:
    """A mutex held while its holder lives: taken with an expiry of `lease_s`, renewed by a
    thread every third of it, released at the end. A killed holder's lease lapses."""

    def __init__(self, client, key: str, lease_s: float):
        self.client = client
        self.key = key
        self.lease_s = max(1.0, lease_s)

    @contextmanager
    def held(self, wait_s: float | None = None, poll_s: float = 0.05) -> Iterator[None]:
        """Wait for the lease (up to `wait_s`; TimeoutError after), hold it for the block."""
        import redis

        lock = self.client.lock(self.key, timeout=self.lease_s, sleep=poll_s,
                                blocking_timeout=wait_s, thread_local=False)
        if not patiently(lambda: lock.acquire(blocking=True), self.key):
            raise TimeoutError(f"{self.key}: still held by another worker after {wait_s} s")
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(self.lease_s / 3):
                try:
                    lock.reacquire()
                except redis.exceptions.LockError:
                    log.warning("%s: the lease lapsed while held", self.key)
                    return
                except redis.exceptions.RedisError:
                    pass  # Redis restarting: the next renewal tries again

        renewer = threading.Thread(target=renew, name="lease", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            stop.set()
            renewer.join()
            try:
                lock.release()
            except redis.exceptions.RedisError:
                pass  # lapsed, or Redis down: it expires by itself


class ClusterSlots:
    """At most `limit` holders of `key` at once across every process using this Redis; a
    slot is given back at the end of the block or `expiry_s` after it was taken."""

    def __init__(self, client, key: str, limit: int, expiry_s: float):
        self.client = client
        self.key = key
        self.limit = limit
        self.expiry_ms = int(max(1.0, expiry_s) * 1000)
        self._acquire = client.register_script(_ACQUIRE_SLOT)

    @contextmanager
    def slot(self, poll_s: float = 0.01) -> Iterator[None]:
        holder = uuid.uuid4().hex

        def take() -> bool:
            now = _now_ms(self.client)
            return bool(self._acquire(keys=[self.key], args=[now, now + self.expiry_ms,
                                                             self.limit, holder]))

        while not patiently(take, self.key):
            time.sleep(poll_s)
        try:
            yield
        finally:
            try:
                self.client.zrem(self.key, holder)
            except Exception:  # Redis down: the slot expires by itself
                log.warning("%s: slot left to expire", self.key)


class Debounce:
    """Many requests, few runs: `request()` sends the task once per `delay_s` window (a key
    set only when absent marks a run as pending); the task calls `running()` first, so a
    request made while it runs schedules the next one."""

    def __init__(self, client, key: str, delay_s: float):
        self.client = client
        self.key = key
        self.delay_s = delay_s

    def request(self, send) -> bool:
        """Send the task (`send(delay_ms)`) unless one is already pending; True when sent."""
        # the pending mark expires, so a lost message never blocks rebuilds for good
        def ask() -> bool:
            if self.client.set(self.key, "1", nx=True, ex=max(60, int(self.delay_s * 10))):
                try:
                    send(int(self.delay_s * 1000))
                except BaseException:
                    self.client.delete(self.key)
                    raise
                return True
            return False

        return patiently(ask, self.key)

    def running(self) -> None:
        patiently(lambda: self.client.delete(self.key), self.key)


def fire_once(client, key: str, period_s: float) -> bool:
    """True for exactly one caller per `period_s` window across the cluster."""
    tick = int(_now_ms(client) / 1000 // period_s)
    return bool(client.set(f"{key}:{tick}", "1", nx=True, ex=max(1, int(period_s * 2))))
