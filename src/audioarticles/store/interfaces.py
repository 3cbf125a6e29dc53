"""The two seams of `store/`: the catalog (episodes, their editorial history, project-wide
settings) and the file store (an episode's MP3, transcripts and chapters, public or not).

Today's implementations are a SQLite file (`store.catalog.Catalog`) and local folders
(`store.files.LocalFiles`); another backend (PostgreSQL, object storage) implements the same
methods. Files are named by their path relative to the public root, e.g.
`episodes/<slug>-<hash>.mp3`, wherever they are kept.

The public site (`publish/`) is written only through the file store, by relative name:
`FileStore.site_batch()` writes feeds, pages, embeds, covers and player assets (each with a
`SiteKind`, which gives its Content-Type and Cache-Control: `site_headers`); `read`,
`listing` and `delete_site` read back, list and remove them; `read_record`/`write_record`
keep the store's own small private records (the site's fingerprints, `publish/incremental.py`).
Nothing in `publish/` opens a file for writing (tests/test_architecture.py).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import TypeVar

from audioarticles.model import EditorialEvent, Episode, Job, RetiredFile, Tombstone
from audioarticles.transcripts import Cue

T = TypeVar("T")


class CatalogStore(ABC):
    """Episodes by GUID, their editorial events and tombstones, retired files, and settings
    computed once. Writes made inside `transaction()` happen together or not at all."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager:
        """All or nothing; inside another transaction, a savepoint."""

    def retrying(self, body: Callable[[], T]) -> T:
        """`body` in a transaction; a backend that can lose its connection (PostgreSQL) runs
        it again on a new one when the first attempt was rolled back. `body` only writes to
        the catalog, so running it twice does what running it once would."""
        with self.transaction():
            return body()

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # episodes
    @abstractmethod
    def get(self, guid: str) -> Episode | None: ...

    @abstractmethod
    def by_slug(self, slug: str) -> Episode | None: ...

    def find(self, slug_or_id: str) -> Episode | None:
        """An episode by its slug, or by its GUID (an explicit id is the GUID as given)."""
        return self.by_slug(slug_or_id) or self.get(slug_or_id)

    @abstractmethod
    def slugs(self) -> set[str]:
        """Every slug given out (episodes' and claimed ones)."""

    @abstractmethod
    def claim_slug(self, guid: str, base: str) -> str:
        """The slug of the article `guid`: the one it claimed before, else the first free one
        of `base`, `base-2`, `base-3`..., claimed now (two claims at once get distinct slugs)."""

    @abstractmethod
    def episodes(self, states: tuple[str, ...] | None = None) -> list[Episode]:
        """Newest first (by publication date, then creation)."""

    def published(self) -> list[Episode]:
        return self.episodes(states=("published",))

    @abstractmethod
    def save(self, episode: Episode) -> Episode:
        """Insert or update by GUID; returns the episode as stored."""

    # an episode's transcript cues, kept at render time apart from its row
    @abstractmethod
    def cues(self, guid: str) -> list[Cue]:
        """The cues kept for the episode, [] when none are."""

    @abstractmethod
    def set_cues(self, guid: str, cue_list: list[Cue]) -> None: ...

    # settings computed once (podcast:guid, a feed's validators)
    @abstractmethod
    def setting(self, key: str) -> str | None: ...

    @abstractmethod
    def set_setting(self, key: str, value: str) -> None: ...

    # the editorial audit trail and tombstones
    @abstractmethod
    def add_event(self, event: EditorialEvent) -> None: ...

    @abstractmethod
    def events(self, guid: str | None = None) -> list[EditorialEvent]:
        """Oldest first."""

    @abstractmethod
    def tombstone(self, identity: str) -> Tombstone | None: ...

    @abstractmethod
    def add_tombstone(self, stone: Tombstone) -> None: ...

    @abstractmethod
    def remove_tombstone(self, identity: str) -> None: ...

    # files kept public for a while after their episode stopped pointing at them
    @abstractmethod
    def retire_file(self, retired: RetiredFile) -> None: ...

    @abstractmethod
    def unretire_files(self, paths: list[str]) -> None: ...

    @abstractmethod
    def retired_files(self) -> list[RetiredFile]:
        """Oldest first."""

    # feeds beside the main one (publish/sections.py, private.py, edition.py)
    @abstractmethod
    def feed_numbers(self, feed: str) -> dict[str, int]: ...

    @abstractmethod
    def number_episodes(self, feed: str, guids: list[str]) -> dict[str, int]:
        """Give each of `guids` (oldest first) not yet numbered in `feed` the next number."""

    @abstractmethod
    def add_feed_token(self, feed: str, subscriber: str, token_hash: str, nonce: str) -> int: ...

    @abstractmethod
    def feed_tokens(self, feed: str | None = None) -> list[dict]: ...

    @abstractmethod
    def remove_feed_token(self, token_id: int) -> bool: ...

    @abstractmethod
    def save_edition(self, feed: str, day: str, episode: Episode) -> None: ...

    @abstractmethod
    def edition_feeds(self) -> list[str]: ...

    @abstractmethod
    def editions(self, feed: str | None = None) -> list[Episode]:
        """Newest day first."""

    # the whole catalog (`migrate`: one project's catalog into another backend)
    @abstractmethod
    def dump(self) -> Iterator[tuple[str, list[dict]]]:
        """Every table's rows as stored, table by table."""

    @abstractmethod
    def copy_into(self, target: CatalogStore) -> dict[str, int]:
        """Copy everything into the empty catalog `target` (one transaction of the target);
        the rows copied by table, to compare with `target.counts()`."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Rows by table."""

    # conversions handed to the embedded executor or the task queue (jobs.py)
    @abstractmethod
    def add_jobs(self, jobs: list[Job]) -> None: ...

    @abstractmethod
    def job(self, job_id: str) -> Job | None: ...

    @abstractmethod
    def jobs(self, states: tuple[str, ...] | None = None,
             ids: list[str] | None = None) -> list[Job]:
        """Newest first; only those in `states`, only those of `ids`."""

    @abstractmethod
    def update_job(self, job_id: str, only_from: tuple[str, ...] = (), **changes) -> bool:
        """Change a job's fields; `only_from`: only while in one of these states. False when
        no job changed."""


