"""Articles from URLs, against a local web site on 127.0.0.1: a real saved page converted with
its canonical URL as identity, redirects followed, and every way a fetch fails (404, PDF,
redirect loop, timeout, too big, nobody listening) as one clear error line each."""

from __future__ import annotations

import json
import socket
import uuid
from pathlib import Path

import pytest
import requests
from conftest import make_runner
from web import Answer, Site, page

from audioarticles.config import load_settings
from audioarticles.store import open_catalog
from audioarticles.cli import cli
from audioarticles.errors import InputError
from audioarticles.fetch import FetchSettings, fetch
from audioarticles.identity import GUID_NAMESPACE

LOCAL = FetchSettings(allow_private=True)  # the test sites listen on 127.0.0.1
FIXTURES = Path(__file__).parent / "fixtures" / "html"
PAGE = (FIXTURES / "sauvonsluniversite.com.spip.html").read_bytes()
CANONICAL = "http://www.sauvonsluniversite.fr/spip.php?article8532"
SHORT = ("<!DOCTYPE html><html lang=fr><head><title>Brève</title></head><body><article>"
         "<h1>Une brève sans adresse canonique</h1><p>Le conseil municipal a voté le budget de "
         "la ville lundi soir, après un long débat.</p><p>Les habitants attendaient cette "
         "décision depuis des mois.</p></article></body></html>")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def routes() -> dict:
    return {
        "/article": Answer(200, PAGE, {"Content-Type": "text/html"}),  # charset from <meta>
        "/old-address": Answer(301, b"", {"Location": "/breve"}),
        "/breve": page(SHORT),
        "/loop": Answer(302, b"", {"Location": "/loop"}),
        "/report.pdf": Answer(200, b"%PDF-1.7\n" + b"0" * 100, {"Content-Type": "application/pdf"}),
        "/disguised": Answer(200, b"%PDF-1.4\n" + b"0" * 100,
                             {"Content-Type": "application/octet-stream"}),
        "/slow": Answer(200, SHORT.encode(), {"Content-Type": "text/html"}, delay_s=3),
        "/huge": Answer(200, b"<html><body>" + b"<p>bla bla bla.</p>" * 3000,
                        {"Content-Type": "text/html"}),
        "/logo.png": Answer(200, b"\x89PNG\r\n\x1a\n", {"Content-Type": "image/png"}),
        "/forbidden": Answer(403, b"no", {"Content-Type": "text/plain"}),
    }


@pytest.fixture(scope="module")
def url_batch(tmp_path_factory):
    """One batch: two good pages among every kind of failing URL."""
    root = tmp_path_factory.mktemp("urls")
    (root / "audioarticles.toml").write_text(
        "[fetch]\ntimeout_s = 0.5\nmax_redirects = 4\nallow_private = true\n[limits]\nmax_input_mb = 0.05\n")
    dead = f"http://127.0.0.1:{free_port()}/gone"
    with pytest.MonkeyPatch.context() as mp, Site(routes()) as site:
        mp.setenv("NO_PROXY", "127.0.0.1,localhost")
        mp.chdir(root)
        names = ["/article", "/old-address", "/nothing-here", "/report.pdf", "/disguised",
                 "/loop", "/slow", "/huge", "/logo.png", "/forbidden"]
        urls = [site.url(n) for n in names] + [dead]
        result = make_runner().invoke(cli, ["convert", *urls, "--voice", "fr-espeak",
                                            "--jobs", "2", "--json"])
        yield {"root": root, "site": site, "result": result, "url": site.url, "dead": dead,
               "report": json.loads(result.stdout)}


