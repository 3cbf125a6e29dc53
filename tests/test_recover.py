"""A lost or damaged catalog beside published output: every command stops with one line saying
what to do, `recover` rebuilds the catalog from the published files (GUIDs, slugs, dates and
states survive), and the catalog is backed up before migrations and once a day."""

from __future__ import annotations

import json
import os
import sqlite3
import time

import pytest
from faults.harness import snapshot

from audioarticles.cli import cli
from audioarticles.model import Episode
from audioarticles.store import backups
from audioarticles.store import catalog as catalog_module
from audioarticles.store.catalog import Catalog

VOICE = ["--voice", "fr-espeak"]
CATALOG = ".audioarticles/catalog.sqlite"


def write_articles(project) -> None:
    folder = project / "articles"
    folder.mkdir()
    (folder / "conseil.txt").write_text(
        "Le conseil municipal vote le budget\n\nLe conseil a voté le budget de la ville. "
        "La séance a duré deux heures.\n\nLes travaux\n\nLes travaux commenceront en mars.\n",
        encoding="utf-8")
    (folder / "ecole.md").write_text(
        "---\ntitle: Une école rénovée\nauthor: Marie Dupont\nurl: https://example.org/ecole\n"
        "summary: La rénovation est terminée.\n---\n\nL'école rouvre lundi. Les élèves "
        "découvrent leurs nouvelles classes.\n", encoding="utf-8")
    (folder / "marche.txt").write_text(
        "Le marché déménage\n\nLe marché du samedi déménage place de la gare.\n",
        encoding="utf-8")


@pytest.fixture
def published(runner, project):
    """Three episodes: two published, one held by an editor."""
    write_articles(project)
    result = runner.invoke(cli, ["convert", "articles", *VOICE])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(cli, ["hold", "le-marche-demenage", "--reason", "à vérifier"])
    assert result.exit_code == 0, result.stderr
    return listed(runner)


def listed(runner) -> list[dict]:
    result = runner.invoke(cli, ["episodes", "--json"])
    assert result.exit_code == 0, result.stderr
    return sorted(json.loads(result.stdout)["episodes"], key=lambda e: e["slug"])


def remove_catalog(project) -> None:
    for suffix in ("", "-wal", "-shm"):
        path = project / (CATALOG + suffix)
        if path.exists():
            path.unlink()


MISSING = ("error: the catalog .audioarticles/catalog.sqlite is missing but output/feed.xml "
           "shows episodes were published; restore the newest backup (cp "
           ".audioarticles/backups/catalog-{stamp}-daily.sqlite .audioarticles/catalog.sqlite) "
           "or run `audioarticles recover` to rebuild it from the published files")


@pytest.mark.parametrize("command", [
    ["convert", "articles/conseil.txt", *VOICE], ["build"], ["episodes"],
    ["hold", "une-ecole-renovee", "--reason", "x"], ["upgrade"], ["history"]])
def test_a_missing_catalog_beside_published_output_stops_every_command(
        runner, project, published, command):
    # before the fix: convert started a new catalog and swept every earlier episode's files
    remove_catalog(project)
    before = snapshot(project / "output")
    result = runner.invoke(cli, command)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    [backup] = backups.backups(project / CATALOG)
    stamp = backup.name.split("-")[1]
    assert line == MISSING.format(stamp=stamp)
    assert snapshot(project / "output") == before
    assert not (project / CATALOG).exists()


def test_without_backups_the_message_points_at_recover(runner, project, published):
    remove_catalog(project)
    for path in backups.backups(project / CATALOG):
        path.unlink()
    result = runner.invoke(cli, ["build"])
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        "shows episodes were published; run `audioarticles recover` to rebuild it from the "
        "published files")


