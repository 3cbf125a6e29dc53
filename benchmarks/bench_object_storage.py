"""The site on object storage (SeaweedFS `weed mini` on this machine, the S3 API over loopback)
against local folders, side by side: the first build, a rebuild with nothing changed and one
with one episode corrected, with the requests each makes (every upload, read, lookup, listing
and delete counted at the store); and how fast the test server starts."""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.bench_publish import make_catalog

from audioarticles import publish
from audioarticles.config import load_settings
from audioarticles.store import open_catalog
from audioarticles.store.files import LocalFiles
from audioarticles.store.objects import Area, ObjectFiles
from audioarticles.testing.s3_server import S3Server

TITLE = "Object storage: the site on S3 (SeaweedFS) vs local folders"
SIZES = tuple(int(n) for n in os.environ.get("BENCH_S3_SIZES", "200,1000").split(","))


class Requests:
    """Counts the store's calls to the object store, by kind (a listing counts once: S3
    answers it in pages of 1,000 names)."""

    KINDS = ("put_bytes", "put_file", "read", "info", "listing", "remove", "marked")

    def __init__(self):
        self.counts = dict.fromkeys(self.KINDS, 0)

    @contextlib.contextmanager
    def counting(self):
        originals = {kind: getattr(Area, kind) for kind in self.KINDS}
        original_many = Area.put_many

        def wrap(kind):
            def call(area, *args, **kwargs):
                self.counts[kind] += 1
                return originals[kind](area, *args, **kwargs)

            return call

        def many(area, files, headers=None):  # one request per file, several at a time
            if len(files) > 1:  # (one alone goes through put_bytes, counted there)
                self.counts["put_bytes"] += len(files)
            return original_many(area, files, headers)

        for kind in self.KINDS:
            setattr(Area, kind, wrap(kind))
        Area.put_many = many
        try:
            yield self
        finally:
            for kind, original in originals.items():
                setattr(Area, kind, original)
            Area.put_many = original_many

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def reset(self) -> None:
        self.counts = dict.fromkeys(self.KINDS, 0)


def upload_episodes(root: Path, files: ObjectFiles) -> None:
    """The episodes' files (made locally by make_catalog) into the public storage, recorded."""
    output = root / "output"
    for path in sorted((output / "episodes").iterdir()):
        name = path.relative_to(output).as_posix()
        files.written.add(files.public, name)
        files.public.put_bytes(name, path.read_bytes(), {"Content-Type": "audio/mpeg",
                                                        "Cache-Control": "public"})


def rebuilds(project, catalog, files, count: int) -> list[tuple[str, float, int]]:
    """(case, seconds, requests) for the first build, a no-change rebuild, one correction."""
    requests = Requests()
    rows = []
    with requests.counting():
        for case in ("first build", "nothing changed", "one episode corrected"):
            if case == "one episode corrected":
                episode = catalog.by_slug(f"article-{count // 2:05d}")
                catalog.save(replace(episode, title=episode.title + " (corrigé)",
                                     updated_at="2030-01-01T00:00:00+00:00"))
            requests.reset()
            started = time.perf_counter()
            publish.rebuild(project, catalog, files)
            rows.append((case, time.perf_counter() - started, requests.total))
    return rows


def run() -> str:
    lines = ["| episodes | case | local s | S3 s | S3 requests |", "| --- | --- | --- | --- | --- |"]
    starts = []
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(3):
            with S3Server.start(Path(tmp) / f"start-{attempt}") as server:
                starts.append(server.started_in)
        with S3Server.start(Path(tmp) / "server") as server:
            os.environ.update(server.environ())
            for count in SIZES:
                measured = {}
                for kind in ("local", "s3"):
                    root = Path(tmp) / f"{kind}-{count}"
                    root.mkdir()
                    (root / "audioarticles.toml").write_text(
                        '[podcast]\nbase_url = "https://podcast.example.org/"\n'
                        'owner_email = "radio@example.org"\n', encoding="utf-8")
                    make_catalog(root, count)
                    project = load_settings(root)
                    if kind == "local":
                        files = LocalFiles(project.output, project.unreleased_dir,
                                           project.state_dir)
                    else:
                        bucket = server.new_bucket()
                        files = ObjectFiles(f"s3://{bucket}/podcast/", f"s3://{bucket}/private/",
                                            project.state_dir / "rendering")
                        upload_episodes(root, files)
                    with open_catalog(project) as catalog:
                        measured[kind] = rebuilds(project, catalog, files, count)
                for (case, local_s, _), (_, s3_s, requests) in zip(measured["local"],
                                                                    measured["s3"]):
                    lines.append(f"| {count} | {case} | {local_s:.2f} | {s3_s:.2f} | "
                                 f"{requests} |")
    lines.append("")
    lines.append(f"`weed mini` ready (S3 API answering) in {statistics.median(starts):.2f} s "
                 f"(median of {len(starts)}; the test fixture's start).")
    lines.append("No target of its own: the S3 times are the store's latency times the "
                 "requests (uploads of one kind go 16 at a time); the issue's target (a "
                 "no-change rebuild of 1,000 episodes ≤ 0.5 s) is the local one, in "
                 "Publishing above.")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
