"""Episode files in local folders: the public output folder, and its private mirror
`.audioarticles/unreleased/` for every episode that is not published.

New renderings are written into the private mirror under a temporary dot-name, then named
`<slug>-<hash>.mp3` (new audio, new URL) with their transcripts and chapters beside them;
`admit` and `withdraw` move files across as episodes are released or taken down.
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
from audioarticles.store.atomic import atomic_path, atomic_write_bytes, writing
from audioarticles.store.interfaces import FileStore, Placement

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


def audio_stem(tmp_mp3: Path, slug: str) -> str:
    """`<slug>-<hash>`: the versioned base name of an episode's MP3 and the files beside it."""
    return f"{slug}-{file_digest(tmp_mp3)[:10]}"


def _move(source: Path, target: Path) -> None:
    with writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
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
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{slug}.", suffix=".mp3.part", dir=folder)
        os.close(fd)
        self.tmp_mp3 = Path(tmp_name)
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


class LocalFiles(FileStore):
    """Public files in `public`, unreleased ones in `private` (same relative names)."""

    def __init__(self, public: Path, private: Path, state: Path | None = None):
        self._public = public
        self.private = private
        self.state = state  # the state folder: swept for temporary files too

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
        for episode in episodes:
            for name in episode_files(episode):
                waiting = self.private / name
                if waiting.exists():
                    _move(waiting, self._public / name)

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

    def sweep_partial(self, before: float) -> list[Path]:
        removed = []
        for folder in (self._public, self.state):
            if folder is None or not folder.is_dir():
                continue
            for path in folder.rglob(".*.part"):
                with contextlib.suppress(OSError):
                    if path.is_file() and path.stat().st_mtime < before:
                        path.unlink()
                        removed.append(path)
        return removed

    def sweep_orphans(self, known: set[str], before: float) -> list[Path]:
        removed = []
        for root in (self._public, self.private):
            folder = root / EPISODES
            found = sorted({p for pattern in EPISODE_FILE_PATTERNS for p in folder.glob(pattern)}
                           if folder.is_dir() else ())
            for path in found:
                relative = path.relative_to(root).as_posix()
                with contextlib.suppress(OSError):
                    if relative not in known and path.stat().st_mtime < before:
                        path.unlink()
                        removed.append(path)
        return removed
