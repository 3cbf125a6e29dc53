"""The interface every TTS engine implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

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

    @abstractmethod
    def cache_identity(self, voice: Voice) -> str:
        """A string that changes whenever the same text would sound different."""

    @abstractmethod
    def synthesize(self, text: str, voice: Voice) -> Audio:
        """Speak one text; raise SynthesisError when no audio comes back."""

    def synthesize_many(self, texts: list[str], voice: Voice) -> list[Audio]:
        """Speak several texts, in order. Engines override this to work in parallel."""
        return [self.synthesize(text, voice) for text in texts]

    def set_parallelism(self, jobs: int) -> None:
        """How many articles a run converts at once; engines with worker processes size their
        pool by it. Limits that hold for the whole run (request caps, rate limits) stay as set."""

    def close(self) -> None:
        """Release workers, sessions and the like."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
