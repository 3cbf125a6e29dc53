"""Instant pickup: after a build that changed public feeds, tell the WebSub hub (a publish
ping: `hub.mode=publish`, `hub.url=<feed>`) and a Podping endpoint (an HTTP GET with
`?url=<feed>`, the podcast index's notification), so apps fetch the new episode now instead of
at their next poll. Both are optional (`[pickup]`), retried with a growing pause, and never
fail a build: what did not get through is a warning.

The Podping token, when the endpoint wants one, comes from the environment
(`AUDIOARTICLES_PODPING_TOKEN`), never from a file in the project."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from audioarticles.config import Settings
from audioarticles.version import __version__

TOKEN_ENV = "AUDIOARTICLES_PODPING_TOKEN"
USER_AGENT = f"audioarticles/{__version__} (podcast publisher)"
BACKOFF_S = 0.5  # then 1 s, 2 s...


@dataclass(frozen=True)
class Notice:
    """One notification: where it went and how it ended."""

    service: str  # "websub" or "podping"
    feed_url: str
    ok: bool
    attempts: int
    error: str = ""


def _attempt(send: Callable[[], requests.Response]) -> str:
    """"" when the service accepted it, else why not."""
    try:
        response = send()
    except requests.RequestException as exc:
        return f"could not reach it ({type(exc).__name__})"
    if 200 <= response.status_code < 300:
        return ""
    return f"HTTP {response.status_code} {response.reason or ''}".strip()


def _with_retries(send: Callable[[], requests.Response], retries: int,
                  sleep: Callable[[float], None]) -> tuple[str, int]:
    error = ""
    for attempt in range(1, retries + 1):
        error = _attempt(send)
        if not error:
            return "", attempt
        if attempt < retries:
            sleep(BACKOFF_S * 2 ** (attempt - 1))
    return error, retries


def announce(project: Settings, feed_urls: list[str], warn: Callable[[str], None],
             sleep: Callable[[float], None] = time.sleep) -> list[Notice]:
    """Notify the configured services of every changed feed; problems become warnings."""
    settings = project.values.pickup  # checked at load: http(s) URLs, retries, timeout
    if not feed_urls or not (settings.websub_hub or settings.podping_url):
        return []
    notices: list[Notice] = []
    headers = {"User-Agent": USER_AGENT}
    with requests.Session() as session:
        for url in feed_urls:
            if settings.websub_hub:
                error, attempts = _with_retries(lambda url=url: session.post(
                    settings.websub_hub, data={"hub.mode": "publish", "hub.url": url},
                    headers=headers, timeout=settings.timeout_s), settings.retries, sleep)
                notices.append(Notice("websub", url, not error, attempts, error))
            if settings.podping_url:
                ping_headers = dict(headers)
                token = os.environ.get(TOKEN_ENV, "")
                if token:
                    ping_headers["Authorization"] = token
                error, attempts = _with_retries(lambda url=url, sent=ping_headers: session.get(
                    settings.podping_url, params={"url": url}, headers=sent,
                    timeout=settings.timeout_s), settings.retries, sleep)
                notices.append(Notice("podping", url, not error, attempts, error))
    for notice in notices:
        if not notice.ok:
            where = settings.websub_hub if notice.service == "websub" else settings.podping_url
            warn(f"{notice.service} notification for {notice.feed_url} failed after "
                 f"{notice.attempts} attempts ({notice.error} from {where}); apps will pick "
                 f"the feed up at their next poll")
    return notices
