"""Atomic file writes: a listener never fetches a half-written MP3, feed or page."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from audioarticles.errors import StorageError
from audioarticles.store.manifest import record as record_written

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


def temp_beside(target: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside `target`: `.<name>.<random>.part`, open for writing.
    Its name is written down in the manifest of its folder before it exists, so a run killed
    while writing leaves only a leftover the next run knows is its own."""
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
        record_written([tmp])
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), tmp
        except FileExistsError:
            continue


def replace_with(tmp: Path, target: Path) -> None:
    """Give the finished temporary file its final name (written down first)."""
    record_written([target])
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


@contextlib.contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; on success it is renamed over `target`.

    The temporary name starts with a dot and ends in `.part`, so nothing publishes it.
    """
    target = Path(target)
    with writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_path = temp_beside(target)
    os.close(fd)
    try:
        with writing(target):
            yield tmp_path
            with open(tmp_path, "rb+") as handle:
                os.fsync(handle.fileno())
            replace_with(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def atomic_write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: Path, text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))
