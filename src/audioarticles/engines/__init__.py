"""TTS engines behind one small interface, and the registry that names them: the engines
shipped here, and third-party ones registered under the `audioarticles.engines` entry-point
group of an installed distribution:

    [project.entry-points."audioarticles.engines"]
    robot = "robot_voice:RobotEngine"      # an Engine subclass whose NAME is "robot"
"""

from __future__ import annotations

import difflib
import functools
import logging
from importlib.metadata import entry_points

from audioarticles.engines.base import Engine
from audioarticles.engines.edge import EdgeEngine
from audioarticles.engines.espeak import EspeakEngine
from audioarticles.engines.gtts import GttsEngine
from audioarticles.engines.piper import PiperEngine
from audioarticles.errors import EngineUnavailable, UsageError
from audioarticles.validation import check
from audioarticles.voices import Voice

ENTRY_POINT_GROUP = "audioarticles.engines"
BUILTIN: dict[str, type[Engine]] = {e.NAME: e for e in (EspeakEngine, GttsEngine, PiperEngine,
                                                        EdgeEngine)}

log = logging.getLogger(__name__)


@functools.cache
def _plugins() -> tuple[dict[str, type[Engine]], dict[str, str]]:
    """Third-party engines by name, and why each one that could not be loaded was not."""
    found: dict[str, type[Engine]] = {}
    broken: dict[str, str] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        where = f"{point.value} (entry point `{point.name}` of " \
                f"{point.dist.name if point.dist else 'an installed package'})"
        if point.name in BUILTIN:
            broken[point.name] = f"{where} has the name of a built-in engine"
            continue
        try:
            cls = point.load()
        except Exception as exc:  # a broken plugin must not stop the engines that work
            broken[point.name] = f"{where} could not be imported: {type(exc).__name__}: {exc}"
            continue
        if not (isinstance(cls, type) and issubclass(cls, Engine)):
            broken[point.name] = f"{where} is not an audioarticles Engine subclass"
        elif getattr(cls, "NAME", None) != point.name:
            broken[point.name] = f"{where} names an engine whose NAME is " \
                                 f"{getattr(cls, 'NAME', None)!r}"
        else:
            found[point.name] = cls
    for name, reason in broken.items():
        log.warning("engine %s is not available: %s", name, reason)
    return found, broken


def registry() -> dict[str, type[Engine]]:
    """Every engine that can be named in a voice profile, by name."""
    return {**BUILTIN, **_plugins()[0]}


def engine_class(name: str, origin: str = "") -> type[Engine]:
    """The engine called `name`; `origin` (a voice profile) is named in the error."""
    engines = registry()
    if name in engines:
        return engines[name]
    where = f"{origin}: " if origin else ""
    broken = _plugins()[1].get(name)
    if broken:
        raise UsageError(f"{where}engine '{name}' could not be loaded: {broken}")
    close = difflib.get_close_matches(name, list(engines), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise UsageError(f"{where}unknown engine '{name}'; {hint}valid engines: "
                     f"{', '.join(sorted(engines))}")


def check_voice(voice: Voice) -> type[Engine]:
    """A voice profile's engine exists and its `[options]` are that engine's: a UsageError
    naming the profile file otherwise."""
    cls = engine_class(voice.engine, voice.origin)
    check(cls.VoiceOptions, voice.options, f"{voice.origin} [options]")
    return cls


def display_name(name: str) -> str:
    """How listeners are told the engine's name ("eSpeak NG"); an unknown engine (an old
    episode's) keeps its name."""
    cls = registry().get(name)
    return cls.display_name() if cls is not None else name


def get_engine(name: str, **settings) -> Engine:
    """An engine ready to synthesise, built from its checked `[name]` settings, or
    EngineUnavailable saying what is missing and the fix."""
    cls = engine_class(name)
    values = check(cls.Settings, settings, f"[{name}]")
    ok, reason = cls.available()
    if not ok:
        raise EngineUnavailable(f"engine '{name}' is not available here: {reason}")
    return cls(**values.model_dump())


__all__ = ["ENTRY_POINT_GROUP", "Engine", "check_voice", "display_name", "engine_class",
           "get_engine", "registry"]
