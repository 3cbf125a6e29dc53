"""Incremental rebuilds: only the pages, embeds and feeds an episode change touches are
rendered and written again (`publish/incremental.py`); the site they leave is always the one
a full rebuild would make."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from audioarticles import editorial, publish
from audioarticles.config import load_settings
from audioarticles.model import Episode
from audioarticles.publish import incremental
from audioarticles.store import ProjectStore
from audioarticles.store.files import LocalFiles

CONFIG = """[podcast]
title = "La Gazette à écouter"
base_url = "https://podcast.example.org/"
owner_email = "radio@example.org"

[[feeds]]
name = "sante"
title = "La Gazette — Santé"
categories = ["Santé"]

[[feeds]]
name = "sport"
title = "La Gazette — Sport"
categories = ["Sport"]
"""
CUES = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nPremière phrase.\n\n" \
       "00:00:02.000 --> 00:00:04.000\nDeuxième phrase.\n"


class CountingFiles(LocalFiles):
    """The project's file store, remembering what each build wrote and deleted."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.written: set[str] = set()
        self.deleted: set[str] = set()

    @contextlib.contextmanager
    def site_batch(self):
        with super().site_batch() as batch:
            write = batch.write

            def counted(name, data, kind):
                changed = write(name, data, kind)
                if changed:
                    self.written.add(name)
                return changed

            batch.write = counted
            yield batch

    def delete_site(self, name):
        deleted = super().delete_site(name)
        if deleted:
            self.deleted.add(name)
        return deleted


def add_episode(project, catalog, n: int, category: str) -> Episode:
    slug = f"article-{n}"
    folder = project.output / "episodes"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}-0123456789.mp3").write_bytes(b"\xff\xfb" * (500 + n))
    (folder / f"{slug}-0123456789.vtt").write_text(CUES, encoding="utf-8")
    with catalog.transaction():
        return catalog.save(Episode(
            guid=f"https://www.example.org/{slug}", slug=slug, title=f"Article {n}",
            source=f"articles/{slug}.md", voice="fr-espeak", engine="espeak",
            mp3=f"episodes/{slug}-0123456789.mp3", duration_s=4.0, bytes=1000 + 2 * n,
            pub_date=f"2025-03-{1 + n:02d}T08:00:00+01:00", summary=f"Résumé {n}.",
            transcripts={"vtt": f"episodes/{slug}-0123456789.vtt"},
            meta={"categories": [category]}))


@pytest.fixture
def newsroom(tmp_path):
    """A project with six published episodes (three Santé, three Sport) and its file store."""
    (tmp_path / "audioarticles.toml").write_text(CONFIG, encoding="utf-8")
    project = load_settings(tmp_path)
    files = CountingFiles(project.output, project.unreleased_dir, project.state_dir)
    with ProjectStore(project).catalog() as catalog:
        for n in range(6):
            add_episode(project, catalog, n, "Santé" if n % 2 == 0 else "Sport")
        publish.rebuild(project, catalog, files)
        yield project, catalog, files


def rebuild(project, catalog, files: CountingFiles):
    files.written, files.deleted = set(), set()
    return publish.rebuild(project, catalog, files)


def page_names(project, guid: str) -> set[str]:
    """What the site holds for one episode (its page, its embed...), as the record says."""
    record = json.loads((project.state_dir / incremental.RECORD_NAME).read_text("utf-8"))
    return set(record["units"][f"pages:{guid}"]["names"])


def site_files(project) -> dict[str, bytes]:
    return {p.relative_to(project.output).as_posix(): p.read_bytes()
            for p in sorted(project.output.rglob("*")) if p.is_file()}


def assert_as_a_full_rebuild_makes_it(project, catalog, files: CountingFiles) -> None:
    """Without fingerprints, every page and feed is rendered again: nothing differs."""
    before = site_files(project)
    (project.state_dir / incremental.RECORD_NAME).unlink()
    rebuild(project, catalog, files)
    assert (files.written, files.deleted) == (set(), set())
    assert site_files(project) == before


def test_a_rebuild_after_no_change_writes_nothing(newsroom):
    project, catalog, files = newsroom
    record = project.state_dir / incremental.RECORD_NAME
    stamp = record.stat().st_mtime_ns
    build = rebuild(project, catalog, files)
    assert (files.written, files.deleted) == (set(), set())
    assert record.stat().st_mtime_ns == stamp  # not even the record is written again
    assert not any(feed.changed for feed in build.feeds)
    assert len(build.episodes) == 6 and build.in_feed == 6
    assert_as_a_full_rebuild_makes_it(project, catalog, files)


