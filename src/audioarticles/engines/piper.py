"""Offline neural voices: Piper (piper-tts, ONNX on the CPU) in worker processes.

A Piper voice is a model file `NAME.onnx` and its `NAME.onnx.json` (phoneme map, sample rate,
speakers), downloaded once and installed into the project's `voices/models/` by
`audioarticles voices install piper NAME --from PATH|URL` (`piper_models.py`). A profile names
it by name (looked up there) or by path.

Like espeak-ng, Piper runs in worker processes (its phonemizer is libespeak-ng, and one
process per article in flight keeps the cores busy without threads fighting): each worker
loads a model once and keeps it. Sentence handling is Piper's own (its phonemizer splits a
text into sentences). When the model exposes phoneme alignments (piper-tts patches the model
in memory with the `onnx` package), each word's samples are summed from its phonemes' sample
counts: exact where Piper's words are the text's words, shared by length inside a sentence
where they are not (espeak-ng joins "of the", splits a number).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import multiprocessing
import os
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import Field

from audioarticles.engines.base import Engine
from audioarticles.engines.espeak import EspeakEngine, _worker_init
from audioarticles.errors import EngineUnavailable, SynthesisError, UsageError
from audioarticles.model import Audio, Word
from audioarticles.tools import terminal_signals_held
from audioarticles.validation import Section, check
from audioarticles.voices import Voice

log = logging.getLogger(__name__)

MODELS_DIR = Path("voices") / "models"
#: phonemes that are not sounds of a word: sentence start/end, word gaps, punctuation
_SILENT = frozenset("^$ .,;:!?¡¿—–-…\"«»“”()[]")
INSTALL_HINT = ("download NAME.onnx and NAME.onnx.json from the Piper voices page, then run "
                "`audioarticles voices install piper NAME --from FOLDER`")


class PiperSettings(Section):
    """The `[piper]` section of audioarticles.toml (all optional)."""

    workers: int = Field(0, ge=0, le=64, description="worker processes; 0 = one per article in "
                                                     "flight (--jobs)")
    threads: int = Field(0, ge=0, le=256, description="ONNX threads per worker; 0 = the cores "
                                                      "shared among the workers")
    word_timings: bool = Field(True, description="ask the model for phoneme alignments (needs "
                                                 "the onnx package)")

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> PiperSettings:
        return check(cls, values, "[piper]")


Scale = Annotated[float, Field(gt=0, le=10)]


class PiperOptions(Section):
    """A voice profile's `[options]` for piper."""

    model: str = Field("", description="a model name in voices/models/ (\"fr_FR-siwis-medium\") "
                                       "or a path to NAME.onnx, relative to the project")
    config: str = Field("", description="the model's JSON configuration; empty: "
                                        "NAME.onnx.json beside it")
    speaker: int | str | None = Field(None, description="a speaker id or name, for models with "
                                                        "several")
    length_scale: Scale | None = Field(None, description="above 1 slower, below 1 faster")
    noise_scale: Scale | None = None
    noise_w_scale: Scale | None = None


@dataclass(frozen=True)
class Model:
    """A Piper model on disk: the ONNX file and its JSON configuration."""

    onnx: Path
    config: Path

    @property
    def name(self) -> str:
        return self.onnx.name.removesuffix(".onnx")


def resolve_model(voice: Voice, project_root: Path | None) -> Model:
    """The model a profile names: `model = "fr_FR-siwis-medium"` (in the project's
    voices/models/) or a path (relative to the project); `config` overrides NAME.onnx.json."""
    named = str(voice.option("model", "")).strip()
    if not named:
        raise UsageError(f"voice profile {voice.origin or voice.name}: no model; add e.g. "
                         "[options] model = \"fr_FR-siwis-medium\"")
    root = project_root or Path.cwd()
    if "/" in named or named.endswith(".onnx"):
        onnx = root / Path(named).expanduser()
    else:
        onnx = root / MODELS_DIR / f"{named}.onnx"
    config = str(voice.option("config", "")).strip()
    return Model(onnx, root / config if config else Path(f"{onnx}.json"))


