"""Episode files in local folders: the public output folder, and its private mirror
`.audioarticles/unreleased/` for every episode that is not published.

New renderings are written into the private mirror under a temporary dot-name, then named
`<slug>-<hash>.mp3` (new audio, new URL) with their transcripts and chapters beside them;
`admit` and `withdraw` move files across as episodes are released or taken down.

The site (feed, pages, embeds, covers, player) is written into the public folder by
`site_batch`: each file under a temporary dot-name first (recorded in the manifest of written
files before it exists), the data of all synced once, then renamed into place in `SiteKind`
order. Only files the manifest names are ever deleted (`delete_site`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from audioarticles.model import Episode
from audioarticles.store.atomic import (
    atomic_path,
    atomic_write_bytes,
    replace_with,
    temp_beside,
    writing,
)
from audioarticles.store.interfaces import FileStore, Placement, SiteBatch, SiteKind
from audioarticles.store.manifest import Manifest, manifest_for, register, remove_if_ours
from audioarticles.store.manifest import record as record_written

EPISODES = "episodes"
EPISODE_FILE_PATTERNS = ("*.mp3", "*.vtt", "*.srt", "*.chapters.json", "*.jpg")


def episode_files(episode: Episode) -> list[str]:
    """The episode's own files, relative to the public root (MP3, transcripts, chapters,
    artwork)."""
    names = [episode.mp3, *episode.transcripts.values(), episode.chapters,
             str(episode.meta.get("artwork") or "")]
    return [name for name in dict.fromkeys(names) if name]


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def temporary_mp3(folder: Path, slug: str) -> Path:
    """A new empty file in `folder` an episode's MP3 is rendered into before it gets its
    versioned name: `.<slug>.<random>.mp3.part`, the names the sweeps of dead runs know."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{slug}.", suffix=".mp3.part", dir=folder)
    os.close(fd)
    return Path(name)


def audio_stem(tmp_mp3: Path, slug: str) -> str:
    """`<slug>-<hash>`: the versioned base name of an episode's MP3 and the files beside it."""
    return f"{slug}-{file_digest(tmp_mp3)[:10]}"


def _move(source: Path, target: Path) -> None:
    with writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            record_written([target])
            os.replace(source, target)
            return
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
    # another file system (e.g. --out on a mounted share): copied under a temporary name, so
    # a full disk leaves no half file under the final one
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)
    source.unlink()


class _LocalPlacement(Placement):
    def __init__(self, folder: Path, root: Path, slug: str) -> None:
        self.folder, self.root, self.slug = folder, root, slug
        with writing(folder):
            self.tmp_mp3 = temporary_mp3(folder, slug)
        self.created: list[Path] = []

    def place(self, sides: dict[str, str | bytes]) -> dict[str, str]:
        with writing(self.folder):
            return self._place(sides)

    def _place(self, sides: dict[str, str | bytes]) -> dict[str, str]:
        stem = audio_stem(self.tmp_mp3, self.slug)
        placed = {}
        for suffix, text in sides.items():
            path = self.folder / f"{stem}{suffix}"
            if not path.exists():
                self.created.append(path)
            atomic_write_bytes(path, text.encode("utf-8") if isinstance(text, str) else text)
            placed[suffix] = path.relative_to(self.root).as_posix()
        final = self.folder / f"{stem}.mp3"
        os.chmod(self.tmp_mp3, 0o644)
        os.replace(self.tmp_mp3, final)
        placed[".mp3"] = final.relative_to(self.root).as_posix()
        return placed

    def discard(self) -> None:
        for path in [self.tmp_mp3, *self.created]:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


