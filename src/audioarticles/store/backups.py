"""Copies of the catalog in `.audioarticles/backups/`: one before every schema migration and at
most one a day, taken with SQLite's online backup API (consistent while the catalog is in use),
the newest `KEEP` kept. They are what a damaged or deleted catalog is restored from."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
import time
from pathlib import Path

from audioarticles.store.atomic import shown_path

KEEP = 10
DAY_S = 24 * 3600
_NAME = re.compile(r"catalog-(\d{8}T\d{6}Z)-([a-z0-9-]+)\.sqlite")


def backups_dir(catalog_path: Path) -> Path:
    return catalog_path.parent / "backups"


def backups(catalog_path: Path) -> list[Path]:
    """Our backups of this catalog, oldest first (only files named the way we name them)."""
    folder = backups_dir(catalog_path)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _NAME.fullmatch(p.name) and p.is_file())


def newest(catalog_path: Path) -> Path | None:
    found = backups(catalog_path)
    return found[-1] if found else None


def back_up(db: sqlite3.Connection, catalog_path: Path, reason: str,
            now: float | None = None) -> Path:
    """Copy the open catalog `db` to `backups/catalog-<UTC time>-<reason>.sqlite` (written under
    a temporary name, then renamed), then drop the oldest beyond `KEEP`."""
    folder = backups_dir(catalog_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now if now is not None else time.time()))
    target = folder / f"catalog-{stamp}-{reason}.sqlite"
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    os.close(fd)
    try:
        copy = sqlite3.connect(tmp)
        try:
            db.backup(copy)
        finally:
            copy.close()
        os.replace(tmp, target)
    except FileNotFoundError:
        # a run taking the project's lock swept our temporary copy as we made it (workers
        # and the API open the catalog while others hold the lock): that run's own opening
        # takes the day's backup
        return target
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    for old in backups(catalog_path)[:-KEEP]:
        with contextlib.suppress(FileNotFoundError):
            old.unlink()
    return target


def daily_due(catalog_path: Path, now: float | None = None) -> bool:
    """No backup of this catalog was taken in the last 24 hours."""
    last = newest(catalog_path)
    moment = now if now is not None else time.time()
    return last is None or moment - last.stat().st_mtime >= DAY_S


def restore_hint(catalog_path: Path) -> str:
    """What to run to get the catalog back: the newest backup if there is one, and recover."""
    last = newest(catalog_path)
    if last is None:
        return "run `audioarticles recover` to rebuild it from the published files"
    return (f"restore the newest backup (cp {shown_path(last)} {shown_path(catalog_path)}) "
            "or run `audioarticles recover` to rebuild it from the published files")

