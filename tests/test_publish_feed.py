"""The feed as podcast apps read it: feedparser and gPodder's podcastparser on real episodes
converted with the offline voice, checked against the files and ffprobe."""

from __future__ import annotations

import io
import json
import re
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import podcastparser
import pytest
from conftest import require_tool
from lxml import etree
from PIL import Image
from publish_helpers import (
    SECOND_ARTICLE,
    SHORT_ARTICLE,
    abspath,
    add_companions,
    build,
    convert,
    make_project,
    write_config,
)

from audioarticles.cli import cli
from audioarticles.dates import parse_date, publication_date
from audioarticles.publish.feed import podcast_guid
from audioarticles.dates import chapter_clock as clock
from audioarticles.chapters import Chapter
from audioarticles.publish.timing import description_chapters

BASE = "http://127.0.0.1:8000/podcast/"
NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
      "podcast": "https://podcastindex.org/namespace/1.0",
      "atom": "http://www.w3.org/2005/Atom",
      "content": "http://purl.org/rss/1.0/modules/content/"}
CHAPTERS = [(0.0, "Ouverture"), (2.0, "Les débats"), (4.0, "Le vote")]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict:
    """Two short episodes (the second converted last, so newest); the first carries a
    transcript and three chapters."""
    root = tmp_path_factory.mktemp("feed") / "project"
    episodes = make_project(root, BASE, {"budget.txt": SHORT_ARTICLE,
                                         "mediatheque.txt": SECOND_ARTICLE})
    first = episodes["budget.txt"]
    add_companions(root, first["slug"], cues=[(0.0, 2.0, "Le conseil municipal a adopté le budget."),
                                              (2.0, 4.0, "Les débats ont duré trois heures.")],
                   chapters=CHAPTERS)
    build(root)
    return {"root": root, "output": root / "output", "episodes": episodes,
            "xml": (root / "output" / "feed.xml").read_bytes()}


def ffprobe_duration(path: Path) -> float:
    ffprobe = require_tool("ffprobe")
    out = subprocess.run([ffprobe, "-v", "error", "-show_entries", "format=duration", "-of",
                          "json", str(path)], capture_output=True, text=True, check=True).stdout
    return float(json.loads(out)["format"]["duration"])


def mp3_for(site: dict, url: str) -> Path:
    assert url.startswith(BASE), url
    return site["output"] / url[len(BASE):]


def test_feedparser_reads_every_episode_with_exact_sizes_and_durations(site):
    parsed = feedparser.parse(site["xml"])
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "La Gazette à écouter"
    assert parsed.feed.language == "fr"
    assert parsed.feed.podcast_guid == podcast_guid(BASE + "feed.xml")
    expected = [site["episodes"]["mediatheque.txt"], site["episodes"]["budget.txt"]]  # newest first
    assert [e.id for e in parsed.entries] == [e["guid"] for e in expected]
    for entry, episode in zip(parsed.entries, expected):
        assert entry.guidislink is False
        assert entry.title == episode["title"]
        [enclosure] = entry.enclosures
        assert enclosure.type == "audio/mpeg"
        mp3 = mp3_for(site, enclosure.href)
        assert int(enclosure.length) == mp3.stat().st_size
        assert abs(int(entry.itunes_duration) - ffprobe_duration(mp3)) <= 1
        assert entry.itunes_episodetype == "full"
        assert entry.author == "La Gazette"  # no byline in a .txt article: the publication
        # a real zone: Paris is +0100 in winter, +0200 in summer
        assert entry.published[-5:] in ("+0100", "+0200")
        assert "Cet épisode est lu par une voix de synthèse." in entry.content[0].value


def test_podcastparser_reads_every_episode_like_gpodder(site):
    parsed = podcastparser.parse(BASE + "feed.xml", io.BytesIO(site["xml"]))
    assert parsed["title"] == "La Gazette à écouter"
    assert parsed["type"] == "episodic" and parsed["explicit"] is False
    assert parsed["itunes_categories"] == [["News"]]
    assert parsed["cover_url"].startswith(BASE + "artwork/podcast-")
    episodes = parsed["episodes"]
    assert [e["guid"] for e in episodes] == [site["episodes"]["mediatheque.txt"]["guid"],
                                             site["episodes"]["budget.txt"]["guid"]]
    for episode in episodes:
        [enclosure] = episode["enclosures"]
        mp3 = mp3_for(site, enclosure["url"])
        assert enclosure["file_size"] == mp3.stat().st_size
        assert enclosure["mime_type"] == "audio/mpeg"
        assert abs(episode["total_time"] - ffprobe_duration(mp3)) <= 1
        assert episode["type"] == "full"
        assert episode["itunes_author"] == "La Gazette"
    # the chapters written as timestamps in the description, as Spotify reads them
    budget = episodes[1]
    assert "Chapitres :\n00:00 Ouverture\n00:02 Les débats\n00:04 Le vote" in budget["description"]