def test_a_corrected_episode_rewrites_its_pages_the_index_and_the_feeds_listing_it(newsroom):
    project, catalog, files = newsroom
    episode = catalog.by_slug("article-2")  # a Santé one
    with catalog.transaction():
        catalog.save(replace(episode, title="Article 2, corrigé"))
    build = rebuild(project, catalog, files)
    assert page_names(project, episode.guid) >= {"episodes/article-2.html",
                                                 "embed/article-2.html"}
    assert files.written == page_names(project, episode.guid) | {
        "index.html", "feed.xml", "feeds/sante.xml", "feeds/sante.html"}
    assert files.deleted == set()
    changed = {feed.path for feed in build.feeds if feed.changed}
    assert changed == {"feed.xml", "feeds/sante.xml"}  # the Sport feed does not list it
    assert "Article 2, corrigé" in (project.output / "feed.xml").read_text("utf-8")
    assert_as_a_full_rebuild_makes_it(project, catalog, files)


def test_an_episode_taken_down_leaves_its_pages_and_the_feeds_listing_it(newsroom):
    project, catalog, files = newsroom
    episode = catalog.by_slug("article-3")  # a Sport one
    names = page_names(project, episode.guid)
    editorial.hold_episodes(catalog, [episode], "rédaction", reason="à vérifier")
    rebuild(project, catalog, files)
    assert files.deleted == names
    assert files.written == {"index.html", "feed.xml", "feeds/sport.xml", "feeds/sport.html"}
    assert not (project.output / episode.mp3).exists()  # withdrawn, after the feed
    assert (project.unreleased_dir / episode.mp3).exists()
    assert_as_a_full_rebuild_makes_it(project, catalog, files)
    # released again: back on the site
    [held] = catalog.episodes(states=("held",))
    editorial.publish_episodes(catalog, [held], "rédaction")
    rebuild(project, catalog, files)
    assert files.written >= names | {"feed.xml", "feeds/sport.xml"}
    assert_as_a_full_rebuild_makes_it(project, catalog, files)


def test_a_new_episode_writes_its_pages_and_only_the_feeds_it_joins(newsroom):
    project, catalog, files = newsroom
    episode = add_episode(project, catalog, 6, "Sport")
    rebuild(project, catalog, files)
    assert files.written == page_names(project, episode.guid) | {
        "index.html", "feed.xml", "feeds/sport.xml", "feeds/sport.html"}
    assert_as_a_full_rebuild_makes_it(project, catalog, files)


def test_a_channel_setting_rewrites_every_page_and_feed(newsroom):
    project, catalog, files = newsroom
    config = project.root / "audioarticles.toml"
    config.write_text(CONFIG.replace("La Gazette à écouter", "La Gazette en podcast"),
                      encoding="utf-8")
    project = load_settings(project.root)
    rebuild(project, catalog, files)
    every_page = {name for e in catalog.published() for name in page_names(project, e.guid)}
    assert len(every_page) >= 12
    assert files.written >= every_page | {"index.html", "feed.xml"}
    assert_as_a_full_rebuild_makes_it(project, catalog, files)


def test_a_new_template_rewrites_every_page(newsroom, monkeypatch):
    project, catalog, files = newsroom
    # a new version of the code: the player's speeds changed (in every page)
    monkeypatch.setattr("audioarticles.publish.site.RATES", (1, 1.5, 2))
    monkeypatch.setattr("audioarticles.publish.code_version", lambda: "the next version")
    rebuild(project, catalog, files)
    every_page = {name for e in catalog.published() for name in page_names(project, e.guid)}
    # rendered again, but the oEmbed answers hold no player markup: the same bytes, not written
    with_player = {name for name in every_page if not name.startswith("oembed/")}
    assert len(with_player) < len(every_page)
    assert files.written == with_player | {"index.html", "feeds/sante.html",
                                           "feeds/sport.html"}
    assert_as_a_full_rebuild_makes_it(project, catalog, files)


def test_the_code_version_covers_the_templates_the_player_and_the_data():
    names = {name for name, _ in incremental._package_files(
        incremental.resources.files("audioarticles"))}
    assert {"publish/site.py", "publish/feed.py", "player/player.js", "player/player.css",
            "data/apple_categories.toml", "version.py"} <= names
    assert len(incremental.code_version()) == 64


def test_a_page_deleted_by_hand_is_written_again(newsroom):
    project, catalog, files = newsroom
    (project.output / "embed" / "article-1.html").unlink()
    rebuild(project, catalog, files)
    assert files.written == {"embed/article-1.html"}  # its other pages are rendered, the same
    assert (project.output / "embed" / "article-1.html").is_file()


def test_a_damaged_record_means_a_full_rebuild(newsroom):
    project, catalog, files = newsroom
    (project.state_dir / incremental.RECORD_NAME).write_text("{not json", encoding="utf-8")
    rebuild(project, catalog, files)
    assert (files.written, files.deleted) == (set(), set())
    json.loads((project.state_dir / incremental.RECORD_NAME).read_text("utf-8"))
    rebuild(project, catalog, files)
    assert files.written == set()


