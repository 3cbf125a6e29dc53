"""Issue 9's acceptance: the real output of one converted project, read as podcast apps read
it (feedparser, gPodder's podcastparser) and measured as listeners hear it (Debian ffmpeg's
ebur128, dual-mono): loudness, iTunes tags, chapters in the description, feed cap, dates."""

from __future__ import annotations

import email.utils
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import SAMPLE, make_runner, require_tool
from PIL import Image

from audioarticles.cli import cli

BASE = "https://podcast.example.org/gazette/"
CONFIG = f"""[podcast]
title = "La Gazette à écouter"
publication = "La Gazette"
base_url = "{BASE}"
owner_email = "radio@example.org"
category = "News > Daily News"
feed_limit = 2
image = "cover.png"
"""
# dated without a time zone (read in Europe/Paris), with a byline and the article's address
OLDEST = """---
title: Le marché couvert rouvre ses portes
author: Claire Martin
date: 2025-01-06 09:00
url: https://www.lagazette.example/marche-couvert
---
Après huit mois de travaux, le marché couvert rouvre samedi.

Les commerçants reviennent, et les horaires sont élargis le dimanche.
"""
DATED = """---
title: La piscine municipale ferme une semaine
author: Paul Durand
date: 2025-07-15 18:30
url: https://www.lagazette.example/piscine
---
La piscine municipale ferme lundi pour une semaine de vidange.

Elle rouvre samedi, avec un nouveau bassin pour les enfants.
"""
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
STAMP = re.compile(r"^(\d{1,2}:)?\d{2}:\d{2} \S")


def cli_ok(root: Path, *args: str) -> dict:
    result = make_runner().invoke(cli, ["--project", str(root), *args, "--json"])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def compat(tmp_path_factory) -> dict:
    """Three articles converted in three runs (the seed article last, so it is the newest):
    the feed keeps two, the site has three."""
    root = tmp_path_factory.mktemp("compat") / "project"
    (root / "articles").mkdir(parents=True)
    (root / "audioarticles.toml").write_text(CONFIG, encoding="utf-8")
    Image.new("RGB", (2000, 2000), (30, 70, 140)).save(root / "cover.png")
    (root / "articles" / "marche.md").write_text(OLDEST, encoding="utf-8")
    (root / "articles" / "piscine.md").write_text(DATED, encoding="utf-8")
    shutil.copy(SAMPLE, root / "articles" / "ia-sante.txt")
    episodes = {}
    for name in ("marche.md", "piscine.md", "ia-sante.txt"):
        [episode] = cli_ok(root, "convert", str(root / "articles" / name),
                           "--voice", "fr-espeak")["episodes"]
        # JSON paths open from the current directory: keep them absolute for later tests
        episode["mp3_path"] = Path(episode["mp3"]).resolve()
        episode["chapters_path"] = Path(episode["chapters"]).resolve() if episode["chapters"] \
            else None
        episodes[name] = episode
    feed = root / "output" / "feed.xml"
    return {"root": root, "episodes": episodes, "feed": feed, "bytes": feed.read_bytes()}


def items(feed: bytes) -> dict[str, ET.Element]:
    """The feed's items by GUID."""
    channel = ET.fromstring(feed).find("channel")
    return {item.findtext("guid"): item for item in channel.findall("item")}


def ffprobe_duration(path: Path) -> float:
    probe = subprocess.run([require_tool("ffprobe"), "-v", "error", "-show_entries",
                            "format=duration:stream=channels", "-of", "json", str(path)],
                           capture_output=True, text=True, check=True)
    return float(json.loads(probe.stdout)["format"]["duration"])


