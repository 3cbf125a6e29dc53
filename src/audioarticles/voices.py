"""Voice profiles: TOML files naming an engine, its options and an optional fallback profile."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from audioarticles.errors import UsageError
from audioarticles.languages import language_tag
from audioarticles.pauses import PauseOverrides
from audioarticles.validation import Section, check

PROFILE_FOLDER = "voices"  # a project's own profiles, beside audioarticles.toml


def _language(code: str) -> str:
    tag = language_tag(code)
    if tag is None:
        raise ValueError("not an ISO 639 language code; use e.g. \"fr\" or \"fr-CA\"")
    return tag


class VoiceProfile(Section):
    """A voice profile file (`voices/<name>.toml`). `[options]` are the engine's: each engine
    checks them against its own `VoiceOptions` (engines.check_voice)."""

    name: str = Field("", description="empty: the file name without .toml")
    engine: Annotated[str, Field(min_length=1)] = Field(description="espeak, gtts, or a "
                                                                     "third-party engine")
    language: Annotated[str, AfterValidator(_language)] = Field(
        "fr", description="ISO 639 code the engine speaks (\"fr\", \"fr-CA\")")
    options: dict[str, Any] = Field(default_factory=dict, description="the engine's own keys "
                                    "(below)")
    fallback: str = Field("", description="the profile that voices an article this one cannot")
    description: str = ""
    pauses: PauseOverrides = Field(default_factory=PauseOverrides,
                                   description="over [audio.pauses], the same keys")


_PROFILE = VoiceProfile.model_fields


@dataclass(frozen=True)
class Voice:
    """A checked voice profile (its defaults are `VoiceProfile`'s)."""

    name: str
    engine: str
    language: str = _PROFILE["language"].default
    options: dict = field(default_factory=dict, hash=False, compare=False)
    fallback: str = _PROFILE["fallback"].default
    description: str = _PROFILE["description"].default
    origin: str = ""  # the file it came from, for error messages
    pauses: dict = field(default_factory=dict, hash=False, compare=False)  # over [audio.pauses]

    def option(self, key: str, default=None):
        return self.options.get(key, default)


def _parse(origin: str, stem: str, text: str) -> Voice:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{origin}: not valid TOML ({exc}); fix or remove the file") from exc
    profile = check(VoiceProfile, data, origin)
    return Voice(
        name=profile.name or stem,
        engine=profile.engine,
        language=profile.language,
        options=dict(profile.options),
        fallback=profile.fallback,
        description=profile.description,
        origin=origin,
        pauses=profile.pauses.model_dump(exclude_none=True),
    )


def packaged_voices() -> dict[str, Voice]:
    voices: dict[str, Voice] = {}
    folder = resources.files("audioarticles") / "voices"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            voice = _parse(f"packaged voice {entry.name}", Path(entry.name).stem,
                           entry.read_text(encoding="utf-8"))
            voices[voice.name] = voice
    return voices


def load_voices(project_root: Path | None = None) -> dict[str, Voice]:
    """Packaged profiles, overridden or extended by the project's own `voices/*.toml`."""
    voices = packaged_voices()
    if project_root is not None:
        folder = project_root / PROFILE_FOLDER
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                voice = _parse(f"{PROFILE_FOLDER}/{path.name}", path.stem,
                               path.read_text(encoding="utf-8"))
                voices[voice.name] = voice
    return voices


def get_voice(name: str, project_root: Path | None = None) -> Voice:
    voices = load_voices(project_root)
    if name not in voices:
        valid = ", ".join(sorted(voices))
        raise UsageError(f"unknown voice '{name}'; valid voices: {valid} (see `audioarticles voices`)")
    return voices[name]
