"""The daily edition of 20 articles already voiced: an assembly from the segment cache, not a
re-voicing. Side by side in one run: voicing the 20 articles (cold cache), then the edition
(its opening line is the only text voiced), then the edition again (nothing changed: no work)
and forced to assemble again."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import espeak_calls

TITLE = "Daily edition from 20 cached articles"

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "ia-sante-numerique.txt"
ARTICLES = 20
RUNS = 3


def articles(folder: Path) -> list[Path]:
    """20 short news articles (title + 3 paragraphs, ~150 words) cut from the seed article's
    paragraphs, each starting elsewhere so no two are the same text."""
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
    paragraphs = [line for line in lines if len(line) > 120]
    paths = []
    for i in range(ARTICLES):
        chosen = [paragraphs[(i + k) % len(paragraphs)] for k in range(3)]
        path = folder / f"article-{i:02d}.txt"
        path.write_text(f"Dépêche {i + 1} sur la santé numérique\n\n" + "\n\n".join(chosen)
                        + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def run() -> str:
    from audioarticles.store import open_catalog
    from audioarticles.config import load_settings
    from audioarticles.pipeline import convert
    from audioarticles.publish.edition import make_edition

    load = os.getloadavg()[0]
    with espeak_calls() as calls, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        (root / "articles").mkdir(parents=True)
        paths = articles(root / "articles")
        project = load_settings(root)
        started = time.perf_counter()
        report = convert(project, [str(p) for p in paths], "fr-espeak", jobs=2)
        voicing = time.perf_counter() - started
        voiced_texts = sum(calls)
        assert len(report.converted) == ARTICLES, report.failed

        def edition(force: bool = False):
            calls.clear()
            with open_catalog(project) as catalog:
                if force:  # forget the stored inputs: the edition is assembled again
                    with catalog.transaction():
                        catalog.db.execute("UPDATE editions SET episode = json_set("
                                           "episode, '$.meta.inputs', '')")
                started = time.perf_counter()
                made = make_edition(project, catalog)
                return time.perf_counter() - started, sum(calls), made

        first = edition()
        again = [edition() for _ in range(RUNS)]
        forced = [edition(force=True) for _ in range(RUNS)]

    seconds, texts, made = first
    audio_min = made.episode.duration_s / 60

    def row(label: str, runs: list) -> str:
        times = [t for t, _, _ in runs]
        return (f"| {label} | {', '.join(sorted({m.status for _, _, m in runs}))} | "
                f"{sum(n for _, n, _ in runs)} | {statistics.median(times):.2f} s | "
                f"{', '.join(f'{t:.2f}' for t in times)} |")

    worst = max([seconds] + [t for t, _, _ in forced])
    met = "met" if worst < 60 and texts <= 1 else "NOT met"
    return f"""{ARTICLES} articles of about 150 words (title and three paragraphs of the seed article each), voice `fr-espeak`, converted with `--jobs 2` in {voicing:.1f} s ({voiced_texts} texts voiced). The edition is {audio_min:.1f} min of audio with {len(made.articles)} chapters of articles; texts handed to the engine are counted by wrapping `EspeakEngine.synthesize_stream`. Neighbouring articles share paragraphs, which the cache voices once: the voicing time is a lower bound for 20 distinct articles. Load average when it started: {load:.1f} on {os.cpu_count()} cores (other programs ran beside it).

| run | status | texts sent to the engine | median wall time | runs |
| --- | --- | ---: | ---: | --- |
| voicing the {ARTICLES} articles (cold cache, for comparison) | converted | {voiced_texts} | {voicing:.2f} s | {voicing:.2f} |
{row("first edition of the day (opening line voiced)", [first])}
{row("edition again, nothing changed", again)}
{row("edition assembled again from the cache", forced)}

Target: 20 cached articles make an edition in seconds, not minutes, with no article voiced again — {met} (slowest assembly {worst:.1f} s; {made.cached} segments read from the cache).

Command: `.venv/bin/python -m benchmarks edition`
"""
