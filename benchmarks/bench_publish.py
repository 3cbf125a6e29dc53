"""Rebuilding the public site from the catalog: feed, index, one page and one embed per
episode, cover and player, as every run does once: the first build, a full rebuild, and
incremental rebuilds (nothing changed; one episode corrected) side by side, with the number
of site files each writes."""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from audioarticles import publish
from audioarticles.config import load_settings
from audioarticles.model import Episode
from audioarticles.publish.incremental import RECORD_NAME
from audioarticles.store import open_catalog
from audioarticles.store.files import LocalFiles

TITLE = "Publishing: rebuild of feed and site from the catalog"
SIZES = (100, 1000)
TARGET_S = 10.0  # a first build of 1,000 episodes
INCREMENTAL_S = 0.5  # a rebuild of 1,000 unchanged episodes (issue 14)


def make_catalog(root: Path, count: int) -> None:
    output = root / "output" / "episodes"
    output.mkdir(parents=True)
    cues = "\n\n".join(f"00:{i // 60:02d}:{i % 60:02d}.000 --> 00:{(i + 1) // 60:02d}:{(i + 1) % 60:02d}.000\n"
                       f"Phrase numéro {i} de l’article, lue à voix haute." for i in range(60))
    with open_catalog(load_settings(root)) as catalog, catalog.transaction():
        for n in range(count):
            slug = f"article-{n:05d}"
            (output / f"{slug}-0123456789.mp3").write_bytes(b"\xff" * 2048)
            (output / f"{slug}.vtt").write_text("WEBVTT\n\n" + cues, encoding="utf-8")
            (output / f"{slug}.chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": [
                {"startTime": s, "title": f"Partie {s}"} for s in (0, 15, 30, 45)]}), encoding="utf-8")
            catalog.save(Episode(
                guid=f"guid-{n}", slug=slug, title=f"Article {n} : un titre de longueur ordinaire",
                source=f"articles/{slug}.txt", voice="fr-espeak", engine="espeak",
                mp3=f"episodes/{slug}-0123456789.mp3", duration_s=60.0, bytes=2048,
                pub_date=f"2025-01-{1 + n % 28:02d}T{n % 24:02d}:00:00+01:00",
                summary="Un résumé de l’article en une phrase.",
                transcripts={"vtt": f"episodes/{slug}.vtt"}, chapters=f"episodes/{slug}.chapters.json"))


class CountingFiles(LocalFiles):
    """The project's local file store, counting the site writes and deletions a build makes
    (each would be one request to an object store)."""

    writes = 0
    deletes = 0

    @contextlib.contextmanager
    def site_batch(self):
        with super().site_batch() as batch:
            write = batch.write

            def counted(name, data, kind):
                changed = write(name, data, kind)
                self.writes += changed
                return changed

            batch.write = counted
            yield batch

    def delete_site(self, name):
        deleted = super().delete_site(name)
        self.deletes += deleted
        return deleted


def timed(project, catalog, files: CountingFiles,
          repeats: int = 1) -> tuple[float, int, float]:
    """Median wall time of `repeats` rebuilds, the site writes + deletions of the first, and
    the median CPU time (the machine is shared: wall times vary more)."""
    times, changes, cpu = [], [], []
    for _ in range(repeats):
        files.writes = files.deletes = 0
        start, used = time.perf_counter(), time.process_time()
        publish.rebuild(project, catalog, files)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - used)
        changes.append(files.writes + files.deletes)
    return statistics.median(times), changes[0], statistics.median(cpu)


def median_of(runs: list[tuple[float, int, float]]) -> tuple[float, int, float]:
    return (statistics.median(r[0] for r in runs), runs[0][1],
            statistics.median(r[2] for r in runs))


def measure(count: int) -> dict[str, tuple[float, int, float]]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_catalog(root, count)
        project = load_settings(root)
        files = CountingFiles(project.output, project.unreleased_dir, project.state_dir)
        record = project.state_dir / RECORD_NAME
        figures = {}
        with open_catalog(project) as catalog:
            figures["first"] = timed(project, catalog, files)
            # the whole site rendered again (as before incremental builds: no fingerprints),
            # alternated with incremental rebuilds, nothing changed
            full, incremental = [], []
            for _ in range(3):
                record.unlink()
                full.append(timed(project, catalog, files))
                incremental.append(timed(project, catalog, files))
            figures["full"], figures["unchanged"] = median_of(full), median_of(incremental)
            figures["again"] = timed(project, catalog, files, repeats=3)
            changed = []
            for n in range(3):  # one episode corrected, three times
                episode = catalog.by_slug(f"article-{n:05d}")
                with catalog.transaction():
                    catalog.save(replace(episode, title=f"{episode.title} (corrigé {n})"))
                changed.append(timed(project, catalog, files))
            figures["one"] = median_of(changed)
        return figures


def run() -> str:
    rows = []
    met = True
    for count in SIZES:
        f = measure(count)
        cells = [f"{f[k][0]:.3f} s, CPU {f[k][2]:.3f} s ({f[k][1]})"
                 for k in ("first", "full", "unchanged", "one")]
        cells[2] = f"**{cells[2]}**"
        rows.append(f"| {count} | " + " | ".join(cells) + " |")
        if count == 1000:
            first, full, unchanged = f["first"], f["full"], f["unchanged"]
            met = (first[0] <= TARGET_S and unchanged[0] <= INCREMENTAL_S and unchanged[1] == 0
                   and f["again"][1] == 0)
    load = os.getloadavg()[0]
    return "\n".join([
        f"Load average when the run ended: {load:.1f} on {os.cpu_count()} cores.",
        "",
        "Each episode has a 60-cue VTT and 4 chapters; the feed carries the newest 100. Times "
        "are medians of 3, alternated, wall clock then CPU time (the machine is shared: wall "
        "times vary with its load); in brackets, the site files written or deleted (each one "
        "request on an object store).",
        "",
        "| episodes | first build | full rebuild, nothing changed | incremental, nothing "
        "changed | incremental, one episode corrected |",
        "| --- | --- | --- | --- | --- |",
        *rows,
        "",
        "A full rebuild renders every page and the feed and compares each with the file on "
        "disk (how every build worked before incremental builds); an incremental one renders "
        "only what an episode change touches (fingerprints kept by the file store). One "
        "corrected episode rewrites its page, its embed, the index, and the feed when it "
        "lists it (with 1,000 episodes the corrected ones are older than the feed's newest "
        "100).",
        "",
        (f"Targets (1,000 episodes): a first build in ≤ {TARGET_S:.0f} s ({first[0]:.2f} s); "
         f"an unchanged rebuild in ≤ {INCREMENTAL_S} s ({unchanged[0]:.3f} s, "
         f"{full[0] / unchanged[0]:.0f}x faster than a full one) with no write "
         f"({unchanged[1]}): {'met' if met else 'NOT met'}."),
        "",
        "Command: `.venv/bin/python -m benchmarks publish`",
    ])