def model_problem(model: Model) -> str:
    """"" when both files are there, else what to do."""
    name = model.name
    if not model.onnx.is_file():
        return (f"Piper model {name} is not installed (no {model.onnx}); "
                + INSTALL_HINT.replace("NAME", name))
    if not model.config.is_file():
        return (f"Piper model {name} has no {model.config.name} beside it; download it with "
                f"the model and run `audioarticles voices install piper {name} --from FOLDER`")
    return ""


# ---- in the worker processes ---------------------------------------------------------------

_loaded: dict[tuple, Any] = {}


def load_voice(model: Model, threads: int = 0, alignments: bool = True):
    """A PiperVoice for `model`, built like PiperVoice.load but with our ONNX session options
    (thread count) and, when asked and possible, the alignment output patched in memory.
    SynthesisError (one line, naming the file) when a file is broken."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    try:
        config = PiperConfig.from_dict(json.loads(model.config.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise SynthesisError(f"Piper model {model.name} has no {model.config.name} beside it",
                             f"install it again: audioarticles voices install piper "
                             f"{model.name} --from FOLDER") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise SynthesisError(f"{model.config} is not a Piper voice configuration "
                             f"({type(exc).__name__}: {exc})",
                             "download the model's .onnx.json again") from None
    source: str | bytes = str(model.onnx)
    if alignments:
        try:
            import onnx
            from piper.patch_voice_with_alignment import add_alignment_output

            graph = onnx.load(str(model.onnx))
            add_alignment_output(graph)
            source = graph.SerializeToString()
        except ImportError:
            pass  # no onnx package (the parent said so): audio without word timings
        except ValueError:
            pass  # already patched, or a model without the durations tensor
        except Exception as exc:  # noqa: BLE001 (onnx raises its own DecodeError family)
            raise broken_model(model, exc) from None
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(source, sess_options=options,
                                               providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 (onnxruntime's errors have no common public base)
        raise broken_model(model, exc) from None
    return PiperVoice(session=session, config=config)


def broken_model(model: Model, exc: BaseException) -> SynthesisError:
    detail = " ".join(str(exc).split())[:120]
    return SynthesisError(f"{model.onnx} is not a usable Piper model ({detail})",
                          f"download {model.name}.onnx again and run `audioarticles voices "
                          f"install piper {model.name} --from FOLDER`")


def word_spans(alignments) -> list[tuple[int, int, int]]:
    """(start sample, end sample, sounds) of each word Piper spoke in one sentence, from its
    phoneme alignments: a word is the phonemes between two spaces, from its first sound to
    the end of its last (punctuation and pauses excluded)."""
    spans: list[tuple[int, int, int]] = []
    at, start, end, sounds = 0, None, 0, 0
    for alignment in alignments:
        phoneme, length = alignment.phoneme, int(alignment.num_samples)
        if phoneme == " " or phoneme in ("^", "$"):
            if start is not None:
                spans.append((start, end, sounds))
                start, sounds = None, 0
        elif phoneme not in _SILENT:
            if start is None:
                start = at
            end = at + length
            sounds += 1
        at += length
    if start is not None:
        spans.append((start, end, sounds))
    return spans


def text_words(text: str) -> list[str]:
    """The words of a text as a listener hears them (tokens with a letter or digit)."""
    return [token for token in text.split() if any(c.isalnum() for c in token)]


def assign_words(words: list[str], spans: list[tuple[int, int, int]]) -> list[Word]:
    """Times for `words` from Piper's word spans: one to one when the counts agree; else each
    word gets the stretch of the spans' sounds matching its share of the letters."""
    if not words or not spans:
        return []
    if len(words) == len(spans):
        return [Word(start, end, word) for word, (start, end, _) in zip(words, spans)]
    total_sounds = sum(sounds for _, _, sounds in spans) or 1
    letters = [max(1, sum(c.isalnum() for c in word)) for word in words]
    total_letters = sum(letters)

    def sample_at(share: float, starting: bool) -> int:
        """The sample where `share` of all the sounds have been spoken (a word starting
        where one span ends starts at the next span, after the gap)."""
        target, done = share * total_sounds, 0
        for start, end, sounds in spans:
            if done + sounds > target or (done + sounds == target and not starting):
                return round(start + (end - start) * (target - done) / max(sounds, 1))
            done += sounds
        return spans[-1][1]

    result, done = [], 0
    for word, count in zip(words, letters):
        start = sample_at(done / total_letters, True)
        done += count
        result.append(Word(start, max(start, sample_at(done / total_letters, False)), word))
    return result


