"""The PostgreSQL catalog against a real server of its own that the tests stop and restart:
reconnecting (a statement, a transaction cut off mid-way, a whole batch), the project's lock
across machines, recovering into PostgreSQL, and the messages when the database is out of
reach. (The catalog's behaviour shared with SQLite is in test_catalog.py, run on both.)"""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path

import pytest

from audioarticles.api import Project
from audioarticles.cli import cli
from audioarticles.config import load_settings
from audioarticles.errors import CatalogUnusable, UsageError
from audioarticles.model import EditorialEvent, Episode
from audioarticles.store import open_catalog
from audioarticles.store.catalog import CatalogError
from audioarticles.store.lock import ProjectBusy, run_lock
from audioarticles.store.postgres import PgCatalog, shown_url
from conftest import free_port, require

ARTICLE = "Titre numéro {n}\n\nLe conseil municipal a voté le budget numéro {n}. La séance a duré.\n"


@pytest.fixture(scope="module")
def server():
    """A server of this module's own: its tests stop and restart it."""
    from audioarticles.testing.postgres_server import PostgresServer, unavailable

    require(unavailable())
    with PostgresServer() as own:
        yield own


@pytest.fixture
def url(server) -> str:
    if not server.running:  # a test that failed while the server was down
        server.start()
    name = f"t_{uuid.uuid4().hex[:16]}"
    yield server.create_database(name)
    if not server.running:
        server.start()
    server.drop_database(name)


def episode(guid: str = "g", slug: str = "s") -> Episode:
    return Episode(guid=guid, slug=slug, title="A", source="a.txt", voice="v", engine="e")


def event(guid: str = "g") -> EditorialEvent:
    return EditorialEvent(guid=guid, slug="s", at="t", from_state="", to_state="published",
                          actor="policy")


def make_project(root: Path, url: str, articles: int = 0, toml: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "audioarticles.toml").write_text(f'{toml}\n[catalog]\nurl = "{url}"\n',
                                             encoding="utf-8")
    folder = root / "articles"
    folder.mkdir(exist_ok=True)
    for n in range(1, articles + 1):
        (folder / f"a{n:02}.txt").write_text(ARTICLE.format(n=n), encoding="utf-8")
    return root


def test_a_statement_after_a_restart_runs_on_a_new_connection(server, url):
    with PgCatalog(url, reconnect_s=20) as cat:
        cat.save(episode())
        before = cat.conn.info.backend_pid
        server.restart(down_s=0.5)
        assert cat.get("g").slug == "s"
        assert cat.conn.info.backend_pid != before
        cat.save(episode("g2", "s2"))  # writes too, outside a transaction
        assert [e.guid for e in cat.episodes()] == ["g2", "g"]


def test_a_transaction_cut_off_mid_way_is_rolled_back_whole(server, url):
    import psycopg

    with PgCatalog(url, reconnect_s=20) as cat:
        with pytest.raises(CatalogError, match="cannot be reached"), cat.transaction():
            cat.save(episode())
            with psycopg.connect(server.url()) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (cat.conn.info.backend_pid,))
            cat.add_event(event())
        assert cat.episodes() == [] and cat.events() == []  # and it reconnected


def test_a_retrying_transaction_cut_off_mid_way_runs_again_once(server, url):
    import psycopg

    with PgCatalog(url, reconnect_s=20) as cat:
        attempts = []

        def body() -> str:
            attempts.append(cat.conn.info.backend_pid)
            cat.save(episode())
            cat.add_event(event())
            if len(attempts) == 1:  # the server goes away before the commit
                with psycopg.connect(server.url()) as admin:
                    admin.execute("SELECT pg_terminate_backend(%s)", (attempts[0],))
            cat.set_setting("k", "v")
            return "done"

        assert cat.retrying(body) == "done"
        assert len(attempts) == 2 and attempts[0] != attempts[1]
        assert len(cat.episodes()) == 1 and len(cat.events()) == 1  # nothing doubled
        assert cat.setting("k") == "v"


def test_a_server_down_longer_than_reconnect_s_is_one_line_with_the_fix(server, url):
    with PgCatalog(url, reconnect_s=1) as cat:
        server.stop()
        try:
            started = time.monotonic()
            with pytest.raises(CatalogUnusable) as failure:
                cat.get("g")
            assert time.monotonic() - started < 15
        finally:
            server.start()
    message = str(failure.value)
    assert message.startswith(f"the catalog database {url} cannot be reached (")
    assert "check that the server runs and that [catalog] url names its host and port" in message
    assert "\n" not in message


