"""The HTTP helpers every client shares: Content-Type, why a request failed, sizes."""

from __future__ import annotations

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from audioarticles.fetch import size_limit_message
from audioarticles.httputil import content_type, failure, format_size, status_message


@pytest.mark.parametrize("value, expected", [
    ("text/html; charset=UTF-8", ("text/html", "utf-8")),
    ('text/html;charset="iso-8859-1"', ("text/html", "iso-8859-1")),
    ("Application/RSS+XML", ("application/rss+xml", "")),
    ("audio/mpeg", ("audio/mpeg", "")),
    ("text/plain", ("text/plain", "")),
    ("", ("", "")),
    (None, ("", "")),
    ("nonsense", ("nonsense", "")),
])
def test_content_type(value, expected):
    assert content_type(value) == expected


def _connection_error(reason):
    return requests.ConnectionError(MaxRetryError(None, "/", reason))


@pytest.mark.parametrize("exc, expected", [
    (_connection_error(NameResolutionError("x.example", None, OSError("no name"))),
     ("host name not found", True)),
    (_connection_error(NewConnectionError(None, "Failed to establish a new connection: "
                                                "[Errno 111] Connection refused")),
     ("connection refused", True)),
    (_connection_error(NewConnectionError(None, "Failed to establish a new connection: "
                                                "[Errno 101] Network is unreachable")),
     ("network is unreachable", True)),
    (requests.ConnectTimeout(), ("connection timed out", True)),
    (requests.ReadTimeout(), ("no answer in time", False)),
    (requests.ConnectionError("Connection aborted."), ("connection dropped", False)),
    (requests.exceptions.ChunkedEncodingError("broken"), ("connection dropped", False)),
])
def test_failure(exc, expected):
    assert failure(exc) == expected


@pytest.mark.parametrize("size, shown", [
    (800, "800 bytes"), (52_429, "51.2 KB"), (5 * 1024 * 1024, "5 MB"),
    (10_700_000, "10.2 MB"), (1_000_000_000_000, "931 GB"), (954 * 1024 ** 3, "954 GB"),
    (5 * 1024 ** 4, "5 TB"),
])
def test_format_size(size, shown):
    assert format_size(size) == shown


def test_size_messages_read_as_sentences():
    """It used to say "9.54e+05 MB" and "is larger than that, above the ... limit"."""
    assert size_limit_message(1_000_000_000_000, 5 * 1024 * 1024).startswith(
        "is 931 GB, above the 5 MB limit for one input; raise [limits] max_input_mb")
    assert size_limit_message(None, 5 * 1024 * 1024).startswith(
        "was stopped after the 5 MB limit for one input; raise [limits] max_input_mb")


@pytest.mark.parametrize("status, reason, start", [
    (404, "Not Found", "not found (HTTP 404)"), (410, "Gone", "not found (HTTP 410)"),
    (403, "Forbidden", "access refused (HTTP 403 Forbidden)"),
    (503, "Service Unavailable", "the server failed (HTTP 503 Service Unavailable)"),
    (418, "I'm a teapot", "HTTP 418 I'm a teapot"),
])
def test_status_message(status, reason, start):
    assert status_message(status, reason).startswith(start)
