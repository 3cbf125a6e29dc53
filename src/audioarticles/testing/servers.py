"""What the throwaway servers of the tests (`redis_server`, `postgres_server`, `s3_server`)
share: a free loopback port to start on, and stopping the child process they started."""

from __future__ import annotations

import signal
import socket
import subprocess


def free_port() -> int:
    """A loopback TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_child(process: subprocess.Popen | None, kill: bool = False) -> None:
    """Stop a server we started (SIGTERM so it can write its data out; SIGKILL with `kill`),
    waiting for it; nothing to do when it is not running."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
