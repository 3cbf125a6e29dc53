"""Shared fixtures: a fresh project folder, a CLI runner that works on click 8.1 and 8.2+,
and test oracles (Debian ffprobe, Chromium) that skip off CI but fail in CI when missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "ia-sante-numerique.txt"

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(name: str) -> str:
    """Path of a test-only program; in CI its absence is a failure, elsewhere a skip."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (test oracle; `.ci/run` installs it with apt)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    """A local TCP port nothing listens on (connections to it are refused)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def no_remote_tts(monkeypatch):
    """No test ever reaches Google's or Microsoft's TTS: the gTTS and Edge engines point at a
    closed local port unless a test points them at a fake (`AUDIOARTICLES_GTTS_URL`,
    `AUDIOARTICLES_EDGE_URL`)."""
    monkeypatch.setenv("AUDIOARTICLES_GTTS_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AUDIOARTICLES_EDGE_URL", f"ws://127.0.0.1:{free_port()}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def make_runner() -> CliRunner:
    major_minor = tuple(int(x) for x in click.__version__.split(".")[:2])
    if major_minor < (8, 2):
        return CliRunner(mix_stderr=False)
    return CliRunner()


@pytest.fixture
def runner() -> CliRunner:
    return make_runner()


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """An empty project folder, made the current directory."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def sample(project) -> Path:
    """The bundled sample article, copied into the project."""
    target = project / "articles" / "ia-sante.txt"
    target.parent.mkdir()
    shutil.copy(SAMPLE, target)
    return target
