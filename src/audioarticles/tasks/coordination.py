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

# KEYS[1]: the slots (a sorted set: holder -> expiry in ms), KEYS[2]: until when the service
# asked everyone to wait (ms, absent: no pause); ARGV: now, expiry, limit, holder. Returns 1
# (taken), 0 (all taken) or minus the ms the pause still lasts (none taken meanwhile).
_ACQUIRE_SLOT = """
local paused = tonumber(redis.call('get', KEYS[2]) or 0) - tonumber(ARGV[1])
if paused > 0 then return -paused end
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


# KEYS[1]: the theoretical arrival time of the next request (GCRA); ARGV: now, interval
# between request starts, burst tolerance (all ms). Returns 0 (go) or the ms to wait.
_TAKE_TURN = """
local now = tonumber(ARGV[1])
local tat = math.max(tonumber(redis.call('get', KEYS[1]) or ARGV[1]), now)
local allowed = tat - tonumber(ARGV[3])
if now < allowed then return allowed - now end
redis.call('set', KEYS[1], tat + tonumber(ARGV[2]), 'PX', tonumber(ARGV[2]) + tonumber(ARGV[3]) + 1000)
return 0
"""


# KEYS[1]: until when the service asked everyone to wait (ms); ARGV: now, the pause (ms).
# A longer pause already set stays.
_PAUSE = """
local until_ms = tonumber(ARGV[1]) + tonumber(ARGV[2])
if until_ms > tonumber(redis.call('get', KEYS[1]) or 0) then
    redis.call('set', KEYS[1], until_ms, 'PX', tonumber(ARGV[2]) + 1000)
end
"""


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


def pause_slots(client, key: str, seconds: float) -> None:
    """No slot of `key` (`ClusterSlots`) is taken anywhere for `seconds` (a longer pause
    already set stays)."""
    if seconds > 0:
        script = client.register_script(_PAUSE)
        patiently(lambda: script(keys=[f"{key}:pause"],
                                 args=[_now_ms(client), int(seconds * 1000)]), key)


class ClusterSlots:
    """At most `limit` holders of `key` at once across every process using this Redis (a
    slot is given back at the end of the block or `expiry_s` after it was taken), and, with
    `per_second`, at most that many starts per second (a burst of `limit`), cluster-wide.
    A pause the service asked for (Retry-After, `pause_slots`) holds every process's next
    slot."""

    def __init__(self, client, key: str, limit: int, expiry_s: float,
                 per_second: float | None = None):
        self.client = client
        self.key = key
        self.limit = limit
        self.expiry_ms = int(max(1.0, expiry_s) * 1000)
        self.per_second = per_second
        self._acquire = client.register_script(_ACQUIRE_SLOT)
        self._turn = client.register_script(_TAKE_TURN)

    def _wait_turn(self) -> None:
        if not self.per_second:
            return
        interval = max(1, int(1000 / self.per_second))
        tolerance = interval * max(0, self.limit - 1)
        while True:
            wait_ms = patiently(lambda: self._turn(keys=[f"{self.key}:rate"], args=[
                _now_ms(self.client), interval, tolerance]), self.key)
            if not wait_ms:
                return
            time.sleep(int(wait_ms) / 1000)

    @contextmanager
    def slot(self, poll_s: float = 0.01) -> Iterator[None]:
        holder = uuid.uuid4().hex

        def take() -> int:
            now = _now_ms(self.client)
            return int(self._acquire(keys=[self.key, f"{self.key}:pause"],
                                     args=[now, now + self.expiry_ms, self.limit, holder]))

        while (taken := patiently(take, self.key)) != 1:
            time.sleep(-taken / 1000 if taken < 0 else poll_s)  # paused: none taken meanwhile
        try:
            self._wait_turn()
            yield
        finally:
            try:
                self.client.zrem(self.key, holder)
            except Exception:  # Redis down: the slot expires by itself
                log.warning("%s: slot left to expire", self.key)


class Debounce:
    """Many requests, few runs: the task runs once no request came for `quiet_s`, or once the
    oldest waiting request is `max_wait_s` old, whichever comes first (so a steady stream of
    finished articles still publishes every `max_wait_s`). `request(send)` sends the task
    (`send(delay_ms)`) only when none is pending; the task calls `due(send)` first, which
    sends it again for later and returns False while it is not yet time."""

    def __init__(self, client, key: str, quiet_s: float, max_wait_s: float):
        self.client = client
        self.since = f"{key}:since"  # when the oldest waiting request came (absent: none)
        self.last = f"{key}:last"  # when the newest came
        self.quiet_ms = int(quiet_s * 1000)
        self.max_wait_ms = int(max(quiet_s, max_wait_s) * 1000)
        # the marks expire, so a lost message never blocks the task for good
        self.expiry_ms = max(60_000, 3 * self.max_wait_ms)

    def request(self, send) -> bool:
        """Note a request; send the task unless one is pending. True when sent."""
        def ask() -> bool:
            now = _now_ms(self.client)
            self.client.set(self.last, now, px=self.expiry_ms)
            if self.client.set(self.since, now, nx=True, px=self.expiry_ms):
                try:
                    send(self.quiet_ms)
                except BaseException:
                    self.client.delete(self.since)
                    raise
                return True
            return False

        return patiently(ask, self.since)

    def due(self, send) -> bool:
        """In the task: True when it should run now (its pending mark is cleared, so the
        requests made while it runs send the next one); else it is sent again for when it
        will be due, and False."""
        def check() -> bool:
            now = _now_ms(self.client)
            since, last = self.client.mget(self.since, self.last)
            since = int(since) if since else now
            last = int(last) if last else since
            wait = min(self.quiet_ms - (now - last), self.max_wait_ms - (now - since))
            if wait > 0:
                send(wait)
                return False
            self.client.delete(self.since)
            return True

        return patiently(check, self.since)


def fire_once(client, key: str, period_s: float) -> bool:
    """True for exactly one caller per `period_s` window across the cluster."""
    tick = int(_now_ms(client) / 1000 // period_s)
    return bool(client.set(f"{key}:{tick}", "1", nx=True, ex=max(1, int(period_s * 2))))
