"""The record of every file this project wrote outside its catalog: what a sweep may delete.

A sweep (orphaned audio, stale pages, old artwork, temporary `.part` files) removes a file only
when it is named here: a publisher's own files in `output/` (or in a site given to `--out`),
whatever their names, are never "leftovers". A path is written down *before* the file gets
that name (a temporary file before it is created, a final name before the rename), so a run
killed in between leaves only files the next run knows are its own.

One absolute path a line in `.audioarticles/written-files`, appended; lines of
files that no longer exist are dropped when a sweep rewrites it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable
from pathlib import Path

FILE_NAME = "written-files"


class Manifest:
    """The files one project wrote (absolute paths), shared by the threads of a run."""

    def __init__(self, state_dir: Path):
        self.path = state_dir / FILE_NAME
        self._lock = threading.Lock()
        self._names: set[str] | None = None

    def _load(self) -> set[str]:
        if self._names is None:
            try:
                text = self.path.read_text(encoding="utf-8")
            except FileNotFoundError:
                text = ""
            self._names = {line for line in text.splitlines() if line}
        return self._names

    @staticmethod
    def _key(path: Path | str) -> str:
        return os.path.abspath(path)

    def add(self, paths: Iterable[Path | str]) -> None:
        """Write down that we are about to write these files (before they get the name)."""
        own = self._key(self.path.parent) + os.sep  # the state folder is ours as a whole
        with self._lock:
            names = self._load()
            new = [key for key in dict.fromkeys(map(self._key, paths))
                   if key not in names and not key.startswith(own)]
            if not new:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                # no fsync: a line lost to a power cut only leaves a file unswept, never a
                # file of someone else's swept
                handle.write("".join(f"{key}\n" for key in new))
            names.update(new)

    def wrote(self, path: Path | str) -> bool:
        """Whether this project wrote `path`: it is written down here, or it lies in the
        project's own state folder (which holds nothing else). A symlink: never."""
        if os.path.islink(path):
            return False
        key = self._key(path)
        if key.startswith(self._key(self.path.parent) + os.sep):
            return True
        with self._lock:
            return key in self._load()

    def remove(self, path: Path) -> bool:
        """Delete `path` if, and only if, we wrote it; False when it is not ours or gone."""
        if not self.wrote(path):
            return False
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def tidy(self) -> None:
        """Forget files that no longer exist (rewrites the record under a temporary name)."""
        with self._lock:
            names = self._load()
            kept = sorted(n for n in names if os.path.lexists(n))
            if len(kept) == len(names):
                return
            tmp = self.path.with_name(f".{self.path.name}.tidy")
            try:
                tmp.write_text("".join(f"{n}\n" for n in kept), encoding="utf-8")
                os.replace(tmp, self.path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
            self._names = set(kept)


def seed(manifest: Manifest, public: Path, private: Path,
         episode_files: dict[str, list[str]]) -> None:
    """A project older than the manifest: write down what its catalog says we wrote, so its
    stale pages and orphaned audio can still be swept (nothing else is ever taken as ours).
    `episode_files`: each episode's slug -> its files (relative to the output folder)."""
    if manifest.path.exists():
        return
    names = ["feed.xml", "index.html"]
    for slug, files in episode_files.items():
        names += [f"episodes/{slug}.html", f"embed/{slug}.html", *files]
    manifest.add([root / name for root in (public, private) for name in names
                  if (root / name).is_file() and not (root / name).is_symlink()])
    manifest.path.touch()


# Which manifest records the files written under a folder: the project's output folder is
# registered when its catalog is opened, so every atomic write there (site pages, feeds, audio
# moved in) is written down without each caller carrying the manifest.
_RECORDS: dict[str, Manifest] = {}
_RECORDS_LOCK = threading.Lock()


def register(folder: Path, manifest: Manifest) -> None:
    with _RECORDS_LOCK:
        _RECORDS[os.path.abspath(folder)] = manifest


def manifest_for(path: Path | str) -> Manifest | None:
    """The manifest of the registered folder holding `path` (the innermost), if any."""
    key = os.path.abspath(path)
    with _RECORDS_LOCK:
        found = [root for root in _RECORDS if key == root or key.startswith(root + os.sep)]
        return _RECORDS[max(found, key=len)] if found else None


def record(paths: Iterable[Path | str]) -> None:
    """Write down files about to be written, in the manifest of their folder (if registered)."""
    paths = list(paths)
    if paths:
        manifest = manifest_for(paths[0])
        if manifest is not None:
            manifest.add(paths)


def remove_if_ours(path: Path) -> bool:
    """Delete `path` only when the manifest says we wrote it."""
    manifest = manifest_for(path)
    return manifest is not None and manifest.remove(path)
