"""Fetch article pages and feeds over HTTP(S): timeouts, a size cap, a real User-Agent, a
bounded number of redirects, conditional GET; every failure is an InputError naming the URL."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from email.message import Message

import requests

from audioarticles.version import __version__
from audioarticles.errors import InputError

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


@dataclass
class FetchSettings:
    timeout_s: float = 20.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT

    @classmethod
    def from_project(cls, project) -> FetchSettings:
        fetch = project.section("fetch")
        limits = project.section("limits")
        return cls(timeout_s=float(fetch.get("timeout_s", 20)),
                   max_bytes=int(float(limits.get("max_input_mb", 5)) * 1024 * 1024),
                   max_redirects=int(fetch.get("max_redirects", 5)),
                   user_agent=str(fetch.get("user_agent") or DEFAULT_USER_AGENT))


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


def parse_content_type(value: str) -> tuple[str, str | None]:
    message = Message()
    message["content-type"] = value or "application/octet-stream"
    charset = message.get_param("charset")
    return message.get_content_type().lower(), str(charset) if charset else None


def format_size(size: int) -> str:
    """5 MB, 10.2 MB, 51.2 KB, 800 bytes."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.3g} MB"
    if size >= 1024:
        return f"{size / 1024:.3g} KB"
    return f"{size} bytes"


def size_limit_message(size: int | None, max_bytes: int) -> str:
    what = f"is {format_size(size)}" if size is not None else "is larger than that"
    return (f"{what}, above the {format_size(max_bytes)} limit for one input; raise [limits] "
            f"max_input_mb in audioarticles.toml if this really is one article")


def fetch(url: str, settings: FetchSettings, headers: dict[str, str] | None = None,
          session: requests.Session | None = None) -> Page:
    """GET `url`; 2xx and 304 come back as a Page, everything else raises InputError(url, ...)."""
    own_session = session is None
    session = session or requests.Session()
    session.max_redirects = settings.max_redirects
    request_headers = {"User-Agent": settings.user_agent,
                       "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,"
                                 "text/plain;q=0.8,*/*;q=0.5",
                       "Accept-Language": "fr,en;q=0.5"}
    request_headers.update(headers or {})
    deadline = time.monotonic() + settings.timeout_s
    try:
        response = session.get(url, headers=request_headers, stream=True,
                               timeout=(settings.timeout_s, settings.timeout_s))
        with response:
            if response.status_code == 304:
                return Page(url=url, final_url=response.url, status=304,
                            headers=dict(response.headers))
            if response.status_code >= 400:
                raise InputError(url, http_error_message(response))
            media_type, charset = parse_content_type(response.headers.get("Content-Type", ""))
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > settings.max_bytes:
                raise InputError(url, size_limit_message(int(declared), settings.max_bytes))
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body.extend(chunk)
                if len(body) > settings.max_bytes:
                    raise InputError(url, size_limit_message(None, settings.max_bytes))
                if time.monotonic() > deadline:
                    raise requests.Timeout("the whole download took too long")
            return Page(url=url, final_url=response.url, status=response.status_code,
                        media_type=media_type, charset=charset, body=bytes(body),
                        headers=dict(response.headers))
    except requests.TooManyRedirects as exc:
        raise InputError(url, f"too many redirects (more than {settings.max_redirects}; a redirect "
                              "loop?); open the address in a browser to check it") from exc
    except requests.Timeout as exc:
        raise InputError(url, f"no complete answer within {settings.timeout_s:g} s (timeout); try "
                              "again later, or raise [fetch] timeout_s in audioarticles.toml") from exc
    except requests.ConnectionError as exc:
        raise InputError(url, f"could not connect ({short_reason(exc)}); check the address "
                              "and the network") from exc
    except requests.RequestException as exc:
        raise InputError(url, f"could not fetch it ({short_reason(exc)}); check the address") from exc
    finally:
        if own_session:
            session.close()


def http_error_message(response: requests.Response) -> str:
    status = response.status_code
    reason = response.reason or ""
    if status == 404 or status == 410:
        return f"not found (HTTP {status}); check the address"
    if status in (401, 403):
        return (f"access refused (HTTP {status} {reason}); the page may need a login or "
                "block robots; save it from a browser and convert the file")
    if status == 429 or status >= 500:
        return f"the server failed (HTTP {status} {reason}); try again later"
    return f"HTTP {status} {reason}; check the address"


def short_reason(exc: Exception) -> str:
    text = str(exc.args[0] if exc.args else exc)
    # urllib3 wraps the useful part: keep the last clause
    for marker in ("Caused by ", "Failed to establish a new connection: "):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
    return text.strip("()'\" ")[:160]
