"""Bearer tokens of the HTTP API: made from 32 random bytes, shown once, kept as a SHA-256
hash, compared in constant time. A `write` token may do everything a `read` token may."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from audioarticles.errors import UsageError

SCOPES = ("read", "write")
PREFIX = "aa_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def new_token() -> tuple[str, str]:
    """(token id, token): the id names it in lists and logs; the token is the secret."""
    return "tok_" + secrets.token_hex(6), PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    # the token carries 256 random bits: a plain hash cannot be brute-forced back to it
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise UsageError(f"token name {name!r}: use 1 to 64 letters, digits, '.', '_' or '-' "
                         "(e.g. cms)")
    return name


def check_scope(scope: str) -> str:
    if scope not in SCOPES:
        raise UsageError(f"scope {scope!r}: use one of {', '.join(SCOPES)}")
    return scope


def matching(token: str, rows: list[dict]) -> dict | None:
    """The row among `rows` (live tokens) whose hash is this token's. Every row is compared,
    each in constant time, so the answer's timing says nothing about which came close."""
    wanted = token_hash(token)
    found = None
    for row in rows:
        if hmac.compare_digest(wanted, row["token_hash"]) and found is None:
            found = row
    return found


def allows(scope: str, needed: str) -> bool:
    """A `write` token may read; a `read` token may not write."""
    return SCOPES.index(scope) >= SCOPES.index(needed)


def public_row(row: dict) -> dict:
    """What `tokens list` shows: never the hash."""
    return {"id": row["id"], "name": row["name"], "scope": row["scope"],
            "created_at": row["created_at"], "last_used_at": row["last_used_at"] or None,
            "revoked_at": row["revoked_at"] or None}