def test_feedparser_and_podcastparser_read_the_capped_feed(compat):
    import feedparser
    import podcastparser

    ep = compat["episodes"]
    parsed = feedparser.parse(compat["bytes"])
    assert not parsed.bozo, parsed.get("bozo_exception")
    # feed_limit = 2: the newest two, newest first; the oldest stays on the site
    assert [e.id for e in parsed.entries] == [ep["ia-sante.txt"]["guid"], ep["piscine.md"]["guid"]]
    oldest_page = compat["root"] / "output" / "episodes" / f"{ep['marche.md']['slug']}.html"
    assert oldest_page.is_file()
    assert ep["marche.md"]["title"] in (compat["root"] / "output" / "index.html").read_text()

    with open(compat["feed"], "rb") as stream:
        podcast = podcastparser.parse(BASE + "feed.xml", stream)
    assert podcast["type"] == "episodic"
    assert podcast["itunes_author"] == "La Gazette"
    assert [e["guid"] for e in podcast["episodes"]] == [e.id for e in parsed.entries]
    for app_episode in podcast["episodes"]:
        assert app_episode["type"] == "full"
        [enclosure] = app_episode["enclosures"]
        local = compat["root"] / "output" / enclosure["url"].removeprefix(BASE)
        assert enclosure["file_size"] == local.stat().st_size
        assert enclosure["mime_type"] == "audio/mpeg"
        assert abs(app_episode["total_time"] - ffprobe_duration(local)) <= 1


def test_itunes_tags_authors_and_content(compat):
    ep = compat["episodes"]
    channel = ET.fromstring(compat["bytes"]).find("channel")
    assert channel.findtext("language") == "fr"
    assert channel.findtext(f"{ITUNES}type") == "episodic"
    [category] = channel.findall(f"{ITUNES}category")
    assert category.get("text") == "News"
    assert [c.get("text") for c in category.findall(f"{ITUNES}category")] == ["Daily News"]
    feed_items = items(compat["bytes"])
    dated, seed = feed_items[ep["piscine.md"]["guid"]], feed_items[ep["ia-sante.txt"]["guid"]]
    for item in (dated, seed):
        assert item.findtext(f"{ITUNES}episodeType") == "full"
    # the byline, else the publication
    assert dated.findtext(f"{ITUNES}author") == "Paul Durand"
    assert seed.findtext(f"{ITUNES}author") == "La Gazette"
    content = dated.findtext(f"{CONTENT}encoded")
    assert 'href="https://www.lagazette.example/piscine"' in content
    assert "Cet épisode est lu par une voix de synthèse." in content
    assert "Cet épisode est lu par une voix de synthèse." in seed.findtext(f"{CONTENT}encoded")


def test_pubdate_has_the_project_time_zone(compat):
    ep = compat["episodes"]
    feed_items = items(compat["bytes"])
    dated = feed_items[ep["piscine.md"]["guid"]].findtext("pubDate")
    # 18:30 on 15 July without a zone, read in Europe/Paris (summer time)
    assert dated == "Tue, 15 Jul 2025 18:30:00 +0200"
    seed = email.utils.parsedate_to_datetime(feed_items[ep["ia-sante.txt"]["guid"]].findtext("pubDate"))
    assert seed.utcoffset() in (timedelta(hours=1), timedelta(hours=2))


def test_chapters_as_timestamps_in_the_description(compat):
    seed = compat["episodes"]["ia-sante.txt"]
    chapters = json.loads(seed["chapters_path"].read_text(encoding="utf-8"))["chapters"]
    description = items(compat["bytes"])[seed["guid"]].findtext("description")
    stamps = [line for line in description.splitlines() if STAMP.match(line)]
    assert len(stamps) >= 3 and stamps[0].startswith("00:00 ")
    assert len(stamps) == len([c for c in chapters if c.get("toc", True)])

    def seconds(stamp: str) -> int:
        parts = [int(p) for p in stamp.split(" ", 1)[0].split(":")]
        return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))

    for line, chapter in zip(stamps, chapters, strict=False):
        assert seconds(line) == int(chapter["startTime"])
        assert line.split(" ", 1)[1] == chapter["title"]


def test_loudness_as_listeners_hear_it(compat):
    """Integrated −16 LUFS ±1 measured as dual-mono and true peak ≤ −1 dBTP, by Debian's ffmpeg."""
    ffmpeg = require_tool("ffmpeg")
    for name, episode in compat["episodes"].items():
        mp3 = episode["mp3_path"]
        probe = subprocess.run([require_tool("ffprobe"), "-v", "error", "-select_streams", "a:0",
                                "-show_entries", "stream=channels", "-of", "csv=p=0", str(mp3)],
                               capture_output=True, text=True, check=True)
        assert probe.stdout.strip() == "1", name  # mono: dual-mono is how players sound it
        integrated, true_peak = ebur128(ffmpeg, mp3, "peak=true:dualmono=true")
        assert -17.0 <= integrated <= -15.0, (name, integrated)
        assert true_peak <= -1.0, (name, true_peak)
        # the same file read as plain mono is about 3 dB lower: the AES level for mono
        plain, _ = ebur128(ffmpeg, mp3, "peak=true")
        assert -20.0 <= plain <= -18.0, (name, plain)


