"""Google Translate TTS through the gTTS package (the default `fr` voice). Needs the network."""

from __future__ import annotations

import io
from typing import ClassVar

from audioarticles.engines.base import Engine
from audioarticles.errors import SynthesisError
from audioarticles.model import Audio
from audioarticles.tools import decode_to_pcm
from audioarticles.voices import Voice

SAMPLE_RATE = 24000


class GttsEngine(Engine):
    NAME: ClassVar[str] = "gtts"
    max_chars: ClassVar[int] = 100

    @classmethod
    def available(cls) -> tuple[bool, str]:
        try:
            import gtts  # noqa: F401
        except ImportError:
            return False, "the gTTS package is missing; run `pip install gTTS`"
        return True, ""

    def cache_identity(self, voice: Voice) -> str:
        from importlib.metadata import version

        return f"gtts/{version('gTTS')}/{voice.language}/{voice.option('tld', 'com')}/slow={bool(voice.option('slow', False))}"

    def synthesize(self, text: str, voice: Voice) -> Audio:
        from gtts import gTTS, gTTSError

        buffer = io.BytesIO()
        try:
            tts = gTTS(text, lang=voice.language, tld=voice.option("tld", "com"),
                       slow=bool(voice.option("slow", False)), pre_processor_funcs=[])
            tts.write_to_fp(buffer)
        except gTTSError as exc:
            raise SynthesisError(f"gTTS failed: {exc}") from exc
        if not buffer.getvalue():
            raise SynthesisError("gTTS returned no audio")
        return Audio(pcm=decode_to_pcm(buffer.getvalue(), SAMPLE_RATE), sample_rate=SAMPLE_RATE)
