"""The interface every TTS engine implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any, ClassVar

from audioarticles.errors import UsageError

from audioarticles.model import Audio
from audioarticles.voices import Voice


class Engine(ABC):
    NAME: ClassVar[str]
    #: the longest text one call (or one request) accepts; segmentation keeps under it
    max_chars: ClassVar[int] = 1000

    @classmethod
    @abstractmethod
    def available(cls) -> tuple[bool, str]:
        """(True, "") when it can run here, else (False, what is missing and how to get it)."""

    @classmethod
    def voice_problem(cls, voice: Voice, project_root: Path | None) -> str:
        """"" when this voice profile can be spoken here, else what to install or download
        (a Piper model, say); the engine itself is checked by available()."""
        return ""

    def bind_project(self, root: Path) -> None:
        """The project the engine works for (where its downloaded models are kept)."""

    @abstractmethod
    def cache_identity(self, voice: Voice) -> str:
        """A string that changes whenever the same text would sound different."""

    @abstractmethod
    def synthesize(self, text: str, voice: Voice) -> Audio:
        """Speak one text; raise SynthesisError when no audio comes back."""

    def synthesize_many(self, texts: list[str], voice: Voice) -> list[Audio]:
        """Speak several texts, in order. Engines override this to work in parallel."""
        return [self.synthesize(text, voice) for text in texts]

    def synthesize_stream(self, texts: list[str], voice: Voice) -> Iterator[Audio]:
        """Speak several texts, handing each one's audio out, in order, as soon as it is
        ready (assembly encodes the first while the next are voiced). Engines with workers
        override this; the default waits for all of them."""
        yield from self.synthesize_many(texts, voice)

    def set_parallelism(self, jobs: int) -> None:
        """How many articles a run converts at once; engines with worker processes size their
        pool by it. Limits that hold for the whole run (request caps, rate limits) stay as set."""

    def close(self) -> None:
        """Release workers, sessions and the like."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def checked_settings(cls, section: str, values: dict[str, Any]) -> dict[str, Any]:
    """`values` (an engine's section of audioarticles.toml) checked against the fields of the
    dataclass `cls`: unknown keys and wrong types are a UsageError naming the fix."""
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise UsageError(f"{section} unknown setting(s) {', '.join(unknown)}; "
                         f"valid: {', '.join(f.name for f in fields(cls))}")
    checked: dict[str, Any] = {}
    for name, value in values.items():
        kind = type(getattr(cls, name))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise UsageError(f"{section} {name} = {value!r} is not a {kind.__name__}; "
                             f"e.g. {name} = {getattr(cls, name)!r}")
        checked[name] = value
    return checked