def ebur128(ffmpeg: str, mp3: Path, options: str) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) from ffmpeg's ebur128 summary."""
    run = subprocess.run([ffmpeg, "-hide_banner", "-nostats", "-i", str(mp3), "-filter_complex",
                          f"ebur128={options}", "-f", "null", "-"],
                         capture_output=True, text=True, check=True)
    summary = run.stderr[run.stderr.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    return integrated, float(peak.group(1)) if peak else float("nan")


def test_cover_art_in_the_feed_and_in_the_mp3(compat):
    from mutagen.id3 import ID3

    channel = ET.fromstring(compat["bytes"]).find("channel")
    href = channel.find(f"{ITUNES}image").get("href")
    cover = compat["root"] / "output" / href.removeprefix(BASE)
    with Image.open(cover) as image:
        assert image.format in ("PNG", "JPEG") and image.size[0] == image.size[1]
        assert 1400 <= image.size[0] <= 3000
    [apic] = ID3(compat["episodes"]["ia-sante.txt"]["mp3_path"]).getall("APIC")
    assert apic.mime == "image/jpeg"
    with Image.open(io.BytesIO(apic.data)) as embedded:
        assert embedded.format == "JPEG" and 500 <= max(embedded.size) <= 700  # ≈ 600 px
    assert len(apic.data) < cover.stat().st_size


def test_rebuilds_corrections_a_moved_feed_and_a_bad_category(compat, tmp_path):
    import podcastparser

    root = tmp_path / "copy"  # a copy: the other tests read the module's project as converted
    shutil.copytree(compat["root"], root)
    feed = root / "output" / "feed.xml"
    cli_ok(root, "build")
    assert feed.read_bytes() == compat["bytes"]  # lastBuildDate from the catalog, not the clock
    before = items(compat["bytes"])
    # a correction re-voices an article: its pubDate stays, its audio gets a new address
    path = root / "articles" / "piscine.md"
    path.write_text(DATED.replace("rouvre samedi", "rouvre dimanche"), encoding="utf-8")
    [again] = cli_ok(root, "convert", str(path), "--voice", "fr-espeak")["episodes"]
    item = items(feed.read_bytes())[again["guid"]]
    assert item.findtext("pubDate") == before[again["guid"]].findtext("pubDate")
    old_url = before[again["guid"]].find("enclosure").get("url")
    assert item.find("enclosure").get("url") != old_url
    # the previous MP3 stays reachable for [publish] keep_old_audio_days (apps holding the old
    # feed still download it); the feed points at the newest
    assert (root / "output" / old_url.removeprefix(BASE)).is_file()
    assert (root / "output" / item.find("enclosure").get("url").removeprefix(BASE)).is_file()

    # the feed moves: podcast:guid was stored, not recomputed from the new address
    config = root / "audioarticles.toml"
    config.write_text(CONFIG.replace(BASE, "https://audio.lagazette.example/") +
                      'new_feed_url = "https://audio.lagazette.example/feed.xml"\n',
                      encoding="utf-8")
    cli_ok(root, "build")
    with open(feed, "rb") as stream:
        assert podcastparser.parse(BASE + "feed.xml", stream)["new_url"] == \
            "https://audio.lagazette.example/feed.xml"
    moved = ET.fromstring(feed.read_bytes()).find("channel")
    assert moved.find(f"{PODCAST}guid").text == \
        ET.fromstring(compat["bytes"]).find("channel").find(f"{PODCAST}guid").text
    assert moved.find("item/enclosure").get("url").startswith("https://audio.lagazette.example/")

    # a category outside Apple's list is refused with the valid values
    config.write_text(CONFIG.replace('"News > Daily News"', '"Nouvelles"'), encoding="utf-8")
    result = make_runner().invoke(cli, ["--project", str(root), "build"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: audioarticles.toml: [podcast] category = \"Nouvelles\": 'Nouvelles' is not an "
        "Apple Podcasts category; valid values: Arts, Business, Comedy, Education, ")
    assert "News, " in result.stderr
