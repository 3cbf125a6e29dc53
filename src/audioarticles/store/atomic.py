"""Atomic file writes: a listener never fetches a half-written MP3, feed or page."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Self

from audioarticles.errors import StorageError

_FULL = {errno.ENOSPC, errno.EDQUOT}
_DENIED = {errno.EACCES, errno.EPERM}


def shown_path(path: Path | str) -> str:
    """A path as it opens from the current directory (relative when it can be)."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def free_mb(path: Path | str) -> float:
    """Free space (MB) on the disk holding `path` (its nearest existing folder)."""
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free / 1e6
    except OSError:
        return 0.0


def storage_error(exc: OSError, path: Path | str | None = None) -> StorageError | None:
    """One line for a write the disk refused (full, read-only, not permitted) naming the file
    and the fix; None for any other error."""
    where = path if path is not None else exc.filename
    if where is None:
        where = "a file of the project"
    shown = shown_path(where) if where != "a file of the project" else where
    if exc.errno in _FULL:
        return StorageError(f"no space left while writing {shown} ({free_mb(where):.1f} MB free "
                            "on that disk); free some space there and run the command again")
    if exc.errno == errno.EROFS:
        return StorageError(f"cannot write {shown}: its folder is on a read-only file system; "
                            "make it writable (or choose another --out folder) and run the "
                            "command again")
    if exc.errno in _DENIED:
        return StorageError(f"permission denied while writing {shown}; give this user write "
                            f"access to {shown_path(Path(where).parent)} and run the command again")
    return None


@contextlib.contextmanager
def writing(path: Path | str) -> Iterator[None]:
    """A refused write inside the block becomes a StorageError naming `path`."""
    try:
        yield
    except OSError as exc:
        problem = storage_error(exc, path)
        if problem is None:
            raise
        raise problem from exc


def move_into_place(source: Path, target: Path) -> None:
    """Rename a finished temporary file over `target` (same folder, so atomically)."""
    os.replace(source, target)


@contextlib.contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; on success it is renamed over `target`.

    The temporary name starts with a dot and ends in `.part`, so nothing publishes it.
    """
    target = Path(target)
    with writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        with writing(target):
            yield tmp_path
            with open(tmp_path, "rb+") as handle:
                os.fsync(handle.fileno())
            os.chmod(tmp_path, 0o644)
            os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def atomic_write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: Path, text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))


class AtomicBatch:
    """Many files replaced at once: each is written under a temporary dot-name, the data of
    all reaches the disk with one sync (not one fsync per file), then each is renamed over its
    target. On an error nothing is renamed and the temporary files are removed."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def write_bytes(self, target: Path, data: bytes) -> Path:
        """Queue `data` for `target`, unless the file already holds exactly that."""
        target = Path(target)
        if target.is_file() and target.read_bytes() == data:
            return target
        with writing(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                       dir=target.parent)
            self._pending.append((Path(tmp), target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        return target

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind, error, trace) -> None:
        try:
            if kind is None and self._pending:
                os.sync()
                for tmp, target in self._pending:
                    with writing(target):
                        os.chmod(tmp, 0o644)
                        os.replace(tmp, target)
        finally:
            for tmp, _ in self._pending:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
