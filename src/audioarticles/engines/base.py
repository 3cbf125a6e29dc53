"""The interface every TTS engine implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar


from audioarticles.model import Audio
from audioarticles.validation import Section, check
from audioarticles.voices import Voice


class NoSettings(Section):
    """An engine without settings: any key is unknown."""


class Engine(ABC):
    """A TTS engine. Third-party engines subclass it and are registered under the
    `audioarticles.engines` entry-point group (`name = "package.module:EngineClass"`)."""

    NAME: ClassVar[str]
    #: how listeners and the disclosure name it ("eSpeak NG")
    DISPLAY_NAME: ClassVar[str] = ""
    #: its section of audioarticles.toml (`[<NAME>]`); the engine is built with these values
    Settings: ClassVar[type[Section]] = NoSettings
    #: the `[options]` of a voice profile using it
    VoiceOptions: ClassVar[type[Section]] = NoSettings
    #: the longest text one call (or one request) accepts; segmentation keeps under it
    max_chars: ClassVar[int] = 1000

    @classmethod
    def display_name(cls) -> str:
        return cls.DISPLAY_NAME or cls.NAME

    @classmethod
    def options(cls, voice: Voice):
        """The voice profile's `[options]` for this engine, defaults filled in (they were
        checked when the project loaded)."""
        return check(cls.VoiceOptions, voice.options, f"{voice.origin or voice.name} [options]")

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

