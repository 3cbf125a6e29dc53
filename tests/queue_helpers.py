"""Helpers for the task-queue tests and benchmarks: a project whose `[queue]` points at a
throwaway Redis, and `audioarticles worker` run as a real process (its worker processes are
real Dramatiq workers), with a log to read which process took which job."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import audioarticles as aa


def queue_project(root: Path, redis_url: str, voice: str = "fr-espeak", extra: str = "",
                  **queue) -> aa.Project:
    """A project folder converting with `voice` through the queue at `redis_url`."""
    settings = {"url": redis_url, "redelivery_s": 60, "rebuild_debounce_s": 0.2,
                "min_backoff_s": 0.2, "max_backoff_s": 2, "max_retries": 2, **queue}
    lines = [f'[voice]\ndefault = "{voice}"\n', "[queue]"]
    lines += [f"{key} = {value!r}".replace("'", '"') for key, value in settings.items()]
    root.mkdir(parents=True, exist_ok=True)
    (root / "audioarticles.toml").write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return aa.Project.open(root)


def html(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{title}"
            f"</title></head><body><article><h1>{title}</h1><p>{body}</p></article></body>"
            "</html>")


SENTENCE = ("La ligne de tramway ouvre lundi entre la gare et le port, et les premiers "
            "voyageurs l'emprunteront gratuitement pendant une semaine entière. ")


def article(number: int, sentences: int = 1, **fields) -> aa.ArticleInput:
    title = f"Article numéro {number}"
    return aa.ArticleInput(**{"id": f"cms-{number}", "title": title,
                              "html": html(title, SENTENCE * sentences), **fields})


class Workers:
    """`audioarticles worker --processes N` in `root`, its output in `log`."""

    def __init__(self, root: Path, processes: int = 1, threads: int = 1,
                 queues: str | None = None, env: dict | None = None):
        self.root = root
        self.log = root / f"worker-{time.monotonic_ns()}.log"
        command = [sys.executable, "-m", "audioarticles", "worker", "--processes",
                   str(processes), "--threads", str(threads)]
        if queues:
            command += ["--queues", queues]
        self.out = self.log.open("wb")
        # its own session, as a service manager would start it
        self.process = subprocess.Popen(command, cwd=root, stdout=self.out,
                                        stderr=subprocess.STDOUT, start_new_session=True,
                                        env={**os.environ, **(env or {})})
        self.expected = processes
        self.wait_for(lambda: len(self.children()) >= processes, "the worker processes")

    def children(self) -> list[int]:
        """The worker processes' pids (the supervisor's children)."""
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def pid_running(self, job_id: str) -> int | None:
        """The worker process that logged starting this job last."""
        found = re.findall(rf"worker (\d+): INFO: job {job_id}: .*: converting", self.text())
        return int(found[-1]) if found else None

    @staticmethod
    def wait_for(predicate, what: str, timeout: float = 60.0, poll: float = 0.05):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(poll)

    def stop(self, timeout: float = 120.0) -> int:
        """SIGTERM, as a service manager stops it; returns its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.out.close()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.stop()
        for pid in self.children():  # never leave a worker behind a failed test
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not self.out.closed:
            self.out.close()