class Placement(ABC):
    """The files of one new rendering while they are made: the MP3 is written to `tmp_mp3`,
    then `place` gives them their versioned names. Leaving the block by an error removes
    everything that was not placed."""

    tmp_mp3: Path

    @abstractmethod
    def place(self, sides: dict[str, str | bytes]) -> dict[str, str]:
        """Give the MP3 its `<slug>-<hash>.mp3` name and write each side file's text or bytes
        (by suffix: `.vtt`, `.jpg`...) under the same base name; the MP3 comes last. Returns the
        relative name of each, by suffix (`.mp3` included)."""


class SiteKind(Enum):
    """What a public file is, for the headers it is served with and for the order files of one
    batch become visible in (this order: what a page or feed names is there before it)."""

    VERSIONED = 1  # named after its content (`episodes/<slug>-<hash>.mp3`, `artwork/podcast-<hash>.png`)
    ASSET = 2  # the player's script and style sheet (stable names)
    PAGE = 3  # HTML pages, embeds, oEmbed JSON
    FEED = 4  # RSS feeds: last, once everything they name is in place


#: versioned names never change content: caches keep them; feeds and pages change in place
CACHE_CONTROL = {
    SiteKind.VERSIONED: "public, max-age=31536000, immutable",
    SiteKind.ASSET: "public, max-age=3600",
    SiteKind.PAGE: "public, max-age=300",
    SiteKind.FEED: "public, max-age=300",
}
CONTENT_TYPES = {
    ".mp3": "audio/mpeg", ".vtt": "text/vtt; charset=utf-8", ".srt": "application/x-subrip",
    ".json": "application/json", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".png": "image/png", ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".xml": "application/xml",
}


