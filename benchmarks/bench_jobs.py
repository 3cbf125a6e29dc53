"""Batch conversion of 20 articles with `--jobs 2` against `--jobs 1` (target: at least 1.7x).

The 20 articles are cut from the real corpus (the seed article and the four saved pages, read
and cleaned by the product's own readers), so every article is distinct and nothing is shared
through the segment cache. Each run converts them with the offline voice in a fresh project,
through the real command line; runs alternate (1, 2, 2, 1, ...) so both see the same machine.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TITLE = "Parallel batch: --jobs 2 vs --jobs 1 on 20 articles"
TARGET = 1.7
ARTICLES = 20
PAIRS = 3
ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "tests" / "fixtures" / "html"
SEED = ROOT / "samples" / "ia-sante-numerique.txt"
# A fixed list, not every page in the folder: pages added later as extraction fixtures would
# otherwise change the articles, and figures from different commits would not compare.
PAGES = ("franceculture.fr.idees.html", "laviedesidees.fr.evaluation.html",
         "sauvonsluniversite.com.spip.html", "soundofscience.fr.1927.html",
         "synth-amp-regional.html", "synth-arc-sport-photos.html", "synth-blog-comments.html",
         "synth-drupal-paywall.html", "synth-itemprop-regional.html", "synth-liveblog.html",
         "synth-national-paywall-catcher.html", "synth-nextjs-csr-jsonld.html",
         "synth-nextjs-ssr.html", "synth-spip-independant.html", "synth-tweet-source-labels.html",
         "synth-wordpress-regional.html")


def corpus_paragraphs() -> list[str]:
    """Every paragraph of the corpus articles, after extraction and cleaning."""
    from audioarticles.clean import clean, load_rules
    from audioarticles.extract import read_file

    rules = load_rules()
    paragraphs: list[str] = []
    for path in [SEED, *(HTML / name for name in PAGES)]:
        article = clean(read_file(path, path.name), rules)
        paragraphs += [b.text for b in article.blocks if b.kind in ("paragraph", "list_item",
                                                                    "quote")]
    return paragraphs


def write_articles(folder: Path, count: int = ARTICLES) -> tuple[int, int]:
    """Deal the corpus paragraphs, in order, into `count` articles of similar length;
    returns the characters and words in all."""
    paragraphs = corpus_paragraphs()
    total = sum(len(p) for p in paragraphs)
    groups: list[list[str]] = [[] for _ in range(count)]
    position = 0
    for paragraph in paragraphs:
        middle = position + len(paragraph) / 2
        groups[min(count - 1, int(middle * count / total))].append(paragraph)
        position += len(paragraph)
    if not all(groups):
        raise RuntimeError("the corpus is too short to cut into that many articles")
    folder.mkdir(parents=True)
    for number, group in enumerate(groups, start=1):
        title = f"Article {number} : " + " ".join(group[0].split()[:6]).rstrip(",.;:")
        text = title + "\n\n" + "\n\n".join(group) + "\n"
        (folder / f"article-{number:02d}.txt").write_text(text, encoding="utf-8")
    return total, sum(len(p.split()) for p in paragraphs)


def convert(articles: Path, jobs: int) -> tuple[float, float, float]:
    """One `convert --jobs N` in a fresh project: wall time, CPU time of the whole process tree
    (parent, espeak workers, ffmpeg), and the audio it produced, all in seconds."""
    project = Path(tempfile.mkdtemp(prefix=f"bench-jobs{jobs}-"))
    try:
        shutil.copytree(articles, project / "articles")
        cpu_before = _children_cpu()
        machine_before = _machine_busy()
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "audioarticles", "convert", "articles",
                               "--voice", "fr-espeak", "--jobs", str(jobs), "--json"],
                              cwd=project, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
        OTHERS[jobs].append(max(0.0, _machine_busy() - machine_before - cpu) / elapsed)
        if proc.returncode != 0:
            raise RuntimeError(f"convert --jobs {jobs} failed: {proc.stderr[-500:]}")
        episodes = json.loads(proc.stdout)["episodes"]
        if len(episodes) != ARTICLES or any(e["status"] != "converted" for e in episodes):
            raise RuntimeError(f"convert --jobs {jobs} did not convert {ARTICLES} articles")
        return elapsed, cpu, sum(e["duration_s"] for e in episodes)
    finally:
        shutil.rmtree(project, ignore_errors=True)


OTHERS: dict[int, list[float]] = {1: [], 2: []}  # cores other programs used during the runs


def _machine_busy() -> float:
    """CPU seconds all programs on the machine have used since boot (Linux), else 0."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run() -> str:
    for measured in OTHERS.values():
        measured.clear()
    work = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    try:
        chars, words = write_articles(work / "articles")
        load_before = os.getloadavg()[0]
        times: dict[int, list[float]] = {1: [], 2: []}
        cpus: dict[int, list[float]] = {1: [], 2: []}
        audio = 0.0
        for pair in range(PAIRS):
            for jobs in ((1, 2) if pair % 2 == 0 else (2, 1)):
                elapsed, cpu, audio = convert(work / "articles", jobs)
                times[jobs].append(elapsed)
                cpus[jobs].append(cpu)
        load_after = os.getloadavg()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    ratios = [a / b for a, b in zip(times[1], times[2])]
    speedup = statistics.median(ratios)
    met = "met" if speedup >= TARGET else "NOT met"
    runs = ", ".join(f"{a:.1f} s / {b:.1f} s ({a / b:.2f}x)" for a, b in zip(times[1], times[2]))

    def cores(jobs: int) -> str:
        return f"{statistics.median(c / t for c, t in zip(cpus[jobs], times[jobs])):.2f}"

    def others(jobs: int) -> str:
        return f"{statistics.median(OTHERS[jobs]):.2f}" if OTHERS[jobs] else "n/a"

    return "\n".join([
        f"{ARTICLES} articles cut from the corpus (seed article and the four saved pages): "
        f"{chars} characters, {words} words, {audio / 60:.1f} minutes of audio in all; offline "
        f"voice `fr-espeak`; each run is `audioarticles convert articles --jobs N` in a fresh "
        f"project (empty segment cache), process start-up included; {PAIRS} runs of each, "
        "alternating.",
        "",
        "| jobs | median wall time | CPU time (its processes) | cores it kept busy | cores "
        "other programs used meanwhile | audio per second of wall time |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| 1 | {one:.1f} s | {statistics.median(cpus[1]):.1f} s | {cores(1)} | {others(1)} | "
        f"{audio / one:.1f} s |",
        f"| 2 | {two:.1f} s | {statistics.median(cpus[2]):.1f} s | {cores(2)} | {others(2)} | "
        f"{audio / two:.1f} s |",
        "",
        f"Pairs (`--jobs 1` / `--jobs 2`): {runs}. Load average (1 min) before/after: "
        f"{load_before:.2f} / {load_after:.2f} on {os.cpu_count()} cores shared with other "
        "work: a busy machine leaves `--jobs 2` less than two cores, which is what the ratio "
        "measures.",
        "",
        f"Target: `--jobs 2` at least {TARGET}x faster than `--jobs 1` — {met} "
        f"(median ratio of the pairs {speedup:.2f}x).",
    ])
