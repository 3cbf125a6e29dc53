"""The catalog's cost per episode on its two backends, side by side: the SQLite file and a
PostgreSQL server on this machine (a throwaway one, `testing/postgres_server.py`). What a
conversion does per article (claim a slug, record the episode and its editorial event in one
transaction) and what a rebuild reads (every episode, newest first)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

TITLE = "Catalog: SQLite file vs PostgreSQL, per episode"
EPISODES = 500


def _record(catalog, n: int) -> None:
    from audioarticles.model import EditorialEvent, Episode

    guid = f"guid-{n}"
    # ten articles share each title: nine of them get numbered slugs
    slug = catalog.claim_slug(guid, f"le-conseil-municipal-vote-le-budget-{n // 10}")

    def write() -> None:
        catalog.save(Episode(guid=guid, slug=slug, title=f"Titre {n}", source=f"a{n}.txt",
                             voice="fr-espeak", engine="espeak", mp3=f"episodes/{slug}.mp3",
                             pub_date=f"2026-01-01T08:{n % 60:02}:00+01:00",
                             meta={"render": "x", "chapters": [{"title": "t", "start": 0}]}))
        catalog.add_event(EditorialEvent(guid=guid, slug=slug, at="2026-01-01T08:00:00+00:00",
                                         from_state="", to_state="published", actor="policy"))

    catalog.retrying(write)


def _measure(catalog) -> dict[str, float]:
    times = []
    for n in range(EPISODES):
        started = time.perf_counter()
        _record(catalog, n)
        times.append((time.perf_counter() - started) * 1000)
    reads = []
    for _ in range(5):
        started = time.perf_counter()
        assert len(catalog.published()) == EPISODES
        reads.append((time.perf_counter() - started) * 1000)
    return {"record_median": statistics.median(times),
            "record_p95": sorted(times)[int(len(times) * 0.95)],
            "read_all": statistics.median(reads)}


def run() -> str:
    from audioarticles.store.catalog import Catalog
    from audioarticles.store.postgres import PgCatalog
    from audioarticles.testing.postgres_server import PostgresServer, unavailable

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        with Catalog(Path(folder) / "catalog.sqlite", keep_backups=False) as catalog:
            rows.append(("SQLite file (WAL)", _measure(catalog)))
    reason = unavailable()
    if reason is None:
        with PostgresServer() as server:
            with PgCatalog(server.create_database("bench")) as catalog:
                rows.append(("PostgreSQL 127.0.0.1 (test server: fsync off)", _measure(catalog)))
    lines = [f"{EPISODES} episodes recorded one by one as a conversion records them (the slug "
             "claimed, ten articles to a title, then the episode and its editorial event in "
             "one transaction); then every published episode read back, newest first (what a rebuild reads).", "",
             "| backend | record: median ms | record: p95 ms | read all: ms |",
             "| --- | ---: | ---: | ---: |"]
    for name, figures in rows:
        lines.append(f"| {name} | {figures['record_median']:.2f} | {figures['record_p95']:.2f} | "
                     f"{figures['read_all']:.1f} |")
    lines.append("")
    if reason is not None:
        lines.append(f"PostgreSQL not measured: {reason}.")
    else:
        lines.append("No target: the catalog is not where a conversion spends its time (voicing "
                     "and encoding take seconds per article); these figures say how many "
                     "records a second one catalog takes before it would be.")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
