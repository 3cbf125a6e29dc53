"""Which process runs an embedded job, and whether that process is still there.

Without `[queue]` a submitted article runs in a thread of the process that submitted it
(`jobs.EmbeddedExecutor`); if that process exits or is killed first, nothing else will ever
run it. So each such job names its owner: the host, the pid and a lease, a file in
`.audioarticles/processes/` that the process holds an OS lock on (flock, msvcrt) from its first
submission until it ends. The OS releases that lock the moment the process ends, even after
`kill -9` or a reboot, so "the lease can be locked" means "its process is gone" with no guess
about reused pids or clocks. A job of another host is never judged (its lease is not here).
A lease is removed once its process has ended and no unfinished job names it: when the jobs of
a killed process are settled, and, for processes that ended normally, by the next process that
takes a lease in the same project (`sweep`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
from pathlib import Path

from audioarticles.store.lock import _try_lock, _unlock

LEASES = "processes"

_mine: dict[tuple[int, Path], tuple[int, dict]] = {}  # (pid, state folder) -> (fd, owner)
_mine_lock = threading.Lock()


def this_process(state_dir: Path) -> dict:
    """This process as the owner of the jobs it runs: `host`, `pid`, `token`, `lease` (the
    file it holds locked for as long as it lives, created on first use)."""
    key = (os.getpid(), state_dir.resolve())  # a forked child is a process of its own
    with _mine_lock:
        if key not in _mine:
            folder = key[1] / LEASES
            folder.mkdir(parents=True, exist_ok=True)
            token = secrets.token_hex(8)
            path = folder / token
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):  # a fresh random name: nobody else can hold it
                os.close(fd)
                raise OSError(f"{path}: cannot lock a new lease file")
            owner = {"host": socket.gethostname(), "pid": os.getpid(), "token": token,
                     "lease": str(path)}
            _mine[key] = (fd, owner)
        return dict(_mine[key][1])


def has_lease(state_dir: Path) -> bool:
    """Whether this process already holds its lease in that state folder."""
    with _mine_lock:
        return (os.getpid(), state_dir.resolve()) in _mine


def sweep(state_dir: Path, keep: set) -> int:
    """Remove the leases of ended processes (nobody holds their lock) whose token is not in
    `keep` (the tokens unfinished jobs still name): a process that ended normally leaves its
    lease behind, and this keeps the folder from growing with every run. Returns how many."""
    folder = state_dir.resolve() / LEASES
    removed = 0
    for path in folder.glob("*") if folder.is_dir() else ():
        if path.name in keep or not path.is_file() or len(path.name) != 16:
            continue  # only our own lease names (16 hex digits)
        release({"lease": str(path), "token": path.name, "pid": os.getpid()})  # never our own
        removed += not path.exists()
    return removed


def is_mine(owner: dict) -> bool:
    return any(owner.get("token") == mine["token"] for _, mine in _mine.values()) \
        and owner.get("pid") == os.getpid()


def _pid_exists(pid: int) -> bool:
    if os.name != "posix":
        return True  # no safe probe (os.kill(pid, 0) would end it on Windows): assume alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, as another user's
    return True


def gone(owner: dict) -> bool:
    """Whether the process that owns a job has ended (True only when that is certain: never
    for a process of another host, never for a live one)."""
    if not owner or owner.get("host") != socket.gethostname():
        return False
    if is_mine(owner):
        return False
    lease = owner.get("lease") or ""
    try:
        fd = os.open(lease, os.O_RDWR)
    except FileNotFoundError:  # removed after its jobs were settled (or by hand): ask the OS
        return not _pid_exists(int(owner.get("pid") or 0))
    except OSError:
        return False
    try:
        if not _try_lock(fd):
            return False
        _unlock(fd)
        return True
    finally:
        os.close(fd)


def release(owner: dict) -> None:
    """Remove the lease of an ended process once none of its jobs names it any longer (only
    while nobody holds it: never the lease of a live process)."""
    lease = owner.get("lease") or ""
    if not lease or Path(lease).parent.name != LEASES or is_mine(owner):
        return
    try:
        fd = os.open(lease, os.O_RDWR)
    except OSError:
        return
    try:
        if _try_lock(fd):
            with contextlib.suppress(OSError):
                os.unlink(lease)
            _unlock(fd)
    finally:
        os.close(fd)
