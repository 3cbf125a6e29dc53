"""Chapters and transcript cues are kept in the catalog when an episode is rendered: the feed
and the pages read them there, never back from the episode's files. Only `store.recover`
reads files: the catalog it rebuilds, and, once, a catalog from before cues were kept."""

from __future__ import annotations

import re
import sqlite3

import pytest
from publish_helpers import SHORT_ARTICLE, abspath, build, make_project, make_runner

from audioarticles.cli import cli
from audioarticles.model import WordTime
from audioarticles.store.catalog import Catalog
from audioarticles.store.recover import TIMING_KEPT, parse_vtt
from audioarticles.transcripts import Cue, from_entries, to_entries, to_vtt

BASE = "http://127.0.0.1:8000/"
ARTICLE = SHORT_ARTICLE + "\nLes travaux\nLes travaux du marché commenceront en mars.\n"


@pytest.mark.parametrize("cue", [
    Cue(0.0, 2500.0, ("Le conseil vote.",)),
    Cue(1250.5, 4000.25, ("Une phrase longue,", "sur deux lignes <b> & co")),
    Cue(10.0, 900.0, ("Trois mots ici",), (WordTime(10.0, 300.0, "Trois"),
                                           WordTime(300.0, 620.5, "mots"),
                                           WordTime(620.5, 900.0, "ici"))),
])
def test_cues_survive_the_catalog_form(cue):
    assert from_entries(to_entries([cue])) == [cue]


def test_entries_that_are_not_cues_are_left_out():
    good = {"start": 0, "end": 1000, "lines": ["Bon."]}
    assert from_entries([{"start": 0}, "texte", {"start": "x", "end": 1, "lines": []}, good]) \
        == [Cue(0.0, 1000.0, ("Bon.",))]


def test_parse_vtt_reads_cues_and_unescapes_text():
    vtt = ("WEBVTT\n\nNOTE généré\n\n1\n00:00:00.000 --> 00:00:02.500\nLes &lt;b&gt; débats &amp; "
           "le <v Lecteur>vote</v>\nsuite\n\n00:01:02.250 --> 00:01:04.000\nFin\n")
    cues = parse_vtt(vtt)
    assert [(c.start_s, c.end_s, c.text) for c in cues] == [
        (0.0, 2.5, "Les <b> débats & le vote suite"), (62.25, 64.0, "Fin")]


def test_parse_vtt_reads_back_word_timestamps():
    cue = Cue(0.0, 2000.0, ("Trois mots ici",), (WordTime(0.0, 600.0, "Trois"),
                                                WordTime(600.0, 1300.0, "mots"),
                                                WordTime(1300.0, 2000.0, "ici")))
    [read] = parse_vtt(to_vtt([cue]))
    assert read == cue


def shown_cues(root, slug: str) -> list[str]:
    page = (root / "output" / "episodes" / f"{slug}.html").read_text(encoding="utf-8")
    return re.findall(r'class="aa-cue"[^>]*>(?:<[^>]+>)*([^<]+)', page)


@pytest.fixture
def converted(tmp_path):
    root = tmp_path / "project"
    [episode] = make_project(root, BASE, {"conseil.txt": ARTICLE}).values()
    return root, episode


def test_a_conversion_keeps_its_cues_and_chapters_and_the_pages_read_them_there(converted):
    root, episode = converted
    vtt = abspath(episode["transcripts"]["vtt"])  # JSON paths open from the cwd
    with Catalog(root / ".audioarticles" / "catalog.sqlite") as catalog:
        kept = catalog.cues(episode["guid"])
        stored = catalog.get(episode["guid"])
    # the same cues as the VTT file written beside the MP3 (to its millisecond)
    assert [(round(c.start_ms), round(c.end_ms), c.text) for c in kept] == \
        [(c.start_ms, c.end_ms, c.text) for c in parse_vtt(vtt.read_text(encoding="utf-8"))]
    assert [c["title"] for c in stored.meta["chapters"]] == [
        "Le conseil municipal adopte le budget de la ville", "Les travaux"]
    shown = shown_cues(root, episode["slug"])
    assert shown == [c.text for c in kept] and len(shown) >= 4
    # the pages no longer read the files: without them, a rebuild shows the same transcript
    vtt.unlink()
    (root / "output" / "episodes" / f"{episode['slug']}.html").unlink()
    build(root)
    assert shown_cues(root, episode["slug"]) == shown


def test_a_catalog_from_before_cues_were_kept_reads_them_back_once(converted):
    root, episode = converted
    page = (root / "output" / "episodes" / f"{episode['slug']}.html").read_text(encoding="utf-8")
    feed = (root / "output" / "feed.xml").read_text(encoding="utf-8")
    path = root / ".audioarticles" / "catalog.sqlite"
    with Catalog(path) as catalog:
        old = catalog.get(episode["guid"])
    with sqlite3.connect(path) as db:  # what an older version left: no cues, no chapters
        db.execute("DELETE FROM episode_cues")
        db.execute("DELETE FROM settings WHERE key = ?", (TIMING_KEPT,))
        db.execute("UPDATE episodes SET meta = json_remove(meta, '$.chapters')")
    db.close()
    build(root)
    with Catalog(path) as catalog:
        assert catalog.setting(TIMING_KEPT) == "1"
        assert len(catalog.cues(episode["guid"])) == len(shown_cues(root, episode["slug"])) >= 4
        assert catalog.get(episode["guid"]).meta["chapters"] == old.meta["chapters"]
    assert (root / "output" / "episodes" / f"{episode['slug']}.html").read_text(
        encoding="utf-8") == page
    # the rows changed once, so only lastBuildDate moves in the feed
    changed = [line for line in feed.splitlines()
               if line not in (root / "output" / "feed.xml").read_text().splitlines()]
    assert all("lastBuildDate" in line for line in changed)


def test_recover_keeps_the_cues_and_chapters_it_reads_back(converted):
    root, episode = converted
    path = root / ".audioarticles" / "catalog.sqlite"
    with Catalog(path) as catalog:
        before = catalog.cues(episode["guid"])
        chapters = catalog.get(episode["guid"]).meta["chapters"]
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    result = make_runner().invoke(cli, ["--project", str(root), "recover"])
    assert result.exit_code == 0, result.stderr
    with Catalog(path) as catalog:
        after = catalog.cues(episode["guid"])
        assert catalog.get(episode["guid"]).meta["chapters"] == chapters
    # the VTT holds milliseconds and one line per cue
    assert [(round(c.start_ms), round(c.end_ms), c.text) for c in before] == \
        [(c.start_ms, c.end_ms, c.text) for c in after]
