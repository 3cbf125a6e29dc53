"""Shared by the fault tests: run the real CLI in a child process (optionally on its own
terminal), stop it at chosen moments, and check that a project is consistent afterwards."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import termios
import time
from pathlib import Path

import feedparser

BASE_URL = "http://127.0.0.1:8000/"  # the default [podcast] base_url
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "ia-sante-numerique.txt"


def medium_article(folder: Path, name: str = "ia-sante.txt") -> Path:
    """The first dozen lines of the bundled sample (about 100 s of speech): long enough to
    catch a child at work or to fill a small disk, short enough to keep the suite quick."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:12]
    target = folder / name
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", **extra}


def start(project: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    """The CLI in a child process (its own process group, so a test can signal it alone)."""
    return subprocess.Popen([sys.executable, "-m", "audioarticles", *args], cwd=project,
                            env=env or environment(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


class OnTerminal:
    """The CLI as a user runs it: the session leader of its own terminal (a pty), in the
    terminal's foreground process group, so a Ctrl-C typed there goes, as SIGINT, to every
    process of that group, children included, the way a real terminal sends it."""

    def __init__(self, project: Path, *args: str, env: dict | None = None):
        self.master, slave = pty.openpty()

        def own_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen([sys.executable, "-m", "audioarticles", *args], cwd=project,
                                     env=env or environment(), stdin=slave, stdout=slave,
                                     stderr=slave, preexec_fn=own_terminal)
        os.close(slave)
        self._screen = bytearray()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def type_ctrl_c(self) -> None:
        os.write(self.master, b"\x03")

    def read_available(self) -> None:
        import select

        while select.select([self.master], [], [], 0)[0]:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self._screen += data

    def finish(self, timeout: float = 120) -> tuple[int, str]:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                self.proc.kill()
                raise AssertionError("the run did not end")
            self.read_available()
            time.sleep(0.02)
        self.read_available()
        os.close(self.master)
        return self.proc.returncode, self._screen.decode("utf-8", "replace")


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, their children...)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


def command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return b""


def wait_for(condition, timeout: float = 60.0, what: str = "condition", every: float = 0.01):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


def catalog_rows(project: Path) -> list[dict]:
    db = sqlite3.connect(project / ".audioarticles" / "catalog.sqlite")
    db.row_factory = sqlite3.Row
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [dict(r) for r in db.execute("SELECT * FROM episodes ORDER BY slug")]
    finally:
        db.close()


def feed_enclosures(project: Path) -> dict[str, int]:
    """The audio files the published feed points at (relative to `output/`), with the
    length each enclosure announces."""
    feed = project / "output" / "feed.xml"
    if not feed.exists():
        return {}
    parsed = feedparser.parse(feed.read_bytes())
    return {link["href"].removeprefix(BASE_URL): int(link.get("length", -1))
            for entry in parsed.entries for link in entry.get("links", [])
            if link.get("rel") == "enclosure"}


def partial_files(project: Path) -> list[Path]:
    return [p for p in project.rglob("*.part") if "cache" not in p.relative_to(project).parts]


def assert_consistent(project: Path) -> list[dict]:
    """The catalog passes SQLite's integrity check; every feed enclosure exists with its
    exact length; every published row's MP3 is in `output/` at its recorded size; no
    temporary `.part` file is left."""
    rows = catalog_rows(project)
    for relative, length in feed_enclosures(project).items():
        path = project / "output" / relative
        assert path.is_file(), f"the feed names {relative}, which does not exist"
        assert path.stat().st_size == length, f"{relative}: {path.stat().st_size} != {length}"
    for row in rows:
        if row["state"] == "published":
            assert (project / "output" / row["mp3"]).stat().st_size == row["bytes"], row["slug"]
    assert not partial_files(project), partial_files(project)
    return rows


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its content (for "nothing changed" checks)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def interrupt_group(pid: int) -> None:
    """SIGINT to the whole process group of `pid`, as a terminal's Ctrl-C does."""
    os.killpg(os.getpgid(pid), signal.SIGINT)


def mount_tmpfs(path: Path, size: str) -> None:
    """A small RAM disk at `path` (needs root): the way to run out of space on purpose.
    Off CI a machine where this is impossible skips the test with the reason; in CI it fails."""
    import pytest
    from conftest import IN_CI

    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        reason = "mounting a small tmpfs to fill needs root; run the fault tests as root (CI does)"
    else:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                               str(path)], capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return
        reason = f"cannot mount a tmpfs here: {done.stderr.strip()}"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def remount_read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)


def unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], check=False)


def without_permission_override() -> None:
    """For preexec_fn: the child stays root but loses the capabilities that let root ignore
    file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER), so a folder without
    write permission refuses it as it would refuse any user."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_cli(project: Path, *args: str, preexec_fn=None, timeout: float = 300):
    return subprocess.run([sys.executable, "-m", "audioarticles", *args], cwd=project,
                          env=environment(), capture_output=True, text=True, timeout=timeout,
                          preexec_fn=preexec_fn, check=False)
