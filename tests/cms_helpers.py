"""Test helpers of the CMS integration: the HTTP API as a real `audioarticles api` process on
a free port, and a real webhook receiver that checks signatures the way docs/API.md tells a
CMS to (written here independently of `audioarticles.webhooks`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import queue
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SECRET = "test-webhook-secret-0123456789abcdef"


class Receiver:
    """A CMS's webhook endpoint on 127.0.0.1: each POST is checked (HMAC of
    "<timestamp>.<body>", timestamp within 5 minutes, delivery id not seen before) and kept in
    `received` as (event, verified, body); `fail_next` makes the next N answer 500."""

    def __init__(self, secret: str = SECRET):
        self.secret = secret
        self.received: queue.Queue = queue.Queue()
        self.kept: list = []
        self.seen: set[str] = set()
        self.fail_next = 0
        self.attempts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.attempts += 1
                if receiver.fail_next > 0:
                    receiver.fail_next -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                verified = receiver.verify(self.headers, body)
                self.send_response(204 if verified else 401)
                self.end_headers()
                receiver.received.put((self.headers.get("X-Audioarticles-Event"), verified,
                                       json.loads(body)))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://localhost:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def verify(self, headers, body: bytes) -> bool:
        stamp = headers.get("X-Audioarticles-Timestamp", "")
        signature = headers.get("X-Audioarticles-Signature", "")
        delivery = headers.get("X-Audioarticles-Delivery", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > 300:
            return False
        expected = "sha256=" + hmac.new(self.secret.encode(), stamp.encode() + b"." + body,
                                        hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature) or delivery in self.seen:
            return False
        self.seen.add(delivery)
        return True

    def next(self, event: str, article_id: str, timeout: float = 60) -> dict:
        """The first received body of `event` about `article_id` not taken yet (waiting for
        it); the others stay for later calls."""
        deadline = time.monotonic() + timeout
        while True:
            while True:
                try:
                    self.kept.append(self.received.get_nowait())
                except queue.Empty:
                    break
            for index, (name, verified, body) in enumerate(self.kept):
                if name == event and body["data"]["id"] == article_id:
                    del self.kept[index]
                    assert verified, body
                    return body
            if time.monotonic() > deadline:
                raise AssertionError(f"no {event} webhook about {article_id} within "
                                     f"{timeout} s")
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def write_project(root: Path, extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "audioarticles.toml").write_text(
        '[voice]\ndefault = "fr-espeak"\n\n[podcast]\nbase_url = "https://news.example.org/audio/"\n'
        + extra, encoding="utf-8")
    return root


def cli(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audioarticles", "--project", str(root), *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=120, stdin=subprocess.DEVNULL)


def token(root: Path, name: str, scope: str = "write") -> str:
    made = cli(root, "tokens", "create", "--name", name, "--scope", scope, "--json")
    assert made.returncode == 0, made.stderr
    return json.loads(made.stdout)["token"]


class ApiProcess:
    """`audioarticles api --port 0` in its own process; `url` is its base (…/v1/)."""

    def __init__(self, root: Path, env: dict | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "audioarticles", "--project", str(root), "api", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
            env={**os.environ, "NO_PROXY": "127.0.0.1,localhost", **(env or {})},
            start_new_session=True)
        line = self.process.stdout.readline()
        if not line.startswith("API at "):
            self.process.kill()
            raise AssertionError(f"the API did not start: {line}{self.process.stderr.read()}")
        self.url = line.split()[2]
        self.root = self.url.removesuffix("v1/")

    def stop(self) -> str:
        """Stop it as a service manager does (SIGTERM); its stderr."""
        self.process.terminate()
        try:
            _, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err
