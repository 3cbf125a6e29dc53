"""Share of realistic French news sentences whose spoken form is fully right (goal: 95 %).

The sentences are `tests/fixtures/normalise_eval_fr.tsv` (written for this project in the style
of news wires, sport, economy, health, law and history pages, with what a newsreader says).
A sentence counts as right when the normaliser's output equals the expected reading, compared
as a listener hears it: case, punctuation, apostrophes and hyphens are ignored.
`python -m benchmarks.bench_french_eval` lists the sentences that are not right.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

TITLE = "French readings of realistic news sentences"
TARGET = 0.95
CASES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "normalise_eval_fr.tsv"

_NOT_HEARD = re.compile(r"[^\w]+|_")


def heard(text: str) -> str:
    """What a listener can tell apart: the words, in lower case."""
    return " ".join(_NOT_HEARD.sub(" ", text.lower()).split())


def cases(path: Path = CASES) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            category, written, spoken = line.split("\t")
            rows.append((category, written, spoken))
    return rows


def misses(speak=None) -> list[tuple[str, str, str, str]]:
    """(category, written, expected, got) for every sentence not read right."""
    if speak is None:
        from audioarticles.normalise import normaliser
        speak = normaliser("fr")
    return [(c, w, s, got) for c, w, s in cases() if heard(got := speak(w)) != heard(s)]


def run() -> str:
    from audioarticles.normalise import normaliser

    speak = normaliser("fr")
    rows = cases()
    started = time.perf_counter()
    wrong = misses(speak)
    elapsed = (time.perf_counter() - started) * 1000
    total, bad = Counter(c for c, _, _ in rows), Counter(c for c, *_ in wrong)
    right = len(rows) - len(wrong)
    share = right / len(rows)
    lines = [
        f"{len(rows)} sentences in `tests/fixtures/normalise_eval_fr.tsv` (written for this project, "
        "not the private held-out set), compared as heard: case, punctuation and hyphens ignored.",
        "",
        "| category | sentences | fully right |",
        "| --- | ---: | ---: |",
    ]
    for category in total:
        ok = total[category] - bad[category]
        lines.append(f"| {category} | {total[category]} | {ok} ({ok / total[category]:.0%}) |")
    lines += [
        f"| all | {len(rows)} | {right} ({share:.1%}) |",
        "",
        f"Normalising all of them took {elapsed:.0f} ms. Target: at least {TARGET:.0%} fully right — "
        f"{'met' if share >= TARGET else 'NOT met'} ({share:.1%}). "
        "The sentences still wrong: `.venv/bin/python -m benchmarks.bench_french_eval`.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    for category, written, expected, got in misses():
        print(f"[{category}] {written}\n   expected: {expected}\n   got:      {got}\n")
    print(run())
