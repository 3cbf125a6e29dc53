"""Webhooks: the CMS hears `episode.ready`, `episode.failed` and `episode.unpublished`.

Events are written to the catalog first (an outbox, `webhook_deliveries`), in the process
that made them: the conversion run (`pipeline/run.py`: a command's, the API's) or the
editor's command. A queue worker, which converts article by article outside such a run, calls
`record_ready(..., waiting=True)` after each article and `site_rebuilt` after its rebuild (the
episode is public only then), and `record_failed` when it gives an article up. Delivery comes after, outside the project's lock: right away in a thread,
then retried with a doubling wait (`[api.webhooks] retry_base_s`) by whichever process
delivers next (the API server checks every few seconds; any conversion or `audioarticles
webhooks --deliver` too). A row is claimed before it is sent, so two processes never send it
together. Each attempt's outcome stays in the catalog (`audioarticles webhooks`).

Each POST carries the JSON body and these headers:

    X-Audioarticles-Event: episode.ready
    X-Audioarticles-Delivery: <the delivery id, the same on every retry>
    X-Audioarticles-Timestamp: <Unix seconds, when this attempt was signed>
    X-Audioarticles-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>

The receiver recomputes the HMAC over the timestamp, a dot and the raw body bytes, compares it
in constant time, and refuses a timestamp more than 5 minutes away from its clock (a captured
request cannot be replayed later) and a delivery id it has already processed.

The secret never sits in audioarticles.toml: it comes from $AUDIOARTICLES_WEBHOOK_SECRET or
from the file `[api.webhooks] secret_file` names. The URL obeys the [fetch] address rules.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from audioarticles import netguard
from audioarticles.config import Settings
from audioarticles.errors import UsageError
from audioarticles.fetch import DEFAULT_USER_AGENT
from audioarticles.httputil import failure, status_message
from audioarticles.model import Episode
from audioarticles.publish.channel import channel_settings
from audioarticles.resources import episode_resource
from audioarticles.store import CatalogStore, ProjectStore

READY, FAILED, UNPUBLISHED = "episode.ready", "episode.failed", "episode.unpublished"
EVENTS = (READY, FAILED, UNPUBLISHED)
SECRET_ENV = "AUDIOARTICLES_WEBHOOK_SECRET"
#: what a receiver should accept between the timestamp and its clock
TOLERANCE_S = 300
MAX_WAIT_S = 6 * 3600
#: the next attempt of a delivery that waits for the site's rebuild (never due before it)
WAITING = "9999-12-31T23:59:59+00:00"
# a claimed delivery is someone's for this long past its timeout (then it is due again)
_CLAIM_MARGIN_S = 30


def now_iso(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0).isoformat()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>`: the HMAC-SHA256 of `<timestamp>.<body>` with `secret`."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, signature: str, body: bytes,
           now: float | None = None, tolerance_s: int = TOLERANCE_S) -> bool:
    """What a receiver does (the recipe in the module docstring), for Python receivers."""
    if not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


def configured(settings: Settings) -> bool:
    return bool(settings.values.api.webhooks.url)


def secret(settings: Settings) -> str:
    """The signing secret: $AUDIOARTICLES_WEBHOOK_SECRET, else the `secret_file`'s first line;
    a UsageError saying how to set one when neither gives one."""
    value = os.environ.get(SECRET_ENV, "").strip()
    name = settings.values.api.webhooks.secret_file
    if not value and name:
        path = Path(name) if Path(name).is_absolute() else settings.root / name
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"[api.webhooks] secret_file: {path} cannot be read "
                             f"({exc.strerror}); write the secret there") from None
    if len(value) < 16:
        raise UsageError(f"webhooks need a signing secret of at least 16 characters: set "
                         f"{SECRET_ENV}, or [api.webhooks] secret_file to a file holding it "
                         "(e.g. `openssl rand -hex 32`)")
    return value


def retry_wait(settings: Settings, attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt."""
    base = settings.values.api.webhooks.retry_base_s
    return min(MAX_WAIT_S, base * 2 ** max(0, attempts - 1))


# ---- recording events (inside the caller's catalog transaction or lock) -----------------------

