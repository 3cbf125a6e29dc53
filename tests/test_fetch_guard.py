"""Fetching against hostile servers and addresses: the deadline holds during the body, a stop
request ends a fetch at once, and private addresses are refused (on the resolved address, at
every redirect) unless the project allows them. The servers are real, on 127.0.0.1."""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import make_runner
from web import Answer, Drip, Site, page

from audioarticles import netguard
from audioarticles.cli import cli
from audioarticles.errors import InputError
from audioarticles.fetch import FetchCancelled, FetchSettings, fetch
from audioarticles.store.lock import project_lock

ARTICLE = ("<!DOCTYPE html><html lang=fr><head><title>Brève</title></head><body><article>"
           "<h1>Une brève</h1><p>Le conseil municipal a voté le budget de la ville lundi soir, "
           "après un long débat.</p></article></body></html>")
HINT = "set [fetch] allow_private = true to allow intranet sources"


@pytest.mark.parametrize("address, problem", [
    ("127.0.0.1", "a loopback address (this machine)"),
    ("127.9.9.9", "a loopback address (this machine)"),
    ("::1", "a loopback address (this machine)"),
    ("::ffff:127.0.0.1", "a loopback address (this machine)"),
    ("0.0.0.0", "an unspecified address (it reaches this machine)"),
    ("10.0.0.5", "a private address"),
    ("172.16.4.1", "a private address"),
    ("192.168.1.20", "a private address"),
    ("fd12:3456::1", "a private address"),
    ("::ffff:192.168.1.1", "a private address"),
    ("64:ff9b::a00:5", "a private address"),  # NAT64 of 10.0.0.5
    ("169.254.169.254", "a cloud metadata address"),
    ("fd00:ec2::254", "a cloud metadata address"),
    ("169.254.10.1", "a link-local address"),
    ("fe80::1", "a link-local address"),
    ("100.64.0.1", "a shared (carrier-grade NAT) address"),
    ("224.0.0.1", "a multicast address"),
    ("240.0.0.1", "a private address"),  # Python counts 240/4 as private
    ("93.184.215.14", None),
    ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", None),
    ("::ffff:93.184.215.14", None),
])
def test_address_problem(address, problem):
    assert netguard.address_problem(address) == problem


@pytest.mark.parametrize("host, shown", [
    ("127.0.0.1", "127.0.0.1 is"),
    ("localhost", "localhost resolves to 127.0.0.1"),
    ("127.1", "127.1 resolves to 127.0.0.1"),  # short forms the resolver expands
    ("0x7f000001", "0x7f000001 resolves to 127.0.0.1"),
    ("2130706433", "2130706433 resolves to 127.0.0.1"),
])
def test_loopback_in_every_spelling_is_refused_without_a_request(host, shown):
    with Site({"/": page(ARTICLE)}) as site:
        port = site.server.server_address[1]
        url = f"http://{host}:{port}/"
        with pytest.raises(InputError) as caught:
            fetch(url, FetchSettings(timeout_s=5))
        assert site.requests == []
    assert str(caught.value) == (f"{url}: refused: {shown}, a loopback address (this machine); "
                                 f"{HINT}")


@pytest.mark.parametrize("url, address, problem", [
    ("http://[::1]:9/", "::1", "a loopback address (this machine)"),
    ("http://[::ffff:127.0.0.1]:9/", "::ffff:127.0.0.1", "a loopback address (this machine)"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "a cloud metadata address"),
    ("http://10.0.0.5/intranet", "10.0.0.5", "a private address"),
    ("http://100.64.0.1/", "100.64.0.1", "a shared (carrier-grade NAT) address"),
    ("https://[fd00::1]/", "fd00::1", "a private address"),
    ("https://[fe80::1]/", "fe80::1", "a link-local address"),
])
def test_private_addresses_are_refused_before_connecting(url, address, problem):
    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        fetch(url, FetchSettings(timeout_s=30))
    assert str(caught.value) == f"{url}: refused: {address} is, {problem}; {HINT}"
    assert time.monotonic() - started < 10  # refused at once, not a connection timing out


def test_a_redirect_to_a_private_address_is_refused_at_that_hop():
    """The first hop is allowed (its host is in allow_hosts), the redirect leads elsewhere on
    127.0.0.1 under another name: that hop is checked and refused."""
    with Site({"/secret": page("<p>admin</p>")}) as inner, Site() as outer:
        outer.routes["/moved"] = Answer(302, b"", {"Location": inner.url("/secret")})
        start = f"http://localhost:{outer.server.server_address[1]}/moved"
        with pytest.raises(InputError) as caught:
            fetch(start, FetchSettings(allow_hosts=["localhost"]))
        assert outer.hits("/moved") and inner.requests == []
    assert str(caught.value) == (f"{start}: refused: 127.0.0.1 is, a loopback address (this "
                                 f"machine); {HINT}")


