"""The HTTP API's guards on a real server: request size, per-token rate limit, CORS only for
configured origins, loopback by default, webhooks refused a private address, a missing
signing secret; and webhooks from a conversion started on the command line."""

from __future__ import annotations

import json
import shutil

import httpx
import pytest

from cms_helpers import SECRET, ApiProcess, Receiver, cli, token, write_project
from conftest import SAMPLE


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("strict") / "newsroom", """
[api]
max_body_kb = 8
rate_per_minute = 5
events_per_minute = 3
cors_origins = ["https://cms.example.org"]
""")
    tokens = [token(root, f"cms{n}") for n in range(3)]
    server = ApiProcess(root)
    client = httpx.Client(base_url=server.url, timeout=30, trust_env=False)
    yield {"root": root, "client": client, "tokens": tokens, "server": server}
    client.close()
    server.stop()


def test_a_body_above_the_limit_is_refused(strict):
    headers = {"Authorization": f"Bearer {strict['tokens'][0]}"}
    big = {"title": "Trop long", "text": "x" * 9000}
    answer = strict["client"].put("articles/big", json=big, headers=headers)
    assert answer.status_code == 413 and "8192 bytes" in answer.json()["error"]

    def chunks():  # no Content-Length: the body is counted as it comes
        yield b'{"title": "Trop long", "text": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    streamed = strict["client"].put("articles/big", content=chunks(), headers={
        **headers, "Content-Type": "application/json"})
    assert streamed.status_code == 413


def test_each_token_has_its_own_rate_limit(strict):
    client = strict["client"]
    first = {"Authorization": f"Bearer {strict['tokens'][1]}"}
    answers = [client.get("episodes", headers=first) for _ in range(7)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    limited = answers[-1]
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    other = {"Authorization": f"Bearer {strict['tokens'][2]}"}
    assert client.get("episodes", headers=other).status_code == 200


def test_listening_events_have_a_global_rate_limit(strict):
    body = json.dumps({"v": 1, "event": "play", "episode": "x", "slug": "x",
                       "listen": "0123456789abcdef", "position_s": 0, "duration_s": 1})
    codes = [strict["client"].post("events", content=body).status_code for _ in range(4)]
    assert codes[:3] == [404] * 3 and codes[3] == 429


def test_cors_only_for_the_configured_origins(strict):
    client = strict["client"]
    allowed = client.options("episodes", headers={
        "Origin": "https://cms.example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert allowed.headers["access-control-allow-origin"] == "https://cms.example.org"
    other = client.options("episodes", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in other.headers


def test_the_api_listens_on_loopback_unless_told(strict, tmp_path):
    from audioarticles import Project

    server = Project.open(write_project(tmp_path / "p")).api_server(port=0)
    try:
        assert server.host == "127.0.0.1" and server.socket.getsockname()[0] == "127.0.0.1"
    finally:
        server.socket.close()


def test_webhooks_without_a_secret_refuse_to_start(tmp_path, monkeypatch):
    monkeypatch.delenv("AUDIOARTICLES_WEBHOOK_SECRET", raising=False)
    root = write_project(tmp_path / "p", '\n[api.webhooks]\nurl = "https://cms.example.org/h"\n')
    started = cli(root, "api", "--port", "0")
    assert started.returncode == 2
    assert "AUDIOARTICLES_WEBHOOK_SECRET" in started.stderr
    assert "Traceback" not in started.stderr


def test_a_conversion_on_the_command_line_tells_the_cms_too(tmp_path):
    """The webhook is written by the conversion run, not by the HTTP handler: a `convert`
    (like a queue worker's run) delivers it; a webhook URL on a private address is refused
    by the fetch policy and the refusal is logged."""
    with Receiver() as receiver:
        root = write_project(tmp_path / "p", f"""
[fetch]
allow_hosts = ["localhost"]

[api.webhooks]
url = "{receiver.url}"
""")
        article = root / "tram.txt"
        shutil.copy(SAMPLE, article)
        env = {"AUDIOARTICLES_WEBHOOK_SECRET": SECRET}
        done = cli(root, "convert", str(article), "--id", "cms-cli", env=env)
        assert done.returncode == 0, done.stderr
        hook = receiver.next("episode.ready", "cms-cli", timeout=10)
        assert hook["data"]["slug"] and hook["data"]["state"] == "published"

        private = root / "audioarticles.toml"
        private.write_text(private.read_text().replace(receiver.url,
                                                        f"http://127.0.0.1:{receiver.port}/h"))
        other = root / "autre.txt"
        other.write_text("Le conseil municipal a voté le budget.\n", encoding="utf-8")
        done = cli(root, "convert", str(other), "--id", "cms-cli-2", env=env)
        assert done.returncode == 0, done.stderr
        rows = json.loads(cli(root, "webhooks", "--json").stdout)["deliveries"]
        assert rows[0]["guid"] == "cms-cli-2"
        assert rows[0]["status"] == "pending" and rows[0]["attempts"] == 1
        assert "refused" in rows[0]["last_error"] and "loopback" in rows[0]["last_error"]
        assert receiver.attempts == 1  # the receiver never saw the refused one
