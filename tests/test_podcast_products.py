"""The podcast products a newsroom runs from one set of articles: section and author feeds,
private subscriber feeds, the daily edition. Every feed passes the checks the main feed
passes: feedparser, podcastparser (gPodder), exact enclosure lengths, stable GUIDs, and the
offline validator of `feed_rules.py`."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
from pathlib import Path

import feedparser
import podcastparser
import pytest
from conftest import make_runner, require_tool
from feed_rules import problems
from lxml import etree
from mutagen.id3 import ID3
from publish_helpers import build, write_config

from audioarticles.cli import cli
from audioarticles.model import Episode
from audioarticles.publish.sections import FeedSpec, folded, selects

BASE = "https://audio.example.org/gazette/"
NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
      "podcast": "https://podcastindex.org/namespace/1.0",
      "atom": "http://www.w3.org/2005/Atom"}

FEEDS = """
[[feeds]]
name = "sante"
title = "La Gazette — Santé"
description = "Les articles santé de La Gazette."
categories = ["sante"]
numbering = true

[[feeds]]
name = "editos"
title = "Les éditos de La Gazette"
authors = ["Jeanne Martin"]

[[feeds]]
name = "abonnes"
title = "La Gazette — abonnés"
private = true
voices = ["fr-espeak"]
"""

ARTICLES = {
    "hopital.md": ("---\ntitle: L'hôpital recrute trente infirmiers\nauthor: Marie Dupont\n"
                   "categories: Santé, Emploi\ntags: hôpital\n---\n\n"
                   "# L'hôpital recrute trente infirmiers\n\n"
                   "Le centre hospitalier ouvre trente postes cette année.\n\n"
                   "Les candidatures sont ouvertes jusqu'en mars.\n"),
    "edito.md": ("---\ntitle: Le temps des villes moyennes\nauthor: Jeanne Martin\n"
                 "categories: Opinion\n---\n\n# Le temps des villes moyennes\n\n"
                 "Les villes moyennes attirent de nouveau les familles.\n"),
    "marche.txt": ("Le marché couvert rouvre\n\n"
                   "Le marché couvert rouvre samedi après deux ans de travaux.\n"),
}


def run(root: Path, *args: str, code: int = 0) -> dict | str:
    result = make_runner().invoke(cli, ["--project", str(root), *args])
    assert result.exit_code == code, (result.stdout, result.stderr)
    return json.loads(result.stdout) if "--json" in args else result.stdout


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("newsroom") / "project"
    (root / "articles").mkdir(parents=True)
    write_config(root, BASE, 'author = "Rédaction"\n' + FEEDS)
    for name, text in ARTICLES.items():
        (root / "articles" / name).write_text(text, encoding="utf-8")
    converted = run(root, "convert", *(str(root / "articles" / n) for n in ARTICLES),
                    "--voice", "fr-espeak", "--json")
    episodes = {Path(e["source"]).name: e for e in converted["episodes"]}
    grant = run(root, "feeds", "token", "create", "abonnes", "--subscriber", "Jean", "--json")
    edition = run(root, "edition", "--json")
    return {"root": root, "output": root / "output", "episodes": episodes, "grant": grant,
            "edition": edition}


def feed_files(output: Path) -> dict[str, Path]:
    return {path.relative_to(output).as_posix(): path
            for path in [output / "feed.xml", *sorted((output / "feeds").glob("*.xml"))]}


def check_feed(output: Path, path: Path) -> tuple[dict, feedparser.FeedParserDict]:
    """The checks every feed passes: valid by the rules, read by both parsers, each
    enclosure as long as its file, GUIDs unique."""
    xml = path.read_bytes()
    self_url = BASE + path.relative_to(output).as_posix()
    assert problems(xml, self_url) == []
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    gpodder = podcastparser.parse(self_url, io.BytesIO(xml))
    assert len(gpodder["episodes"]) == len(parsed.entries) > 0
    for entry in gpodder["episodes"]:
        [enclosure] = entry["enclosures"]
        assert enclosure["url"].startswith(BASE)
        assert enclosure["file_size"] == (output / enclosure["url"][len(BASE):]).stat().st_size
    guids = [e.id for e in parsed.entries]
    assert len(set(guids)) == len(guids)
    return gpodder, parsed


def test_every_feed_passes_the_same_checks(newsroom):
    output = newsroom["output"]
    files = feed_files(output)
    private = newsroom["grant"]["url"][len(BASE):]
    assert set(files) == {"feed.xml", "feeds/sante.xml", "feeds/editos.xml", private,
                          "feeds/edition.xml"}
    for path in files.values():
        check_feed(output, path)


def test_sections_select_their_episodes_with_the_same_guids(newsroom):
    output, episodes = newsroom["output"], newsroom["episodes"]
    _, main = check_feed(output, output / "feed.xml")
    _, sante = check_feed(output, output / "feeds" / "sante.xml")
    _, editos = check_feed(output, output / "feeds" / "editos.xml")
    assert [e.id for e in sante.entries] == [episodes["hopital.md"]["guid"]]
    assert [e.id for e in editos.entries] == [episodes["edito.md"]["guid"]]
    assert {e.id for e in main.entries} == {e["guid"] for e in episodes.values()}
    # each feed is its own podcast: own title, description, cover and podcast:guid
    assert sante.feed.title == "La Gazette — Santé"
    assert sante.feed.subtitle == "Les articles santé de La Gazette."
    guids = {main.feed.podcast_guid, sante.feed.podcast_guid, editos.feed.podcast_guid}
    assert len(guids) == 3
    cover = etree.parse(str(output / "feeds" / "sante.xml")).getroot().find(
        "channel/itunes:image", NS).get("href")
    assert cover.startswith(BASE + "artwork/feed-sante-") and (output / cover[len(BASE):]).is_file()
    # the numbered section gives its episode number 1
    item = etree.parse(str(output / "feeds" / "sante.xml")).getroot().find("channel/item")
    assert item.findtext("itunes:episode", namespaces=NS) == "1"
    assert item.findtext("podcast:episode", namespaces=NS) == "1"
    # its own index page, linking the episodes' pages and its feed
    page = (output / "feeds" / "sante.html").read_text(encoding="utf-8")
    assert f'href="../episodes/{episodes["hopital.md"]["slug"]}.html"' in page
    assert BASE + "feeds/sante.xml" in page
    assert episodes["marche.txt"]["slug"] not in page


def test_rebuilds_change_no_feed_and_keep_guids(newsroom):
    output = newsroom["output"]
    before = {name: path.read_bytes() for name, path in feed_files(output).items()}
    build(newsroom["root"])
    after = {name: path.read_bytes() for name, path in feed_files(output).items()}
    assert after == before


def test_private_feed_is_blocked_unlisted_and_revocable(tmp_path, newsroom):
    root, output = newsroom["root"], newsroom["output"]
    url = newsroom["grant"]["url"]
    relative = url[len(BASE):]
    token = relative.removeprefix("feeds/abonnes-").removesuffix(".xml")
    assert len(token) >= 26
    channel = etree.parse(str(output / relative)).getroot().find("channel")
    assert channel.findtext("podcast:block", namespaces=NS) == "yes"
    assert channel.findtext("itunes:block", namespaces=NS) == "yes"
    assert channel.find("atom:link", NS).get("href") == url
    assert channel.find("atom:link[@rel='hub']", NS) is None
    assert not (output / "feeds" / "abonnes.xml").exists()
    assert not (output / "feeds" / "abonnes.html").exists()
    # listed nowhere: no page, no other feed names it
    for path in output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml") and path.name != Path(relative).name:
            assert token not in path.read_text(encoding="utf-8"), path
    # the catalog keeps a hash, never the token; the key is private to the owner
    assert token.encode() not in (root / ".audioarticles" / "catalog.sqlite").read_bytes()
    key = root / ".audioarticles" / "feed-tokens.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    listed = run(root, "feeds", "token", "list", "--json")["tokens"]
    assert [(t["feed"], t["subscriber"], t["url"]) for t in listed] == [("abonnes", "Jean", url)]

    second = run(root, "feeds", "token", "create", "abonnes", "--json")
    stranger = output / "feeds" / "abonnes-notours.xml"  # a file we did not write
    stranger.write_text("<rss/>", encoding="utf-8")
    try:
        run(root, "feeds", "token", "revoke", token, "--json")
        assert not (output / relative).exists()
        assert (output / second["url"][len(BASE):]).is_file()
        assert stranger.is_file()
        run(root, "feeds", "token", "revoke", str(second["id"]))
        assert not (output / second["url"][len(BASE):]).exists()
    finally:
        stranger.unlink()
        newsroom["grant"] = run(root, "feeds", "token", "create", "abonnes", "--json")


def test_removing_the_key_revokes_every_subscriber(newsroom):
    root, output = newsroom["root"], newsroom["output"]
    relative = newsroom["grant"]["url"][len(BASE):]
    key = root / ".audioarticles" / "feed-tokens.key"
    kept = key.read_bytes()
    key.unlink()
    try:
        build(root)
        assert not (output / relative).exists()
        [listed] = run(root, "feeds", "token", "list", "--json")["tokens"]
        assert listed["url"] is None
    finally:
        key.write_bytes(kept)
        key.chmod(0o600)
        build(root)
    assert (output / relative).is_file()  # the same key gives the same address back


def test_feeds_list(newsroom):
    rows = {row["name"]: row for row in run(newsroom["root"], "feeds", "list", "--json")["feeds"]}
    assert rows[""] == {"name": "", "title": "La Gazette à écouter", "url": BASE + "feed.xml",
                        "private": False, "episodes": 3, "subscribers": 0}
    assert (rows["sante"]["url"], rows["sante"]["episodes"]) == (BASE + "feeds/sante.xml", 1)
    assert rows["abonnes"]["url"] is None and rows["abonnes"]["subscribers"] == 1


def test_token_for_a_public_feed_is_refused(newsroom):
    result = make_runner().invoke(cli, ["--project", str(newsroom["root"]), "feeds", "token",
                                        "create", "sante"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: sante: this feed is public; add private = true to "
                                     "its [[feeds]] entry to give subscribers their own URLs")


def test_edition_chapters_transcript_and_feed(newsroom):
    output, edition = newsroom["output"], newsroom["edition"]
    assert edition["status"] == "created"
    order = edition["articles"]
    assert sorted(order) == sorted(e["slug"] for e in newsroom["episodes"].values())
    # reassembled from the cache: only the edition's opening line is voiced
    assert edition["segments_synthesized"] <= 1
    assert edition["segments_cached"] > 6
    episode = edition["episode"]
    mp3 = Path(os.path.abspath(episode["mp3"]))
    chapters = json.loads(Path(os.path.abspath(episode["chapters"])).read_text())["chapters"]
    by_slug = {e["slug"]: e for e in newsroom["episodes"].values()}
    assert [c["title"] for c in chapters] == ["Sommaire"] + [by_slug[s]["title"] for s in order]
    assert chapters[0]["startTime"] == 0
    assert all(c["url"] == f"{BASE}episodes/{slug}.html" for c, slug in zip(chapters[1:], order))
    starts = [c["startTime"] for c in chapters]
    assert starts == sorted(starts) and chapters[-1]["endTime"] == pytest.approx(
        episode["duration_s"], abs=0.01)
    # ID3: CTOC + one CHAP per chapter, with the article's URL; the transcript of the whole
    tags = ID3(mp3)
    [toc] = tags.getall("CTOC")
    assert len(toc.child_element_ids) == len(chapters)
    urls = [frame.sub_frames.getall("WXXX")[0].url for frame in tags.getall("CHAP")
            if frame.sub_frames.getall("WXXX")]
    assert sorted(urls) == sorted(c["url"] for c in chapters[1:])
    transcript = tags.getall("USLT")[0].text
    for slug in order:
        assert by_slug[slug]["title"] in transcript
    vtt = Path(os.path.abspath(episode["transcripts"]["vtt"])).read_text(encoding="utf-8")
    assert "l’édition du" in vtt
    ffprobe = require_tool("ffprobe")
    probed = json.loads(subprocess.run([ffprobe, "-v", "error", "-show_chapters", "-of", "json",
                                        str(mp3)], capture_output=True, check=True).stdout)
    assert [c["tags"]["title"] for c in probed["chapters"]] == [c["title"] for c in chapters]
    # the edition feed: the day's episode, its chapters and transcripts
    gpodder, parsed = check_feed(output, output / "feeds" / "edition.xml")
    assert [e.id for e in parsed.entries] == [episode["guid"]]
    assert "Au sommaire" in gpodder["episodes"][0]["description"]


def test_edition_again_changes_nothing_then_a_section_and_a_limit(newsroom):
    root, output = newsroom["root"], newsroom["output"]
    again = run(root, "edition", "--json")
    assert again["status"] == "unchanged"
    assert again["episode"]["mp3"] == newsroom["edition"]["episode"]["mp3"]
    assert again["segments_synthesized"] == 0
    section = run(root, "edition", "--feed", "sante", "--json")
    assert section["articles"] == [newsroom["episodes"]["hopital.md"]["slug"]]
    assert section["feed_url"] == BASE + "feeds/sante-edition.xml"
    check_feed(output, output / "feeds" / "sante-edition.xml")
    limited = run(root, "edition", "--feed", "editos", "--limit", "1", "--json")
    assert len(limited["articles"]) == 1
    empty = run(root, "edition", "--date", "2001-01-01")
    assert empty.strip() == "no published article on 2001-01-01: no edition"
    result = make_runner().invoke(cli, ["--project", str(root), "edition", "--date", "hier"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: --date 'hier': not a day; write it as YYYY-MM-DD"
    result = make_runner().invoke(cli, ["--project", str(root), "edition", "--feed", "abonnes"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: abonnes: a private feed; its edition would have a "
                                     "public feed (feeds/<name>-edition.xml), so it is not made: "
                                     "choose a public feed")
    result = make_runner().invoke(cli, ["--project", str(root), "edition", "--feed", "sport"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: sport: no such feed in audioarticles.toml [[feeds]] "
                                     "(feeds: sante, editos, abonnes)")


def test_an_unpublished_article_takes_its_edition_down(newsroom):
    root, output = newsroom["root"], newsroom["output"]
    made = run(root, "edition", "--json")["episode"]
    mp3 = Path(os.path.abspath(made["mp3"]))
    edito = newsroom["episodes"]["edito.md"]["slug"]
    result = make_runner().invoke(cli, ["--project", str(root), "unpublish", edito, "--reason",
                                        "droit de réponse"])
    assert result.exit_code == 0, result.stderr
    rebuilt = make_runner().invoke(cli, ["--project", str(root), "build"])
    assert (f"warning: {made['slug']}: 1 of its articles are no longer published; it is out of "
            f"the edition feed until `audioarticles edition --date {made['pub_date'][:10]}` "
            "makes it again") in rebuilt.stderr
    assert feedparser.parse(output / "feeds" / "edition.xml").entries == []
    assert not mp3.exists()
    remade = run(root, "edition", "--json")
    assert edito not in remade["articles"] and remade["episode"]["guid"] == made["guid"]
    check_feed(output, output / "feeds" / "edition.xml")
    # bring the article back for the other tests
    assert make_runner().invoke(cli, ["--project", str(root), "publish", edito]).exit_code == 0
    assert edito in run(root, "edition", "--json")["articles"]


def test_item_metadata_persons_titles_and_one_byline_rule(newsroom):
    output, episodes = newsroom["output"], newsroom["episodes"]
    root = etree.parse(str(output / "feed.xml")).getroot()
    channel = root.find("channel")
    person = channel.find("podcast:person", NS)
    assert (person.text, person.get("role"), person.get("group")) == ("Rédaction", "author",
                                                                      "writing")
    items = {i.findtext("guid"): i for i in channel.findall("item")}
    for episode in episodes.values():
        item = items[episode["guid"]]
        assert item.findtext("itunes:title", namespaces=NS) == episode["title"]
        persons = [(p.text, p.get("role")) for p in item.findall("podcast:person", NS)]
        assert ("Voix de synthèse eSpeak NG (fr-espeak)", "narrator") in persons
        # TPE1 and itunes:author follow one rule: the author, else the publication
        artist = str(ID3(output / episode["mp3"].split("output/", 1)[1])["TPE1"])
        assert artist == item.findtext("itunes:author", namespaces=NS)
    assert ("Marie Dupont", "author") in [
        (p.text, p.get("role")) for p in items[episodes["hopital.md"]["guid"]].findall(
            "podcast:person", NS)]
    assert items[episodes["marche.txt"]["guid"]].findtext("itunes:author", namespaces=NS) == \
        "La Gazette"
    # a plain-text article: its first paragraph, as in the ID3 comment, not its title
    description = items[episodes["marche.txt"]["guid"]].findtext("description")
    assert description.startswith("Le marché couvert rouvre samedi après deux ans de travaux.")
    mp3 = output / episodes["marche.txt"]["mp3"].split("output/", 1)[1]
    assert ID3(mp3).getall("COMM")[0].text[0].startswith(description.split("\n")[0])
    # the generated cover is embedded even without [podcast] image
    assert ID3(mp3).getall("APIC")[0].data[:3] == b"\xff\xd8\xff"


def test_numbers_are_given_once(catalog_backend):
    with catalog_backend.open() as catalog:
        assert catalog.number_episodes("sante", ["a", "b"]) == {"a": 1, "b": 2}
        # a newer episode gets the next number; the older ones keep theirs, even when one
        # leaves the feed
        assert catalog.number_episodes("sante", ["b", "c"]) == {"a": 1, "b": 2, "c": 3}
        assert catalog.number_episodes("editos", ["c"]) == {"c": 1}


def test_missing_owner_email_is_a_warning(runner, project):
    (project / "audioarticles.toml").write_text(
        f'[podcast]\ntitle = "Gazette"\nbase_url = "{BASE}"\n', encoding="utf-8")
    (project / "a.txt").write_text(ARTICLES["marche.txt"], encoding="utf-8")
    result = runner.invoke(cli, ["convert", "a.txt", "--voice", "fr-espeak"])
    assert result.exit_code == 0
    assert ("warning: audioarticles.toml: [podcast] owner_email is not set, so the feed has no "
            "itunes:owner; Apple Podcasts, Spotify and YouTube use it to verify who owns the "
            "podcast: set it") in result.stderr


@pytest.mark.parametrize(("setting", "message"), [
    ('[[feeds]]\nname = "Santé"\ntitle = "x"\ncategories = ["a"]',
     ("error: audioarticles.toml: [[feeds]] 'Santé': name must be lower-case letters, digits, "
      "- or _ (at most 40), and not edition, main, feed; it names the file feeds/<name>.xml")),
    ('[[feeds]]\nname = "sante"\ntitle = "x"\ncategory = ["a"]',
     ("error: audioarticles.toml: unknown key `category` in [[feeds]] number 1; did you mean "
      "`categories`?")),
    ('[[feeds]]\nname = "sante"\ntitle = "x"',
     ("error: audioarticles.toml: [[feeds]] 'sante': it selects nothing; give categories, "
      "authors, tags or voices")),
    ('[pickup]\nwebsub_hub = "hub.example.org"',
     ('error: audioarticles.toml: [pickup] websub_hub = "hub.example.org": not an absolute '
      'http(s) URL; write it in full, e.g. "https://example.org/podcast/", or leave it empty')),
    ('[podcast]\nmedium = "radio"',
     ('error: audioarticles.toml: [podcast] medium = "radio": expected one of "podcast", '
      '"music", "video", "film", "audiobook", "newsletter", "blog", "publisher", "course"')),
])
def test_bad_feed_settings_stop_before_any_work(runner, project, setting, message):
    (project / "audioarticles.toml").write_text(setting + "\n", encoding="utf-8")
    (project / "a.txt").write_text(ARTICLES["marche.txt"], encoding="utf-8")
    result = runner.invoke(cli, ["convert", "a.txt", "--voice", "fr-espeak"])
    assert result.exit_code == 2
    assert result.stderr.strip() == message
    assert not (project / "output").exists()


# small pure functions


@pytest.mark.parametrize(("text", "expected"), [
    ("Santé", "sante"), ("  SANTÉ  publique ", "sante publique"), ("Éditos", "editos"),
    ("Œuvres", "œuvres"),
])
def test_folded_ignores_case_accents_and_spacing(text, expected):
    assert folded(text) == expected


def episode(**meta) -> Episode:
    author = meta.pop("author", "")
    voice = meta.pop("voice", "fr")
    return Episode(guid="g", slug="s", title="t", source="x", voice=voice, engine="espeak",
                   author=author, meta=meta)


@pytest.mark.parametrize(("spec", "article", "chosen"), [
    (FeedSpec("s", "S", categories=("Santé",)), episode(categories=["santé", "Emploi"]), True),
    (FeedSpec("s", "S", categories=("Santé",)), episode(categories=["Sport"]), False),
    (FeedSpec("s", "S", authors=("Jeanne Martin",)), episode(author="Paul Roux et Jeanne Martin"),
     True),
    (FeedSpec("s", "S", tags=("hôpital",)), episode(tags=["Hopital"]), True),
    (FeedSpec("s", "S", voices=("fr-espeak",)), episode(voice="fr"), False),
    # every kind given must match: a health article in another voice is not chosen
    (FeedSpec("s", "S", categories=("Santé",), voices=("fr",)),
     episode(categories=["Santé"], voice="fr-espeak"), False),
    (FeedSpec("s", "S", categories=("Santé",), voices=("fr",)),
     episode(categories=["Santé"], voice="fr"), True),
])
def test_selects(spec, article, chosen):
    assert selects(spec, article) is chosen


def test_the_validator_finds_broken_feeds():
    golden = (Path(__file__).parent / "golden" / "feed.xml").read_bytes()
    assert problems(golden) == []

    def broken(xpath: str, change) -> list[str]:
        root = etree.fromstring(golden)
        change(root.find(xpath, NS))
        return problems(etree.tostring(root))

    assert broken("channel/item/enclosure", lambda e: e.getparent().remove(e)) == [
        "item 1: exactly one <enclosure> is expected"]
    assert broken("channel/itunes:explicit", lambda e: setattr(e, "text", "yes")) == [
        "channel: itunes:explicit must be true or false"]
    assert broken("channel/item/podcast:person", lambda e: e.set("role", "pilot")) == [
        "item 1: podcast:person role 'pilot' is not in group 'cast' of the Podcast Taxonomy"]
    assert broken("channel/podcast:guid", lambda e: setattr(e, "text", "not-a-uuid")) == [
        "channel: podcast:guid 'not-a-uuid' is not a UUID"]
    assert broken("channel/item/pubDate", lambda e: setattr(e, "text", "2025-07-02")) == [
        "item 1: <pubDate> must be an RFC 822 date with an offset"]
    assert broken("channel/podcast:medium", lambda e: setattr(e, "tag", f"{{{NS['podcast']}}}mediums")) == [
        "channel: podcast:mediums is not a tag of the namespace at this level"]
    assert problems(golden, self_url="https://elsewhere.example/feed.xml") == [
        ("channel: the self link is https://audio.example.org/gazette/feed.xml, not "
         "https://elsewhere.example/feed.xml")]
