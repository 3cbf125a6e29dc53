"""What a run that died left behind, removed by the next run: temporary files, and episode
files no catalog row names (killed between placing them and recording them)."""

from __future__ import annotations

from pathlib import Path

from audioarticles.store import CatalogStore, FileStore, episode_files


def sweep_partial_files(files: FileStore, before: float) -> list[Path]:
    """Remove temporary `.*.part` files left by a run that died (they predate this run)."""
    return files.sweep_partial(before)


def sweep_orphan_audio(files: FileStore, catalog: CatalogStore, before: float) -> list[Path]:
    """Remove MP3s (and transcripts, chapters) no episode points to and none keeps as retired:
    left by a run killed between placing the files and recording them. Only files older than
    this run."""
    known = {name for e in catalog.episodes() for name in episode_files(e)}
    known |= {r.path for r in catalog.retired_files()}
    return files.sweep_orphans(known, before)
