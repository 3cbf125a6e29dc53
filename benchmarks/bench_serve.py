"""`audioarticles serve` under load: how long real requests take while 1,500 idle (and some
half-sent) connections are open, measured side by side with the same server unloaded."""

from __future__ import annotations

import http.client
import resource
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

from audioarticles.publish.serve import make_server

TITLE = "Preview server: real requests beside 1,500 idle connections"
IDLE = 1500
HALF_SENT_EVERY = 10  # one idle connection in 10 stops half-way through a request
REQUESTS = 200  # per round
ROUNDS = 3  # alternating unloaded / loaded
TARGET_RATIO = 1.5  # median latency loaded / unloaded


def latencies(port: int, count: int) -> list[float]:
    times = []
    for n in range(count):
        path = "/feed.xml" if n % 2 else "/episodes/a.mp3"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers={"Range": "bytes=0-65535"} if n % 2 == 0 else {})
        response = connection.getresponse()
        response.read()
        connection.close()
        times.append((time.perf_counter() - started) * 1000)
    return times


def open_idle(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for n in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        if n % HALF_SENT_EVERY == 0:
            sock.sendall(b"GET /feed.xml HTTP/1.1\r\nHost: 127.0.0.1")
        sockets.append(sock)
    return sockets


def run() -> str:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2 * IDLE + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 2 * IDLE + 200), hard))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "episodes").mkdir()
        (root / "episodes" / "a.mp3").write_bytes(bytes(range(256)) * 4096)  # 1 MB
        (root / "feed.xml").write_text("<rss>" + "<item/>" * 2000 + "</rss>", encoding="utf-8")
        server = make_server(root, 0, quiet=True, idle_timeout_s=600, request_timeout_s=600)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        threads = threading.active_count()
        unloaded: list[float] = []
        loaded: list[float] = []
        opened = 0
        try:
            latencies(port, 20)  # warm up
            for _ in range(ROUNDS):
                unloaded += latencies(port, REQUESTS)
                idle = open_idle(port, IDLE)
                opened = server.open_connections()
                loaded += latencies(port, REQUESTS)
                extra_threads = threading.active_count() - threads
                for sock in idle:
                    sock.close()
                time.sleep(0.5)
        finally:
            server.shutdown()
            server.server_close()
    ratio = statistics.median(loaded) / statistics.median(unloaded)

    def row(name: str, values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[int(len(ordered) * 0.95) - 1]
        return (f"| {name} | {len(values)} | {statistics.median(values):.2f} | {p95:.2f} | "
                f"{max(values):.2f} |")

    return "\n".join([
        f"{ROUNDS} alternating rounds of {REQUESTS} sequential GETs (a 64 KB Range of a 1 MB "
        f"MP3, and a 14 KB feed), each on a new connection; loaded rounds have {IDLE} other "
        f"connections open (one in {HALF_SENT_EVERY} stopped half-way through its request "
        f"head). Server: 8 workers; {opened} connections held during a loaded round, "
        f"{extra_threads} more threads than unloaded.",
        "",
        "| round | requests | median ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: |",
        row("unloaded", unloaded),
        row(f"{IDLE} idle connections open", loaded),
        "",
        f"Target: median latency with {IDLE} idle connections at most {TARGET_RATIO}x the "
        f"unloaded one — {'met' if ratio <= TARGET_RATIO else 'NOT met'} ({ratio:.2f}x).",
    ])
