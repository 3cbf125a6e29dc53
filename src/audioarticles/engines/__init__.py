"""TTS engines behind one small interface, and the registry that names them."""

from __future__ import annotations

from audioarticles.engines.base import Engine
from audioarticles.engines.edge import EdgeEngine
from audioarticles.engines.espeak import EspeakEngine
from audioarticles.engines.gtts import GttsEngine
from audioarticles.engines.piper import PiperEngine
from audioarticles.errors import EngineUnavailable, UsageError

ENGINES: dict[str, type[Engine]] = {e.NAME: e for e in (EspeakEngine, GttsEngine, PiperEngine,
                                                        EdgeEngine)}


def engine_class(name: str) -> type[Engine]:
    if name not in ENGINES:
        valid = ", ".join(sorted(ENGINES))
        raise UsageError(f"unknown engine '{name}'; valid engines: {valid}")
    return ENGINES[name]


def get_engine(name: str, **settings) -> Engine:
    """An engine ready to synthesise, or EngineUnavailable saying what is missing and the fix."""
    cls = engine_class(name)
    ok, reason = cls.available()
    if not ok:
        raise EngineUnavailable(f"engine '{name}' is not available here: {reason}")
    return cls(**settings)


__all__ = ["ENGINES", "Engine", "engine_class", "get_engine"]
