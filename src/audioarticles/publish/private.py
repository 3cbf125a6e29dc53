"""Private feeds for subscribers: one copy of a `private = true` feed per subscriber, at
`feeds/<name>-<token>.xml`, marked `podcast:block` / `itunes:block` and linked from nowhere
(no index page, not in the site, never announced to WebSub or Podping). Static hosting is
enough: the unguessable file name is the key. Revoking a subscriber deletes their copy at
the next build.

What is kept, and why: the build must write each subscriber's file name again, so the token
has to be recoverable. It is derived, never stored: token = HMAC-SHA256(project key, feed +
nonce), where the key is a random file in the private state folder (mode 0600) and the
catalog keeps only the nonce and a SHA-256 of the token (to find a token a subscriber quotes,
to revoke it). A copy of the catalog alone (a backup, a shared database) gives no feed URL;
deleting the key file revokes every subscriber at the next build."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from audioarticles.config import Settings
from audioarticles.errors import UsageError, UserError
from audioarticles.publish.channel import Channel
from audioarticles.publish.cover import Artwork
from audioarticles.publish.feed import FeedEpisode, FeedFile, build_feed
from audioarticles.publish.incremental import SiteRecord
from audioarticles.store import ProjectStore, SiteBatch, SiteKind
from audioarticles.store.interfaces import CatalogStore as Catalog

KEY_NAME = "feed-tokens.key"
TOKEN_CHARS = 26  # 130 bits of base32


@dataclass(frozen=True)
class Grant:
    """A subscriber's access to a private feed (the token only when just created)."""

    id: int
    feed: str
    subscriber: str
    created_at: str
    path: str = ""  # feeds/<name>-<token>.xml; "" when the key is gone
    token: str = ""


def key_path(project: Settings) -> Path:
    return ProjectStore(project).private_path(KEY_NAME)


def project_key(project: Settings, create: bool = False) -> bytes | None:
    """The secret tokens are derived with; made (0600) on the first token."""
    return ProjectStore(project).secret(KEY_NAME, create=create)


def derive_token(key: bytes, feed: str, nonce: str) -> str:
    digest = hmac.new(key, f"{feed}\n{nonce}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:TOKEN_CHARS]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def private_path(feed: str, token: str) -> str:
    return f"feeds/{feed}-{token}.xml"


def create_token(project: Settings, catalog: Catalog, spec, subscriber: str = "") -> Grant:
    """A new subscriber URL for the private feed of `spec` (a `sections.FeedSpec`; the build
    writes its file)."""
    feed = spec.name
    if not spec.private:
        raise UsageError(f"{feed}: this feed is public; add private = true to its [[feeds]] "
                         "entry to give subscribers their own URLs")
    key = project_key(project, create=True)
    nonce = secrets.token_hex(16)
    token = derive_token(key, feed, nonce)
    with catalog.transaction():
        token_id = catalog.add_feed_token(feed, " ".join(subscriber.split()), token_hash(token),
                                          nonce)
    [row] = [r for r in catalog.feed_tokens(feed) if r["id"] == token_id]
    return Grant(token_id, feed, row["subscriber"], row["created_at"],
                 private_path(feed, token), token)


def grants(project: Settings, catalog: Catalog, feed: str | None = None) -> list[Grant]:
    key = project_key(project)
    return [Grant(row["id"], row["feed"], row["subscriber"], row["created_at"],
                  private_path(row["feed"], derive_token(key, row["feed"], row["nonce"]))
                  if key else "")
            for row in catalog.feed_tokens(feed)]


def revoke(catalog: Catalog, which: str) -> Grant:
    """Remove a subscriber's access, named by its id or by the token itself (or the URL)."""
    which = which.strip()
    rows = catalog.feed_tokens()
    token = which.rsplit("-", 1)[-1].removesuffix(".xml")
    found = [r for r in rows if str(r["id"]) == which or r["token_hash"] == token_hash(token)]
    if not found:
        raise UserError(f"{which}: no such subscriber token; list them with "
                        "`audioarticles feeds token list`")
    row = found[0]
    with catalog.transaction():
        catalog.remove_feed_token(row["id"])
    return Grant(row["id"], row["feed"], row["subscriber"], row["created_at"])


def write_private(project: Settings, catalog: Catalog, batch: SiteBatch, channel: Channel,
                  items: Callable[[], list[FeedEpisode]], *, guid: str, artwork: Artwork,
                  last_build: datetime, written: set[str], record: SiteRecord,
                  inputs: list, count: int) -> list:
    """One blocked copy of the feed per subscriber token (`items()` renders the feed's
    `count` items only when a copy has to be written again; `inputs`: what the feed is made
    of)."""
    key = project_key(project)
    files = []
    for row in catalog.feed_tokens(channel.name):
        if key is None:
            break  # the key file was removed: every token is revoked (the sweep deletes them)
        relative = private_path(channel.name, derive_token(key, channel.name, row["nonce"]))
        copy = replace(channel, feed_path=relative, block=True, hub="")

        def feed(copy=copy) -> dict[str, bytes]:
            return {copy.feed_path: build_feed(copy, items(), guid=guid,
                                               artwork_name=artwork.name,
                                               last_build=last_build, artwork_px=artwork.size)}

        changed = bool(record.stage(batch, f"feed:{relative}", [repr(copy), *inputs], feed,
                                    SiteKind.FEED))
        written.add(relative)
        files.append(FeedFile(channel.name, relative, copy.feed_url, count, changed,
                              private=True))
    return files
