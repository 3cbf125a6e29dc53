"""The HTTP API's answer time: a real uvicorn server, requests over HTTP, each one checking its
bearer token and reading the catalog, on catalogs of 100 and 1,000 episodes."""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from audioarticles import Project
from benchmarks.bench_publish import make_catalog

TITLE = "HTTP API: answer time of GET /v1/articles/{id} and GET /v1/episodes"
SIZES = (100, 1000)
REQUESTS = 100
TARGET_MS = 100.0  # median answer with 1,000 episodes: a CMS polls while it waits


def timings(client: httpx.Client, path: str, headers: dict) -> list[float]:
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        answer = client.get(path, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        answer.raise_for_status()
    return times


def measure(count: int) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_catalog(root, count)
        (root / "audioarticles.toml").write_text("[api]\nrate_per_minute = 100000\n",
                                                 encoding="utf-8")
        project = Project.open(root)
        token = project.create_api_token("bench", "read")["token"]
        server = project.api_server(port=0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, trust_env=False, timeout=30) as client:
            client.get("openapi.json")  # the server is up
            article = timings(client, "articles/guid-1", headers)
            episodes = timings(client, "episodes?limit=50", headers)
        return article, episodes


def describe(times: list[float]) -> str:
    ordered = sorted(times)
    return (f"{statistics.median(ordered):.1f} ms | "
            f"{ordered[int(len(ordered) * 0.95) - 1]:.1f} ms")


def run() -> str:
    rows = []
    met = True
    load = os.getloadavg()[0]
    for count in SIZES:
        article, episodes = measure(count)
        rows.append(f"| {count} | {describe(article)} | {describe(episodes)} |")
        if count == 1000:
            met = statistics.median(article) <= TARGET_MS
    return "\n".join([
        f"{REQUESTS} sequential requests each, keep-alive, a `read` token, on 127.0.0.1; "
        f"load average {load:.1f} when it started (other work on the machine slows it).",
        "",
        "| episodes | article: median | p95 | episodes page: median | p95 |",
        "| --- | --- | --- | --- | --- |",
        *rows,
        "",
        (f"Target: a median GET /v1/articles/{{id}} ≤ {TARGET_MS:.0f} ms with 1,000 episodes: "
         f"{'met' if met else 'NOT met'}."),
        "",
        "Command: `.venv/bin/python -m benchmarks api`",
    ])
