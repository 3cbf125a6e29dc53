"""The synthetic-voice disclosure, worded in one place (`[disclosure]` in audioarticles.toml):
said at the end of every episode (so it is in the transcript too), shown by the player, written
in the feed item and the MP3's comment with the engine's name; and the optional spoken
« mis à jour le … » line of an episode re-voiced after a correction."""

from __future__ import annotations

from datetime import date

from audioarticles.config import DisclosureSection, Settings
from audioarticles.dates import french_day
from audioarticles.engines import display_name


class Disclosure(DisclosureSection):
    """What listeners and readers are told about the voice: the checked `[disclosure]`
    section (its keys, defaults and checks are the schema's) and how it is said."""

    @classmethod
    def from_project(cls, project: Settings) -> Disclosure:
        return cls.model_validate(project.values.disclosure.model_dump())

    def engine_name(self, engine: str) -> str:
        return self.engines.get(engine) or display_name(engine)

    def spoken(self) -> str:
        """What the voice says at the end of the episode ("" when disabled)."""
        return self.text if self.enabled else ""

    def written(self, engine: str) -> str:
        """For the player, the feed item and the MP3's comment: the text and the engine."""
        if not self.enabled:
            return ""
        line = self.engine_line.format(engine=self.engine_name(engine)) if self.engine_line else ""
        return " ".join(part for part in (self.text, line) if part)

    def update_line(self, corrected_on: date | None) -> str:
        """The spoken « mis à jour le … » line, when configured and the episode was corrected."""
        if not self.updated or corrected_on is None:
            return ""
        return self.updated.format(date=french_day(corrected_on))
