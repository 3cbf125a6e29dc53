"""Run the benchmarks (all, or those named) and write their figures into BENCHMARKS.md.

Each `benchmarks/bench_<name>.py` has `TITLE` and `run() -> str` (Markdown: a table of figures
and a line saying whether the target was met). A section is replaced in place, so one
benchmark can be rerun alone: `python -m benchmarks gtts`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPORT = ROOT / "BENCHMARKS.md"
HEADER = """# Benchmarks

Produced by `make bench` (all) or `.venv/bin/python -m benchmarks NAME` (one section).
Ratios are measured side by side in one run; absolute times depend on the machine.
"""


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def replace_section(report: str, name: str, body: str) -> str:
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(report):
        return pattern.sub(lambda _: block, report)
    return report.rstrip() + "\n\n" + block + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {available()})")
    args = parser.parse_args(argv)
    names = args.names or available()
    unknown = set(names) - set(available())
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; valid: {available()}")
    report = REPORT.read_text(encoding="utf-8") if REPORT.exists() else HEADER
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = "?"
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        print(f"running {name}: {module.TITLE}", file=sys.stderr)
        started = time.perf_counter()
        body = module.run()
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        section = (f"## {module.TITLE}\n\n_Run {stamp} on {machine()}, commit {commit}, "
                   f"in {time.perf_counter() - started:.0f} s. Reproduce: "
                   f"`.venv/bin/python -m benchmarks {name}`._\n\n{body}")
        report = replace_section(report, name, section)
        REPORT.write_text(report, encoding="utf-8")
        print(body, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
