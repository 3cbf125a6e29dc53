"""The HTTP API a CMS calls (FastAPI on uvicorn, JSON, under `/v1`; its OpenAPI schema at
`/v1/openapi.json`). The routes only parse and answer: the work is `api.Project`'s.

Errors are JSON `{"error": "...", "field": "..."}`: 401 without a valid bearer token, 403 when
its scope does not allow the call, 404 for an unknown id, 413 for a body above `[api]
max_body_kb`, 422 naming the field that is wrong, 429 with Retry-After past `[api]
rate_per_minute`, 503 with Retry-After while a conversion holds the project.
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations at run time,
# and some of them are local aliases
import logging
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import Body, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from audioarticles import analytics, webhooks
from audioarticles.editorial import STATES
from audioarticles.apitokens import allows
from audioarticles.errors import ArticleNotFound, FieldError, InputError, UsageError, UserError
from audioarticles.service.guards import BodyLimit, TokenBucket, retry_after
from audioarticles.sources import ArticleInput, check_id
from audioarticles.store.lock import ProjectBusy
from audioarticles.version import __version__

MAX_TEXT = 2_000_000  # characters of one article body (the body limit usually comes first)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


def _http_url(value: str | None) -> str | None:
    if value is not None and not value.lower().startswith(("http://", "https://")):
        raise ValueError("an absolute http(s) URL is required")
    return value


class ArticleBody(Strict):
    """An article the CMS sends: `title` and one of `html`, `text`, `markdown`, or only `url`
    (the page is then fetched there, under the fetch policy). With a body, `url` is the
    article's canonical address."""

    title: str = Field(min_length=1, max_length=1000)
    html: str | None = Field(None, max_length=MAX_TEXT)
    text: str | None = Field(None, max_length=MAX_TEXT)
    markdown: str | None = Field(None, max_length=MAX_TEXT)
    url: str | None = Field(None, max_length=2000)
    author: str = Field("", max_length=500)
    published: str | None = Field(None, description="ISO 8601; without a zone, the project's")
    categories: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=50)
    image: str | None = Field(None, max_length=2000)
    summary: str = Field("", max_length=5000)
    language: str = Field("", max_length=20)
    voice: str | None = Field(None, description="a voice profile; default: the project's")
    state: Literal["draft", "published"] | None = Field(
        None, description="draft: a new episode waits for POST .../publish")

    _urls = field_validator("url", "image")(_http_url)

    @field_validator("published")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        from datetime import datetime

        if value is not None:
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError("an ISO 8601 time is required, e.g. "
                                 "2026-03-02T08:00:00+01:00") from None
        return value

    @model_validator(mode="after")
    def _one_body(self):
        given = [name for name in ("html", "text", "markdown") if getattr(self, name)]
        if len(given) > 1:
            raise ValueError(f"give one of html, text or markdown, not {' and '.join(given)}")
        if not given and not self.url:
            raise ValueError("give one of html, text or markdown, or url to fetch the page")
        return self


class Reason(Strict):
    reason: str = Field("", max_length=1000)


class PublishBody(Reason):
    at: str | None = Field(None, description="ISO 8601: schedule instead of now")


def _error(status: int, message: str, field: str | None = None,
           headers: dict | None = None) -> JSONResponse:
    body = {"error": message, **({"field": field} if field else {})}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_name(location: tuple) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


class ApiError(Exception):
    def __init__(self, response: JSONResponse):
        self.response = response


bearer = HTTPBearer(auto_error=False, description="`audioarticles tokens create --name cms "
                                                  "--scope write`")


