"""Where a project's things are kept: the catalog, the episode files, the segment cache and the
lock that makes one writer at a time.

The rest of the package reaches them only through here: nothing outside `store/` opens the
SQLite file, renames files into place, or builds a path under `output/` or `.audioarticles/`.
The catalog and the file store are interfaces (`store.interfaces`); `open_catalog` opens the
catalog the settings name (the SQLite file, or the PostgreSQL database of `[catalog] url`) and
`open_files` the file store (local folders by default, object storage, `store.objects`, when
`[storage]` gives URLs); `ProjectStore` holds a project's.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from audioarticles.config import Settings
from audioarticles.store.catalog import CATALOG_ERRORS, unusable
from audioarticles.store.files import LocalFiles, episode_files
from audioarticles.store.atomic import atomic_write_bytes, storage_error
from audioarticles.store.interfaces import (
    CatalogStore,
    FileStore,
    Placement,
    SiteBatch,
    SiteKind,
    site_headers,
)
from audioarticles.store.lock import run_lock
from audioarticles.store.segment_cache import SegmentCache

__all__ = ["CATALOG_ERRORS", "STALE_PART_S", "CatalogStore", "FileStore", "Placement",
           "ProjectStore", "SiteBatch", "SiteKind", "episode_files", "open_catalog",
           "open_files", "partial_cutoff", "site_headers", "storage_error"]

#: a temporary file no one wrote to for this long is a dead run's, even where queue workers
#: may be writing theirs beside a command holding the project's lock
STALE_PART_S = 3600.0


def partial_cutoff(settings: Settings, now: float | None = None) -> float:
    """Our temporary files last written before this are leftovers a sweep removes: all of
    them once the project's lock is held, unless queue workers (`[queue] url`), which do
    not take the lock, may be writing theirs now: then only those quiet for an hour."""
    now = time.time() if now is None else now
    return now - STALE_PART_S if settings.section("queue")["url"] else now


def open_catalog(settings: Settings) -> CatalogStore:
    """The project's catalog, as `[catalog]` places it: the SQLite file in .audioarticles/ (the
    default) or the PostgreSQL database of `[catalog] url`. Checked (CatalogUnusable says what
    to do with a damaged or lost one), migrated forward, created on first use; close it when
    done (or use it in a `with` block). The one way everything opens a catalog."""
    from audioarticles.store.recover import open_catalog as open_checked

    return open_checked(settings)


def open_files(settings: Settings) -> FileStore:
    """The project's file store: local folders (output/ and its private mirror
    `.audioarticles/unreleased/`), or the object storage `[storage]` names."""
    storage = settings.values.storage
    if storage.public:
        from audioarticles.store.objects import ObjectFiles

        return ObjectFiles(storage.public, storage.private, settings.state_dir / "rendering",
                           storage.endpoint_url, settings.cache_dir / "objects")
    return LocalFiles(settings.output, settings.unreleased_dir, settings.state_dir)


#: the file store's methods that write, move or delete files
_FILE_WRITES = frozenset({"placing", "admit", "withdraw", "purge", "delete", "discard_replaced",
                          "delete_public", "site_batch", "delete_site", "write_record",
                          "sweep_partial", "sweep_orphans"})


class _GuardedFiles:
    """The file store while the project's lock is held in a PostgreSQL catalog: a method that
    writes first checks that the lock is still ours (`store.postgres.LockKeeper`), so a run
    that lost it to another run writes no more files than catalog rows."""

    def __init__(self, files: FileStore, guard):
        self._files = files
        self._guard = guard

    def __getattr__(self, name: str):
        if name in _FILE_WRITES:
            self._guard.ensure()
        return getattr(self._files, name)


class ProjectStore:
    """One project's storage, as its settings place it."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._guard = None  # the lock in a PostgreSQL catalog, while `lock` holds it

    @cached_property
    def _files(self) -> FileStore:
        return open_files(self.settings)

    @property
    def files(self) -> FileStore:
        return self._files if self._guard is None else _GuardedFiles(self._files, self._guard)

    @property
    def has_catalog(self) -> bool:
        """False until the first conversion created the catalog; CatalogUnusable when it is
        missing while published files show there was one."""
        from audioarticles.store.recover import catalog_exists

        return catalog_exists(self.settings)

    def catalog(self) -> CatalogStore:
        """Open the catalog (checked, backed up daily, created and migrated on first use);
        close it when done. CatalogUnusable says what to do with a damaged or lost one."""
        return open_catalog(self.settings)

    def catalog_unusable(self, exc: Exception) -> Exception:
        """The one-line error for a catalog failure met while working (see CATALOG_ERRORS)."""
        return unusable(self.settings.catalog_path, exc)

    @contextmanager
    def lock(self, command: str | None = None) -> Iterator[None]:
        """The project's lock, waiting `[batch] lock_wait_s` for another run. Every command
        that takes it writes output/, so it first sweeps the temporary files a killed command
        of ours left (only ours: the manifest says which)."""
        with run_lock(self.settings, command):
            url = self.settings.section("catalog")["url"]
            outer = self._guard
            if url:
                from audioarticles.store.postgres import held_lock

                self._guard = held_lock(url)
            try:
                self.files.sweep_partial(partial_cutoff(self.settings))
                yield
            finally:
                self._guard = outer

    def process_owner(self) -> dict:
        """This process as the owner of the embedded jobs it runs: host, pid and the lease it
        holds while it lives (`store.owners`)."""
        from audioarticles.store import owners

        first = not owners.has_lease(self.settings.state_dir)
        owner = owners.this_process(self.settings.state_dir)
        if first:  # once per process: the leases of ended processes no job names any longer
            with self.catalog() as catalog:
                named = {job.owner.get("token") for job in catalog.jobs(states=("queued", "running"))
                         if job.owner}
            owners.sweep(self.settings.state_dir, keep=named)
        return owner

    def segment_cache(self) -> SegmentCache:
        """Local entries, in front of the private storage's shared tier when there is one."""
        return SegmentCache(self.settings.cache_dir, getattr(self.files, "private_area", None))

    def private_path(self, *parts: str) -> Path:
        """A path in the project's private state folder, for a feature's own files kept
        beside the catalog and never published (the private feeds' key, the edition's
        segment lists)."""
        return self.settings.state_dir.joinpath(*parts)

    def cache_path(self, *parts: str) -> Path:
        """A path in the project's cache (anything there can be made again)."""
        return self.settings.cache_dir.joinpath(*parts)

    def keep(self, path: Path, data: bytes) -> None:
        """Replace a file of the private state or of the cache (a path `private_path` or
        `cache_path` gave) with `data`, atomically."""
        own = (self.settings.state_dir.resolve(), self.settings.cache_dir.resolve())
        if not any(path.resolve().is_relative_to(folder) for folder in own):
            raise ValueError(f"{path} is not in the project's private state or cache")
        atomic_write_bytes(path, data)
        shared = self._shared_name(path)
        if shared is not None:  # other machines read it from the private storage
            self.files.write_record(shared, data)

    def kept(self, path: Path) -> bytes | None:
        """What `keep` wrote at `path`: here, or (on object storage) as another machine kept
        it; None when nobody did."""
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        shared = self._shared_name(path)
        data = self.files.read_record(shared) if shared is not None else None
        if data is not None:
            atomic_write_bytes(path, data)  # kept here from now on
        return data

    def _shared_name(self, path: Path) -> str | None:
        """The record name of a private state file when the private storage is shared
        (object storage), else None: `state/<path in the state folder>`."""
        if self.local_files:
            return None
        try:
            relative = path.resolve().relative_to(self.settings.state_dir.resolve())
        except ValueError:
            return None  # the cache: anything there can be made again
        return f"state/{relative.as_posix()}"

    def secret(self, name: str, create: bool = False, size: int = 32) -> bytes | None:
        """A random secret kept in the private state folder (mode 0600), made on first use
        when `create`; None when missing and not created."""
        path = self.private_path(name)
        if path.is_file():
            return path.read_bytes()
        shared = self._shared_name(path)
        held = self.files.read_record(shared) if shared is not None else None
        if held is None and not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                # on object storage, the secret every machine shares (another made it first)
                handle.write(held if held is not None else secrets.token_bytes(size))
                handle.flush()
                os.fsync(handle.fileno())
        if shared is not None and held is None:
            self.files.write_record(shared, path.read_bytes())
        return path.read_bytes()

    @property
    def local_site(self) -> Path:
        """The local site folder (output/, or --out), whatever the file store: where tools
        that write for the person at this machine put their files (voice auditions)."""
        return self.settings.output

    @property
    def local_files(self) -> bool:
        """The site is in local folders (so `serve` can preview it), not on object storage."""
        return isinstance(self.files.public_dir, Path)

    @property
    def preview_dir(self) -> Path:
        """Where the editors' private preview site is written (never public)."""
        return self.settings.state_dir / "preview"

    def preview_files(self) -> FileStore:
        """The preview site as a file store: its pages in `preview_dir`, its records apart
        from the public site's."""
        return LocalFiles(self.preview_dir, self.settings.unreleased_dir, self.settings.state_dir,
                          records=self.settings.state_dir / "preview-records")

    @property
    def own_folders(self) -> tuple[Path, ...]:
        """Folders the project writes (a folder conversion never reads them back)."""
        return (self.settings.output, self.settings.state_dir)