def test_channel_and_item_tags(site):
    root = etree.fromstring(site["xml"])
    channel = root.find("channel")
    assert channel.findtext("itunes:type", namespaces=NS) == "episodic"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.findtext("itunes:author", namespaces=NS) == "La Gazette"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "radio@example.org"
    assert channel.find("itunes:category", NS).get("text") == "News"
    assert channel.find("atom:link", NS).attrib == {"href": BASE + "feed.xml", "rel": "self",
                                                   "type": "application/rss+xml"}
    assert channel.findtext("podcast:guid", namespaces=NS) == str(
        uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "127.0.0.1:8000/podcast/feed.xml"))
    locked = channel.find("podcast:locked", NS)
    assert locked.text == "yes" and locked.get("owner") == "radio@example.org"
    assert channel.find("itunes:new-feed-url", NS) is None
    # lastBuildDate comes from the catalog (the latest episode change), not the clock
    with_catalog = max(parse_date(e["updated"], ZoneInfo("UTC")) for e in catalog_rows(site["root"]))
    assert parse_date(channel.findtext("lastBuildDate"), ZoneInfo("UTC")) == with_catalog

    image_url = channel.find("itunes:image", NS).get("href")
    with Image.open(site["output"] / image_url[len(BASE):]) as cover:
        assert cover.format in ("PNG", "JPEG")
        assert cover.width == cover.height and 1400 <= cover.width <= 3000

    newest, budget = channel.findall("item")
    # the audio stage wrote the newest one's transcripts and chapters beside its MP3
    newest_slug = site["episodes"]["mediatheque.txt"]["slug"]
    newest_vtt = newest.find("podcast:transcript", NS).get("url")
    assert re.fullmatch(rf"{re.escape(BASE)}episodes/{newest_slug}-[0-9a-f]{{10}}\.vtt", newest_vtt)
    assert newest.find("podcast:chapters", NS).get("url") == newest_vtt.removesuffix(".vtt") + ".chapters.json"
    slug = site["episodes"]["budget.txt"]["slug"]
    vtt, srt = budget.findall("podcast:transcript", NS)
    assert vtt.attrib == {"url": f"{BASE}episodes/{slug}.vtt", "type": "text/vtt",
                          "language": "fr", "rel": "captions"}
    assert srt.attrib == {"url": f"{BASE}episodes/{slug}.srt", "type": "application/x-subrip",
                          "language": "fr"}
    assert budget.find("podcast:chapters", NS).attrib == {
        "url": f"{BASE}episodes/{slug}.chapters.json", "type": "application/json+chapters"}
    content = budget.findtext("content:encoded", namespaces=NS)
    assert "00:00 Ouverture<br>00:02 Les débats" in content
    assert "Cet épisode est lu par une voix de synthèse." in content


def catalog_rows(root: Path) -> list[dict]:
    import sqlite3

    with sqlite3.connect(root / ".audioarticles" / "catalog.sqlite") as db:
        return [{"updated": r[0]} for r in db.execute("SELECT updated_at FROM episodes")]


def test_feed_limit_caps_the_feed_but_not_the_site(site):
    root = site["root"]
    config = (root / "audioarticles.toml").read_text(encoding="utf-8")
    try:
        (root / "audioarticles.toml").write_text(config + "feed_limit = 1\n", encoding="utf-8")
        report = build(root)
        assert (report["episodes"], report["in_feed"]) == (2, 1)
        parsed = feedparser.parse(site["output"] / "feed.xml")
        assert [e.id for e in parsed.entries] == [site["episodes"]["mediatheque.txt"]["guid"]]
        index = (site["output"] / "index.html").read_text(encoding="utf-8")
        for episode in site["episodes"].values():
            assert f'episodes/{episode["slug"]}.html' in index
    finally:
        (root / "audioarticles.toml").write_text(config, encoding="utf-8")
        build(root)


