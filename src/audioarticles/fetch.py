"""Fetch article pages and feeds over HTTP(S): one deadline per URL, a size cap, a real
User-Agent, a bounded number of redirects, conditional GET, and no connection to private
addresses unless the project allows them (`netguard`); every failure is an InputError naming
the URL."""

from __future__ import annotations

from dataclasses import dataclass, field

import requests
from pydantic import Field

from audioarticles import netguard
from audioarticles.version import __version__
from audioarticles.errors import InputError
from audioarticles.httputil import content_type, failure, format_size, status_message
from audioarticles.config import FetchSection, LimitsSection

DEFAULT_USER_AGENT = f"audioarticles/{__version__} (article-to-podcast converter)"

# a few formats people paste by mistake, recognised by their first bytes
MAGIC_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/OpenDocument file)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"ID3", "an MP3 file"),
    (b"\xd0\xcf\x11\xe0", "a Microsoft Office file"),
)


def binary_kind(data: bytes) -> str | None:
    """What a known binary format is ("a PDF document"), from its first bytes."""
    for magic, kind in MAGIC_KINDS:
        if data.startswith(magic):
            return kind
    return None


def _bytes(megabytes: float) -> int:
    return int(megabytes * 1024 * 1024)


class FetchSettings(FetchSection):
    """`[fetch]` (its keys, defaults and checks are the schema's) and the size cap of
    `[limits] max_input_mb`, in bytes."""

    max_bytes: int = Field(default_factory=lambda: _bytes(LimitsSection().max_input_mb), gt=0)

    @classmethod
    def from_project(cls, project) -> FetchSettings:
        return cls(**project.values.fetch.model_dump(),
                   max_bytes=_bytes(project.values.limits.max_input_mb))


class FetchCancelled(Exception):
    """The run was stopped (Ctrl-C, SIGTERM) while this URL was being fetched: not a failure
    of the input, so not an InputError."""


@dataclass
class Page:
    """A fetched resource: its final URL after redirects, its media type and body."""

    url: str
    final_url: str
    status: int
    media_type: str = ""
    charset: str | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_url(name: str) -> bool:
    return name.lower().startswith(("http://", "https://"))


def size_limit_message(size: int | None, max_bytes: int) -> str:
    what = (f"is {format_size(size)}, above" if size is not None
            else "was stopped after")
    return (f"{what} the {format_size(max_bytes)} limit for one input; raise [limits] "
            f"max_input_mb in audioarticles.toml if this really is one article")


def fetch(url: str, settings: FetchSettings, headers: dict[str, str] | None = None,
          session: requests.Session | None = None) -> Page:
    """GET `url`; 2xx and 304 come back as a Page, everything else raises InputError(url, ...).

    Each connection (redirects too) goes only to an address the policy allows; the whole
    fetch has `settings.timeout_s`; cancelling the `netguard.Scope` it runs in ends it with
    FetchCancelled."""
    own_session = session is None
    session = session or requests.Session()
    netguard.guard(session)
    session.max_redirects = settings.max_redirects
    request_headers = {"User-Agent": settings.user_agent or DEFAULT_USER_AGENT,
                       "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,"
                                 "text/plain;q=0.8,*/*;q=0.5",
                       "Accept-Language": "fr,en;q=0.5"}
    request_headers.update(headers or {})
    with netguard.watching(settings.timeout_s, settings.allow_private,
                           tuple(settings.allow_hosts)) as watch:
        try:
            return _get(url, settings, session, request_headers, watch)
        except netguard.Refused as exc:
            raise InputError(url, f"refused: {exc}") from exc
        except (requests.RequestException, OSError) as exc:
            if watch.ended == "cancelled":
                raise FetchCancelled(url) from exc
            if watch.ended == "timeout" or isinstance(exc, requests.Timeout):
                raise InputError(url, timeout_message(settings)) from exc
            if isinstance(exc, requests.TooManyRedirects):
                raise InputError(url, f"too many redirects (more than {settings.max_redirects}; "
                                      "a redirect loop?); open the address in a browser to "
                                      "check it") from exc
            reason, unreachable = failure(exc)
            if unreachable:
                raise InputError(url, f"could not connect ({reason}); check the address and "
                                      "the network") from exc
            raise InputError(url, f"could not fetch it ({reason}); check the address") from exc
        finally:
            if own_session:
                session.close()


def timeout_message(settings: FetchSettings) -> str:
    return (f"no complete answer within {settings.timeout_s:g} s (timeout); try again later, "
            "or raise [fetch] timeout_s in audioarticles.toml")


def _get(url: str, settings: FetchSettings, session: requests.Session,
         headers: dict[str, str], watch: netguard.Watch) -> Page:
    timeout = (settings.timeout_s, settings.timeout_s)
    response = session.get(url, headers=headers, stream=True, timeout=timeout)
    with response:
        if response.status_code == 304:
            return Page(url=url, final_url=response.url, status=304,
                        headers=dict(response.headers))
        if response.status_code >= 400:
            raise InputError(url, status_message(response.status_code, response.reason or ""))
        media_type, charset = content_type(response.headers.get("Content-Type"))
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > settings.max_bytes:
            raise InputError(url, size_limit_message(int(declared), settings.max_bytes))
        body = bytearray()
        for chunk in response.iter_content(16 * 1024):
            body.extend(chunk)
            if len(body) > settings.max_bytes:
                raise InputError(url, size_limit_message(None, settings.max_bytes))
        if watch.ended:
            # the deadline shut the socket: what came is a truncated body, not the page
            raise requests.ConnectionError(f"fetch ended ({watch.ended})")
        return Page(url=url, final_url=response.url, status=response.status_code,
                    media_type=media_type or "application/octet-stream", charset=charset or None,
                    body=bytes(body), headers=dict(response.headers))
