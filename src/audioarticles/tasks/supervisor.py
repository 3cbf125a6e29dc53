"""`audioarticles worker`: start `--processes` worker processes (`worker.py`), each in its own
session so the terminal's signals never reach them; on Ctrl-C or SIGTERM tell each to finish
its articles in flight (SIGTERM) and wait for them; a worker that dies meanwhile (killed,
out of memory) is started again. Its messages go to the other workers once
`[queue] redelivery_s` passed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable

from audioarticles.config import Settings
from audioarticles.errors import UsageError, UserError
from audioarticles.tasks import QUEUES, redis_client

RESTART_PAUSE_S = 2.0


def check_reachable(settings: Settings) -> str:
    """The broker's URL when Redis answers; a UserError with the fix when not."""
    import redis

    url = settings.section("queue")["url"]
    try:
        redis_client(settings).ping()
    except redis.exceptions.AuthenticationError as exc:
        raise UserError(f"[queue] url {url}: Redis refused the password ({exc}); set "
                        "$REDISCLI_AUTH to the right one") from None
    except redis.exceptions.RedisError as exc:
        raise UserError(f"[queue] url {url}: Redis does not answer ({exc}); start "
                        "redis-server there, or fix [queue] url in audioarticles.toml") from None
    return url


def run_workers(settings: Settings, processes: int = 1, threads: int = 1,
                queues: tuple[str, ...] = QUEUES,
                say: Callable[[str], None] = print) -> int:
    """Run until SIGINT/SIGTERM; returns 130 after Ctrl-C, 0 after SIGTERM."""
    unknown = [q for q in queues if q not in QUEUES]
    if unknown:
        raise UsageError(f"--queues {unknown[0]!r}: no such queue; valid: {', '.join(QUEUES)}")
    url = check_reachable(settings)
    command = [sys.executable, "-m", "audioarticles.tasks.worker", "--project",
               str(settings.root), "--threads", str(threads), "--queues", ",".join(queues),
               "--scheduler"]

    def start() -> subprocess.Popen:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)

    children = [start() for _ in range(processes)]
    say(f"{processes} worker process{'es' if processes != 1 else ''} × {threads} "
        f"thread{'s' if threads != 1 else ''} on {url}, queues {', '.join(queues)} "
        f"(pids {' '.join(str(c.pid) for c in children)}); Ctrl-C finishes the articles in "
        "flight and stops")
    asked: list[int] = []

    def handler(signum, frame):
        asked.append(signum)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            if asked:
                for child in children:
                    while child.poll() is None:
                        time.sleep(0.1)
                return 130 if signal.SIGINT in asked else 0
            for i, child in enumerate(children):
                code = child.poll()
                if code is not None and not asked:
                    say(f"worker {child.pid} exited ({code}); starting another")
                    time.sleep(RESTART_PAUSE_S)
                    if not asked:
                        children[i] = start()
            time.sleep(0.2)
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
