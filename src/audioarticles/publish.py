"""Put finished audio where listeners fetch it, and rebuild the public site from the catalog."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from audioarticles.catalog import Catalog
from audioarticles.config import Project


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def audio_stem(tmp_mp3: Path, slug: str) -> str:
    """`<slug>-<hash>`: the versioned base name of an episode's MP3 and the files beside it."""
    return f"{slug}-{file_digest(tmp_mp3)[:10]}"


def place_audio(tmp_mp3: Path, episodes_dir: Path, slug: str) -> Path:
    """Rename a finished temporary MP3 to `<slug>-<hash>.mp3`: new audio, new URL."""
    final = episodes_dir / f"{audio_stem(tmp_mp3, slug)}.mp3"
    os.chmod(tmp_mp3, 0o644)
    os.replace(tmp_mp3, final)
    return final


def retire_audio(output: Path, old: str | Iterable[str], new: str | Iterable[str]) -> None:
    """Remove an episode's previous files (MP3, transcripts, chapters) once the catalog points
    at the new ones; files the new version still uses are kept."""
    old_files = [old] if isinstance(old, str) else list(old)
    keep = {new} if isinstance(new, str) else set(new)
    for relative in old_files:
        if relative and relative not in keep:
            with contextlib.suppress(FileNotFoundError):
                (output / relative).unlink()


def rebuild(project: Project, catalog: Catalog) -> list[Path]:
    """Regenerate everything public that derives from the catalog (feed, pages); once per run.

    Returns the files written. The publishing stage fills this in; the foundation only
    makes sure the output folder exists.
    """
    (project.output / "episodes").mkdir(parents=True, exist_ok=True)
    return []