def record(settings: Settings, catalog: CatalogStore, event: str, guid: str, data: dict, *,
           waiting: bool = False) -> None:
    """Put one event in the outbox (nothing when no webhook URL is set); `waiting`: not sent
    before `site_rebuilt` (a worker's episode is public only after the next rebuild)."""
    if not configured(settings):
        return
    stamp = now_iso()
    delivery = "whd_" + secrets.token_hex(12)
    payload = {"id": delivery, "event": event, "created_at": stamp, "data": data}
    catalog.add_delivery({
        "id": delivery, "event": event, "guid": guid, "url": settings.values.api.webhooks.url,
        "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
        "status": "pending", "attempts": 0, "next_attempt_at": WAITING if waiting else stamp,
        "last_status": 0,
        "last_error": "", "created_at": stamp, "delivered_at": ""})


def record_ready(settings: Settings, catalog: CatalogStore, episode: Episode,
                 waiting: bool = False) -> None:
    record(settings, catalog, READY, episode.guid,
           {"id": episode.guid, **episode_resource(channel_settings(settings), episode)},
           waiting=waiting)


def site_rebuilt(settings: Settings, catalog: CatalogStore) -> None:
    """The site was rebuilt: the deliveries that waited for it are due now, and sent."""
    if not configured(settings):
        return
    with catalog.transaction():
        waited = catalog.release_deliveries(WAITING, now_iso())
    if waited:
        deliver_soon(settings)


def record_failed(settings: Settings, catalog: CatalogStore, article_id: str,
                  error: str) -> None:
    record(settings, catalog, FAILED, article_id, {"id": article_id, "error": error})


def record_unpublished(settings: Settings, catalog: CatalogStore, episode: Episode,
                       reason: str) -> None:
    record(settings, catalog, UNPUBLISHED, episode.guid,
           {"id": episode.guid, "reason": reason,
            **episode_resource(channel_settings(settings), episode)})


def record_outcome(settings: Settings, catalog: CatalogStore, outcome,
                   waiting: bool = False) -> None:
    """One article's outcome in a worker: `episode.ready` for new audio (`waiting` for the
    site's rebuild, which makes it public)."""
    from audioarticles.pipeline.results import Converted

    if configured(settings) and isinstance(outcome, Converted) \
            and outcome.status != "unchanged":
        with catalog.transaction():
            record_ready(settings, catalog, outcome.episode, waiting=waiting)


def record_dead(settings: Settings, catalog: CatalogStore, source: dict, error: str) -> None:
    """A worker gave an article up (dead-lettered): `episode.failed` when it has an explicit
    id (a CMS's)."""
    article_id = source.get("explicit_id") or ""
    if configured(settings) and article_id:
        with catalog.transaction():
            record_failed(settings, catalog, article_id, error)
        deliver_soon(settings)


def record_run(settings: Settings, catalog: CatalogStore, report) -> None:
    """A conversion run's events: `episode.ready` for each episode voiced (not for unchanged
    ones), `episode.failed` for each article with an explicit id (a CMS's) that failed."""
    if not configured(settings):
        return
    for converted in report.converted:
        if converted.status != "unchanged":
            record_ready(settings, catalog, converted.episode)
    for failed in report.failed:
        if failed.article_id:
            record_failed(settings, catalog, failed.article_id, failed.reason)


# ---- delivering --------------------------------------------------------------------------------

