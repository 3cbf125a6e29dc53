"""One writer per project: a lock file in `.audioarticles/` naming the run that holds it.

The lock is an OS file lock (flock on POSIX, msvcrt on Windows), so it is released the moment
its holder exits, even after `kill -9`: a crashed run never leaves a stale lock behind. The file
keeps the holder's PID, host, command and start time so a second run can say who is busy.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from audioarticles.errors import UserError

LOCK_NAME = "lock"

try:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


class ProjectBusy(UserError):
    """Another run holds the project's lock."""


def holder_description(lock_path: Path) -> str:
    """Who holds the lock, from what the holder wrote into the file."""
    try:
        info = json.loads(lock_path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another audioarticles run"
    return (f"another audioarticles run (pid {info.get('pid')} on {info.get('host')}, "
            f"`{info.get('command')}`, since {info.get('since')})")


def current_command() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "audioarticles"
    if name in ("__main__.py", "-c", ""):
        name = "audioarticles"
    return " ".join([name, *sys.argv[1:]])[:300]


def _wait_for(take: Callable[[], bool], wait_s: float, poll_s: float,
              holder: Callable[[], str]) -> None:
    """Try `take` until it succeeds; after `wait_s`, ProjectBusy saying who holds the lock."""
    deadline = time.monotonic() + max(0.0, wait_s)
    while not take():
        if time.monotonic() >= deadline:
            raise ProjectBusy(f"{holder()}; waited {wait_s:g} s. Let it finish (or stop it), or "
                              "raise [batch] lock_wait_s in audioarticles.toml")
        time.sleep(poll_s)


@contextmanager
def project_lock(state_dir: Path, command: str | None = None, wait_s: float = 10.0,
                 poll_s: float = 0.2) -> Iterator[Path]:
    """Hold the project's lock for the duration of the block.

    Waits up to `wait_s` seconds for another run to finish, then raises ProjectBusy naming it.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    lock_path = state_dir / LOCK_NAME
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _wait_for(lambda: _try_lock(fd), wait_s, poll_s, lambda: (
            f"project {state_dir.parent} is busy: {holder_description(lock_path)} holds "
            f"{lock_path}"))
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "command": command or current_command(),
                "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        data = json.dumps(info).encode("utf-8")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)
        try:
            yield lock_path
        finally:
            os.ftruncate(fd, 0)
            _unlock(fd)
    finally:
        os.close(fd)


@contextmanager
def database_lock(url: str, what: str, wait_s: float, poll_s: float = 0.2,
                  reconnect_s: float = 30.0) -> Iterator[None]:
    """The project's lock held in its PostgreSQL catalog (an advisory lock), so runs on other
    machines sharing the catalog take turns too. It is released when the block ends, or by the
    server when the holder dies (its connection closes). Waits `wait_s`, then ProjectBusy.

    The lock goes with its connection: when the server restarts (or the network cuts it) while
    the block runs, it is taken again on a new connection if nobody took it meanwhile;
    otherwise the catalogs opened in the block refuse every write (`postgres.LockLost`, one
    line saying so), so the run stops rather than go on writing beside the run that took it
    (`postgres.LockKeeper`)."""
    from audioarticles.store.postgres import LockKeeper, advisory_lock_holder, connect, \
        shown_url, try_advisory_lock

    conn = connect(url)
    try:
        _wait_for(lambda: try_advisory_lock(conn), wait_s, poll_s, lambda: (
            f"project {what} is busy: {advisory_lock_holder(conn)} holds its lock in the "
            f"catalog database {shown_url(url)}"))
    except BaseException:
        conn.close()
        raise
    with LockKeeper(url, conn, reconnect_s):
        yield


@contextmanager
def run_lock(project, command: str | None = None) -> Iterator[Path]:
    """The lock of one run on `project` (config.Settings): waits `[batch] lock_wait_s`. With a
    PostgreSQL catalog the lock is held in its database as well: the machines sharing the
    catalog take turns."""
    wait_s = float(project.section("batch")["lock_wait_s"])
    url = project.section("catalog")["url"]
    with project_lock(project.state_dir, command, wait_s=wait_s) as path:
        if not url:
            yield path
            return
        with database_lock(url, str(project.root), wait_s,
                           reconnect_s=float(project.section("catalog")["reconnect_s"])):
            yield path