def test_guids_dates_and_podcast_guid_hold_across_rebuilds_edits_and_moves(runner, tmp_path):
    root = tmp_path / "project"
    first = make_project(root, BASE, {"budget.txt": SHORT_ARTICLE})["budget.txt"]
    feed = root / "output" / "feed.xml"
    before = feed.read_bytes()
    build(root)
    assert feed.read_bytes() == before  # a rebuild with nothing new changes nothing

    # the article is corrected: same GUID and pubDate, new audio file
    article = root / "articles" / "budget.txt"
    article.write_text(SHORT_ARTICLE.replace("trois heures", "quatre heures"), encoding="utf-8")
    second = convert(root, article)
    assert second["guid"] == first["guid"] and second["mp3"] != first["mp3"]
    old, new = (feedparser.parse(xml).entries[0] for xml in (before, feed.read_bytes()))
    assert new.id == old.id and new.published == old.published
    assert new.enclosures[0].href != old.enclosures[0].href

    # the project moves to another zone and another host: published dates and
    # podcast:guid stay, the self link follows base_url
    write_config(root, "https://audio.example.org/", 'timezone = "America/Montreal"')
    build(root)
    moved = feedparser.parse(feed.read_bytes())
    assert moved.entries[0].published == old.published
    assert moved.feed.podcast_guid == podcast_guid(BASE + "feed.xml")
    assert moved.entries[0].enclosures[0].href.startswith("https://audio.example.org/episodes/")
    assert etree.fromstring(feed.read_bytes()).find("channel/atom:link", NS).get("href") == \
        "https://audio.example.org/feed.xml"


def test_new_feed_url_and_subcategory(tmp_path):
    root = tmp_path / "project"
    make_project(root, BASE, {"budget.txt": SHORT_ARTICLE},
                 extra='new_feed_url = "https://audio.example.org/feed.xml"\n'
                       'category = ["News > Daily News", "Society & Culture"]\nexplicit = true')
    channel = etree.parse(str(root / "output" / "feed.xml")).getroot().find("channel")
    assert channel.findtext("itunes:new-feed-url", namespaces=NS) == "https://audio.example.org/feed.xml"
    news, society = channel.findall("itunes:category", NS)
    assert news.get("text") == "News" and news.find("itunes:category", NS).get("text") == "Daily News"
    assert society.get("text") == "Society & Culture"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "true"


BAD_SETTINGS = [
    ('category = "Actualités"',
     ("error: audioarticles.toml: [podcast] category = \"Actualités\": 'Actualités' is not an "
     "Apple Podcasts category; valid values: Arts, Business, Comedy, Education, Fiction, Government, History, "
     "Health & Fitness, Kids & Family, Leisure, Music, News, Religion & Spirituality, Science, "
     "Society & Culture, Sports, Technology, True Crime, TV & Film")),
    ('category = "News > Sport"',
     ("error: audioarticles.toml: [podcast] category = \"News > Sport\": 'Sport' is not a "
     "subcategory of 'News' in Apple Podcasts; did you mean 'Sports News'?")),
    ('language = "français"',
     ('error: audioarticles.toml: [podcast] language = "français": not an ISO 639 language '
      'code; use e.g. "fr", "fr-CA" or "en"')),
    ('timezone = "Paris"',
     ('error: audioarticles.toml: [podcast] timezone = "Paris": not a known time zone; '
      'use an IANA name such as "Europe/Paris" or "America/Montreal"')),
    ("feed_limit = 0",
     ("error: audioarticles.toml: [podcast] feed_limit = 0: expected a whole number from 1 to "
      "100000")),
    ('image = "cover.png"',
     ("error: audioarticles.toml: [podcast] image = \"cover.png\": is 600×600 px; Apple Podcasts "
      "needs a square image of 1400 to 3000 px on a side")),
    ('category = "News > Dailly News"',
     ("error: audioarticles.toml: [podcast] category = \"News > Dailly News\": 'Dailly News' is "
      "not a subcategory of 'News' in Apple Podcasts; did you mean 'Daily News'?")),
]


@pytest.mark.parametrize(("setting", "message"), BAD_SETTINGS)
def test_bad_podcast_settings_stop_before_any_work(runner, project, setting, message):
    write_config(project, BASE, setting)
    Image.new("RGB", (600, 600), "white").save(project / "cover.png")
    (project / "a.txt").write_text(SHORT_ARTICLE, encoding="utf-8")
    result = runner.invoke(cli, ["convert", "a.txt", "--voice", "fr-espeak"])
    assert result.exit_code == 2
    assert result.stderr.strip() == message
    assert not (project / "output").exists()