def test_an_unreachable_catalog_is_an_error_line_not_a_traceback(runner, tmp_path, monkeypatch):
    url = f"postgresql://aa@127.0.0.1:{free_port()}/newsroom"
    root = make_project(tmp_path / "p", url, articles=1)
    monkeypatch.chdir(root)
    result = runner.invoke(cli, ["episodes", "--json"])
    assert result.exit_code == 1, result.output
    error = json.loads(result.stdout)["error"]
    assert error.startswith(f"the catalog database {url} cannot be reached (")
    assert "Traceback" not in result.stderr


def test_a_password_in_the_settings_is_refused_and_never_printed(tmp_path):
    (tmp_path / "audioarticles.toml").write_text(
        '[catalog]\nurl = "postgresql://aa:s3cret@db.example/newsroom"\n', encoding="utf-8")
    with pytest.raises(UsageError) as failure:
        load_settings(tmp_path)
    assert str(failure.value) == (
        'audioarticles.toml: [catalog] url = "postgresql://aa:***@db.example/newsroom": holds a '
        "password; remove it from audioarticles.toml and give it in the environment "
        "(PGPASSWORD) or in ~/.pgpass")
    assert shown_url("postgresql://aa:s3cret@db:5433/n") == "postgresql://aa:***@db:5433/n"


@pytest.mark.parametrize("url, reason", [
    ("mysql://db/news", "not a PostgreSQL URL"),
    ("postgresql://aa@db/", "names no database"),
    ("postgresql://aa@db/news?password=x", "holds a password"),
])
def test_catalog_urls_the_settings_refuse(tmp_path, url, reason):
    (tmp_path / "audioarticles.toml").write_text(f'[catalog]\nurl = "{url}"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=reason):
        load_settings(tmp_path)


def test_the_password_comes_from_the_environment(server, url, monkeypatch):
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("CREATE ROLE newsroom LOGIN PASSWORD 'from-env'")
        admin.execute("GRANT ALL ON SCHEMA public TO newsroom")
    # the test server trusts every local user: make it ask this role for its password
    hba = server.data / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text("host all newsroom 127.0.0.1/32 scram-sha-256\n" + original)
    server._run("pg_ctl", "reload", "-D", str(server.data))
    try:
        time.sleep(0.5)
        role_url = url.replace("postgres@", "newsroom@")
        monkeypatch.delenv("PGPASSWORD", raising=False)
        with pytest.raises(CatalogUnusable, match="PGPASSWORD or ~/.pgpass"):
            PgCatalog(role_url)
        monkeypatch.setenv("PGPASSWORD", "from-env")
        with PgCatalog(role_url) as cat:
            cat.save(episode())
            assert cat.get("g") is not None
    finally:
        hba.write_text(original)
        server._run("pg_ctl", "reload", "-D", str(server.data))


def test_the_project_lock_holds_across_machines(tmp_path, url):
    """Two machines (two project folders, two lock files) sharing one catalog take turns."""
    first = load_settings(make_project(tmp_path / "machine-a", url))
    second = load_settings(make_project(tmp_path / "machine-b", url,
                                        toml="[batch]\nlock_wait_s = 0.3\n"))
    with run_lock(first, "audioarticles hold x"):
        with pytest.raises(ProjectBusy) as busy:
            with run_lock(second, "audioarticles publish x"):
                pass
        assert "holds its lock in the catalog database" in str(busy.value)
        assert "audioarticles pid" in str(busy.value)
    with run_lock(second, "audioarticles publish x"):  # released with the first
        pass


def test_the_lock_is_released_when_its_holder_dies(tmp_path, url):
    import subprocess
    import sys

    root = make_project(tmp_path / "machine-a", url)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from audioarticles.config import load_settings\n"
        "from audioarticles.store.lock import run_lock\n"
        "with run_lock(load_settings(sys.argv[1])):\n"
        "    print('held', flush=True); time.sleep(60)\n"), str(root)],
        stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        other = load_settings(make_project(tmp_path / "machine-b", url,
                                           toml="[batch]\nlock_wait_s = 0.2\n"))
        with pytest.raises(ProjectBusy):
            with run_lock(other):
                pass
        holder.kill()  # kill -9: no cleanup, the server ends its session
        holder.wait()
        deadline = time.monotonic() + 10
        while True:
            try:
                with run_lock(other):
                    break
            except ProjectBusy:
                assert time.monotonic() < deadline
    finally:
        holder.kill()
        holder.wait()


