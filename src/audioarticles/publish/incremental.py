"""Incremental rebuilds: a site file is rendered and written again only when what it is made
of changed.

Each unit of the site (an episode's pages, the index page, a feed) has a fingerprint: a hash
of its inputs (the episode's stored record and the sizes of its files; for a feed, its
episodes' fingerprints, numbers, podcast:guid and lastBuildDate) and of the build's context
(the code of the package, its player and data files, the project's settings, the channel and
its cover). The file store keeps, per unit, the fingerprint and the names it wrote
(`FileStore.read_record`/`write_record`, `site-fingerprints.json`). A unit whose fingerprint
and files are all still there is neither rendered nor written.

The record is saved once, after every batch of the build is visible: a build that dies before
has its units rendered again by the next one (whose writes of identical bytes are skipped by
the file store), and the record never names a file that was not written.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable
from importlib import resources
from importlib.resources.abc import Traversable

from audioarticles.model import Episode
from audioarticles.store import FileStore, SiteBatch, SiteKind
from audioarticles.version import __version__

RECORD_NAME = "site-fingerprints.json"
FORMAT = 1


def _package_files(folder: Traversable) -> list[tuple[str, bytes]]:
    found = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.is_dir():
            if entry.name != "__pycache__":
                found += [(f"{entry.name}/{name}", data) for name, data in _package_files(entry)]
        elif entry.name.endswith((".py", ".js", ".css", ".toml", ".html", ".json")):
            found.append((entry.name, entry.read_bytes()))
    return found


@functools.cache
def code_version() -> str:
    """A digest of the package's code, templates, player and data files: a new version of
    any of them renders the whole site again (once)."""
    digest = hashlib.sha256(__version__.encode())
    for name, data in _package_files(resources.files("audioarticles")):
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def digest(*inputs) -> str:
    text = json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def episode_inputs(episode: Episode, sizes: dict[str, int | None]) -> str:
    """What an episode's pages and feed item are made of: its stored record (every field) and
    the sizes of its files (a missing transcript or picture changes them)."""
    record = {item.name: getattr(episode, item.name) for item in _FIELDS}
    return digest(record, sorted(sizes.items()))


_FIELDS = dataclasses.fields(Episode)


class Listings:
    """The folders of a file store, each listed once per build (`FileStore.listing`)."""

    def __init__(self, files: FileStore) -> None:
        self.files = files
        self._found: dict[tuple[str, bool], dict[str, int]] = {}

    def size(self, name: str, public: bool = True) -> int | None:
        folder = name.rpartition("/")[0]
        if (folder, public) not in self._found:
            self._found[folder, public] = self.files.listing(folder, public)
        return self._found[folder, public].get(name)


class SiteRecord:
    """The fingerprints of one file store's site, read at the start of a build and saved
    once at its end. With `context` None nothing is taken as fresh (a full build)."""

    def __init__(self, files: FileStore, context: str | None,
                 listings: Listings | None = None) -> None:
        self.files = files
        self.context = context
        self.units: dict[str, dict] = {}
        if context is not None:
            self.units = self._load()
        self.seen: dict[str, dict] = {}
        self.listings = listings or Listings(files)

    def _load(self) -> dict[str, dict]:
        raw = self.files.read_record(RECORD_NAME)
        try:
            data = json.loads(raw) if raw else {}
            if data.get("format") == FORMAT and data.get("context") == self.context:
                return dict(data["units"])
        except (ValueError, TypeError, KeyError, AttributeError):
            pass  # unreadable: everything is rendered again, and the record rewritten
        return {}

    def fingerprint(self, *inputs) -> str:
        return digest(self.context, *inputs)

    def fresh(self, key: str, fingerprint: str) -> dict | None:
        """The unit's record when it is up to date (same fingerprint, every file it wrote
        still there), else None. A fresh unit is kept in the record."""
        if self.context is None:
            return None
        unit = self.units.get(key)
        if (unit is None or unit.get("fp") != fingerprint
                or any(self.listings.size(name) is None for name in unit.get("names", ()))):
            return None
        self.seen[key] = unit
        return unit

    def done(self, key: str, fingerprint: str, names, **extra) -> None:
        """The unit was rendered (and its files queued) for this fingerprint."""
        self.seen[key] = {"fp": fingerprint, "names": sorted(names), **extra}

    def stage(self, batch: SiteBatch, key: str, inputs, render: Callable[[], dict[str, bytes]],
              kind: SiteKind) -> list[str]:
        """Queue the unit's files in `batch` (`render()`: name -> bytes) unless the unit is
        fresh for `inputs`; returns the names whose bytes changed (none when fresh)."""
        fingerprint = self.fingerprint(key, inputs)
        if self.fresh(key, fingerprint) is not None:
            return []
        rendered = render()
        changed = [name for name, data in rendered.items() if batch.write(name, data, kind)]
        self.done(key, fingerprint, rendered)
        return changed

    def forget(self, key: str) -> None:
        """The unit is not part of this build after all."""
        self.seen.pop(key, None)

    def names(self) -> set[str]:
        """Every file the units of this build stand for."""
        return {name for unit in self.seen.values() for name in unit["names"]}

    def gone(self, prefix: str = "pages:") -> set[str] | None:
        """Files of units (keys starting with `prefix`) the last build wrote and this one did
        not build; None when there is no last build to compare with (then only a listing
        tells what is stale)."""
        if self.context is None or not self.units:
            return None
        kept = self.names()
        return {name for key, unit in self.units.items()
                if key.startswith(prefix) and key not in self.seen
                for name in unit["names"] if name not in kept}

    @property
    def changed(self) -> bool:
        return self.seen != self.units

    def save(self) -> None:
        """Keep the units of this build (units no longer built are forgotten); call it after
        every batch is visible. Nothing is written when nothing changed."""
        if self.context is None or not self.changed:
            return
        data = {"format": FORMAT, "context": self.context, "units": self.seen}
        self.files.write_record(RECORD_NAME, json.dumps(data, sort_keys=True).encode("utf-8"))
        self.units = dict(self.seen)