def post(settings: Settings, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST once under the fetch policy's address rules and the webhook timeout: (HTTP status,
    "" when it was 2xx, else why it failed). Redirects are not followed."""
    fetch = settings.values.fetch
    timeout = settings.values.api.webhooks.timeout_s
    session = requests.Session()
    netguard.guard(session)
    try:
        with netguard.watching(timeout, fetch.allow_private, tuple(fetch.allow_hosts)) as watch:
            try:
                response = session.post(url, data=body, headers=headers, timeout=timeout,
                                        allow_redirects=False)
            except netguard.Refused as exc:
                return 0, f"refused: {exc}"
            except (requests.RequestException, OSError) as exc:
                if watch.ended == "timeout" or isinstance(exc, requests.Timeout):
                    return 0, f"no answer within {timeout:g} s"
                cause = exc.__context__ if isinstance(exc.__context__, netguard.Refused) else None
                return 0, f"refused: {cause}" if cause else failure(exc)[0]
            with response:
                if 200 <= response.status_code < 300:
                    return response.status_code, ""
                return response.status_code, status_message(response.status_code,
                                                             response.reason or "")
    finally:
        session.close()


def attempt(settings: Settings, catalog: CatalogStore, row: dict, key: str) -> dict:
    """Send one claimed delivery once and write down how it went; returns the new fields."""
    body = row["payload"].encode("utf-8")
    stamp = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": DEFAULT_USER_AGENT,
               "X-Audioarticles-Event": row["event"], "X-Audioarticles-Delivery": row["id"],
               "X-Audioarticles-Timestamp": str(stamp),
               "X-Audioarticles-Signature": sign(key, stamp, body)}
    status, error = post(settings, row["url"], body, headers)
    attempts = row["attempts"] + 1
    now = datetime.now(UTC)
    if not error:
        fields = {"status": "delivered", "delivered_at": now_iso(now)}
    elif attempts >= settings.values.api.webhooks.max_attempts:
        fields = {"status": "failed"}
    else:
        fields = {"next_attempt_at": now_iso(now + timedelta(
            seconds=retry_wait(settings, attempts)))}
    fields.update(attempts=attempts, last_status=status, last_error=error)
    with catalog.transaction():
        catalog.update_delivery(row["id"], **fields)
    return fields


def deliver_due(settings: Settings, limit: int = 50) -> int:
    """Send the deliveries that are due (each claimed first); how many were attempted. No
    secret: nothing is sent (UsageError)."""
    store = ProjectStore(settings)
    if not store.has_catalog:
        return 0
    key = secret(settings)
    timeout = settings.values.api.webhooks.timeout_s
    done = 0
    with store.catalog() as catalog:
        for row in catalog.due_deliveries(now_iso(), limit):
            until = now_iso(datetime.now(UTC) + timedelta(seconds=timeout + _CLAIM_MARGIN_S))
            with catalog.transaction():
                claimed = catalog.claim_delivery(row["id"], row["next_attempt_at"], until)
            if claimed:
                attempt(settings, catalog, {**row, "next_attempt_at": until}, key)
                done += 1
    return done


def deliver_soon(settings: Settings) -> threading.Thread | None:
    """Deliver what is due in a thread (not a daemon: a command waits for its attempts, at
    most one timeout each, before it exits). None when webhooks are off."""
    if not configured(settings):
        return None

    def run() -> None:
        try:
            deliver_due(settings)
        except Exception as exc:  # the run's result stands; the delivery is retried later
            from audioarticles.pipeline.results import warn

            warn(f"webhooks: {exc}")

    thread = threading.Thread(target=run, name="webhooks", daemon=False)
    thread.start()
    return thread


class Dispatcher:
    """A long-running process's delivery loop (the API server): what is due, every
    `interval_s`, until `stop()`."""

    def __init__(self, settings: Settings, interval_s: float = 2.0):
        self.settings = settings
        self.interval_s = interval_s
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="webhook-dispatcher", daemon=True)

    def start(self) -> Dispatcher:
        if configured(self.settings):
            self.thread.start()
        return self

    def wake(self) -> None:
        deliver_soon(self.settings)

    def _loop(self) -> None:
        from audioarticles.pipeline.results import warn

        while not self.stopped.wait(self.interval_s):
            try:
                deliver_due(self.settings)
            except Exception as exc:  # a full disk, a locked catalog: try again next round
                warn(f"webhooks: {exc}")

    def stop(self) -> None:
        self.stopped.set()


def delivery_row(row: dict) -> dict:
    """What `audioarticles webhooks --json` shows of a delivery."""
    return {"id": row["id"], "event": row["event"], "guid": row["guid"], "url": row["url"],
            "status": row["status"], "attempts": row["attempts"],
            "next_attempt_at": row["next_attempt_at"] if row["status"] == "pending" else None,
            "last_status": row["last_status"] or None, "last_error": row["last_error"] or None,
            "created_at": row["created_at"], "delivered_at": row["delivered_at"] or None}