def lock_sessions(url: str) -> list[int]:
    """The server sessions (backend pids) holding the project's advisory lock now."""
    import psycopg

    from audioarticles.store.postgres import _PROJECT_LOCK

    with psycopg.connect(url, autocommit=True) as watch:
        return [row[0] for row in watch.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
            "AND objid = %s AND granted", _PROJECT_LOCK)]


def test_after_a_server_restart_the_holder_takes_the_lock_again(server, url, tmp_path):
    """The advisory lock goes with its connection: a restart releases it. The holder notices
    by itself (no write needed) and takes it again, so another machine cannot hold it beside
    it; its catalog writes go on."""
    first = load_settings(make_project(tmp_path / "machine-a", url))
    second = load_settings(make_project(tmp_path / "machine-b", url,
                                        toml="[batch]\nlock_wait_s = 0.3\n"))
    with run_lock(first, "audioarticles hold x"):
        [before] = lock_sessions(url)
        server.restart(down_s=0.5)
        deadline = time.monotonic() + 15
        while not (held := lock_sessions(url)):
            assert time.monotonic() < deadline, "nobody holds the project lock after the restart"
            time.sleep(0.1)
        assert held != [before]
        with pytest.raises(ProjectBusy):
            with run_lock(second, "audioarticles publish x"):
                pass
        with PgCatalog(url, reconnect_s=20) as cat:
            cat.save(episode())
        assert lock_sessions(url) == held
    assert lock_sessions(url) == []
    with run_lock(second, "audioarticles publish x"):
        with PgCatalog(url) as cat:
            assert cat.get("g").slug == "s"


def test_a_holder_whose_lock_was_taken_after_a_restart_writes_nothing_more(
        server, url, tmp_path, monkeypatch):
    """Another machine takes the lock first after a restart (here: the holder's own check is
    too slow to win the race): the holder's next catalog write is refused with one line, so
    the two never write under the lock at the same time."""
    import psycopg

    from audioarticles.store import postgres
    from audioarticles.store.catalog import CatalogError
    from audioarticles.errors import StorageError

    from audioarticles.store import ProjectStore

    monkeypatch.setattr(postgres, "LOCK_KEEPALIVE_S", 3600.0, raising=False)
    first = load_settings(make_project(tmp_path / "machine-a", url))
    store = ProjectStore(first)
    contender = None
    try:
        with store.lock("audioarticles hold x"):
            with PgCatalog(url, reconnect_s=20) as cat:
                cat.save(episode("g1", "s1"))  # under the lock: written
                store.files.write_record("before", b"1")
                server.restart(down_s=0.5)
                contender = psycopg.connect(url, autocommit=True,
                                            application_name="machine-b's run")
                assert contender.execute("SELECT pg_try_advisory_lock(%s, %s)",
                                         postgres._PROJECT_LOCK).fetchone()[0]
                with pytest.raises(CatalogError) as lost:
                    cat.save(episode("g2", "s2"))
                assert type(lost.value).__name__ == "LockLost"
                line = str(lost.value)
                assert line.startswith(f"lost the project lock on {url} when its connection "
                                       "was cut (the server restarted, or the network failed) "
                                       "and machine-b's run (connected since ")
                assert ("this run stopped and wrote nothing to the catalog once the lock was "
                        "gone (last known ours at ") in line
                assert "\n" not in line
                with pytest.raises(postgres.LockLost):  # every later write too
                    cat.set_setting("k", "v")
                with pytest.raises(postgres.LockLost):
                    with cat.transaction():
                        pass
                with pytest.raises(postgres.LockLost):  # nor files
                    store.files.write_record("after", b"2")
                with pytest.raises(postgres.LockLost):
                    store.files.sweep_partial(time.time())
        # a batch stops on it as on any storage failure, with this line
        assert issubclass(postgres.LockLost, (StorageError, CatalogError))
        with PgCatalog(url) as cat:  # outside the lock: what the holder wrote
            assert [e.guid for e in cat.episodes()] == ["g1"] and cat.setting("k") is None
        assert store.files.read_record("before") == b"1"
        assert store.files.read_record("after") is None
    finally:
        if contender is not None:
            contender.close()


