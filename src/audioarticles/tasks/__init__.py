"""Conversions on a distributed task queue: Dramatiq with its Redis broker (`[queue] url`).

    Project.submit ──► one message per article ──► Redis ──► `audioarticles worker` processes
                                                              (convert_article, then a
                                                               debounced rebuild)

Dramatiq gives what a home-made queue would get wrong: a message is acknowledged only after
its article is recorded (a worker killed mid-article has it delivered again to another, once
`[queue] redelivery_s` passed without its heartbeat), retries with exponential backoff, and a
dead-letter queue. What is ours (`coordination.py`): the per-article mutex, the cluster-wide
cap on a remote engine's requests, the one-at-a-time debounced rebuild and the scheduler's
lock, all kept in the same Redis. The job records live in the catalog (`jobs.py`).

Actors are declared per broker (`declare`), not at import, so a process can talk to several
Redis servers (the tests do) and importing this package starts nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from audioarticles.config import Settings
from audioarticles.errors import UsageError

ARTICLES, PUBLISH = "articles", "publish"  # queue names: `worker --queues articles publish`
QUEUES = (ARTICLES, PUBLISH)
CONVERT, REBUILD, RELEASE = "convert_article", "rebuild_site", "release_scheduled"


def require() -> None:
    """A UsageError with the fix when the `queue` extra is not installed."""
    try:
        import dramatiq  # noqa: F401
        import redis  # noqa: F401
    except ImportError:
        raise UsageError("[queue] needs Dramatiq and redis-py: pip install "
                         "'audioarticles[queue]'") from None


def redis_client(settings: Settings):
    """A client of the project's Redis ([queue] url; the password from $REDISCLI_AUTH)."""
    require()
    import redis

    url = settings.section("queue")["url"]
    if not url:
        raise UsageError("no [queue] url in audioarticles.toml; add e.g. [queue] url = "
                         "\"redis://localhost:6379/0\"")
    return redis.Redis.from_url(url, password=os.environ.get("REDISCLI_AUTH") or None,
                                socket_connect_timeout=5, socket_timeout=30,
                                health_check_interval=10, retry_on_timeout=True)


@dataclass
class Queue:
    """The project's broker and its actors (`actors[CONVERT]`...)."""

    settings: Settings
    broker: Any
    actors: dict[str, Any]
    client: Any

    @property
    def namespace(self) -> str:
        return self.settings.section("queue")["namespace"]

    def key(self, *parts: str) -> str:
        """A Redis key of ours, beside the broker's (same namespace)."""
        return ":".join((self.namespace, *parts))

    def send_articles(self, jobs) -> None:
        """One message per job (the job record exists already)."""
        actor = self.actors[CONVERT]
        for job in jobs:
            actor.send(job.id, job.source, job.options)

    def close(self) -> None:
        self.broker.close()


def connect(settings: Settings, middleware: list | None = None) -> Queue:
    """The project's queue: a Redis broker with retries (`[queue] max_retries`, backoff) and
    `middleware` (a worker adds its own), and our actors declared on it."""
    require()
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.middleware import CurrentMessage, Retries

    values = settings.section("queue")
    client = redis_client(settings)
    retries = Retries(max_retries=values["max_retries"],
                      min_backoff=int(values["min_backoff_s"] * 1000),
                      max_backoff=int(values["max_backoff_s"] * 1000))
    # publishing first when both are waiting in a worker (lower runs first); emit_after runs middleware in reverse: what comes before Retries sees its verdict
    stack = [*(middleware or []), retries, CurrentMessage()]
    # maintenance (moving a dead worker's messages back) on ~1 % of the broker's calls: idle
    # workers poll every 0.1 s, so a dead worker's articles move within a second or so of
    # `redelivery_s`
    broker = RedisBroker(client=client, namespace=values["namespace"], middleware=stack,
                         heartbeat_timeout=int(values["redelivery_s"] * 1000),
                         maintenance_chance=10000)
    from audioarticles.tasks import actors

    declared = {
        CONVERT: dramatiq.Actor(actors.convert_article, broker=broker, actor_name=CONVERT,
                                queue_name=ARTICLES, priority=10, options={}),
        REBUILD: dramatiq.Actor(actors.rebuild_site, broker=broker, actor_name=REBUILD,
                                queue_name=PUBLISH, priority=0, options={"max_retries": 3}),
        RELEASE: dramatiq.Actor(actors.release_scheduled, broker=broker, actor_name=RELEASE,
                                queue_name=PUBLISH, priority=0, options={"max_retries": 0}),
    }
    return Queue(settings, broker, declared, client)
