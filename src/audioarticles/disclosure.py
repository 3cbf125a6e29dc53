"""The synthetic-voice disclosure, worded in one place (`[disclosure]` in audioarticles.toml):
said at the end of every episode (so it is in the transcript too), shown by the player, written
in the feed item and the MP3's comment with the engine's name; and the optional spoken
« mis à jour le … » line of an episode re-voiced after a correction."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date

from audioarticles.config import Project
from audioarticles.dates import french_day
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
    """What listeners and readers are told about the voice."""

    enabled: bool = True
    text: str = "Cet épisode est lu par une voix de synthèse."
    engine_line: str = "Synthèse vocale : {engine}."
    updated: str = ""  # e.g. "Article mis à jour le {date}."; "" says nothing
    engines: dict[str, str] = field(default_factory=dict, hash=False)

    @classmethod
    def from_project(cls, project: Project) -> Disclosure:
        if "disclosure" in project.section("podcast"):
            raise UsageError("audioarticles.toml: [podcast] disclosure has moved; write it as "
                             "text = \"...\" under [disclosure]")
        section = project.section("disclosure")
        enabled = section.get("enabled", True)
        if not isinstance(enabled, bool):
            raise UsageError(f"{_WHERE} enabled must be true or false, not {enabled!r}")
        values = {}
        for key, allowed in (("text", set()), ("engine_line", {"engine"}),
                             ("updated", {"date"})):
            value = section.get(key, "")
            if not isinstance(value, str):
                raise UsageError(f"{_WHERE} {key} must be text, not {value!r}")
            unknown = _fields(value, key) - allowed
            if unknown:
                valid = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "none"
                raise UsageError(f"{_WHERE} {key}: unknown field {{{min(unknown)}}}; "
                                 f"valid fields: {valid}")
            values[key] = " ".join(value.split())
        engines = section.get("engines", {})
        if not isinstance(engines, dict) or not all(isinstance(v, str) for v in engines.values()):
            raise UsageError(f"{_WHERE} engines must be a table of names, "
                             f'e.g. engines = {{ espeak = "eSpeak NG" }}')
        if enabled and not values["text"]:
            raise UsageError(f"{_WHERE} text is empty; word the disclosure, or set "
                             f"enabled = false")
        return cls(enabled=enabled, text=values["text"], engine_line=values["engine_line"],
                   updated=values["updated"], engines=dict(engines))

    def engine_name(self, engine: str) -> str:
        return self.engines.get(engine, engine)

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
