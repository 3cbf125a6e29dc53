"""An episode's files as a build reads them back (sizes, chapters, transcripts): through the
file store, from the public area, or from the private one for an unreleased episode shown in
the editors' preview. Each folder is listed once per build, not each file asked for."""

from __future__ import annotations

from collections.abc import Callable

from audioarticles.model import Episode
from audioarticles.store import FileStore


def always_public(episode: Episode) -> bool:
    return True


class Media:
    """The files of the episodes of one build."""

    def __init__(self, files: FileStore,
                 public: Callable[[Episode], bool] = always_public) -> None:
        self.files = files
        self.public = public
        self._listings: dict[tuple[str, bool], dict[str, int]] = {}

    def size(self, episode: Episode, name: str) -> int | None:
        """The size of one of the episode's files; None when it is missing."""
        if not name:
            return None
        public = self.public(episode)
        folder = name.rpartition("/")[0]
        if (folder, public) not in self._listings:
            self._listings[folder, public] = self.files.listing(folder, public)
        return self._listings[folder, public].get(name)

    def has(self, episode: Episode, name: str) -> bool:
        return self.size(episode, name) is not None

    def text(self, episode: Episode, name: str) -> str | None:
        """One of the episode's text files (its chapters, its VTT); None when unreadable."""
        data = self.files.read(name, self.public(episode)) if name else None
        try:
            return data.decode("utf-8") if data is not None else None
        except UnicodeDecodeError:
            return None
