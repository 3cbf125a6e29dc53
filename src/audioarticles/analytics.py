"""Listening events: what the player tells a newsroom's analytics, without cookies or personal
data.

The player (player.js, and embed.js in a host page) dispatches each event as a DOM
`CustomEvent` named `audioarticles:<event>` (bubbling, crossing shadow roots) with `detail`
the body below; an embed page in an iframe also posts `{"audioarticles": body}` to its parent
window; with `[analytics] beacon_url` set, it sends the body with `navigator.sendBeacon` (as
`text/plain` JSON: a simple request, no CORS preflight). The HTTP API's `POST /v1/events`
receives it and checks it with `parse_event`.

A body (version 1; fields are only ever added):

    {"v": 1, "event": "progress", "episode": "<guid>", "slug": "<slug>",
     "listen": "<16 hex digits>", "position_s": 31.2, "duration_s": 124.5,
     "percent": 25,       # progress only: 25, 50 or 75
     "rate": 1.5,         # ratechange only: the new speed
     "from_s": 12.0}      # seek only: where the listener was

`listen` is drawn at random when a player starts playing and forgotten with the page: it ties
one listening's events together (plays, completion, share listened) and nothing else (no
cookie, no storage, no address, no user agent, no page URL)."""

from __future__ import annotations

import json
import math
import re

VERSION = 1
EVENTS = ("play", "pause", "progress", "complete", "ratechange", "seek")
PROGRESS_MARKS = (25, 50, 75)
MAX_BODY = 2048  # bytes: a body is about 200
_LISTEN = re.compile(r"[0-9a-f]{16}")
_TEXT_LIMIT = 200


class EventError(ValueError):
    """A body that is not a listening event; the message names the field."""


def _number(body: dict, key: str, *, required: bool = True) -> float | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < 0:
        raise EventError(f"{key}: a number of seconds >= 0 is required")
    return float(value)


def _text(body: dict, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > _TEXT_LIMIT:
        raise EventError(f"{key}: a non-empty string of at most {_TEXT_LIMIT} characters is "
                         "required")
    return value


def parse_event(raw: bytes | str | dict) -> dict:
    """The checked event (only the known fields, normalised), or EventError naming the first
    field that is wrong."""
    if isinstance(raw, (bytes, str)):
        if len(raw) > MAX_BODY:
            raise EventError(f"body: larger than {MAX_BODY} bytes")
        try:
            raw = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise EventError("body: not JSON") from None
    if not isinstance(raw, dict):
        raise EventError("body: a JSON object is required")
    if raw.get("v") != VERSION:
        raise EventError(f"v: {VERSION} is required")
    event = raw.get("event")
    if event not in EVENTS:
        raise EventError(f"event: one of {', '.join(EVENTS)} is required")
    listen = raw.get("listen")
    if not isinstance(listen, str) or not _LISTEN.fullmatch(listen):
        raise EventError("listen: 16 lowercase hex digits are required")
    checked = {"v": VERSION, "event": event, "episode": _text(raw, "episode"),
               "slug": _text(raw, "slug"), "listen": listen,
               "position_s": _number(raw, "position_s"),
               "duration_s": _number(raw, "duration_s")}
    if event == "progress":
        if raw.get("percent") not in PROGRESS_MARKS:
            raise EventError("percent: 25, 50 or 75 is required for progress")
        checked["percent"] = raw["percent"]
    elif event == "ratechange":
        rate = _number(raw, "rate")
        if not rate:
            raise EventError("rate: a speed above 0 is required for ratechange")
        checked["rate"] = rate
    elif event == "seek":
        checked["from_s"] = _number(raw, "from_s")
    return checked
