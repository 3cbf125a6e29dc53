"""`audioarticles serve`: MIME types and HTTP Range requests, checked with a plain HTTP client."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading

import pytest
from publish_helpers import SHORT_ARTICLE, add_companions, free_port, interrupt, make_project

from audioarticles.cli import cli
from audioarticles.publish.serve import byte_range, make_server


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve") / "project"
    episode = make_project(root, "http://127.0.0.1:8000/", {"budget.txt": SHORT_ARTICLE})["budget.txt"]
    add_companions(root, episode["slug"], cues=[(0.0, 1.5, "Le budget.")],
                   chapters=[(0.0, "Ouverture")])
    output = root / "output"
    (output / "episodes" / ".x.mp3.part").write_bytes(b"half")  # never served
    server = make_server(output, 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"port": server.server_address[1], "output": output, "episode": episode}
    server.shutdown()
    server.server_close()


def request(served, path, method="GET", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", served["port"], timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def test_mime_types(served):
    slug = served["episode"]["slug"]
    expected = {
        "/" + served["episode"]["mp3"].split("output/", 1)[1]: "audio/mpeg",
        f"/episodes/{slug}.vtt": "text/vtt; charset=utf-8",
        f"/episodes/{slug}.srt": "application/x-subrip; charset=utf-8",
        f"/episodes/{slug}.chapters.json": "application/json",
        "/feed.xml": "application/rss+xml; charset=utf-8",
        "/": "text/html; charset=utf-8",
        "/player/player.js": "text/javascript; charset=utf-8",
        "/player/player.css": "text/css; charset=utf-8",
    }
    for path, mime in expected.items():
        status, headers, body = request(served, path)
        assert (status, headers["Content-Type"]) == (200, mime), path
        assert int(headers["Content-Length"]) == len(body)
        assert headers["Access-Control-Allow-Origin"] == "*"  # web players on other sites


def test_range_requests_return_206_with_the_exact_bytes(served):
    path = "/" + served["episode"]["mp3"].split("output/", 1)[1]
    mp3 = (served["output"] / path.lstrip("/")).read_bytes()
    size = len(mp3)

    status, headers, body = request(served, path, headers={"Range": "bytes=100-1099"})
    assert status == 206
    assert headers["Content-Range"] == f"bytes 100-1099/{size}"
    assert headers["Content-Length"] == "1000" and body == mp3[100:1100]
    assert headers["Accept-Ranges"] == "bytes"

    status, headers, body = request(served, path, headers={"Range": f"bytes={size - 10}-"})
    assert (status, body) == (206, mp3[-10:])
    assert headers["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"

    status, headers, body = request(served, path, headers={"Range": "bytes=-500"})
    assert (status, body) == (206, mp3[-500:])

    status, headers, body = request(served, path, headers={"Range": f"bytes=0-{size * 2}"})
    assert (status, body) == (206, mp3)  # clipped to the end of the file

    status, headers, body = request(served, path, headers={"Range": f"bytes={size}-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{size}" and body == b""

    status, headers, body = request(served, path, method="HEAD")
    assert status == 200 and headers["Content-Length"] == str(size) and body == b""
    assert headers["Accept-Ranges"] == "bytes"

    status, headers, body = request(served, path, method="HEAD", headers={"Range": "bytes=0-1"})
    assert status == 206 and headers["Content-Length"] == "2" and body == b""

    # a stale If-Range gets the whole, current file
    status, headers, body = request(served, path, headers={"Range": "bytes=0-9",
                                                           "If-Range": '"old"'})
    assert (status, len(body)) == (200, size)


def test_hidden_temporary_and_outside_files_are_not_served(served):
    for path in ("/episodes/.x.mp3.part", "/../audioarticles.toml", "/%2e%2e/audioarticles.toml",
                 "/missing.mp3", "/embed/"):
        status, _, _ = request(served, path)
        assert status == 404, path


@pytest.mark.parametrize(("header", "expected"), [
    ("bytes=0-0", (0, 0)), ("bytes=10-", (10, 99)), ("bytes=-10", (90, 99)),
    ("bytes=-1000", (0, 99)), ("bytes=100-", "unsatisfiable"), ("bytes=-0", "unsatisfiable"),
    ("bytes=5-2", None), ("bytes=0-1,5-6", None), ("items=0-1", None),
])
def test_byte_range(header, expected):
    assert byte_range(header, 100) == expected


def test_serve_command_runs_until_interrupted_and_reports_a_busy_port(runner, served):
    root = served["output"].parent
    port = free_port()
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    process = subprocess.Popen([sys.executable, "-m", "audioarticles", "--project", str(root),
                                "serve", "--port", str(port)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout.readline().strip() == \
            f"serving {os.path.relpath(served['output'])} at http://127.0.0.1:{port}/ (Ctrl-C to stop)"
        status, _, body = request({"port": port}, "/feed.xml")
        assert status == 200 and b"<rss" in body

        busy = runner.invoke(cli, ["--project", str(root), "serve", "--port", str(port)])
        assert busy.exit_code == 2
        assert busy.stderr.strip().splitlines()[-1] == (
            f"error: port {port} is already in use on 127.0.0.1; pick another with --port")
    finally:
        interrupt(process)
    assert process.returncode == 0  # Ctrl-C is the normal way to stop a preview


@pytest.fixture
def linked_output(tmp_path):
    """An output folder with links: one to a file outside, one to a folder outside, one to a
    hidden file inside, and one that stays inside (allowed)."""
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0\n")
    output = tmp_path / "output"
    (output / "episodes").mkdir(parents=True)
    (output / "episodes" / "a.mp3").write_bytes(b"ID3 audio")
    (output / ".hidden.part").write_bytes(b"half")
    (output / "passwd.txt").symlink_to(outside / "passwd")
    (output / "elsewhere").symlink_to(outside)
    (output / "part.txt").symlink_to(output / ".hidden.part")
    (output / "latest.mp3").symlink_to(output / "episodes" / "a.mp3")
    return output


@pytest.mark.parametrize("path", ["/passwd.txt", "/elsewhere/passwd", "/elsewhere/",
                                  "/part.txt"])
def test_links_leading_out_of_the_served_folder_are_refused(linked_output, path):
    server = make_server(linked_output, 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, _, body = request({"port": server.server_address[1]}, path)
    finally:
        server.shutdown()
        server.server_close()
    assert status == 404 and b"root:" not in body


def test_a_link_that_stays_inside_is_served(linked_output):
    server = make_server(linked_output, 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, _, body = request({"port": server.server_address[1]}, "/latest.mp3")
    finally:
        server.shutdown()
        server.server_close()
    assert (status, body) == (200, b"ID3 audio")


@pytest.mark.parametrize(("allow_origin", "origin", "expected"), [
    (None, "https://evil.example", None),  # the drafts preview: never
    (None, None, None),
    ("https://cms.example", "https://cms.example", "https://cms.example"),
    ("https://cms.example", "https://evil.example", None),
    ("*", "https://any.example", "*"),  # the public site: web players anywhere
])
def test_cors_only_where_it_is_allowed(served, allow_origin, origin, expected):
    server = make_server(served["output"], 0, quiet=True, allow_origin=allow_origin)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for method in ("GET", "OPTIONS"):
            status, headers, _ = request({"port": server.server_address[1]}, "/feed.xml",
                                         method, {"Origin": origin} if origin else {})
            assert status in (200, 204)
            assert headers.get("Access-Control-Allow-Origin") == expected, method
            if expected is None:
                assert not any(h.lower().startswith("access-control-allow-origin")
                               for h in headers)
    finally:
        server.shutdown()
        server.server_close()
