"""`audioarticles doctor` against real local hosts on 127.0.0.1: one configured right, and one
for each usual mistake (MIME types, byte ranges, CORS, Content-Length, a missing file, small
cover art). The feed, MP3s, transcripts, chapters and covers are real files built here."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from hosting import HostConfig, StaticHost
from PIL import Image

from audioarticles import doctor
from audioarticles.cli import cli

EPISODES = [
    # (slug, title, seconds of audio)
    ("premier-0a1b2c3d4e", "Premier épisode : l'IA à l'hôpital", 2.0),
    ("second-5f6a7b8c9d", "Second épisode & la santé numérique", 3.0),
]
VTT = ("WEBVTT\n\n00:00:00.000 --> 00:00:01.200\nL'IA arrive à l'hôpital.\n\n"
       "00:00:01.200 --> 00:00:02.000\n7 800 patients suivis.\n")
SRT = ("1\n00:00:00,000 --> 00:00:01,200\nL'IA arrive à l'hôpital.\n\n"
       "2\n00:00:01,200 --> 00:00:02,000\n7 800 patients suivis.\n")
CHAPTERS = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Titre"},
                                             {"startTime": 1.2, "title": "Les patients"}]}


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def site_files(tmp_path_factory) -> Path:
    """The published files, made once: real MP3s from the bundled ffmpeg, text files, covers."""
    import imageio_ffmpeg

    root = tmp_path_factory.mktemp("site")
    (root / "episodes").mkdir()
    for slug, _title, seconds in EPISODES:
        subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
             "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
             "-ac", "1", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "64k",
             str(root / "episodes" / f"{slug}.mp3")], check=True)
        (root / "episodes" / f"{slug}.vtt").write_text(VTT, encoding="utf-8")
        (root / "episodes" / f"{slug}.srt").write_text(SRT, encoding="utf-8")
        (root / "episodes" / f"{slug}.chapters.json").write_text(
            json.dumps(CHAPTERS, ensure_ascii=False), encoding="utf-8")
    Image.new("RGB", (1400, 1400), (20, 60, 120)).save(root / "cover.png")
    Image.new("RGB", (600, 600), (20, 60, 120)).save(root / "small.jpg", quality=85)
    return root


def feed_xml(base: str, root: Path, cover: str = "cover.png",
             lengths: dict[str, int] | None = None) -> str:
    items = []
    for slug, title, _seconds in EPISODES:
        length = (lengths or {}).get(slug, (root / "episodes" / f"{slug}.mp3").stat().st_size)
        items.append(f"""
    <item>
      <title>{title.replace("&", "&amp;")}</title>
      <guid isPermaLink="false">urn:test:{slug}</guid>
      <pubDate>Mon, 06 Jan 2025 09:00:00 +0100</pubDate>
      <enclosure url="{base}episodes/{slug}.mp3" length="{length}" type="audio/mpeg"/>
      <itunes:duration>3</itunes:duration>
      <podcast:transcript url="{base}episodes/{slug}.vtt" type="text/vtt" language="fr"/>
      <podcast:transcript url="{base}episodes/{slug}.srt" type="application/x-subrip" language="fr"/>
      <podcast:chapters url="{base}episodes/{slug}.chapters.json" type="application/json+chapters"/>
    </item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
  <channel>
    <title>Articles à écouter</title>
    <link>{base}</link>
    <description>Les articles de la rédaction, lus à voix haute.</description>
    <language>fr</language>
    <itunes:image href="{base}{cover}"/>
    <itunes:category text="News"/>{"".join(items)}
  </channel>
