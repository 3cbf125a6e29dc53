"""The CMS integration's part of the public door (`api.Project` inherits it): an article's
conversion status by the CMS's id, API tokens, webhook deliveries, listening events and their
statistics, oEmbed answers. The HTTP service (`service/`) and the command line call these;
neither touches the catalog itself."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from audioarticles import apitokens, editorial, webhooks
from audioarticles.errors import ArticleNotFound, FieldError, UsageError, UserError
from audioarticles.publish.channel import channel_settings
from audioarticles.resources import episode_resource
from audioarticles.store.lock import ProjectBusy
from audioarticles.voices import get_voice

__all__ = ["ArticleNotFound", "CmsMethods", "FieldError", "ProjectBusy"]

#: how often a token's `last_used_at` is written at most (a write per request is too many)
TOUCH_EVERY_S = 60
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
#: job states (api.Project.job) as the API shows them
STATUS_OF_JOB = {"queued": "queued", "running": "rendering", "done": "ready",
                 "failed": "failed", "dead": "failed"}


def body_hash(fields: dict) -> str:
    """What tells the same PUT from a changed one: the body's fields, canonically written."""
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def encode_cursor(updated_at: str, guid: str) -> str:
    raw = json.dumps([updated_at, guid], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        updated_at, guid = json.loads(raw)
        if isinstance(updated_at, str) and isinstance(guid, str):
            return updated_at, guid
    except (binascii.Error, ValueError, TypeError):
        pass
    raise FieldError("cursor", "not a cursor this API gave; pass `next_cursor` as it came")


def parse_since(since: str) -> str:
    """An ISO 8601 time as the catalog writes times (UTC, seconds), for comparing."""
    try:
        moment = datetime.fromisoformat(since.strip().replace("Z", "+00:00"))
    except ValueError:
        raise FieldError("since", f"{since!r} is not an ISO 8601 time; write it as "
                                  "2026-03-02T08:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return webhooks.now_iso(moment)


def listening_stats(plays: list[dict], titles: dict[str, tuple[str, str]]) -> list[dict]:
    """Per episode, from one row per (episode, listen): plays (listens that started),
    completion rate (completed / started) and the average share listened (each listen's
    furthest point: the 25/50/75 % marks, a pause's position, 100 % when complete)."""
    by_episode: dict[str, list[dict]] = {}
    for row in plays:
        if row["plays"]:
            by_episode.setdefault(row["episode"], []).append(row)
    rows = []
    for guid, listens in by_episode.items():
        count = len(listens)
        completed = sum(1 for r in listens if r["completes"])
        shares = [100.0 if r["completes"] else min(100.0, float(r["furthest"] or 0))
                  for r in listens]
        slug, title = titles.get(guid, ("", ""))
        rows.append({"guid": guid, "slug": slug or None, "title": title or None,
                     "plays": count, "completed": completed,
                     "completion_rate": round(completed / count, 4),
                     "average_listened_share": round(sum(shares) / count / 100, 4)})
    rows.sort(key=lambda r: (-r["plays"], r["guid"]))
    return rows


@dataclass
class ApiServer:
    """The HTTP API bound to its address (`serve_forever()` it; Ctrl-C or SIGTERM stop it)."""

    project: Any
    socket: Any
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1/"

    def serve_forever(self, started=None) -> None:
        from audioarticles.service import serve

        try:
            serve(self.project, self.socket, started)
        finally:
            self.socket.close()


class CmsMethods:
    """Methods of `api.Project` for a CMS (see the module docstring)."""

    settings: Any
    store: Any

    # the HTTP API

    def api_server(self, host: str | None = None, port: int | None = None) -> ApiServer:
        """The HTTP API on `host`:`port` (default: `[api] host`/`port`, loopback), its socket
        bound; a UsageError when the `api` extra is missing, the address is taken, or
        webhooks are set without a signing secret."""
        try:
            import fastapi  # noqa: F401
            import uvicorn  # noqa: F401
        except ImportError:
            raise UsageError("the HTTP API needs its extra: pip install "
                             "'audioarticles[api]'") from None
        from audioarticles.service import listen

        if webhooks.configured(self.settings):
            webhooks.secret(self.settings)
        options = self.settings.values.api
        host = host or options.host
        port = options.port if port is None else port
        try:
            sock = listen(host, port)
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); pick "
                             "another --port or --host") from None
        return ApiServer(self, sock, host, sock.getsockname()[1])

    def episode_resource(self, slug_or_id: str) -> dict:
        """One episode as the HTTP API shows it (`resources.episode_resource`)."""
        with self.store.catalog() as catalog:
            record = catalog.find(slug_or_id)
        if record is None:
            raise ArticleNotFound(f"{slug_or_id}: no such episode")
        return episode_resource(channel_settings(self.settings), record)

    # API tokens

    def create_api_token(self, name: str, scope: str) -> dict:
        """A new bearer token for the HTTP API (`scope`: read or write). The token is in the
        answer once; the catalog keeps only its hash."""
        apitokens.check_name(name)
        apitokens.check_scope(scope)
        token_id, token = apitokens.new_token()
        stamp = webhooks.now_iso()
        with self.store.catalog() as catalog, catalog.transaction():
            catalog.add_api_token(token_id, name, scope, apitokens.token_hash(token), stamp)
        return {"id": token_id, "name": name, "scope": scope, "created_at": stamp,
                "token": token}

    def api_tokens(self, revoked: bool = False) -> list[dict]:
        """The API's tokens (never their secret), oldest first."""
        if not self.store.has_catalog:
            return []
        with self.store.catalog() as catalog:
            return [apitokens.public_row(r) for r in catalog.api_tokens(revoked)]

    def revoke_api_token(self, which: str) -> dict:
        """Revoke a token by its id, or by its name when one live token has it."""
        with self.store.catalog() as catalog:
            live = catalog.api_tokens()
            found = [r for r in live if r["id"] == which] or [r for r in live
                                                              if r["name"] == which]
            if len(found) != 1:
                problem = "no live token has this id or name" if not found else \
                    f"{len(found)} live tokens have this name; give the id"
                raise UserError(f"{which}: {problem} (see `audioarticles tokens list`)")
            stamp = webhooks.now_iso()
            with catalog.transaction():
                catalog.revoke_api_token(found[0]["id"], stamp)
            return {**apitokens.public_row(found[0]), "revoked_at": stamp}

    def check_api_token(self, token: str) -> dict | None:
        """The live token row this bearer token is (id, name, scope), or None."""
        if not token or not self.store.has_catalog:
            return None
        with self.store.catalog() as catalog:
            row = apitokens.matching(token, catalog.api_tokens())
            if row is None:
                return None
            now = datetime.now(UTC)
            last = row["last_used_at"]
            if not last or (now - datetime.fromisoformat(last)).total_seconds() > TOUCH_EVERY_S:
                with catalog.transaction():
                    catalog.touch_api_token(row["id"], webhooks.now_iso(now))
            return {"id": row["id"], "name": row["name"], "scope": row["scope"]}

    # articles by the CMS's id

    def put_article(self, article, voice: str | None = None,
                    state: str | None = None) -> dict:
        """Queue the conversion of an article the CMS sent (`ArticleInput` with its `id`),
        unless the same body was already accepted (and did not fail): `{id, status}` with
        status "queued" or "unchanged". `state`: "draft" keeps a new episode as a draft;
        "published" (or None) lets the project's policy release it."""
        if state not in (None, editorial.DRAFT, editorial.PUBLISHED):
            raise FieldError("state", f"{state!r}; use draft or published")
        if voice:
            try:
                get_voice(voice, self.settings.root)
            except UsageError as exc:
                raise FieldError("voice", str(exc)) from None
        fields = {**asdict(article), "categories": list(article.categories),
                  "voice": voice or "", "state": state or ""}
        digest = body_hash(fields)
        with self.store.catalog() as catalog:
            previous = catalog.api_article(article.id)
        if previous and previous["body_hash"] == digest:
            status = self._job_status(previous["job"])
            if status["status"] != "failed":
                return {"id": article.id, "status": "unchanged"}
        [job] = self.submit(article, voice, draft=state == editorial.DRAFT)
        with self.store.catalog() as catalog, catalog.transaction():
            catalog.save_api_article(article.id, digest, job, state or "", webhooks.now_iso())
        return {"id": article.id, "status": "queued"}

    def withdraw(self, article_id: str, reason: str = "") -> dict | None:
        """`DELETE /v1/articles/{id}` for an article that has no episode yet: its pending
        conversion is called off (the job ends as skipped, "withdrawn", and no worker starts
        it afterwards) and the submission is forgotten, so GET answers 404 and a later PUT
        converts it anew (nothing was published, so there is nothing to keep down). None when
        the article has an episode (the caller unpublishes it); a UserError (409) while its
        conversion runs, since an episode is about to appear."""
        from audioarticles import jobs as job_runs

        with self.store.catalog() as catalog:
            if catalog.get(article_id) is not None:
                return None
            submitted = catalog.api_article(article_id)
            if submitted is None:
                raise ArticleNotFound(f"{article_id}: no article with this id; send it with "
                                      "PUT /v1/articles/{id} first")
            why = f"withdrawn before it was converted: {reason}" if reason else \
                "withdrawn before it was converted"
            running = (f"{article_id}: its conversion is running now; DELETE it again once "
                       "GET /v1/articles/{id} answers ready")
            with catalog.transaction():
                job = catalog.job(submitted["job"]) if submitted["job"] else None
                if job is not None and job.state == job_runs.RUNNING:
                    raise UserError(running)
                if job is not None:
                    catalog.update_job(job.id, only_from=(job_runs.QUEUED, job_runs.FAILED),
                                       state=job_runs.DONE, status="skipped", error=why,
                                       finished_at=job_runs.now_precise())
                catalog.forget_api_article(article_id)
            if job is not None and catalog.job(job.id).state == job_runs.RUNNING:
                # a worker took it between our read and our write: put the submission back
                with catalog.transaction():
                    catalog.save_api_article(article_id, submitted["body_hash"], submitted["job"],
                                             submitted["state"], submitted["submitted_at"])
                raise UserError(running)
        return {"id": article_id, "from_state": None, "state": None, "changed": True,
                "note": why, "episode": None}

    def _job_status(self, job_id: str) -> dict:
        """`status` (queued, rendering, ready, failed) and `error` of a submitted job."""
        try:
            job = self.job(job_id) if job_id else None
        except UserError:  # a job record swept away: what the catalog has is what counts
            job = None
        if job is None:
            return {"status": "ready", "error": None}
        if job.state == "done" and job.status == "skipped":
            return {"status": "failed", "error": f"skipped: {job.error}"}
        if job.state == "failed" and job.runner == "queue":  # a retry is scheduled
            return {"status": "queued", "error": job.error or None}
        return {"status": STATUS_OF_JOB.get(job.state, job.state), "error": job.error or None}

    def article_status(self, article_id: str) -> dict:
        """What `GET /v1/articles/{id}` answers: `status`, `error`, `state` and, once there
        is one, the episode (its public URLs once published)."""
        with self.store.catalog() as catalog:
            submitted = catalog.api_article(article_id)
            record = catalog.get(article_id)
        if submitted is None and record is None:
            raise ArticleNotFound(f"{article_id}: no article with this id; send it with PUT "
                                  "/v1/articles/{id} first")
        status = self._job_status(submitted["job"] if submitted else "")
        if status["status"] == "ready" and record is None:
            status = {"status": "failed",
                      "error": status["error"] or "the conversion made no episode"}
        answer = {"id": article_id, **status,
                  "state": record.state if record else (submitted or {}).get("state") or None,
                  "submitted_at": submitted["submitted_at"] if submitted else None,
                  "episode": None}
        if record is not None and status["status"] in ("ready", "rendering", "queued"):
            answer["episode"] = episode_resource(channel_settings(self.settings), record)
        return answer

    def episode_changes(self, state: str | None = None, since: str | None = None,
                        cursor: str | None = None, limit: int = PAGE_SIZE) -> dict:
        """Episodes in the order they last changed (oldest first), a page at a time:
        `{episodes, next_cursor}`; `since`: changed at or after this time; `cursor`: the
        `next_cursor` of the page before."""
        if state is not None and state not in editorial.STATES:
            raise FieldError("state", f"{state!r}; use one of {', '.join(editorial.STATES)}")
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise FieldError("limit", f"{limit}; use 1 to {MAX_PAGE_SIZE}")
        after = decode_cursor(cursor) if cursor else None
        floor = parse_since(since) if since else ""
        if not self.store.has_catalog:
            return {"episodes": [], "next_cursor": None}
        with self.store.catalog() as catalog:
            records = catalog.changed_episodes(state, floor, after, limit + 1)
        page = records[:limit]
        channel = channel_settings(self.settings)
        more = len(records) > limit
        return {"episodes": [episode_resource(channel, r) for r in page],
                "next_cursor": encode_cursor(page[-1].updated_at, page[-1].guid)
                if more else None}

    # webhooks

    def webhook_deliveries(self, failed: bool = False) -> list[dict]:
        """Webhook deliveries, newest first (`failed`: only those that gave up)."""
        if not self.store.has_catalog:
            return []
        with self.store.catalog() as catalog:
            rows = catalog.deliveries("failed" if failed else None)
        return [webhooks.delivery_row(r) for r in rows]

    def deliver_webhooks(self) -> int:
        """Send the webhook deliveries that are due now; how many were attempted."""
        if not webhooks.configured(self.settings):
            raise UsageError("no webhook URL: set [api.webhooks] url in audioarticles.toml")
        return webhooks.deliver_due(self.settings)

    # listening events

    def record_listening(self, event: dict) -> None:
        """Keep one checked listening event (`analytics.parse_event`) of a published
        episode: its GUID, the event, the listen's random id and how far it got, in percent.
        Nothing about the listener."""
        with self.store.catalog() as catalog:
            record = catalog.get(event["episode"])
            if record is None or record.state != "published":
                raise ArticleNotFound(f"episode: {event['episode']!r} is no published "
                                      "episode's id")
            duration = event.get("duration_s") or record.duration_s or 0
            if event["event"] == "progress":
                value = float(event["percent"])
            elif event["event"] == "complete":
                value = 100.0
            elif event["event"] == "ratechange":
                value = float(event["rate"])
            else:
                value = min(100.0, 100.0 * event["position_s"] / duration) if duration else 0.0
            with catalog.transaction():
                catalog.add_listening_events([(record.guid, event["event"], event["listen"],
                                               round(value, 2), webhooks.now_iso())])

    def listening_stats(self, since: str | None = None) -> list[dict]:
        """Per episode: plays, completion rate, average share listened (`audioarticles
        stats`), most played first."""
        floor = parse_since(since) if since else ""
        if not self.store.has_catalog:
            return []
        with self.store.catalog() as catalog:
            plays = catalog.listening_plays(floor)
            titles = {e.guid: (e.slug, e.title) for e in catalog.episodes()}
        return listening_stats(plays, titles)
