"""One worker process: Dramatiq's `Worker` running our actors with `--threads` threads, and,
in the process asked to (`--scheduler`), the small scheduler that sends `release_scheduled`
every `[queue] release_interval_s` (a Redis key per tick makes only one worker's fire).

Started by `audioarticles worker` (`supervisor.py`) in its own session, so the terminal's
Ctrl-C never reaches it: the supervisor sends SIGTERM, and SIGTERM lets the articles in
flight finish (their messages are acknowledged), then the process exits.

    python -m audioarticles.tasks.worker --project DIR --threads 2 --queues articles,publish
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from audioarticles.config import load_settings
from audioarticles.engines import limits
from audioarticles.tasks import ARTICLES, PUBLISH, QUEUES, RELEASE, connect, coordination
from audioarticles.tasks.actors import JobStates, WorkerContext, install

#: how long a worker waits for Redis before polling again when idle (ms): the queue's
#: latency for a lone article
POLL_MS = 20
#: the same for the queues no one waits on: rebuilds (debounced by seconds anyway), the
#: scheduler's ticks and the delayed messages (retries after a backoff of seconds). Each
#: consumer polling every 20 ms cost an idle worker 8 % of a core and Redis 5 % more.
SLOW_POLL_MS = 1000
#: how long SIGTERM waits for the articles in flight (ms)
STOP_TIMEOUT_MS = 15 * 60 * 1000


def serve(root: str, threads: int, queues: tuple[str, ...], scheduler: bool,
          stop: threading.Event) -> None:
    """Consume until `stop` is set, then finish what is in flight."""
    settings = load_settings(root)
    queue = connect(settings, middleware=[JobStates()])
    context = WorkerContext(settings, queue, threads)
    install(context)
    limits.share_slots(
        lambda service, limit, per_second, hold_s: coordination.ClusterSlots(
            queue.client, queue.key("slots", service), limit, hold_s, per_second).slot(),
        pause=lambda service, seconds: coordination.pause_slots(
            queue.client, queue.key("slots", service), seconds))
    worker = worker_class()(queue.broker, queues=set(queues), worker_threads=threads,
                            worker_timeout=POLL_MS)
    worker.queue_prefetch = threads  # no article waits in one worker while another is idle
    worker.start()
    ticker = None
    if scheduler and PUBLISH in queues:
        ticker = threading.Thread(target=_schedule, args=(queue, stop), name="scheduler",
                                  daemon=True)
        ticker.start()
    try:
        stop.wait()
    finally:
        worker.stop(timeout=STOP_TIMEOUT_MS)
        limits.share_slots(None)
        context.close()
        install(None)
        queue.close()


def worker_class():
    import dramatiq

    class Worker(dramatiq.Worker):
        """Dramatiq's worker whose consumers poll Redis every `POLL_MS` for the articles
        queue and every `SLOW_POLL_MS` for the others (Dramatiq has one timeout for all; its
        `_add_consumer` is private, hence the pin `dramatiq<2.3` and the test)."""

        def _add_consumer(self, queue_name: str, *, delay: bool = False) -> None:
            if queue_name == ARTICLES:
                super()._add_consumer(queue_name, delay=delay)
                return
            timeout, self.worker_timeout = self.worker_timeout, SLOW_POLL_MS
            try:
                super()._add_consumer(queue_name, delay=delay)
            finally:
                self.worker_timeout = timeout

    return Worker


def _schedule(queue, stop: threading.Event) -> None:
    period = queue.settings.section("queue")["release_interval_s"]
    while not stop.wait(period):
        try:
            if coordination.fire_once(queue.client, queue.key("scheduler"), period):
                queue.actors[RELEASE].send()
        except Exception as exc:  # Redis restarting: the next tick tries again
            logging.getLogger("audioarticles").warning("scheduler: %s", exc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="audioarticles-worker")
    parser.add_argument("--project", default=".")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--queues", default=",".join(QUEUES))
    parser.add_argument("--scheduler", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="worker %(process)d: %(levelname)s: %(message)s")
    logging.getLogger("dramatiq").setLevel(logging.WARNING)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    serve(args.project, max(1, args.threads), tuple(q for q in args.queues.split(",") if q),
          args.scheduler, stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