</rss>
"""


@pytest.fixture
def make_host(site_files, tmp_path):
    """make_host(config, cover=..., lengths=...) -> a running StaticHost with its own feed."""
    hosts: list[StaticHost] = []

    def make(config: HostConfig | None = None, **feed_options) -> StaticHost:
        root = tmp_path / f"host{len(hosts)}"
        shutil.copytree(site_files, root)
        host = StaticHost(root, config).__enter__()
        hosts.append(host)
        (root / "feed.xml").write_text(feed_xml(host.base, root, **feed_options), encoding="utf-8")
        return host

    yield make
    for host in hosts:
        host.__exit__(None, None, None)


def run_doctor(runner, url: str) -> tuple[int, dict]:
    result = runner.invoke(cli, ["doctor", url, "--json", "--timeout", "5"])
    return result.exit_code, json.loads(result.stdout)


def by_check(report: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["check"], []).append(finding)
    return found


def slug_url(host: StaticHost, index: int, suffix: str) -> str:
    return f"{host.base}episodes/{EPISODES[index][0]}{suffix}"


def test_correctly_configured_host_passes(runner, make_host):
    host = make_host()
    code, report = run_doctor(runner, host.base + "feed.xml")
    assert code == 0, report
    assert report["ok"] is True and report["errors"] == 0 and report["warnings"] == 0
    assert report["checked"] == {"episodes": 2, "enclosures": 2, "transcripts": 4,
                                 "chapters": 2, "artwork": 1}
    # the only note: plain HTTP is fine on a loopback test host, and said so clearly
    assert [(f["severity"], f["check"]) for f in report["findings"]] == [("info", "https")]
    assert "loopback" in report["findings"][0]["message"]
    # doctor really asked for byte ranges (first bytes and last byte of each MP3)
    mp3 = f"/episodes/{EPISODES[0][0]}.mp3"
    size = (host.root / mp3.lstrip("/")).stat().st_size
    assert ("GET", mp3, "bytes=0-9") in host.requests
    assert ("GET", mp3, f"bytes={size - 1}-{size - 1}") in host.requests
    assert ("HEAD", mp3, "") in host.requests


def test_the_test_feed_is_one_podcast_apps_read(make_host):
    """The hand-built feed the doctor tests use is itself valid for real podcast parsers."""
    import urllib.request

    import feedparser
    import podcastparser

    host = make_host()
    url = host.base + "feed.xml"
    parsed = feedparser.parse(urllib.request.urlopen(url, timeout=5).read())
    assert not parsed.bozo and len(parsed.entries) == 2
    with urllib.request.urlopen(url, timeout=5) as stream:
        podcast = podcastparser.parse(url, stream)
    sizes = [e["enclosures"][0]["file_size"] for e in podcast["episodes"]]
    assert sizes == [(host.root / "episodes" / f"{s}.mp3").stat().st_size for s, _, _ in EPISODES]


def test_wrong_mime_types_are_errors_with_host_fixes(runner, make_host):
    wrong = HostConfig()
    wrong.types.update({".mp3": "application/octet-stream", ".vtt": "text/plain",
                        ".json": "text/plain", ".png": "application/octet-stream"})
    host = make_host(wrong)
    code, report = run_doctor(runner, host.base + "feed.xml")
    assert code == 1
    found = by_check(report)
    assert {f["url"] for f in found["audio-mime"]} == {slug_url(host, 0, ".mp3"),
                                                       slug_url(host, 1, ".mp3")}
    audio = found["audio-mime"][0]
    assert audio["severity"] == "error"
    assert "served as application/octet-stream, not audio/mpeg" in audio["message"]
    assert audio["fix_by_host"]["apache"] == "`AddType audio/mpeg .mp3` (mod_mime)"
    assert set(audio["fix_by_host"]) == {"nginx", "apache", "s3", "netlify"}
    vtt = found["vtt-mime"]
    assert len(vtt) == 2 and all(f["severity"] == "error" for f in vtt)
    assert "WebVTT served as text/plain, not text/vtt; charset=utf-8" in vtt[0]["message"]
    assert "text/vtt" in vtt[0]["fix_by_host"]["nginx"]
    chapters = found["chapters-mime"]
    assert len(chapters) == 2 and all(f["severity"] == "warning" for f in chapters)
    assert found["artwork-type"][0]["severity"] == "error"
    assert "a PNG image served as application/octet-stream" in found["artwork-type"][0]["message"]
    assert "srt-mime" not in found and "range" not in found and "cors" not in found


def test_findings_read_as_text_grouped_with_the_fix_once(runner, make_host):
    wrong = HostConfig()
    wrong.types[".mp3"] = "application/octet-stream"
    host = make_host(wrong)
    result = runner.invoke(cli, ["doctor", host.base + "feed.xml"])
    assert result.exit_code == 1
    block = result.stdout.split("error: [audio-mime]\n", 1)[1].split("\n\n")[0].splitlines()
    assert block == [
        f"  {slug_url(host, 0, '.mp3')}",
        f"    {EPISODES[0][1]}: served as application/octet-stream, not audio/mpeg",
        f"  {slug_url(host, 1, '.mp3')}",
        f"    {EPISODES[1][1]}: served as application/octet-stream, not audio/mpeg",
        "  fix: Serve MP3 files as `audio/mpeg`.",
        ("    nginx: keep `include mime.types;` in the http block (it maps mp3 to audio/mpeg); "
        "a `types {}` block in a location replaces that list"),
        "    Apache: `AddType audio/mpeg .mp3` (mod_mime)",
        ("    S3: re-upload with `--content-type audio/mpeg` (or fix the object's Content-Type "
        "metadata)"),
        "    Netlify: a `_headers` block matching the .mp3 files with `Content-Type: audio/mpeg`",
    ]
    # errors come before the loopback note
    assert result.stdout.index("error: [audio-mime]") < result.stdout.index("info: [https]")
    assert result.stdout.rstrip().endswith(
        "2 error(s), 0 warning(s): listeners will have problems until the errors are fixed "
        "on the host")


def test_host_without_range_support(runner, make_host):
    host = make_host(HostConfig(ranges=False))
    code, report = run_doctor(runner, host.base + "feed.xml")
    assert code == 1
    ranges = by_check(report)["range"]
    assert {f["url"] for f in ranges} == {slug_url(host, 0, ".mp3"), slug_url(host, 1, ".mp3")}
    assert all("answered 200 with the whole file to `Range: bytes=0-9` instead of 206 "
               "Partial Content" in f["message"] for f in ranges)
    assert "proxy_force_ranges on;" in ranges[0]["fix_by_host"]["nginx"]
    # everything else about the files is right
    assert {f["check"] for f in report["findings"]} == {"https", "range"}


def test_missing_cors_is_a_warning_for_web_players(runner, make_host):
    host = make_host(HostConfig(cors=False))
    code, report = run_doctor(runner, host.base + "feed.xml")
    assert code == 0  # apps still work; web players on other sites do not get the text
    cors = by_check(report)["cors"]
    assert {f["url"] for f in cors} == {
        slug_url(host, i, suffix) for i in (0, 1) for suffix in (".vtt", ".srt", ".chapters.json")}
    assert all(f["severity"] == "warning" for f in cors)
    assert "no Access-Control-Allow-Origin header" in cors[0]["message"]
    assert "Access-Control-Allow-Origin" in cors[0]["fix_by_host"]["apache"]
    assert report["warnings"] == 6 and report["errors"] == 0


def test_wrong_content_length(runner, make_host):
    host = make_host(HostConfig(content_length_error=1000))
    code, report = run_doctor(runner, host.base + "feed.xml")
    assert code == 1
    found = by_check(report)
    size = (host.root / "episodes" / f"{EPISODES[0][0]}.mp3").stat().st_size
    first = [f for f in found["content-length"] if f["url"] == slug_url(host, 0, ".mp3")]
    assert [f["message"] for f in first] == [
        (f"{EPISODES[0][1]}: HEAD says Content-Length: {size + 1000} but the file has {size} "
        f"bytes")]
    assert first[0]["severity"] == "error"


def test_wrong_content_length_without_ranges(runner, make_host):
    """Without byte ranges the doctor still finds the true size from the bytes that came."""
    host = make_host(HostConfig(ranges=False, content_length_error=1000))
    code, report = run_doctor(runner, host.base + "feed.xml")
    assert code == 1
    size = (host.root / "episodes" / f"{EPISODES[0][0]}.mp3").stat().st_size
    first = [(f["check"], f["message"]) for f in report["findings"]
             if f["url"] == slug_url(host, 0, ".mp3")]
    assert first == [
        ("range", (f"{EPISODES[0][1]}: answered 200 with the whole file to `Range: bytes=0-9` "
                  "instead of 206 Partial Content: listeners cannot seek")),
        ("content-length", (f"{EPISODES[0][1]}: HEAD says Content-Length: {size + 1000} but the "
                           f"file has {size} bytes")),
    ]


def test_feed_length_that_disagrees_with_the_file(runner, make_host, site_files):
    slug = EPISODES[1][0]
    size = (site_files / "episodes" / f"{slug}.mp3").stat().st_size
    host = make_host(lengths={slug: size + 7})
    code, report = run_doctor(runner, host.base + "feed.xml")
    assert code == 1
    assert [(f["url"], f["message"]) for f in by_check(report)["feed-length"]] == [
        (slug_url(host, 1, ".mp3"),
         f"{EPISODES[1][1]}: the feed says length=\"{size + 7}\" but the host serves {size} bytes")]


def test_missing_enclosure_names_the_episode(runner, make_host):
    host = make_host(HostConfig(missing={f"/episodes/{EPISODES[1][0]}.mp3"}))
    code, report = run_doctor(runner, host.base + "feed.xml")
    assert code == 1
    missing = by_check(report)["missing-file"]
    assert [(f["severity"], f["url"], f["message"]) for f in missing] == [
        ("error", slug_url(host, 1, ".mp3"), f"{EPISODES[1][1]}: audio answered 404 Not Found to HEAD")]
    assert {f["check"] for f in report["findings"]} == {"https", "missing-file"}


def test_too_small_cover_art(runner, make_host):
    host = make_host(cover="small.jpg")
    code, report = run_doctor(runner, host.base + "feed.xml")
    assert code == 1
    assert [(f["severity"], f["url"], f["message"]) for f in by_check(report)["artwork-size"]] == [
        ("error", host.base + "small.jpg",
         "the channel: 600×600 px: cover art must be 1400 to 3000 px on a side")]


def test_feed_without_cover_art_and_not_a_feed(runner, make_host):
    host = make_host()
    feed = host.root / "feed.xml"
    feed.write_text(feed.read_text().replace(f'<itunes:image href="{host.base}cover.png"/>', ""))
    code, report = run_doctor(runner, host.base + "feed.xml")
    assert code == 1
    assert by_check(report)["artwork-missing"][0]["message"] == "the channel has no <itunes:image>"

    (host.root / "page.html").write_text("<html><body><h1>Bienvenue</h1></body></html>")
    code, report = run_doctor(runner, host.base + "page.html")
    assert code == 1
    assert [f["check"] for f in report["findings"]] == ["https", "feed-content-type", "feed-parse"]
    assert report["findings"][1]["message"] == "the feed is served as text/html"


def test_unreachable_feed(runner):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, report = run_doctor(runner, f"http://127.0.0.1:{port}/feed.xml")
    assert code == 1
    assert report["findings"][0]["check"] == "feed-unreachable"
    assert report["findings"][0]["message"].startswith("the feed is unreachable (")


def test_not_an_http_address_is_a_usage_error(runner):
    result = runner.invoke(cli, ["doctor", "output/feed.xml"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: output/feed.xml: not an http(s) address; give the feed's public URL, "
        "e.g. https://example.org/feed.xml")


def test_plain_http_is_an_error_off_loopback():
    report = doctor.DoctorReport("http://podcast.example.org/feed.xml")
    doctor._check_https(report, report.feed_url, report.feed_url)
    assert [(f.severity, f.check) for f in report.findings] == [("error", "https")]
    assert report.findings[0].message.startswith("the feed is served over plain HTTP")
    assert "certbot" in report.findings[0].fix_by_host["nginx"]

    redirected = doctor.DoctorReport("http://podcast.example.org/feed.xml")
    doctor._check_https(redirected, redirected.feed_url, "https://podcast.example.org/feed.xml")
    assert [(f.severity, f.check) for f in redirected.findings] == [("warning", "https")]

    for loopback in ("http://127.0.0.1:8000/feed.xml", "http://localhost/feed.xml",
                     "http://[::1]/feed.xml"):
        local = doctor.DoctorReport(loopback)
        doctor._check_https(local, loopback, loopback)
        assert [(f.severity, f.check) for f in local.findings] == [("info", "https")]


def test_placeholder_instead_of_audio_and_max_episodes(runner, make_host):
    host = make_host()
    mp3 = host.root / "episodes" / f"{EPISODES[0][0]}.mp3"
    placeholder = b"<html><body>Bient\xc3\xb4t disponible</body></html>"
    mp3.write_bytes(placeholder)
    (host.root / "feed.xml").write_text(feed_xml(host.base, host.root), encoding="utf-8")
    result = runner.invoke(cli, ["doctor", host.base + "feed.xml", "--json",
                                 "--max-episodes", "1"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["checked"] == {"episodes": 1, "enclosures": 1, "transcripts": 2,
                                 "chapters": 1, "artwork": 1}
    assert [(f["check"], f["message"]) for f in report["findings"] if f["severity"] == "error"] == [
        ("not-audio", (f"{EPISODES[0][1]}: the file does not start like an MP3 "
                      "(starts with '<html><bod')"))]


def test_non_square_cmyk_cover(runner, make_host):
    host = make_host(cover="cmyk.jpg")
    Image.new("CMYK", (1600, 1400), (0, 50, 100, 0)).save(host.root / "cmyk.jpg")
    code, report = run_doctor(runner, host.base + "feed.xml")
    assert code == 1
    assert [(f["check"], f["message"]) for f in report["findings"] if f["severity"] == "error"] == [
        ("artwork-size", "the channel: 1600×1400 px: cover art must be square"),
        ("artwork-colour", "the channel: saved in CMYK"),
    ]


def test_doctor_passes_audioarticles_serve_of_a_converted_project(tmp_path, runner):
    """The real thing: articles converted with the offline voice, the feed and files served by
    `audioarticles serve` (a subprocess), checked by doctor as an app would fetch them."""
    import os
    import signal
    import sys
    import xml.etree.ElementTree as ET

    from publish_helpers import SECOND_ARTICLE, SHORT_ARTICLE, free_port, make_project

    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    root = tmp_path / "project"
    make_project(root, base, {"budget.txt": SHORT_ARTICLE, "media.txt": SECOND_ARTICLE})
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    server = subprocess.Popen([sys.executable, "-m", "audioarticles", "--project", str(root),
                               "serve"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, env=env)
    try:
        assert base in server.stdout.readline()
        code, report = run_doctor(runner, base + "feed.xml")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)
    assert code == 0, report
    assert [(f["severity"], f["check"]) for f in report["findings"]] == [("info", "https")]
    channel = ET.parse(root / "output" / "feed.xml").getroot().find("channel")
    namespace = "{https://podcastindex.org/namespace/1.0}"
    # every episode carries its VTT, JSON and SRT transcripts and its JSON chapters
    assert len(channel.findall(f"item/{namespace}transcript")) == 6
    assert len(channel.findall(f"item/{namespace}chapters")) == 2
    assert report["checked"] == {"episodes": 2, "enclosures": 2, "transcripts": 6,
                                 "chapters": 2, "artwork": 1}
