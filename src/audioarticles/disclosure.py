"""The synthetic-voice disclosure, worded in one place (`[disclosure]` in audioarticles.toml):
said at the end of every episode (so it is in the transcript too), shown by the player, written
in the feed item and the MP3's comment with the engine's name; and the optional spoken
« mis à jour le … » line of an episode re-voiced after a correction."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date

from audioarticles.config import DisclosureSection, Settings
from audioarticles.dates import french_day
from audioarticles.engines import display_name
from audioarticles.errors import UsageError

_WHERE = "audioarticles.toml: [disclosure]"


def _fields(template: str, key: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise UsageError(f"{_WHERE} {key}: bad template {template!r} ({exc}); "
                         f"write fields as {{engine}}") from exc


@dataclass(frozen=True)
class Disclosure:
    """What listeners and readers are told about the voice (defaults: the schema's)."""

    enabled: bool = DisclosureSection().enabled
    text: str = DisclosureSection().text
    engine_line: str = DisclosureSection().engine_line
    updated: str = DisclosureSection().updated  # e.g. "Article mis à jour le {date}."
    engines: dict[str, str] = field(default_factory=dict, hash=False)

    @classmethod
    def from_project(cls, project: Settings) -> Disclosure:
        """The checked `[disclosure]` section (types were checked at load; here: the fields
        its templates name)."""
        section = project.section("disclosure")
        values = {}
        for key, allowed in (("text", set()), ("engine_line", {"engine"}),
                             ("updated", {"date"})):
            value = section[key]
            unknown = _fields(value, key) - allowed
            if unknown:
                valid = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "none"
                raise UsageError(f"{_WHERE} {key}: unknown field {{{min(unknown)}}}; "
                                 f"valid fields: {valid}")
            values[key] = " ".join(value.split())
        if section["enabled"] and not values["text"]:
            raise UsageError(f"{_WHERE} text is empty; word the disclosure, or set "
                             f"enabled = false")
        return cls(enabled=section["enabled"], text=values["text"],
                   engine_line=values["engine_line"], updated=values["updated"],
                   engines=dict(section["engines"]))

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