def sentences(words: list[str]) -> list[list[str]]:
    """Words grouped into sentences at sentence-final punctuation, as Piper splits them."""
    groups: list[list[str]] = [[]]
    for word in words:
        groups[-1].append(word)
        if re.search(r"[.!?…][»\"”’)]*$", word):
            groups.append([])
    return [group for group in groups if group]


def timed_words(text: str, chunks: list[list[tuple[int, int, int]]]) -> list[Word]:
    """Word times for `text` from each sentence's word spans: sentence by sentence when Piper
    split the text where its punctuation says, else over the whole text."""
    words = text_words(text)
    groups = sentences(words)
    if len(groups) == len(chunks):
        return [word for group, spans in zip(groups, chunks) for word in assign_words(group, spans)]
    return assign_words(words, [span for spans in chunks for span in spans])


def _worker_speak(text: str, model: Model, speaker: int | None, scales: tuple, threads: int,
                  alignments: bool) -> tuple[bytes, int, list[tuple[int, int, str]]]:
    from piper.config import SynthesisConfig

    key = (model, threads, alignments)
    voice = _loaded.get(key)
    if voice is None:
        voice = _loaded[key] = load_voice(model, threads, alignments)
    length_scale, noise_scale, noise_w_scale = scales
    config = SynthesisConfig(speaker_id=speaker, length_scale=length_scale,
                             noise_scale=noise_scale, noise_w_scale=noise_w_scale)
    pcm, chunks, offset, rate = [], [], 0, voice.config.sample_rate
    timed = True
    for chunk in voice.synthesize(text, syn_config=config, include_alignments=alignments):
        samples = chunk.audio_int16_bytes
        pcm.append(samples)
        if chunk.phoneme_alignments:
            chunks.append([(a + offset, b + offset, n)
                           for a, b, n in word_spans(chunk.phoneme_alignments)])
        else:
            timed = False
        offset += len(samples) // 2
        rate = chunk.sample_rate
    words = timed_words(text, chunks) if timed and chunks else []
    return b"".join(pcm), rate, [(w.start, w.end, w.text) for w in words]


# ---- in the parent --------------------------------------------------------------------------

_digests: dict[tuple, str] = {}
_digests_lock = threading.Lock()


