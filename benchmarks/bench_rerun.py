"""Converting the seed article again when nothing changed: no synthesis at all, and how long
the run takes — both when the batch sees it unchanged (nothing rendered) and when it is made
to render again (`--force`-like `rerender`: every segment read back from the cache)."""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import espeak_calls

TITLE = "Re-running an unchanged article"

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "ia-sante-numerique.txt"
RUNS = 3


def run() -> str:
    from audioarticles.config import load_settings
    from audioarticles.pipeline import convert

    with espeak_calls() as calls, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        shutil.copy(SEED, root / "seed.txt")
        project = load_settings(root)

        def timed(**options) -> tuple[float, int, object]:
            calls.clear()
            started = time.perf_counter()
            report = convert(project, [str(root / "seed.txt")], "fr-espeak", **options)
            return time.perf_counter() - started, sum(calls), report.converted[0]

        first, first_calls, first_episode = timed()
        unchanged = [timed() for _ in range(RUNS)]
        forced = [timed(rerender=True) for _ in range(RUNS)]

    def row(label: str, runs: list) -> str:
        times = [t for t, _, _ in runs]
        texts = sum(n for _, n, _ in runs)
        statuses = {c.status for _, _, c in runs}
        return (f"| {label} | {', '.join(sorted(statuses))} | {texts} | "
                f"{statistics.median(times):.2f} s | {', '.join(f'{t:.2f}' for t in times)} |")

    zero = all(n == 0 for _, n, _ in unchanged + forced)
    same = all(c.episode.mp3 == first_episode.episode.mp3 for _, _, c in unchanged + forced)
    met = "met" if zero else "NOT met"
    return f"""Seed article, voice `fr-espeak`, one project: a first conversion, then {RUNS} runs of each kind. Texts handed to the engine are counted by wrapping `EspeakEngine.synthesize_stream`.

| run | status | texts sent to the engine | median wall time | runs |
| --- | --- | ---: | ---: | --- |
| first conversion (cold cache) | converted | {first_calls} | {first:.2f} s | {first:.2f} |
{row("again, unchanged (the batch sees the same content and settings)", unchanged)}
{row("again with `rerender` (assembled again from the segment cache)", forced)}

Target: 0 synthesis calls on a re-run — {met}. The re-rendered MP3 {"is byte-identical (same versioned name)" if same else "differs"} each time.

Command: `.venv/bin/python -m benchmarks rerun`
"""
