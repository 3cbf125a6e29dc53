"""HTTP helpers every client in the project shares (page fetching, `doctor`, the gTTS engine):
reading a Content-Type, saying in a few words why a request failed, and sizes people read."""

from __future__ import annotations

import re
import ssl
from email.message import Message
from urllib.parse import urlsplit

_ERRNO_TEXT = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def content_type(value: str | None) -> tuple[str, str]:
    """('type/subtype', charset) of a Content-Type header value, lower case; ('', '') when
    there is none. Quoted and oddly spaced parameters are read as mail headers are."""
    if not value or not value.strip():
        return "", ""
    message = Message()
    message["content-type"] = value
    charset = message.get_param("charset")
    media = message.get_content_type().lower()
    # Message falls back to text/plain for a value it cannot parse: keep what was sent
    if media == "text/plain" and not value.strip().lower().startswith("text/plain"):
        media = value.split(";", 1)[0].strip().lower()
    return media, str(charset).strip().lower() if charset else ""


def failure(exc: BaseException, read_timeout: float | None = None) -> tuple[str, bool]:
    """(short reason, host unreachable?) for a failed request, from a requests or urllib3
    error: "host name not found", "connection refused", "connection timed out"... The second
    value says retrying soon is pointless (the host cannot be reached at all)."""
    import requests
    from urllib3.exceptions import NameResolutionError, NewConnectionError

    cause = _innermost(exc)
    if isinstance(exc, requests.ConnectTimeout):
        return "connection timed out", True
    if isinstance(cause, NameResolutionError) or "Name or service not known" in str(cause):
        return "host name not found", True
    if isinstance(cause, NewConnectionError):
        text = str(cause)
        if "Connection refused" in text:
            return "connection refused", True
        found = _ERRNO_TEXT.search(text)
        return (found.group(1).strip().lower() if found else "cannot connect"), True
    if isinstance(exc, requests.ReadTimeout):
        if read_timeout is not None:
            return f"no answer within {read_timeout:g} s", False
        return "no answer in time", False
    if isinstance(exc, requests.Timeout):
        return "timed out", False
    if isinstance(exc, requests.exceptions.SSLError) or isinstance(cause, ssl.SSLError):
        return f"TLS failed: {_last_clause(str(cause))}", False
    if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        return "connection dropped", False
    found = _ERRNO_TEXT.search(str(exc))
    if found:
        return found.group(1).strip().lower(), False
    return _last_clause(str(exc)) or type(exc).__name__, False


def _innermost(exc: BaseException) -> BaseException:
    """The urllib3 error a requests error wraps (MaxRetryError.reason), else `exc`."""
    reason = exc.args[0] if exc.args else None
    if not isinstance(reason, BaseException):
        return exc
    return getattr(reason, "reason", None) or reason


def _last_clause(text: str) -> str:
    for marker in ("Caused by ", "Failed to establish a new connection: "):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
    return text.strip("()'\" ")[:160]


def http_url(value: str | None) -> str:
    """`value` when it is an http(s) URL with a host; anything else (javascript:, data:, a
    URL with spaces or control characters) is dropped: only web links reach tags, feed, pages."""
    value = (value or "").strip()
    if not value.lower().startswith(("http://", "https://")):
        return ""
    if any(ch.isspace() or ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in value):
        return ""
    try:
        return value if urlsplit(value).hostname else ""
    except ValueError:  # an unbalanced [ in the host
        return ""


def status_message(status: int, reason: str = "") -> str:
    """What an HTTP error status means for someone fetching an article, with the fix."""
    if status in (404, 410):
        return f"not found (HTTP {status}); check the address"
    if status in (401, 403):
        return (f"access refused (HTTP {status} {reason}); the page may need a login or "
                "block robots; save it from a browser and convert the file")
    if status == 429 or status >= 500:
        return f"the server failed (HTTP {status} {reason}); try again later"
    return f"HTTP {status} {reason}; check the address"


def format_size(size: float) -> str:
    """Sizes as people write them: 800 bytes, 51.2 KB, 10.2 MB, 954 GB."""
    for unit, scale in (("TB", 1024 ** 4), ("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value >= 100 else f"{value:.3g} {unit}"
    return f"{int(size)} bytes"
