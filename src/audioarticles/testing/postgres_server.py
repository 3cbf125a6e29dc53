"""A throwaway PostgreSQL server for tests and benchmarks, from Debian's binaries.

It lives in a temporary folder (its data and its socket), listens on 127.0.0.1 on a free port,
trusts local connections (no password: there is nothing to protect in it) and is deleted when
stopped. PostgreSQL refuses to run as root: when we are root its processes run as the
`postgres` user (or `nobody`), who is given the folder. A test can `stop`, `start` and `restart`
it to see what the catalog does when its server goes away.

    with PostgresServer() as server:
        url = server.create_database("t1")   # postgresql://postgres@127.0.0.1:<port>/t1

Run it alone: `python -m audioarticles.testing.postgres_server` (prints a URL; Ctrl-C stops).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from audioarticles.testing.servers import free_port

SUPERUSER = "postgres"
#: what `.ci/run` installs when these are missing
APT_PACKAGE = "postgresql"


def binaries() -> Path | None:
    """The folder of the newest installed PostgreSQL's `initdb`, `pg_ctl` and `postgres`."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def unavailable() -> str | None:
    """Why a server cannot be started here (None when it can)."""
    folder = binaries()
    if folder is None or not (folder / "initdb").exists():
        return (f"PostgreSQL's server binaries are not installed (initdb, pg_ctl; "
                f"`apt-get install {APT_PACKAGE}`, which `.ci/run` does)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'audioarticles[postgres]')"
    if os.geteuid() == 0 and _server_user() is None:
        return "running as root and there is no `postgres` or `nobody` user to run PostgreSQL as"
    return None


def _server_user() -> pwd.struct_passwd | None:
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    return None


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder, started on `start()` (or `with`)."""

    def __init__(self, port: int | None = None):
        reason = unavailable()
        if reason:
            raise RuntimeError(reason)
        self.bin = binaries()
        self.port = port or free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="aa-postgres-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self._as = _server_user() if os.geteuid() == 0 else None
        if self._as is not None:
            os.chown(self.folder, self._as.pw_uid, self._as.pw_gid)
        self._initialised = False

    # running the binaries as the server's user

    def _run(self, *args: str, check: bool = True, timeout: float = 120) \
            -> subprocess.CompletedProcess:
        kwargs: dict = {}
        if self._as is not None:
            kwargs = {"user": self._as.pw_uid, "group": self._as.pw_gid, "extra_groups": []}
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8",
               "HOME": str(self.folder), "PGDATA": str(self.data)}
        for name in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGSERVICE"):
            env.pop(name, None)
        # its own session: a Ctrl-C meant for the tests never reaches the server
        result = subprocess.run([str(self.bin / args[0]), *args[1:]], capture_output=True,
                                text=True, env=env, cwd=self.folder, timeout=timeout,
                                start_new_session=True, **kwargs)
        if check and result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): "
                               f"{result.stderr.strip() or result.stdout.strip()}\n{log}")
        return result

    def _init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions")
        self._initialised = True

    @property
    def running(self) -> bool:
        return self._initialised and self._run("pg_ctl", "status", "-D", str(self.data),
                                               check=False).returncode == 0

    def start(self) -> PostgresServer:
        if not self._initialised:
            self._init()
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   # a test server: durability across a machine crash is not what we test
                   "-c fsync=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w",
                  "-t", "60", "-o", options)
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` (clients disconnected, a clean shutdown) or `immediate`
        (as if it crashed)."""
        if self.running:
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60")

    def restart(self, down_s: float = 0.0) -> None:
        """Stop the server (its clients' connections are cut), wait `down_s`, start it."""
        self.stop()
        time.sleep(down_s)
        self.start()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()

    # databases

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _admin(self):
        import psycopg

        return psycopg.connect(self.url(), autocommit=True, connect_timeout=10)

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        from psycopg import sql

        with self._admin() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop the database, cutting off whoever is still connected to it."""
        from psycopg import sql

        with self._admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                          .format(sql.Identifier(name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--database", default="audioarticles")
    args = parser.parse_args()
    with PostgresServer(args.port) as server:
        print(server.create_database(args.database), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()