def site_headers(name: str, kind: SiteKind) -> dict[str, str]:
    """Content-Type and Cache-Control of the public file `name` (an object store sets them on
    upload; a web server in front of a local folder can be configured the same way)."""
    suffix = PurePosixPath(name).suffix.lower()
    content_type = ("application/rss+xml; charset=utf-8" if kind is SiteKind.FEED
                    else CONTENT_TYPES.get(suffix, "application/octet-stream"))
    return {"Content-Type": content_type, "Cache-Control": CACHE_CONTROL[kind]}


class SiteBatch(ABC):
    """Public files written together (`FileStore.site_batch`)."""

    @abstractmethod
    def write(self, name: str, data: bytes, kind: SiteKind) -> bool:
        """Queue `data` for the public file `name` (relative, e.g. `episodes/<slug>.html`).
        Returns whether it differs from what is there now; an identical file is not written
        again."""


class FileStore(ABC):
    """Where episode files are kept: public ones where listeners fetch them, the others in a
    private area no one can fetch (conversions write there; `admit` and `withdraw` move files
    across as episodes change state)."""

    @property
    @abstractmethod
    def public_dir(self) -> Path:
        """The folder the site, the feed and the published episodes' files are served from."""

    @abstractmethod
    def root_for(self, episode: Episode) -> Path:
        """Where the episode's files are now: public when published, private otherwise."""

    @abstractmethod
    def present(self, episode: Episode) -> bool:
        """Every file of the episode exists, public or private."""

    @abstractmethod
    def intact(self, episode: Episode) -> bool:
        """`present`, and its MP3 has the recorded size."""

    @abstractmethod
    def placing(self, slug: str, folder: str = "episodes",
                public: bool = False) -> AbstractContextManager[Placement]:
        """A new rendering's files, placed in `folder` of the private area (or of the public
        one: a daily edition is public at once)."""

    @abstractmethod
    def admit(self, episodes: Iterable[Episode]) -> None:
        """Published episodes' files into the public area (before the feed names them)."""

    @abstractmethod
    def withdraw(self, episodes: Iterable[Episode]) -> None:
        """Unreleased episodes' files out of the public area (after the feed stops naming
        them)."""

    @abstractmethod
    def purge(self, episode: Episode) -> None:
        """Delete the episode's files everywhere."""

    @abstractmethod
    def delete(self, names: Iterable[str]) -> None:
        """Delete these files (ours, by name), public or private."""

    @abstractmethod
    def discard_replaced(self, old: Episode | None, new: Episode) -> None:
        """After a re-conversion: drop the private copies of the previous version's files."""

    @abstractmethod
    def delete_public(self, name: str) -> bool:
        """Delete a retired public file; False when it was already gone."""

    # the public site, by relative name (publish/ writes nothing else)
    @abstractmethod
    def site_batch(self) -> AbstractContextManager[SiteBatch]:
        """Write site files: when the block ends without error every queued file becomes
        visible, each whole (never half-written), in `SiteKind` order (versioned files first,
        feeds last), and is recorded as ours; on an error none of those still queued does.
        Episode files come in through `admit` before a batch names them, and leave through
        `withdraw` after the batch that stops naming them."""

    @abstractmethod
    def read(self, name: str, public: bool = True) -> bytes | None:
        """The bytes of a file by relative name, in the public area (or the private one);
        None when it is not there."""

    @abstractmethod
    def listing(self, folder: str, public: bool = True) -> dict[str, int]:
        """The files directly in `folder` ("" for the root) of the public area (or the private
        one): relative name -> size in bytes. Temporary and hidden names are left out."""

    @abstractmethod
    def delete_site(self, name: str) -> bool:
        """Delete a public file if, and only if, we wrote it; False when it is not ours or
        already gone."""

    @abstractmethod
    def read_record(self, name: str) -> bytes | None:
        """A small private record of the store's own (e.g. `site-fingerprints.json`); None
        before the first `write_record`."""

    @abstractmethod
    def write_record(self, name: str, data: bytes) -> None:
        """Replace a private record whole (atomically)."""

    @abstractmethod
    def sweep_partial(self, before: float) -> list[Path]:
        """Remove temporary files a run that died left (older than `before`)."""

    @abstractmethod
    def sweep_orphans(self, known: set[str], before: float) -> Iterator[Path] | list[Path]:
        """Remove episode files no episode names (`known`), older than `before`."""