def create_app(project) -> FastAPI:
    """The API for `project` (an `api.Project`; its settings' `[api]` section sets the
    limits)."""
    options = project.settings.values.api
    writes = TokenBucket(options.rate_per_minute)
    beacons = TokenBucket(options.events_per_minute)
    dispatcher = webhooks.Dispatcher(project.settings)

    @asynccontextmanager
    async def lifespan(app):
        dispatcher.start()
        try:
            yield
        finally:
            dispatcher.stop()

    app = FastAPI(title="audioarticles", version=__version__, openapi_url="/v1/openapi.json",
                  docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Articles in, podcast episodes out: the API a CMS calls.")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0]
        field = _field_name(tuple(first.get("loc", ())))
        message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        return _error(422, f"{field}: {message}", field)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        logging.getLogger("audioarticles").error("%s %s failed: %s: %s", request.method,
                                                 request.url.path, type(exc).__name__, exc)
        return _error(500, "internal error; the server's log says more")

    @app.exception_handler(ApiError)
    async def refused(request: Request, exc: ApiError):
        return exc.response

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError):
        if isinstance(exc, FieldError):
            return _error(422, str(exc), exc.field)
        if isinstance(exc, ArticleNotFound):
            return _error(404, str(exc))
        if isinstance(exc, ProjectBusy):
            return _error(503, str(exc), headers={"Retry-After": "5"})
        if isinstance(exc, UsageError):
            return _error(422, str(exc))
        if "no such episode" in str(exc):
            return _error(404, str(exc))
        return _error(409, str(exc))

    def caller(needed: str):
        def check(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                         Depends(bearer)]) -> dict:
            token = project.check_api_token(credentials.credentials) if credentials else None
            if token is None:
                raise ApiError(_error(401, "a valid bearer token is required (Authorization: "
                                           "Bearer <token>; `audioarticles tokens create`)",
                                      headers={"WWW-Authenticate": "Bearer"}))
            wait = writes.take(token["id"])
            if wait:
                raise ApiError(_error(429, f"more than {options.rate_per_minute} requests a "
                                           "minute with this token; slow down",
                                      headers={"Retry-After": retry_after(wait)}))
            if not allows(token["scope"], needed):
                raise ApiError(_error(403, f"this token's scope is {token['scope']}; this call "
                                           f"needs a {needed} token"))
            return token
        return check

    Reader = Annotated[dict, Depends(caller("read"))]
    Writer = Annotated[dict, Depends(caller("write"))]
    ArticleId = Annotated[str, Path(min_length=1, max_length=200, description="the CMS's id")]

    def checked_id(article_id: str) -> str:
        try:
            return check_id(article_id, "id")
        except InputError as exc:
            raise FieldError("id", exc.reason) from None

    def status_url(request: Request, article_id: str) -> str:
        return str(request.url_for("article_status", article_id=article_id))

    @app.put("/v1/articles/{article_id}", status_code=202, tags=["articles"],
             responses={200: {"description": "the same content again: unchanged"}})
    def put_article(article_id: ArticleId, body: ArticleBody, request: Request,
                    token: Writer):
        """Convert (or convert again) the article the CMS knows by this id. 202 `queued`;
        200 `unchanged` when the same body was already accepted."""
        article_id = checked_id(article_id)
        fields = body.model_dump(exclude={"voice", "state"})
        article = ArticleInput(id=article_id, **{k: v or "" for k, v in fields.items()
                                                 if k != "categories"},
                               categories=tuple(fields["categories"]))
        answer = project.put_article(article, voice=body.voice, state=body.state)
        answer["status_url"] = status_url(request, article_id)
        return JSONResponse(answer, status_code=200 if answer["status"] == "unchanged" else 202)

    @app.get("/v1/articles/{article_id}", tags=["articles"], name="article_status")
    def article_status(article_id: ArticleId, token: Reader):
        """`status`: queued, rendering, ready or failed (with `error`); `state`; and the
        episode once there is one."""
        return project.article_status(checked_id(article_id))

    def change(article_id: str, run) -> dict:
        article_id = checked_id(article_id)
        project.article_status(article_id)  # 404 for an unknown id
        [done] = run(article_id)
        return {"id": article_id, "from_state": done.from_state,
                "state": done.episode.state, "changed": done.changed, "note": done.note or None,
                "episode": project.episode_resource(done.episode.guid)}

    @app.delete("/v1/articles/{article_id}", tags=["articles"])
    def delete_article(article_id: ArticleId, token: Writer,
                       reason: Annotated[str, Query(max_length=1000)] = "removed in the CMS"):
        """Unpublish for good: the episode leaves the feed and the site, and its article is
        tombstoned (sending it again does not bring it back; POST .../publish does). An
        article not converted yet is withdrawn: its queued conversion is called off and the
        submission forgotten (409 while the conversion runs)."""
        withdrawn = project.withdraw(checked_id(article_id), reason)
        if withdrawn is not None:
            return withdrawn
        return change(article_id, lambda name: project.unpublish(
            name, reason=reason, by=f"api:{token['name']}"))

    @app.post("/v1/articles/{article_id}/publish", tags=["articles"])
    def publish_article(article_id: ArticleId, token: Writer,
                        body: Annotated[PublishBody | None, Body()] = None):
        """Release the episode now (or at `at`)."""
        body = body or PublishBody()
        return change(article_id, lambda name: project.publish(
            name, by=f"api:{token['name']}", reason=body.reason, at=body.at))

    @app.post("/v1/articles/{article_id}/hold", tags=["articles"])
    def hold_article(article_id: ArticleId, token: Writer,
                     body: Annotated[Reason | None, Body()] = None):
        """Keep the episode out of the feed and the site until .../publish."""
        reason = (body.reason if body else "") or "held in the CMS"
        return change(article_id, lambda name: project.hold(
            name, reason=reason, by=f"api:{token['name']}"))

    @app.get("/v1/episodes", tags=["episodes"])
    def episodes(token: Reader,
                 state: Annotated[Literal[STATES] | None, Query()] = None,
                 since: Annotated[str | None, Query(description="ISO 8601")] = None,
                 cursor: Annotated[str | None, Query(max_length=1000)] = None,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50):
        """Episodes in the order they last changed, oldest first; follow `next_cursor`."""
        return project.episode_changes(state, since, cursor, limit)

    @app.post("/v1/events", status_code=204, tags=["analytics"],
              openapi_extra={"requestBody": {"content": {"text/plain": {}, "application/json": {}},
                                             "description": "analytics.py: one event"}})
    async def event(request: Request):
        """The players' listening beacon (no token: players cannot hold one; no cookie, and
        nothing about the listener is kept, not even the address)."""
        wait = beacons.take("events")
        if wait:
            return _error(429, "too many listening events; try later",
                          headers={"Retry-After": retry_after(wait)})
        raw = await request.body()
        try:
            checked = analytics.parse_event(raw)
        except analytics.EventError as exc:
            field = str(exc).split(":", 1)[0]
            return _error(422, str(exc), field)
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(project.record_listening, checked)
        return Response(status_code=204)

    @app.get("/oembed", tags=["embeds"])
    def oembed(url: Annotated[str, Query(max_length=2000)],
               maxwidth: Annotated[int | None, Query(ge=1)] = None,
               maxheight: Annotated[int | None, Query(ge=1)] = None,
               format: Annotated[str, Query()] = "json"):
        """oEmbed for an episode page URL of this site (public, like the pages)."""
        if format != "json":
            return _error(501, "only format=json is served", "format")
        return project.oembed(url, maxwidth=maxwidth, maxheight=maxheight)

    if options.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(options.cors_origins),
                           allow_methods=["GET", "PUT", "POST", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"], max_age=600)
    return app


def asgi_app(project):
    """The app with the request-size limit in front (what uvicorn serves)."""
    return BodyLimit(create_app(project), project.settings.values.api.max_body_kb * 1024)
