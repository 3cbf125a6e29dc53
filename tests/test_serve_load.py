"""`serve` under load, with real sockets on 127.0.0.1: idle and half-sent connections cost no
thread and do not keep real requests waiting, slow clients are cut off, keep-alive and
pipelining work. (How fast it stays is measured in benchmarks/bench_serve.py.)"""

from __future__ import annotations

import http.client
import resource
import socket
import threading
import time

import pytest
from test_serve import request

from audioarticles.publish.connections import head_end
from audioarticles.publish.serve import make_server


@pytest.fixture
def site(tmp_path):
    (tmp_path / "feed.xml").write_text("<rss/>", encoding="utf-8")
    (tmp_path / "episode.mp3").write_bytes(bytes(range(256)) * 400)
    return tmp_path


@pytest.fixture
def start(site):
    servers = []

    def run(**limits):
        server = make_server(site, 0, quiet=True, **limits)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield run
    for server in servers:
        server.shutdown()
        server.server_close()


def get(port: int, path: str = "/feed.xml") -> tuple[int, bytes]:
    status, _, body = request({"port": port}, path)
    return status, body


def closed_by_server(sock: socket.socket, within_s: float) -> bool:
    """True when the server closes `sock` (after an optional answer) within `within_s`."""
    sock.settimeout(within_s)
    try:
        while sock.recv(4096):
            pass
        return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.mark.parametrize(("buffer", "end"), [
    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27), (b"GET / HTTP/1.1\r\nHost: x\r\n", -1),
    (b"GET / HTTP/1.0\n\nGET /b", 16), (b"", -1),
])
def test_head_end(buffer, end):
    assert head_end(buffer) == end


def test_many_idle_and_half_sent_connections_do_not_block_real_requests(start):
    """1,500 connections open (most send nothing, some stop half-way through a request) and
    only 4 workers: a real request is still answered, and no thread was started per socket."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1500
    if soft < 2 * wanted + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 2 * wanted + 200), hard))
    count = min(wanted, (resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 200) // 2)
    assert count >= 500, "the file limit is too low for this test"
    server = start(workers=4, idle_timeout_s=300, request_timeout_s=300)
    port = server.server_address[1]
    threads_before = threading.active_count()
    idle = []
    try:
        for n in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=30)
            if n % 10 == 0:
                sock.sendall(b"GET /feed.xml HTTP/1.1\r\nHost: 127")  # never finished
            idle.append(sock)
        deadline = time.monotonic() + 30
        while server.open_connections() < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.open_connections() == count
        for _ in range(5):
            assert get(port) == (200, b"<rss/>")
        assert threading.active_count() <= threads_before + 2
    finally:
        for sock in idle:
            sock.close()


def test_a_half_sent_request_is_cut_off(start):
    server = start(request_timeout_s=0.5)
    with socket.create_connection(("127.0.0.1", server.server_address[1])) as sock:
        sock.sendall(b"GET /feed.xml HTTP/1.1\r\nHost: loc")
        answer = b""
        sock.settimeout(15)
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_a_client_dripping_its_headers_is_cut_off(start):
    """One byte every 0.1 s never completes a request within request_timeout_s."""
    server = start(request_timeout_s=1.0)
    sock = socket.create_connection(("127.0.0.1", server.server_address[1]))
    try:
        cut = False
        for byte in b"GET /feed.xml HTTP/1.1\r\nX-Slow: " + b"a" * 400:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                cut = True
                break
            time.sleep(0.1)
        assert cut or closed_by_server(sock, 15)
    finally:
        sock.close()


def test_an_idle_keep_alive_connection_is_closed(start):
    server = start(idle_timeout_s=0.5)
    with socket.create_connection(("127.0.0.1", server.server_address[1])) as sock:
        assert closed_by_server(sock, 15)


def test_keep_alive_and_pipelined_requests_are_answered_in_order(start, site):
    server = start()
    port = server.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for path in ("/feed.xml", "/episode.mp3", "/feed.xml"):
        connection.request("GET", path)
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, (site / path[1:]).read_bytes())
    connection.close()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /feed.xml HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"HEAD /episode.mp3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    first, second = answer.split(b"HTTP/1.1 200 OK", 2)[1:]
    assert first.endswith(b"<rss/>") and b"Content-Type: audio/mpeg" in second


def test_a_request_with_a_body_is_answered_then_closed(start):
    server = start()
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as sock:
        sock.sendall(b"POST /feed.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 27\r\n\r\n"
                     b"GET /feed.xml HTTP/1.1\r\n\r\n")  # the body must not pass for a request
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 501 ") and answer.count(b"HTTP/1.1 ") == 1