def test_each_failing_url_gets_one_error_line_and_the_batch_goes_on(url_batch):
    result, url = url_batch["result"], url_batch["url"]
    assert result.exit_code == 1
    assert sorted(result.stderr.strip().splitlines()) == sorted([
        f"error: {url('/nothing-here')}: not found (HTTP 404); check the address",
        f"error: {url('/report.pdf')}: this is a PDF document, not a web page; save its text "
        "as a .txt file and convert that",
        f"error: {url('/disguised')}: this is a PDF document, not a web page; save its text "
        "as a .txt file and convert that",
        f"error: {url('/loop')}: too many redirects (more than 4; a redirect loop?); open the "
        "address in a browser to check it",
        f"error: {url('/slow')}: no complete answer within 0.5 s (timeout); try again later, "
        "or raise [fetch] timeout_s in audioarticles.toml",
        f"error: {url('/huge')}: is 55.7 KB, above the 51.2 KB limit for one input; "
        "raise [limits] max_input_mb in audioarticles.toml if this really is one article",
        f"error: {url('/logo.png')}: unsupported content type 'image/png'; expected a web page "
        "(text/html) or plain text",
        f"error: {url('/forbidden')}: access refused (HTTP 403 Forbidden); the page may need a "
        "login or block robots; save it from a browser and convert the file",
        f"error: {url_batch['dead']}: could not connect (connection refused); "
        "check the address and the network",
    ])
    assert [e["source"] for e in url_batch["report"]["episodes"]] == [
        url("/article"), url("/old-address")]


def test_a_fetched_page_is_identified_by_its_canonical_url(url_batch):
    episode = url_batch["report"]["episodes"][0]
    assert episode["title"] == "Décisions de l’AG Éducation IDF du mardi 10 septembre"
    assert episode["guid"] == str(uuid.uuid5(GUID_NAMESPACE, f"url:{CANONICAL}"))
    with open_catalog(load_settings(url_batch["root"])) as catalog:
        stored = catalog.get(episode["guid"])
    assert stored.identity == f"url:{CANONICAL}" and stored.url == CANONICAL
    assert stored.source == url_batch["url"]("/article")


def test_redirects_are_followed_and_the_final_address_identifies_the_page(url_batch):
    episode = url_batch["report"]["episodes"][1]
    assert episode["title"] == "Une brève sans adresse canonique"
    final = url_batch["url"]("/breve")
    assert episode["guid"] == str(uuid.uuid5(GUID_NAMESPACE, f"url:{final}"))


def test_requests_carry_a_real_user_agent(url_batch):
    [hit] = url_batch["site"].hits("/article")
    agent = hit.headers["user-agent"]
    assert agent.startswith("audioarticles/") and "python-requests" not in agent
    assert hit.headers["accept-language"].startswith("fr")


def test_fetch_refuses_a_declared_oversize_body_before_reading_it(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with Site({"/big": Answer(200, b"x" * 5000, {"Content-Type": "text/plain"})}) as site:
        with pytest.raises(InputError) as caught:
            fetch(site.url("/big"), FetchSettings(max_bytes=1024, allow_private=True))
    assert caught.value.reason.startswith("is 4.88 KB, above the 1 KB limit for one input")


def test_conditional_get_returns_not_modified(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")

    def feed(request):
        if request.headers.get("if-none-match") == '"v1"':
            return Answer(304)
        return Answer(200, b"<rss/>", {"Content-Type": "application/rss+xml", "ETag": '"v1"'})

    with Site({"/feed": feed}) as site:
        first = fetch(site.url("/feed"), LOCAL)
        second = fetch(site.url("/feed"), LOCAL, headers={"If-None-Match": '"v1"'})
    assert first.status == 200 and first.headers["ETag"] == '"v1"' and not first.not_modified
    assert second.not_modified and second.body == b""


def test_fetch_uses_the_session_it_is_given(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with Site({"/a": page(SHORT)}) as site, requests.Session() as session:
        fetched = fetch(site.url("/a"), LOCAL, session=session)
        assert fetched.media_type == "text/html" and fetched.charset == "utf-8"
        assert session.max_redirects == FetchSettings().max_redirects


@pytest.mark.parametrize("body, content_type", [
    # UTF-8 served as iso-8859-1 (a server default): was "this is a binary file"
    (SHORT.replace("Une brève sans adresse canonique", "L’été « chaud »").encode("utf-8"), "text/html; charset=iso-8859-1"),
    # UTF-16 without a BOM and without a charset
    (SHORT.replace("Une brève sans adresse canonique", "L’été « chaud »").encode("utf-16-le"), "text/html"),
])
def test_a_page_in_a_misdeclared_encoding_is_read(tmp_path, monkeypatch, body, content_type):
    from audioarticles.sources import Reader

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    (tmp_path / "audioarticles.toml").write_text("[fetch]\nallow_private = true\n")
    with Site({"/p": Answer(200, body, {"Content-Type": content_type})}) as site:
        article = Reader(load_settings(tmp_path)).read_url(site.url("/p"))
    assert article.meta.title == "L’été « chaud »"
