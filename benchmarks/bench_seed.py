"""The seed article end to end with the offline voice, against the floor measured in the same
run: espeak-ng voicing the same text in one call, then ffmpeg encoding it to the same MP3.

Ours: `pipeline.convert` on a fresh project (cold segment cache): read, clean, normalise,
segment, voice (espeak-ng worker processes), trim, pause, measure loudness, level, encode,
tag, write transcripts and chapters, record, rebuild feed and site. The floor has no
pauses, no levelling, no outro, no tags, no site.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

TITLE = "Seed article end to end (offline voice) vs the espeak-ng + ffmpeg floor"

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "ia-sante-numerique.txt"
RUNS = 3
TARGET = 1.5


def ours(workdir: Path) -> tuple[float, dict]:
    from audioarticles.config import load_project
    from audioarticles.pipeline import convert

    root = workdir / "project"
    root.mkdir()
    shutil.copy(SEED, root / "seed.txt")
    project = load_project(root)
    started = time.perf_counter()
    report = convert(project, [str(root / "seed.txt")], "fr-espeak")
    elapsed = time.perf_counter() - started
    [converted] = report.converted
    return elapsed, {"duration_s": converted.episode.duration_s,
                     "segments": converted.segments_synthesized}


def floor(workdir: Path, text: str) -> float:
    from audioarticles.assemble import encode_stream
    from audioarticles.engines.espeak import EspeakEngine
    from audioarticles.voices import get_voice

    voice = get_voice("fr-espeak")
    started = time.perf_counter()
    with EspeakEngine(workers=1) as engine:
        audio = engine.synthesize(text, voice)
    encode_stream([audio.pcm], audio.sample_rate, workdir / "floor.mp3")
    return time.perf_counter() - started


def seed_text() -> tuple[str, int]:
    """The article's spoken text, as the pipeline gives it to the voice."""
    from audioarticles.config import load_project
    from audioarticles.pipeline import prepare
    from audioarticles.sources import Reader

    project = load_project(ROOT)
    [source] = Reader(project).expand([str(SEED)])
    _, segments = prepare(source.load(), project, 1000)
    return " ".join(s.spoken for s in segments), len(segments)


def run() -> str:
    text, count = seed_text()
    ours_times, floor_times, info = [], [], {}
    for _ in range(RUNS):  # alternate, so a busy moment on the machine hits both
        with tempfile.TemporaryDirectory() as tmp:
            elapsed, info = ours(Path(tmp))
            ours_times.append(elapsed)
        with tempfile.TemporaryDirectory() as tmp:
            floor_times.append(floor(Path(tmp), text))
    mine, base = statistics.median(ours_times), statistics.median(floor_times)
    ratio = mine / base
    met = "met" if ratio <= TARGET else "NOT met"
    return f"""Seed article (`samples/ia-sante-numerique.txt`): {count} segments, {info['duration_s']:.0f} s of audio; voice `fr-espeak`, default settings (MP3 mono 44.1 kHz 64 kb/s). Median of {RUNS} runs each, alternated; each of ours on a fresh project.

| what | median | runs |
| --- | ---: | --- |
| floor: espeak-ng, whole text in one call (one worker process) + ffmpeg MP3 encode | {base:.2f} s | {", ".join(f"{t:.2f}" for t in floor_times)} |
| ours: `convert` end to end, cold cache | {mine:.2f} s | {", ".join(f"{t:.2f}" for t in ours_times)} |

Target: ≤ {TARGET}× the floor — {met} ({ratio:.2f}×).

Command: `.venv/bin/python -m benchmarks seed`
"""
