"""Atomic file writes: a listener never fetches a half-written MP3, feed or page."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Self


@contextlib.contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; on success it is renamed over `target`.

    The temporary name starts with a dot and ends in `.part`, so nothing publishes it.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
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
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
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
                    os.chmod(tmp, 0o644)
                    os.replace(tmp, target)
        finally:
            for tmp, _ in self._pending:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
