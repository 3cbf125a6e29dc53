"""The seed article end to end with the offline voice, against the floor measured in the same
run: espeak-ng voicing the same text in one call, then ffmpeg encoding it to the same MP3.

Ours: `pipeline.convert` on a fresh project (cold segment cache): read, clean, normalise,
segment, voice (espeak-ng worker processes), trim, pause, estimate loudness, level and
encode (measuring what is encoded), tag, write transcripts and chapters, record, rebuild
feed and site. The floor has no pauses, no levelling, no outro, no tags, no site.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

TITLE = "Seed article end to end (offline voice) vs the espeak-ng + ffmpeg floor"

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "ia-sante-numerique.txt"
RUNS = 5
TARGET = 1.1  # issue 17: synthesis and encoding overlap (1.43x when they ran one after the other)


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (workers, ffmpeg): steadier
    than wall time on a shared machine."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def timed(work) -> tuple[float, float, object]:
    cpu, wall = cpu_seconds(), time.perf_counter()
    result = work()
    return time.perf_counter() - wall, cpu_seconds() - cpu, result


def ours(workdir: Path) -> tuple[float, float, dict]:
    from audioarticles.config import load_project
    from audioarticles.pipeline import convert

    root = workdir / "project"
    root.mkdir()
    shutil.copy(SEED, root / "seed.txt")
    project = load_project(root)
    wall, cpu, report = timed(lambda: convert(project, [str(root / "seed.txt")], "fr-espeak"))
    [converted] = report.converted
    return wall, cpu, {"duration_s": converted.episode.duration_s}


def floor(workdir: Path, text: str) -> tuple[float, float]:
    from audioarticles.assemble import encode_stream
    from audioarticles.engines.espeak import EspeakEngine
    from audioarticles.voices import get_voice

    voice = get_voice("fr-espeak")

    def work() -> None:
        with EspeakEngine(workers=1) as engine:
            audio = engine.synthesize(text, voice)
        encode_stream([audio.pcm], audio.sample_rate, workdir / "floor.mp3")

    wall, cpu, _ = timed(work)
    return wall, cpu


def seed_text() -> tuple[str, int]:
    """The article's spoken text, as the pipeline gives it to the voice."""
    from audioarticles.config import load_project
    from audioarticles.pipeline import prepare
    from audioarticles.sources import Reader

    project = load_project(ROOT)
    reader = Reader(project)
    [source] = reader.expand([str(SEED)])
    _, segments = prepare(reader.load(source), project, 1000)
    return " ".join(s.spoken for s in segments), len(segments)


def run() -> str:
    text, count = seed_text()
    mine: list[tuple[float, float]] = []
    base: list[tuple[float, float]] = []
    info: dict = {}
    load = os.getloadavg()[0]
    for _ in range(RUNS):  # alternate, so a busy moment on the machine hits both
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu, info = ours(Path(tmp))
            mine.append((wall, cpu))
        with tempfile.TemporaryDirectory() as tmp:
            base.append(floor(Path(tmp), text))

    def median(runs: list, i: int) -> float:
        return statistics.median(r[i] for r in runs)

    def best(runs: list) -> float:
        return min(wall for wall, _ in runs)

    def listed(runs: list) -> str:
        return ", ".join(f"{wall:.2f}" for wall, _ in runs)

    wall_ratio = median(mine, 0) / median(base, 0)
    best_ratio = best(mine) / best(base)
    cpu_ratio = median(mine, 1) / median(base, 1)
    met = "met" if wall_ratio <= TARGET else "NOT met"
    return f"""Seed article (`samples/ia-sante-numerique.txt`): {count} segments, {info['duration_s']:.0f} s of audio; voice `fr-espeak`, default settings (MP3 mono 44.1 kHz 64 kb/s). {RUNS} runs each, alternated; each of ours on a fresh project. The machine is shared (load average {load:.1f} on 2 cores when the run began): wall times vary, CPU times (process and children) less.

| what | median wall | best wall | median CPU | wall, each run |
| --- | ---: | ---: | ---: | --- |
| floor: espeak-ng, whole text in one call (one worker process) + ffmpeg MP3 encode | {median(base, 0):.2f} s | {best(base):.2f} s | {median(base, 1):.2f} s | {listed(base)} |
| ours: `convert` end to end, cold cache | {median(mine, 0):.2f} s | {best(mine):.2f} s | {median(mine, 1):.2f} s | {listed(mine)} |
| ratio | {wall_ratio:.2f}× | {best_ratio:.2f}× | {cpu_ratio:.2f}× | |

Target: ≤ {TARGET}× the floor (median wall time) — {met} ({wall_ratio:.2f}×; best of {RUNS} {best_ratio:.2f}×; CPU {cpu_ratio:.2f}×).

Command: `.venv/bin/python -m benchmarks seed`
"""