class _LocalSiteBatch(SiteBatch):
    """Each file is written at once under a temporary dot-name beside its target (nothing
    serves those); at the end one sync, then the renames, in `SiteKind` order."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._pending: list[tuple[SiteKind, Path, Path]] = []

    def write(self, name: str, data: bytes, kind: SiteKind) -> bool:
        target = _inside(self.root, name)
        if _holds(target, data):
            return False
        with writing(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = temp_beside(target)
            self._pending.append((kind, tmp, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        return True

    def commit(self) -> None:
        if not self._pending:
            return
        os.sync()  # one sync for all (an fsync per file costs seconds for a thousand pages)
        for _, tmp, target in sorted(self._pending, key=lambda item: item[0].value):
            with writing(target):
                replace_with(tmp, target)

    def discard(self) -> None:
        for _, tmp, _ in self._pending:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _inside(root: Path, name: str) -> Path:
    """The path of the relative `name` under `root`; a name climbing out of it is refused."""
    parts = name.split("/")
    if any(not part or part.startswith(".") or "\\" in part for part in parts):
        raise ValueError(f"{name!r} is not a file name inside the public folder")
    return root.joinpath(*parts)


def _holds(path: Path, data: bytes) -> bool:
    """Whether the file at `path` already holds exactly `data` (sizes first: cheap)."""
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _temporary_files(folder: Path) -> Iterator[Path]:
    """Every `.<name>.part` file under `folder` (os.walk: far quicker than a glob over a
    folder of thousands of episode files)."""
    for parent, _, names in os.walk(folder):
        for name in names:
            if name.startswith(".") and name.endswith(".part"):
                yield Path(parent, name)


class LocalFiles(FileStore):
    """Public files in `public`, unreleased ones in `private` (same relative names). The
    store's records (`read_record`) are kept in `records` (default: the state folder)."""

    def __init__(self, public: Path, private: Path, state: Path | None = None,
                 records: Path | None = None):
        self._public = public
        self.private = private
        self.state = state  # the state folder: swept for temporary files too
        self.records = records if records is not None else state
        if state is not None and manifest_for(public) is None:
            # what this store writes into `public` is written down, even when no catalog
            # registered the folder yet (a build from a catalog opened directly)
            register(public, Manifest(state))

    @property
    def public_dir(self) -> Path:
        return self._public

    def root_for(self, episode: Episode) -> Path:
        return self._public if episode.state == "published" else self.private

    def present(self, episode: Episode) -> bool:
        names = episode_files(episode)
        return bool(names) and all(
            (self._public / n).exists() or (self.private / n).exists() for n in names)

    def intact(self, episode: Episode) -> bool:
        if not episode.mp3 or not self.present(episode):
            return False
        for root in (self._public, self.private):
            mp3 = root / episode.mp3
            if mp3.is_file():
                return mp3.stat().st_size == episode.bytes
        return False

    def size(self, name: str) -> int:
        """The size of a file kept under `name`, public or private (0 when missing)."""
        for root in (self.private, self._public):
            with contextlib.suppress(OSError):
                return (root / name).stat().st_size
        return 0

    @contextlib.contextmanager
    def placing(self, slug: str, folder: str = EPISODES,
                public: bool = False) -> Iterator[Placement]:
        # new files wait in the private mirror; the run's rebuild admits them if published
        # (a daily edition, public at once, is placed straight into the public folder)
        root = self._public if public else self.private
        placement = _LocalPlacement(root / folder, root, slug)
        try:
            yield placement
        except BaseException:
            placement.discard()
            raise

    def admit(self, episodes: Iterable[Episode]) -> None:
        # a file waiting in the private mirror is the newer one (conversions write there first)
        (self._public / EPISODES).mkdir(parents=True, exist_ok=True)
        waiting: dict[str, dict[str, int]] = {}  # each private folder listed once
        for episode in episodes:
            for name in episode_files(episode):
                folder = name.rpartition("/")[0]
                if folder not in waiting:
                    waiting[folder] = self.listing(folder, public=False)
                if name in waiting[folder]:
                    _move(self.private / name, self._public / name)

    def withdraw(self, episodes: Iterable[Episode]) -> None:
        for episode in episodes:
            for name in episode_files(episode):
                public = self._public / name
                if not public.exists():
                    continue
                private = self.private / name
                if private.exists():
                    public.unlink()  # the private copy is the newer one
                else:
                    _move(public, private)

    def purge(self, episode: Episode) -> None:
        self.delete(episode_files(episode))

    def delete(self, names: Iterable[str]) -> None:
        for name in names:
            for root in (self._public, self.private):
                with contextlib.suppress(FileNotFoundError):
                    (root / name).unlink()

    def discard_replaced(self, old: Episode | None, new: Episode) -> None:
        if old is None:
            return
        keep = set(episode_files(new))
        for name in episode_files(old):
            if name not in keep:
                with contextlib.suppress(FileNotFoundError):
                    (self.private / name).unlink()

    def delete_public(self, name: str) -> bool:
        try:
            (self._public / name).unlink()
        except FileNotFoundError:
            return False
        return True

    @contextlib.contextmanager
    def site_batch(self) -> Iterator[SiteBatch]:
        batch = _LocalSiteBatch(self._public)
        try:
            yield batch
            batch.commit()
        finally:
            batch.discard()

    def read(self, name: str, public: bool = True) -> bytes | None:
        try:
            return _inside(self._public if public else self.private, name).read_bytes()
        except (OSError, ValueError):
            return None

    def listing(self, folder: str, public: bool = True) -> dict[str, int]:
        root = self._public if public else self.private
        prefix = f"{folder.strip('/')}/" if folder.strip("/") else ""
        found: dict[str, int] = {}
        try:
            entries = os.scandir(root / folder) if prefix else os.scandir(root)
        except OSError:
            return found
        with entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                with contextlib.suppress(OSError):
                    if entry.is_file():
                        found[prefix + entry.name] = entry.stat().st_size
        return found

    def delete_site(self, name: str) -> bool:
        try:
            path = _inside(self._public, name)
        except ValueError:
            return False
        return remove_if_ours(path)  # a file of the publisher's own is never deleted

    def read_record(self, name: str) -> bytes | None:
        if self.records is None:
            return None
        try:
            return (self.records / name).read_bytes()
        except FileNotFoundError:
            return None

    def write_record(self, name: str, data: bytes) -> None:
        if self.records is None:
            raise ValueError("this file store keeps no records (no state folder given)")
        atomic_write_bytes(self.records / name, data)

    def _written(self) -> Manifest | None:
        return Manifest(self.state) if self.state is not None else None

    def sweep_partial(self, before: float) -> list[Path]:
        """Only the temporary files the manifest says we wrote (all of the state folder is
        ours): a publisher's own `.part` files in the output folder are never touched."""
        written = self._written()
        removed = []
        for folder in (self._public, self.state):
            if folder is None or not folder.is_dir():
                continue
            for path in _temporary_files(folder):
                with contextlib.suppress(OSError):
                    if (written is not None and written.wrote(path) and path.is_file()
                            and path.stat().st_mtime < before):
                        path.unlink()
                        removed.append(path)
        return removed

    def sweep_orphans(self, known: set[str], before: float) -> list[Path]:
        """Only files the manifest says we wrote: what the catalog does not know is not ours
        to delete."""
        written = self._written()
        removed = []
        for root in (self._public, self.private):
            folder = root / EPISODES
            found = sorted({p for pattern in EPISODE_FILE_PATTERNS for p in folder.glob(pattern)}
                           if folder.is_dir() else ())
            for path in found:
                relative = path.relative_to(root).as_posix()
                with contextlib.suppress(OSError):
                    if (relative not in known and written is not None
                            and written.wrote(path) and path.stat().st_mtime < before):
                        path.unlink()
                        removed.append(path)
        return removed