def file_digest(path: Path) -> str:
    """SHA-256 of a file, remembered while its size and time stay the same (a model is big)."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _digests_lock:
        if key in _digests:
            return _digests[key]
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    with _digests_lock:
        _digests[key] = digest.hexdigest()
    return _digests[key]


_warned_no_onnx = threading.Event()
NO_ONNX = ("Piper gives no word timings without the onnx package (no read-along, one "
           "transcript segment per cue); run `pip install 'audioarticles[piper]'`, or set "
           "[piper] word_timings = false")


def onnx_installed() -> bool:
    """Whether the workers can patch a model for phoneme alignments (the `onnx` package)."""
    return importlib.util.find_spec("onnx") is not None


class PiperEngine(Engine):
    NAME: ClassVar[str] = "piper"
    DISPLAY_NAME: ClassVar[str] = "Piper"
    Settings = PiperSettings
    VoiceOptions = PiperOptions
    max_chars: ClassVar[int] = 1000

    def __init__(self, **settings: Any) -> None:
        self.settings = PiperSettings.from_mapping(settings)
        self.workers = self.settings.workers or 1
        self.root: Path | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    @classmethod
    def available(cls) -> tuple[bool, str]:
        try:
            import onnxruntime  # noqa: F401
            import piper  # noqa: F401
        except ImportError:
            return False, "the piper-tts package is missing; run `pip install 'audioarticles[piper]'`"
        return True, ""

    @classmethod
    def voice_problem(cls, voice: Voice, project_root: Path | None) -> str:
        try:
            return model_problem(resolve_model(voice, project_root))
        except UsageError as exc:
            return str(exc)

    def bind_project(self, root: Path) -> None:
        self.root = root

    def set_parallelism(self, jobs: int) -> None:
        if self._pool is None and not self.settings.workers:
            self.workers = max(1, jobs)

    def _model(self, voice: Voice) -> Model:
        model = resolve_model(voice, self.root)
        problem = model_problem(model)
        if problem:
            raise EngineUnavailable(problem)
        return model

    def _options(self, voice: Voice, model: Model) -> tuple[int | None, tuple]:
        speaker = voice.option("speaker")
        if isinstance(speaker, str):
            config = json.loads(model.config.read_text(encoding="utf-8"))
            ids = config.get("speaker_id_map") or {}
            if speaker not in ids:
                raise UsageError(f"voice profile {voice.origin or voice.name}: model "
                                 f"{model.name} has no speaker {speaker!r}; its speakers: "
                                 f"{', '.join(ids) or 'none (one speaker)'}")
            speaker = ids[speaker]
        scales = tuple(None if voice.option(key) is None else float(voice.option(key))
                       for key in ("length_scale", "noise_scale", "noise_w_scale"))
        return speaker, scales

    def cache_identity(self, voice: Voice) -> str:
        from importlib.metadata import version

        model = self._model(voice)
        speaker, scales = self._options(voice, model)
        digest = file_digest(model.onnx)[:16] + file_digest(model.config)[:8]
        return (f"piper/{version('piper-tts')}/{model.name}/{digest}/s{speaker}/"
                f"{'/'.join(str(s) for s in scales)}/words={self._word_timings()}")

    def _word_timings(self) -> bool:
        """Word timings asked for and possible (audio voiced without them is cached apart)."""
        return self.settings.word_timings and onnx_installed()

    def _alignments(self) -> bool:
        """`_word_timings`, saying once per process why there are none when asked for."""
        if self.settings.word_timings and not onnx_installed() \
                and not _warned_no_onnx.is_set():
            _warned_no_onnx.set()
            log.warning(NO_ONNX)
        return self._word_timings()

    def _executor(self) -> ProcessPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_init, initargs=(os.getpid(),))
            return self._pool

    def _threads(self) -> int:
        return self.settings.threads or max(1, (os.cpu_count() or 1) // self.workers)

    def synthesize(self, text: str, voice: Voice) -> Audio:
        return self.synthesize_many([text], voice)[0]

    def synthesize_many(self, texts: list[str], voice: Voice) -> list[Audio]:
        return list(self.synthesize_stream(texts, voice))

    def synthesize_stream(self, texts: list[str], voice: Voice) -> Iterator[Audio]:
        model = self._model(voice)
        speaker, scales = self._options(voice, model)
        alignments = self._alignments()
        pool = self._executor()
        with terminal_signals_held():  # submitting starts the worker processes on demand
            futures = [pool.submit(_worker_speak, text, model, speaker, scales, self._threads(),
                                   alignments) for text in texts]
        try:
            for text, future in zip(texts, futures):
                pcm, rate, words = self.result_of(pool, future, "a Piper worker process")
                if not pcm:
                    raise SynthesisError(f"Piper produced no audio for: {text[:60]!r}")
                yield Audio(pcm=pcm, sample_rate=rate,
                            words=tuple(Word(a, b, t) for a, b, t in words))
        finally:
            for future in futures:
                future.cancel()

    # the same worker-pool handling as espeak-ng's
    result_of = EspeakEngine.result_of
    _drop_pool = EspeakEngine._drop_pool
    close = EspeakEngine.close
