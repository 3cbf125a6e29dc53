"""Put finished audio where listeners fetch it, and rebuild the public site from the catalog."""

from __future__ import annotations

import contextlib
import hashlib
import os
from datetime import datetime, timedelta
from pathlib import Path

from audioarticles import editorial
from audioarticles.catalog import Catalog
from audioarticles.config import Project
from audioarticles.errors import UsageError
from audioarticles.model import Episode, RetiredFile


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


def keep_old_audio_days(project: Project) -> float:
    """`[publish] keep_old_audio_days`, checked: how long a replaced MP3 stays reachable."""
    value = project.section("publish").get("keep_old_audio_days")
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise UsageError(f"audioarticles.toml: [publish] keep_old_audio_days must be a number "
                         f"of days (0 or more), not {value!r}")
    return float(value)


def retire_files(catalog: Catalog, previous: Episode | None, current: Episode,
                 now: datetime | None = None) -> list[str]:
    """After a re-conversion, inside its transaction: record the previous version's files the
    episode no longer points at. They stay where they are until `sweep_retired` finds them
    past the retention; the episode's current files are never retired."""
    current_files = editorial.episode_files(current)
    catalog.unretire_files(current_files)
    if previous is None:
        return []
    moment = editorial.iso(now or editorial.utcnow())
    retired = [name for name in editorial.episode_files(previous) if name not in current_files]
    for name in retired:
        catalog.retire_file(RetiredFile(path=name, guid=current.guid, retired_at=moment))
    return retired


def sweep_retired(project: Project, catalog: Catalog, now: datetime | None = None) -> list[str]:
    """Delete retired files from the output folder once they are `keep_old_audio_days` old, or
    at once when their episode is no longer published; once per run. Returns what was deleted.
    A file some episode points at again is only forgotten, never deleted."""
    keep = timedelta(days=keep_old_audio_days(project))
    moment = now or editorial.utcnow()
    in_use = {name for episode in catalog.episodes() for name in editorial.episode_files(episode)}
    published = {episode.guid for episode in catalog.published()}
    deleted: list[str] = []
    with catalog.transaction():
        for retired in catalog.retired_files():
            since = datetime.fromisoformat(retired.retired_at)
            if retired.path in in_use:
                catalog.unretire_files([retired.path])
            elif moment - since >= keep or retired.guid not in published:
                with contextlib.suppress(FileNotFoundError):
                    (project.output / retired.path).unlink()
                    deleted.append(retired.path)
                catalog.unretire_files([retired.path])
    return deleted


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
    # last: the feed just written points at the newest audio only
    sweep_retired(project, catalog)
    return []