def test_a_lock_session_cut_off_from_its_holder_is_ended_and_the_lock_taken_again(
        url, tmp_path, monkeypatch):
    """A network cut loses the holder's connection while the server keeps its session (and
    the lock) until it notices: the holder ends that session of its own and takes the lock
    on a new one, rather than call itself beaten by itself."""
    import psycopg

    from audioarticles.store import postgres

    monkeypatch.setattr(postgres, "LOCK_KEEPALIVE_S", 3600.0)
    first = load_settings(make_project(tmp_path / "machine-a", url))
    with run_lock(first, "audioarticles hold x"):
        keeper = postgres.held_lock(url)
        cut_off = keeper.conn  # still holding the lock on the server
        keeper.conn = postgres.connect(url)
        keeper.conn.close()  # what the holder sees of it: a dead connection
        keeper.check()
        assert keeper.lost is None and keeper.retaken == 1
        assert lock_sessions(url) == [keeper.conn.info.backend_pid]
        with pytest.raises(psycopg.OperationalError):
            cut_off.execute("SELECT 1")
        cut_off.close()


def test_a_lock_holder_that_cannot_reach_the_server_again_stops(server, url, tmp_path,
                                                                monkeypatch):
    """The server stays down past `reconnect_s`: the lock is lost (the holder cannot know
    whether someone takes it when the server is back), said in one line."""
    from audioarticles.store import postgres

    monkeypatch.setattr(postgres, "LOCK_KEEPALIVE_S", 0.2)
    first = load_settings(make_project(tmp_path / "machine-a", url))
    with run_lock(first, "audioarticles hold x"):
        keeper = postgres.held_lock(url)
        keeper.reconnect_s = 1.0  # [catalog] reconnect_s
        server.stop()
        try:
            deadline = time.monotonic() + 20
            while not keeper.lost:
                assert time.monotonic() < deadline
                time.sleep(0.1)
            with pytest.raises(postgres.LockLost, match="could not take it again for 1 s"):
                keeper.ensure()
        finally:
            server.start()


def test_a_batch_survives_a_server_restart_without_loss_or_double(server, url, tmp_path):
    """PostgreSQL restarts while a batch converts: the catalog reconnects, every article is
    recorded once, with its one editorial event and its own slug."""
    import psycopg

    count = 8
    root = make_project(tmp_path / "p", url, articles=count)
    project = Project.open(root)
    result: dict = {}

    def convert() -> None:
        try:
            result["report"] = project.convert([str(root / "articles")], "fr-espeak", jobs=2)
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            result["error"] = exc

    worker = threading.Thread(target=convert)
    worker.start()
    recorded = 0
    deadline = time.monotonic() + 300
    while recorded < 2 and worker.is_alive():
        assert time.monotonic() < deadline
        time.sleep(0.1)
        try:
            with psycopg.connect(url) as watch:
                recorded = watch.execute("SELECT COUNT(*) FROM episodes").fetchone()[0]
        except psycopg.Error:
            recorded = 0  # the schema is not there yet
    assert worker.is_alive() and recorded < count, ("the batch ended before the restart", result)
    server.restart(down_s=1.0)
    worker.join(300)
    assert "error" not in result, result.get("error")
    report = result["report"]
    assert report.failed == [] and len(report.converted) == count
    with open_catalog(load_settings(root)) as cat:
        episodes = cat.episodes()
        assert len(episodes) == count
        assert len({e.slug for e in episodes}) == count
        assert sorted(e.guid for e in cat.events()) == sorted(e.guid for e in episodes)
        assert cat.slugs() == {e.slug for e in episodes}
    again = project.convert([str(root / "articles")], "fr-espeak")
    assert [c.status for c in again.converted] == ["unchanged"] * count


def test_recover_fills_an_empty_postgresql_catalog_and_refuses_a_full_one(server, url, tmp_path,
                                                                         runner, monkeypatch):
    root = make_project(tmp_path / "p", url, articles=2)
    report = Project.open(root).convert([str(root / "articles")], "fr-espeak")
    assert len(report.converted) == 2
    before = {e.guid: e.slug for e in Project.open(root).episodes()}
    # the database is lost: the project now points at an empty one
    empty = server.create_database(f"t_{uuid.uuid4().hex[:16]}")
    make_project(root, empty)
    monkeypatch.chdir(root)
    refused = runner.invoke(cli, ["episodes", "--json"])
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["error"] == (
        f"the catalog database {empty} is missing but output/feed.xml shows episodes were "
        "published; restore your last pg_dump of it, or run `audioarticles recover` to rebuild "
        "it from the published files")
    recovered = runner.invoke(cli, ["recover", "--json"])
    assert recovered.exit_code == 0, recovered.output
    assert {e.guid: e.slug for e in Project.open(root).episodes()} == before
    again = runner.invoke(cli, ["recover", "--force", "--json"])
    assert again.exit_code == 1
    assert "recover only fills an empty catalog" in json.loads(again.stdout)["error"]
    assert not (root / ".audioarticles" / "catalog.sqlite").exists()
