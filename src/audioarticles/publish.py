"""Put finished audio where listeners fetch it, and rebuild the public site from the catalog."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from audioarticles import editorial
from audioarticles.catalog import Catalog
from audioarticles.config import Project


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def place_audio(tmp_mp3: Path, episodes_dir: Path, slug: str) -> Path:
    """Rename a finished temporary MP3 to `<slug>-<hash>.mp3`: new audio, new URL."""
    final = episodes_dir / f"{slug}-{file_digest(tmp_mp3)[:10]}.mp3"
    os.chmod(tmp_mp3, 0o644)
    os.replace(tmp_mp3, final)
    return final


def retire_audio(output: Path, old_relative: str, new_relative: str) -> None:
    """Remove an episode's previous MP3 once the catalog points at the new one."""
    if old_relative and old_relative != new_relative:
        with contextlib.suppress(FileNotFoundError):
            (output / old_relative).unlink()


def rebuild(project: Project, catalog: Catalog) -> list[Path]:
    """Regenerate everything public that derives from the catalog (feed, pages); once per run.

    Returns the files written. The publishing stage fills this in; the foundation only
    makes sure the output folder exists. Scheduled episodes whose time has come are released
    first; only published episodes' files are in the output folder once it returns.
    """
    editorial.release_due(catalog)
    editorial.admit_files(project, catalog)
    (project.output / "episodes").mkdir(parents=True, exist_ok=True)
    editorial.withdraw_files(project, catalog)
    return []
