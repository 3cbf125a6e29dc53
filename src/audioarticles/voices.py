"""Voice profiles: TOML files naming an engine, its options and an optional fallback profile."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from audioarticles.errors import UsageError


@dataclass(frozen=True)
class Voice:
    name: str
    engine: str
    language: str = "fr"
    options: dict = field(default_factory=dict, hash=False, compare=False)
    fallback: str = ""
    description: str = ""
    origin: str = ""  # the file it came from, for error messages
    pauses: dict = field(default_factory=dict, hash=False, compare=False)  # over [audio.pauses]

    def option(self, key: str, default=None):
        return self.options.get(key, default)


def _parse(path: Path, text: str) -> Voice:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"voice profile {path}: not valid TOML ({exc}); fix or remove the file") from exc
    name = data.get("name") or path.stem
    engine = data.get("engine")
    if not engine:
        raise UsageError(f"voice profile {path}: no 'engine'; add e.g. engine = \"espeak\"")
    return Voice(
        name=name,
        engine=engine,
        language=data.get("language", "fr"),
        options=dict(data.get("options", {})),
        fallback=data.get("fallback", ""),
        description=data.get("description", ""),
        origin=str(path),
        pauses=dict(data.get("pauses", {})),
    )


def packaged_voices() -> dict[str, Voice]:
    voices: dict[str, Voice] = {}
    folder = resources.files("audioarticles") / "voices"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            voice = _parse(Path(entry.name), entry.read_text(encoding="utf-8"))
            voices[voice.name] = voice
    return voices


def load_voices(project_root: Path | None = None) -> dict[str, Voice]:
    """Packaged profiles, overridden or extended by the project's own `voices/*.toml`."""
    voices = packaged_voices()
    if project_root is not None:
        folder = project_root / "voices"
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                voice = _parse(path, path.read_text(encoding="utf-8"))
                voices[voice.name] = voice
    return voices


def get_voice(name: str, project_root: Path | None = None) -> Voice:
    voices = load_voices(project_root)
    if name not in voices:
        valid = ", ".join(sorted(voices))
        raise UsageError(f"unknown voice '{name}'; valid voices: {valid} (see `audioarticles voices`)")
    return voices[name]