def test_allow_private_reaches_an_intranet_site():
    with Site({"/a": page(ARTICLE)}) as site:
        fetched = fetch(site.url("/a"), FetchSettings(allow_private=True))
    assert fetched.status == 200 and b"Une br" in fetched.body


def test_the_connection_goes_to_the_address_that_was_checked(monkeypatch):
    """DNS rebinding: the name answers a public address when checked and loopback later. The
    host is resolved once; the connection goes to the checked (public, unreachable here)
    address and never to the local site."""
    answers = ["93.184.215.14", "127.0.0.1"]
    asked = []

    def rebinding(host, port, *args, **kwargs):
        asked.append(host)
        address = answers[min(len(asked) - 1, 1)]
        return netguard.socket.getaddrinfo(address, port, *args, **kwargs)

    monkeypatch.setattr(netguard, "getaddrinfo", rebinding)
    with Site({"/": page(ARTICLE)}) as site:
        port = site.server.server_address[1]
        with pytest.raises(InputError):
            fetch(f"http://rebind.example:{port}/", FetchSettings(timeout_s=2))
        assert site.requests == [] and asked == ["rebind.example"]


def test_a_resolved_name_keeps_its_host_header(monkeypatch):
    """The connection is made to the resolved address, the request still names the host."""
    monkeypatch.setattr(netguard, "getaddrinfo", lambda host, port, *a, **k:
                        netguard.socket.getaddrinfo("127.0.0.1", port, *a, **k))
    with Site({"/a": page(ARTICLE)}) as site:
        port = site.server.server_address[1]
        fetch(f"http://cms.intranet:{port}/a", FetchSettings(allow_hosts=["cms.intranet"]))
        [hit] = site.requests
    assert hit.headers["host"] == f"cms.intranet:{port}"


def test_a_resolver_that_hangs_is_bounded_by_the_deadline(monkeypatch):
    release = threading.Event()

    def hanging(*args, **kwargs):
        release.wait(30)
        raise OSError("released")

    monkeypatch.setattr(netguard, "getaddrinfo", hanging)
    started = time.monotonic()
    try:
        with pytest.raises(InputError) as caught:
            fetch("http://slow-dns.example/", FetchSettings(timeout_s=1))
    finally:
        release.set()
    assert "no complete answer within 1 s (timeout)" in str(caught.value)
    assert time.monotonic() - started < 10


def test_the_deadline_holds_while_a_server_drips_its_body():
    """2 bytes a second of a 1 MB body: the old code read on for days; the deadline ends it."""
    with Drip() as drip:
        started = time.monotonic()
        with pytest.raises(InputError) as caught:
            fetch(drip.url(), FetchSettings(timeout_s=1.5, allow_private=True))
        elapsed = time.monotonic() - started
    assert str(caught.value) == (f"{drip.url()}: no complete answer within 1.5 s (timeout); "
                                 "try again later, or raise [fetch] timeout_s in "
                                 "audioarticles.toml")
    assert elapsed < 10  # generous: without the deadline this runs until the test times out


