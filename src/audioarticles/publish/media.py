"""An episode's files as a build reads them back (their sizes): through the
file store, from the public area, or from the private one for an unreleased episode shown in
the editors' preview. Each folder is listed once per build, not each file asked for."""

from __future__ import annotations

from collections.abc import Callable

from audioarticles.model import Episode
from audioarticles.publish.incremental import Listings, episode_inputs
from audioarticles.store import FileStore, episode_files


def always_public(episode: Episode) -> bool:
    return True


class Media:
    """The files of the episodes of one build."""

    def __init__(self, files: FileStore,
                 public: Callable[[Episode], bool] = always_public,
                 listings: Listings | None = None) -> None:
        self.files = files
        self.public = public
        self.listings = listings or Listings(files)
        self._inputs: dict[tuple[str, str], str] = {}

    def size(self, episode: Episode, name: str) -> int | None:
        """The size of one of the episode's files; None when it is missing."""
        return self.listings.size(name, self.public(episode)) if name else None

    def has(self, episode: Episode, name: str) -> bool:
        return self.size(episode, name) is not None

    def inputs(self, episode: Episode) -> str:
        """The digest of what the episode's pages and feed items are made of: its stored
        record and the sizes of its files (`incremental.episode_inputs`), once per build."""
        key = (episode.guid, episode.title)  # a preview retitles drafts
        if key not in self._inputs:
            sizes = {name: self.size(episode, name) for name in episode_files(episode)}
            self._inputs[key] = episode_inputs(episode, sizes)
        return self._inputs[key]
