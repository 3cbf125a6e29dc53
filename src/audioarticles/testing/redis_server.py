"""A throwaway Redis server for tests and benchmarks: Debian's `redis-server` started on a free
loopback port in its own folder, with an append-only file so a restart keeps what it held
(the queue's restart test stops it mid-batch and starts it again on the same port).

    with RedisServer.start(tmp_path) as server:
        url = server.url            # redis://127.0.0.1:PORT/0
        server.restart()            # same port, same data

Never a system service: each test gets its own server, stopped at the end. `binary()` is None
when redis-server is not installed (tests skip with the reason, or fail in CI).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from audioarticles.testing.servers import free_port, stop_child

STARTUP_S = 20.0


def binary() -> str | None:
    """The path of `redis-server`, or None when it is not installed."""
    return shutil.which("redis-server")


def _answers(port: int) -> bool:
    """Whether a Redis server answers PING on the port (no client library needed)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One redis-server process serving `folder` on `port` (loopback only)."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @classmethod
    def start(cls, folder: Path, port: int | None = None) -> RedisServer:
        server = cls(folder, port)
        server.run()
        return server

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def run(self) -> None:
        """Start the server and wait until it answers."""
        path = binary()
        if path is None:
            raise FileNotFoundError("redis-server is not installed")
        command = [path, "--port", str(self.port), "--bind", "127.0.0.1",
                   "--dir", str(self.folder), "--appendonly", "yes",
                   "--appendfsync", "always", "--save", "", "--protected-mode", "yes",
                   "--daemonize", "no", "--logfile", str(self.folder / "redis.log")]
        # its own session: the terminal's Ctrl-C never reaches it
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.monotonic() + STARTUP_S
        while not _answers(self.port):
            if self.process.poll() is not None:
                log = (self.folder / "redis.log")
                tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
                raise RuntimeError(f"redis-server exited ({self.process.returncode}): {tail}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not answer on port {self.port}")
            time.sleep(0.05)

    def stop(self, kill: bool = False) -> None:
        """Stop the server (SIGTERM: it writes its data out; `kill`: SIGKILL)."""
        process, self.process = self.process, None
        stop_child(process, kill)

    def restart(self, pause_s: float = 0.0) -> None:
        """Stop, optionally stay down for `pause_s`, start again on the same port and data."""
        self.stop()
        time.sleep(pause_s)
        self.run()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def environment_note() -> str:
    """Why Redis tests cannot run here (for a skip or a failure)."""
    return ("redis-server is not installed (Debian package redis-server; `.ci/run` installs it "
            "with apt)") if binary() is None else ""


if __name__ == "__main__":  # a server for trying things by hand: python -m ...redis_server DIR
    import sys

    with RedisServer.start(Path(sys.argv[1] if len(sys.argv) > 1 else ".redis")) as server:
        print(server.url, flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
    os._exit(0)