def test_recover_rebuilds_guids_slugs_dates_and_states_and_the_same_feed(
        runner, project, published):
    feed = (project / "output" / "feed.xml").read_bytes()
    remove_catalog(project)
    result = runner.invoke(cli, ["recover", "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["published"], report["held"], report["kept_aside"]) == (2, 1, None)
    after = listed(runner)
    kept = ("guid", "slug", "title", "mp3", "bytes", "duration_s", "voice", "engine",
            "transcripts", "chapters", "page")
    for before, now in zip(published, after, strict=True):
        assert {k: now[k] for k in kept} == {k: before[k] for k in kept}
        # a file's path is recognised from its GUID; an article known by its URL (front matter
        # `url:`) gets that URL as its source: which file said it is not written anywhere
        assert now["source"] == ("https://example.org/ecole" if before["slug"] ==
                                 "une-ecole-renovee" else before["source"])
        assert now["state"] == before["state"]
        if before["state"] == "published":
            assert now["pub_date"] == before["pub_date"]  # with its offset
        else:  # only the day is written anywhere for audio that was never public
            assert now["pub_date"] == before["pub_date"][:10]
            assert now["state_reason"].startswith("recovered: its audio was not public")
    # the site rebuilt from the recovered catalog is the one listeners had, byte for byte
    assert runner.invoke(cli, ["build"]).exit_code == 0
    assert (project / "output" / "feed.xml").read_text().splitlines() == feed.decode().splitlines()
    # converting again keeps every episode (same GUID, slug, date; the audio is made again
    # since what the article said was not published)
    result = runner.invoke(cli, ["convert", "articles", *VOICE])
    assert result.exit_code == 0, result.stderr
    again = listed(runner)
    assert [(e["guid"], e["slug"], e["state"], e["pub_date"]) for e in again] == \
        [(e["guid"], e["slug"], e["state"], e["pub_date"]) for e in after]
    assert all((project / e["mp3"]).is_file() for e in again)


def test_recover_leaves_a_healthy_catalog_alone_unless_forced(runner, project, published):
    result = runner.invoke(cli, ["recover"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: the catalog .audioarticles/catalog.sqlite is readable and holds 3 episode(s): "
        "nothing to recover. `audioarticles recover --force` rebuilds it anyway (the current "
        "one is kept aside)\n")
    result = runner.invoke(cli, ["recover", "--force", "--json"])
    assert result.exit_code == 0, result.stderr
    aside = project / json.loads(result.stdout)["kept_aside"]
    with Catalog(aside, keep_backups=False) as old:
        assert len(old.episodes()) == 3
    assert [e["guid"] for e in listed(runner)] == [e["guid"] for e in published]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "zeroed page"])
def test_a_damaged_catalog_stops_the_run_with_one_line_then_recover_replaces_it(
        runner, project, published, damage):
    path = project / CATALOG
    with Catalog(path) as catalog:  # everything in the main file, nothing in the journal
        catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"this is not a database at all\n" * 200)
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        page = 4096
        path.write_bytes(data[:page] + b"\0" * page + data[2 * page:])
    before = snapshot(project / "output")
    result = runner.invoke(cli, ["convert", "articles/conseil.txt", *VOICE])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: the catalog ")
    assert f"{path} is damaged (" in line
    assert line.endswith(".sqlite .audioarticles/catalog.sqlite) or run `audioarticles "
                         "recover` to rebuild it from the published files")
    assert snapshot(project / "output") == before
    result = runner.invoke(cli, ["recover"])
    assert result.exit_code == 0, result.stderr
    assert "the previous catalog is kept as .audioarticles/catalog-replaced-" in result.stdout
    assert [e["guid"] for e in listed(runner)] == [e["guid"] for e in published]


def test_the_catalog_is_backed_up_before_a_migration(tmp_path, monkeypatch):
    path = tmp_path / "state" / "catalog.sqlite"
    monkeypatch.setattr(catalog_module, "MIGRATIONS", catalog_module.MIGRATIONS[:1])
    with Catalog(path) as catalog:
        catalog.db.execute(
            "INSERT INTO episodes (guid, identity, slug, title, source, voice, engine, "
            "created_at, updated_at) VALUES ('g1', 'path:a.txt', 's1', 'T', 'a.txt', 'v', 'e', "
            "'x', 'x')")
    assert backups.backups(path) == []  # a new catalog has nothing to keep
    monkeypatch.undo()
    with Catalog(path) as catalog:
        assert catalog.schema_version == len(catalog_module.MIGRATIONS)
    [before] = backups.backups(path)
    assert before.name.endswith(f"-before-schema-{len(catalog_module.MIGRATIONS)}.sqlite")
    copy = sqlite3.connect(before)
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    assert copy.execute("SELECT slug FROM episodes").fetchall() == [("s1",)]
    copy.close()


def test_daily_backups_at_most_once_a_day_the_newest_kept(tmp_path):
    path = tmp_path / "catalog.sqlite"
    Catalog(path).close()
    with Catalog(path) as catalog:
        catalog.save(Episode(guid="g", slug="s", title="T", source="a.txt", voice="v",
                             engine="e"))
    [first] = backups.backups(path)
    Catalog(path).close()
    assert backups.backups(path) == [first]  # the same day: no second copy
    yesterday = time.time() - backups.DAY_S - 60
    os.utime(first, (yesterday, yesterday))
    first.rename(first.with_name("catalog-20000101T000000Z-daily.sqlite"))
    Catalog(path).close()
    assert len(backups.backups(path)) == 2
    with Catalog(path) as catalog:
        for day in range(backups.KEEP + 3):
            backups.back_up(catalog.db, path, "daily", now=time.time() + day)
    kept = backups.backups(path)
    assert len(kept) == backups.KEEP
    assert kept[-1].name.startswith("catalog-") and all(p.name < kept[-1].name for p in kept[:-1])
    # a file of the user's in the backups folder is never touched
    mine = backups.backups_dir(path) / "mine.sqlite"
    mine.write_bytes(b"keep me")
    with Catalog(path) as catalog:
        backups.back_up(catalog.db, path, "daily", now=time.time() + 99 * 86400)
    assert mine.read_bytes() == b"keep me"