def test_configured_cover_is_checked_and_renamed_when_it_changes(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    Image.new("RGB", (1400, 1400), (200, 30, 30)).save(root / "cover.jpg", quality=90)
    make_project(root, BASE, {"budget.txt": SHORT_ARTICLE}, extra='image = "cover.jpg"')
    output = root / "output"

    def cover_name() -> str:
        href = etree.parse(str(output / "feed.xml")).getroot().find(
            "channel/itunes:image", NS).get("href")
        return href[len(BASE):]

    first = cover_name()
    assert first.startswith("artwork/podcast-") and first.endswith(".jpg")
    assert (output / first).read_bytes() == (root / "cover.jpg").read_bytes()
    Image.new("RGB", (1600, 1600), (30, 30, 200)).save(root / "cover.jpg", quality=90)
    build(root)
    second = cover_name()
    assert second != first and (output / second).is_file()
    assert not (output / first).exists()


# small pure functions

@pytest.mark.parametrize(("source", "expected"), [
    ("2024-01-15", "2024-01-15T00:00:00+01:00"),  # a date alone: midnight in Paris
    ("2024-07-15T10:30:00", "2024-07-15T10:30:00+02:00"),  # no zone: read in Paris (summer)
    ("2024-07-15T08:30:00Z", "2024-07-15T08:30:00+00:00"),  # a zone given is kept
    ("Mon, 15 Jan 2024 09:00:00 +0100", "2024-01-15T09:00:00+01:00"),  # RFC 2822 from a feed
])
def test_publication_date_reads_source_dates_in_the_project_zone(source, expected):
    assert publication_date(source, ZoneInfo("Europe/Paris")) == expected


def test_publication_date_without_a_source_date_is_now_in_the_zone():
    now = datetime(2024, 3, 31, 1, 30, tzinfo=UTC)  # just after the switch to summer time
    assert publication_date("", ZoneInfo("Europe/Paris"), now=now) == "2024-03-31T03:30:00+02:00"
    assert publication_date("hier soir", ZoneInfo("Europe/Paris"), now=now) == "2024-03-31T03:30:00+02:00"


def test_podcast_guid_matches_the_namespace_example():
    # the example the Podcasting 2.0 spec gives for podcast:guid
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == \
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert podcast_guid("http://mp3s.nashownotes.com/pc20rss.xml/") == \
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def test_description_chapters_need_three_and_start_at_zero():
    two = [Chapter("Ouverture", 0), Chapter("Suite", 60_000)]
    assert description_chapters(two, 120) == []
    three = [Chapter("Titre", 400), Chapter("Contexte", 65_200), Chapter("Fin", 3_725_000)]
    assert description_chapters(three, 4000) == [("0:00:00", "Titre"), ("01:05", "Contexte"),
                                                 ("1:02:05", "Fin")]
    assert description_chapters(three, 100) == []  # chapters past the end do not count


def test_article_metadata_reaches_the_item(tmp_path):
    """A Markdown article's own date (no zone: read in Europe/Paris), byline, URL and summary."""
    article = ("---\ntitle: Le marché couvert rouvre\nauthor: Marie Dupont\n"
               "date: 2024-03-05T10:00:00\nurl: https://www.example.org/marche?id=3&x=1\n"
               "summary: Le marché couvert rouvre après deux ans de travaux.\n---\n\n"
               "# Le marché couvert rouvre\n\nLes commerçants reviennent samedi matin.\n")
    root = tmp_path / "project"
    make_project(root, BASE, {"marche.md": article})
    [entry] = feedparser.parse(root / "output" / "feed.xml").entries
    assert entry.published == "Tue, 05 Mar 2024 10:00:00 +0100"
    assert entry.author == "Marie Dupont"
    assert entry.link == "https://www.example.org/marche?id=3&x=1"
    assert entry.summary.startswith("Le marché couvert rouvre après deux ans de travaux.")
    assert '<a href="https://www.example.org/marche?id=3&amp;x=1">' in entry.content[0].value


def test_chapters_from_the_audio_stage_are_timestamps_in_the_description(tmp_path):
    """An article with two sections: the audio stage's chapters (title + headings) become the
    description's timestamp lines (Spotify reads only these), from the same timeline."""
    article = ("# Le marché couvert rouvre\n\nLes commerçants reviennent samedi matin.\n\n"
               "## Des horaires élargis\n\nLe marché ouvre désormais le dimanche.\n\n"
               "## Un parking gratuit\n\nLe parking voisin devient gratuit le matin.\n")
    root = tmp_path / "project"
    episode = make_project(root, BASE, {"marche.md": article})["marche.md"]
    chapters = json.loads(abspath(episode["chapters"]).read_text(encoding="utf-8"))["chapters"]
    assert [c["title"] for c in chapters] == ["Le marché couvert rouvre", "Des horaires élargis",
                                              "Un parking gratuit"]
    [entry] = podcastparser.parse(BASE + "feed.xml", io.BytesIO(
        (root / "output" / "feed.xml").read_bytes()))["episodes"]
    expected = "\n".join(["Chapitres :"] + [
        f"{'00:00' if i == 0 else clock(c['startTime'])} {c['title']}"
        for i, c in enumerate(chapters)])
    assert expected in entry["description"]
    assert chapters[1]["startTime"] > 1  # real times, not a placeholder list