KILLED_REBUILD = """
import os, sys
from audioarticles import publish
from audioarticles.config import load_settings
from audioarticles.store import ProjectStore, files

project = load_settings(sys.argv[1])
renames = []
real = files.replace_with

def replace_then_die(tmp, target):
    real(tmp, target)
    renames.append(target)
    if len(renames) == int(sys.argv[2]):
        os._exit(9)  # killed in the middle of making the batch visible

files.replace_with = replace_then_die
with ProjectStore(project).catalog() as catalog:
    publish.rebuild(project, catalog)
"""


@pytest.mark.parametrize("renames", [1, 3])
def test_a_rebuild_killed_half_way_leaves_a_consistent_site_the_next_one_completes(
        newsroom, renames):
    project, catalog, files = newsroom
    for slug in ("article-0", "article-1", "article-4"):
        episode = catalog.by_slug(slug)
        with catalog.transaction():
            catalog.save(replace(episode, title=f"{episode.title}, corrigé"))
    feed_before = (project.output / "feed.xml").read_bytes()
    died = subprocess.run([sys.executable, "-c", KILLED_REBUILD, str(project.root),
                           str(renames)], check=False)
    assert died.returncode == 9
    # pages are made visible before feeds: the feed is still the previous one, and every
    # file it names is there
    assert (project.output / "feed.xml").read_bytes() == feed_before
    for url in _urls(feed_before):
        assert (project.output / url).is_file(), url
    assert list(project.output.rglob(".*.part"))  # what the killed build was writing
    rebuild(project, catalog, files)
    assert not list(project.output.rglob(".*.part"))
    assert "Article 0, corrigé" in (project.output / "feed.xml").read_text("utf-8")
    assert files.written >= {"feed.xml", "feeds/sante.xml", "feeds/sport.xml"}
    assert_as_a_full_rebuild_makes_it(project, catalog, files)
    rebuild(project, catalog, files)
    assert (files.written, files.deleted) == (set(), set())


def _urls(feed: bytes) -> set[str]:
    """The files of the site a feed names (enclosures, transcripts, pages, cover)."""
    base = "https://podcast.example.org/"
    found = re.findall(r"https://podcast\.example\.org/[^\"<\s]+", feed.decode("utf-8"))
    return {url.removeprefix(base) for url in found}


def test_the_preview_is_not_incremental_and_leaves_the_public_record_alone(newsroom):
    project, catalog, files = newsroom
    record = project.state_dir / incremental.RECORD_NAME
    before = record.read_bytes()
    preview = publish.write_preview(project, catalog)
    assert len(preview.episodes) == 6
    assert (publish.preview_dir(project) / "index.html").is_file()
    assert record.read_bytes() == before
    assert not (Path(publish.preview_dir(project)) / incremental.RECORD_NAME).exists()


class OrderedFiles(CountingFiles):
    """Remembers, in order, when files became visible, were admitted and were withdrawn."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.events: list[tuple[str, str]] = []

    @contextlib.contextmanager
    def site_batch(self):
        queued = []
        with super().site_batch() as batch:
            write = batch.write

            def remembered(name, data, kind):
                queued.append(name)
                return write(name, data, kind)

            batch.write = remembered
            yield batch
        self.events += [("visible", name) for name in queued]

    def admit(self, episodes):
        episodes = list(episodes)
        self.events += [("admit", e.mp3) for e in episodes if (self.private / e.mp3).exists()]
        super().admit(episodes)

    def withdraw(self, episodes):
        episodes = list(episodes)
        self.events += [("withdraw", e.mp3) for e in episodes
                        if (self.public_dir / e.mp3).exists()]
        super().withdraw(episodes)


def test_audio_is_public_before_a_feed_names_it_and_leaves_after_the_feeds_stop(newsroom):
    project, catalog, _ = newsroom
    files = OrderedFiles(project.output, project.unreleased_dir, project.state_dir)
    episode = catalog.by_slug("article-4")
    editorial.hold_episodes(catalog, [episode], "rédaction", reason="à vérifier")
    rebuild(project, catalog, files)
    events = files.events
    withdrawn = events.index(("withdraw", episode.mp3))
    assert events.index(("visible", "feed.xml")) < withdrawn
    assert events.index(("visible", "feeds/sante.xml")) < withdrawn
    assert events.index(("visible", "index.html")) < withdrawn
    files.events.clear()
    [held] = catalog.episodes(states=("held",))
    editorial.publish_episodes(catalog, [held], "rédaction")
    rebuild(project, catalog, files)
    events = files.events
    admitted = events.index(("admit", episode.mp3))
    assert admitted < events.index(("visible", "feed.xml"))
    assert admitted < events.index(("visible", "episodes/article-4.html"))