def test_cancelling_a_scope_ends_its_fetches_and_no_other():
    outcome: dict = {}
    stopped, other = netguard.Scope(), netguard.Scope()

    def run(scope, key):
        try:
            with scope.entered():
                fetch(drip.url(), FetchSettings(timeout_s=4, allow_private=True))
        except Exception as exc:  # noqa: BLE001 - the test looks at what it was
            outcome[key] = exc

    with Drip() as drip:
        workers = [threading.Thread(target=run, args=(stopped, "stopped")),
                   threading.Thread(target=run, args=(other, "other"))]
        for worker in workers:
            worker.start()
        assert drip.started.wait(10)
        time.sleep(0.5)  # both are reading the body
        stopped.cancel()
        workers[0].join(10)
        assert not workers[0].is_alive() and workers[1].is_alive()
        workers[1].join(10)
        # a fetch starting in a cancelled scope ends at once
        run(stopped, "late")
    assert isinstance(outcome["stopped"], FetchCancelled)
    assert isinstance(outcome["late"], FetchCancelled)
    assert "no complete answer within 4 s (timeout)" in str(outcome["other"])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_a_conversion_stuck_on_a_dripping_server(tmp_path, sig):
    """The batch fetches in a worker thread; the signal stops it, the run ends (exit 130,
    nothing counted as failed) and the project's lock is free."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "audioarticles.toml").write_text("[fetch]\ntimeout_s = 600\nallow_private = true\n")
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    with Drip() as drip:
        process = subprocess.Popen(
            [sys.executable, "-m", "audioarticles", "convert", drip.url("/page"), "--voice",
             "fr-espeak", "--jobs", "1", "--json"],
            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True)
        try:
            assert drip.started.wait(60), "the conversion never reached the server"
            sent = time.monotonic()
            process.send_signal(sig)
            out, err = process.communicate(timeout=30)
            stopped_after = time.monotonic() - sent
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode == 130, err.decode()
    report = json.loads(out)
    assert report["failed"] == [] and report["summary"]["converted"] == 0
    with project_lock(root / ".audioarticles", wait_s=0):
        pass
    print(f"stopped {stopped_after:.2f} s after the signal")


def test_https_goes_through_the_guard_and_still_checks_the_certificate(tmp_path, monkeypatch):
    """TLS to the checked address, with the certificate verified against the host name."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # they would override session.verify
        monkeypatch.delenv(name, raising=False)
    import http.server
    import ssl

    import requests
    from conftest import require_tool

    openssl = require_tool("openssl")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = ARTICLE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        with requests.Session() as session:
            session.verify = str(cert)
            page_ = fetch(f"https://localhost:{port}/", FetchSettings(allow_hosts=["localhost"]),
                          session=session)
            assert page_.status == 200 and page_.body == ARTICLE.encode()
            # the same server under a name its certificate does not carry: refused by TLS
            with pytest.raises(InputError) as caught:
                fetch(f"https://127.0.0.1:{port}/", FetchSettings(allow_private=True),
                      session=session)
            assert "TLS failed" in str(caught.value) or "certificate" in str(caught.value)
        with pytest.raises(InputError) as caught:
            fetch(f"https://localhost:{port}/", FetchSettings())
        assert "refused: localhost resolves to 127.0.0.1" in str(caught.value)
    finally:
        server.shutdown()
        server.server_close()


def test_feed_items_leading_to_private_addresses_are_refused_one_by_one(runner, project,
                                                                          monkeypatch):
    """The feed's host is allowed by name; its items link to 127.0.0.1 (and the metadata
    address): each is one error line, the item carrying its full text is converted."""
    from test_sync import FULL_1, Feed, article_page, item

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    (project / "audioarticles.toml").write_text('[fetch]\nallow_hosts = ["localhost"]\n')
    feed = Feed()
    with Site({"/feed.xml": feed, "/articles/2": article_page("Deux", "Un texte.")}) as site:
        port = site.server.server_address[1]
        inner = site.url("/articles/2")
        feed.items = [item("j-1", "Le budget adopté", "https://journal.example/1", FULL_1),
                      item("j-2", "Deux", inner),
                      item("j-3", "Trois", "http://169.254.169.254/latest/meta-data/")]
        result = runner.invoke(cli, ["sync", f"http://localhost:{port}/feed.xml", "--voice",
                                     "fr-espeak", "--json"])
        assert site.hits("/articles/2") == []
    assert result.exit_code == 1
    assert sorted(result.stderr.strip().splitlines()) == sorted([
        f"error: http://169.254.169.254/latest/meta-data/: refused: 169.254.169.254 is, a cloud "
        f"metadata address; {HINT}",
        f"error: {inner}: refused: 127.0.0.1 is, a loopback address (this machine); {HINT}",
    ])
    report = json.loads(result.stdout)
    assert [e["title"] for e in report["episodes"]] == ["Le budget adopté"]


def test_an_article_picture_on_a_private_address_is_not_fetched(runner, project, monkeypatch):
    """og:image is a URL from the page too: the same policy applies, and the cover stands in."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    (project / "audioarticles.toml").write_text('[fetch]\nallow_hosts = ["localhost"]\n')
    with Site() as site:
        photo = site.url("/photo.jpg")
        site.routes["/page"] = page(ARTICLE.replace(
            "<title>", f'<meta property="og:image" content="{photo}"><title>'))
        start = f"http://localhost:{site.server.server_address[1]}/page"
        result = runner.invoke(cli, ["convert", start, "--voice", "fr-espeak"])
        assert site.hits("/page") and site.hits("/photo.jpg") == []
    assert result.exit_code == 0, result.stderr
    assert f"warning: {start}: its picture {photo} refused: 127.0.0.1 is, a loopback address " \
           f"(this machine); {HINT}; the podcast's cover is used instead" in result.stderr
