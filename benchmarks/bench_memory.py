"""Peak memory converting long articles (the seed's body repeated to about 15, 30 and 60
minutes of audio): each conversion runs in a fresh Python process that reports its own peak
RSS and the largest of its child processes (espeak-ng workers, ffmpeg).

Assembly streams segments from the cache to ffmpeg, so the peak should not grow with length.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TITLE = "Peak memory for 15, 30 and 60 minutes of audio"

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "ia-sante-numerique.txt"
SIZES_MIN = (15, 30, 60)
TARGET_MB = 200
BODY_SECONDS = 250  # the seed's body read by fr-espeak, roughly: sets how often to repeat it

CHILD = r"""
import json, os, sys, threading, time
from pathlib import Path
from audioarticles.config import load_settings
from audioarticles.pipeline import convert

def status(pid, key):
    # kB from /proc/<pid>/status (VmHWM: this process image's peak; VmRSS: now)
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0

def descendants(root):
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found

peaks = {"child": 0, "tree": 0}
done = threading.Event()

def sample():  # every 50 ms: the largest child's peak, and the whole tree's RSS at once
    me = os.getpid()
    while not done.wait(0.05):
        kids = descendants(me)
        peaks["child"] = max([peaks["child"]] + [status(pid, "VmHWM") for pid in kids])
        peaks["tree"] = max(peaks["tree"], status(me, "VmRSS") + sum(status(pid, "VmRSS") for pid in kids))

threading.Thread(target=sample, daemon=True).start()
project = load_settings(sys.argv[1])
started = time.perf_counter()
report = convert(project, [sys.argv[2]], "fr-espeak")
elapsed = time.perf_counter() - started
done.set()
[converted] = report.converted
print(json.dumps({
    "self_kb": status(os.getpid(), "VmHWM"), "child_kb": peaks["child"], "tree_kb": peaks["tree"],
    "duration_s": converted.episode.duration_s, "elapsed_s": elapsed,
    "segments": len(converted.timeline), "synthesized": converted.segments_synthesized,
    "chapters": len(json.load(open(project.output / converted.episode.chapters))["chapters"]),
}))
"""


def long_article(repeats: int) -> str:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    cut = next(i for i, line in enumerate(lines) if line.startswith("Avez-vous apprécié"))
    head, body = lines[:4], lines[4:cut]  # ad line, title, button, blank; then the article
    return "\n".join(head + body * repeats) + "\n"


def measure(minutes: int) -> dict:
    repeats = max(1, round(minutes * 60 / BODY_SECONDS))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        (root / "audioarticles.toml").write_text("[limits]\nmax_article_chars = 2000000\n",
                                                 encoding="utf-8")
        article = root / "long.txt"
        article.write_text(long_article(repeats), encoding="utf-8")
        out = subprocess.run([sys.executable, "-c", CHILD, str(root), str(article)],
                             capture_output=True, text=True, cwd=root)
        if out.returncode:
            raise RuntimeError(f"conversion of {minutes} min failed: {out.stderr[-2000:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["chars"] = len(article.read_text(encoding="utf-8"))
        return result


def run() -> str:
    load = os.getloadavg()[0]
    rows, peaks, trees = [], [], []
    for minutes in SIZES_MIN:
        r = measure(minutes)
        peak, tree = r["self_kb"] / 1024, r["tree_kb"] / 1024
        peaks.append(peak)
        trees.append(tree)
        rows.append(f"| ~{minutes} min | {r['duration_s'] / 60:.1f} min | {r['chars']:,} | "
                    f"{r['segments']} | {r['chapters']} | {peak:.0f} MB | "
                    f"{r['child_kb'] / 1024:.0f} MB | {tree:.0f} MB | {r['elapsed_s']:.0f} s |")
    flat = max(peaks) - min(peaks)
    met = "met" if max(peaks) < TARGET_MB and flat < 0.15 * max(peaks) else "NOT met"
    table = "\n".join(rows)
    return f"""The seed's body repeated (title once); voice `fr-espeak`; each size converted in a fresh process on a fresh project. Identical sentences are voiced once and read back from the segment cache, so synthesis work is about one seed's worth; assembly, loudness, encoding, tags, transcripts and chapters cover the whole length. Peaks are `VmHWM` from `/proc` (the converting process at the end; its children sampled every 50 ms), and the sum of the RSS of the whole process tree, sampled. Load average {load:.1f} on {os.cpu_count()} cores when the run began (the machine is shared: wall times vary, memory does not).

| target | audio | characters | timeline pieces | chapters | peak RSS, converting process | largest child (espeak-ng worker / ffmpeg) | whole tree, at once | wall time |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
{table}

Target: < {TARGET_MB} MB and not growing with length — {met} (converting process {min(peaks):.0f}–{max(peaks):.0f} MB across the three sizes; whole tree {min(trees):.0f}–{max(trees):.0f} MB).

Command: `.venv/bin/python -m benchmarks memory`
"""
