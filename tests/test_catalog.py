"""The catalog on both backends (SQLite, PostgreSQL): the schema, migrations, saving,
transactions, slugs, and copying a whole catalog into another."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from audioarticles.errors import CatalogUnusable
from audioarticles.model import EditorialEvent, Episode, RetiredFile, Tombstone
from audioarticles.store import catalog as catalog_module
from audioarticles.store.catalog import Catalog
from audioarticles.store.postgres import postgres_ddl, postgres_sql

ALL_MIGRATIONS = list(catalog_module.MIGRATIONS)


def episode(guid: str = "g", slug: str = "s", **fields) -> Episode:
    return Episode(guid=guid, slug=slug, title=fields.pop("title", "A"), source="a.txt",
                   voice="v", engine="e", **fields)


def test_new_catalog_is_at_latest_schema(catalog_backend):
    with catalog_backend.open() as cat:
        assert cat.schema_version == len(catalog_module.MIGRATIONS)


def test_every_table_is_one_that_migrate_copies(tmp_path):
    """`migrate --catalog` copies the tables `catalog.TABLES` names: a table added by a
    migration and not named there would be left behind silently."""
    with Catalog(tmp_path / "catalog.sqlite"):
        pass
    with sqlite3.connect(tmp_path / "catalog.sqlite") as raw:
        made = {name for (name,) in raw.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    assert made == set(catalog_module.TABLES)


def test_migrates_forward_and_keeps_rows(catalog_backend, monkeypatch):
    first = catalog_module.MIGRATIONS[:1]
    monkeypatch.setattr(catalog_module, "MIGRATIONS", first)
    with catalog_backend.open() as cat:
        assert cat.schema_version == 1
        # a row as the first schema wrote it
        cat.execute(
            "INSERT INTO episodes (guid, identity, slug, title, source, voice, engine, created_at, "
            "updated_at) VALUES ('g1', 'path:a.txt', 's1', 'T', 'a.txt', 'v', 'e', 'x', 'x')")
    latest = ALL_MIGRATIONS + ["CREATE TABLE extra (x INTEGER)"]
    monkeypatch.setattr(catalog_module, "MIGRATIONS", latest)
    with catalog_backend.open() as cat:
        assert cat.schema_version == len(latest)
        found = cat.get("g1")
        assert found.slug == "s1" and found.state == "published"
        assert (found.state_reason, found.publish_at) == ("", "")
        assert cat.execute("SELECT x FROM extra") in (-1, 0)
        # the slug the old episode holds is claimed: a new article gets the next one
        assert cat.claim_slug("g2", "s1") == "s1-2"
        assert cat.claim_slug("g1", "s1") == "s1"


def test_a_failed_migration_leaves_the_previous_schema(catalog_backend, monkeypatch):
    with catalog_backend.open() as cat:
        cat.save(episode())
    broken = ALL_MIGRATIONS + ["CREATE TABLE half (x INTEGER); SELECT no_such_column FROM half"]
    monkeypatch.setattr(catalog_module, "MIGRATIONS", broken)
    with pytest.raises((CatalogUnusable, sqlite3.Error, catalog_module.CatalogError)):
        catalog_backend.open()
    monkeypatch.setattr(catalog_module, "MIGRATIONS", ALL_MIGRATIONS)
    with catalog_backend.open() as cat:
        assert cat.schema_version == len(ALL_MIGRATIONS)
        assert [e.guid for e in cat.episodes()] == ["g"]
    monkeypatch.setattr(catalog_module, "MIGRATIONS", ALL_MIGRATIONS + ["CREATE TABLE half (y TEXT)"])
    with catalog_backend.open() as cat:  # `half` was never created: the retry creates it
        cat.execute("SELECT y FROM half")


def test_refuses_a_newer_schema(catalog_backend, monkeypatch):
    with catalog_backend.open():
        pass
    monkeypatch.setattr(catalog_module, "MIGRATIONS", ALL_MIGRATIONS[:2])
    with pytest.raises(CatalogUnusable, match="newer audioarticles"):
        catalog_backend.open()


def test_save_updates_by_guid_and_keeps_created_at(catalog_backend):
    with catalog_backend.open() as cat:
        first = cat.save(episode(transcripts={"vtt": "episodes/s.vtt"}, duration_s=12.5,
                                 degraded=True, meta={"é": [1, 2]}))
        second = cat.save(episode(title="B", created_at="1999-01-01T00:00:00+00:00"))
        assert second.id == first.id and second.title == "B"
        assert second.created_at == first.created_at
        assert first.transcripts == {"vtt": "episodes/s.vtt"}
        assert (first.duration_s, first.degraded, first.meta) == (12.5, True, {"é": [1, 2]})
        assert [e.guid for e in cat.episodes()] == ["g"]


def test_guid_and_slug_are_unique_in_the_database(catalog_backend):
    with catalog_backend.open() as cat:
        cat.save(episode("g1", "same"))
        with pytest.raises(catalog_module.CATALOG_ERRORS):
            cat.save(episode("g2", "same"))
        with pytest.raises(catalog_module.CATALOG_ERRORS):
            cat.execute("INSERT INTO episodes (guid, identity, slug, title, source, voice, "
                        "engine, created_at, updated_at) VALUES ('g1', '', 'other', 'T', '', "
                        "'v', 'e', 'x', 'x')")
        assert [e.slug for e in cat.episodes()] == ["same"]


def test_failed_transaction_leaves_catalog_unchanged(catalog_backend):
    with catalog_backend.open() as cat:
        with pytest.raises(ZeroDivisionError), cat.transaction():
            cat.save(episode())
            cat.add_event(EditorialEvent(guid="g", slug="s", at="t", from_state="",
                                         to_state="published", actor="policy"))
            1 / 0
        assert cat.episodes() == [] and cat.events() == []


def test_a_nested_transaction_is_all_or_nothing_inside_the_outer_one(catalog_backend):
    with catalog_backend.open() as cat:
        with cat.transaction():
            cat.save(episode("g1", "one"))
            with pytest.raises(ZeroDivisionError), cat.transaction():
                cat.save(episode("g2", "two"))
                1 / 0
            assert cat.number_episodes("main", ["g1"]) == {"g1": 1}  # a transaction inside
        assert [e.guid for e in cat.episodes()] == ["g1"]
        assert cat.feed_numbers("main") == {"g1": 1}


def test_episodes_are_newest_first_by_date_then_creation(catalog_backend):
    with catalog_backend.open() as cat:
        cat.save(episode("a", "a", pub_date="2024-03-01T08:00:00+01:00"))
        cat.save(episode("b", "b", pub_date="2024-03-02T08:00:00+01:00", state="held"))
        cat.save(episode("c", "c", pub_date="2024-03-01T08:00:00+01:00"))
        assert [e.guid for e in cat.episodes()] == ["b", "c", "a"]
        assert [e.guid for e in cat.episodes(states=("published",))] == ["c", "a"]


def test_every_kind_of_row_round_trips(catalog_backend):
    with catalog_backend.open() as cat:
        cat.set_setting("podcast_guid", "x")
        cat.set_setting("podcast_guid", "y")
        assert cat.setting("podcast_guid") == "y" and cat.setting("nope") is None
        stone = Tombstone(identity="url:u", guid="g", slug="s", reason="r", actor="a", at="t")
        cat.add_tombstone(stone)
        assert cat.tombstone("url:u") == stone
        cat.remove_tombstone("url:u")
        assert cat.tombstone("url:u") is None
        cat.retire_file(RetiredFile(path="episodes/a.mp3", guid="g", retired_at="2"))
        cat.retire_file(RetiredFile(path="episodes/a.mp3", guid="g", retired_at="3"))
        cat.retire_file(RetiredFile(path="episodes/b.mp3", guid="g", retired_at="1"))
        assert [(r.path, r.retired_at) for r in cat.retired_files()] == [
            ("episodes/b.mp3", "1"), ("episodes/a.mp3", "2")]
        cat.unretire_files(["episodes/b.mp3"])
        assert [r.path for r in cat.retired_files()] == ["episodes/a.mp3"]
        first = cat.add_feed_token("club", "ana", "h1", "n1")
        second = cat.add_feed_token("club", "bo", "h2", "n2")
        assert second > first
        assert [t["subscriber"] for t in cat.feed_tokens("club")] == ["ana", "bo"]
        assert cat.remove_feed_token(first) and not cat.remove_feed_token(first)
        assert cat.number_episodes("club", ["a", "b"]) == {"a": 1, "b": 2}
        assert cat.number_episodes("club", ["c", "a"]) == {"a": 1, "b": 2, "c": 3}
        cat.save_edition("edition", "2024-03-01", episode("e1", "ed-1"))
        cat.save_edition("edition", "2024-03-02", episode("e2", "ed-2"))
        assert [e.guid for e in cat.editions()] == ["e2", "e1"]
        assert cat.edition_feeds() == ["edition"]


def test_slugs_are_claimed_once_per_article(catalog_backend):
    with catalog_backend.open() as cat:
        assert cat.claim_slug("g1", "budget") == "budget"
        assert cat.claim_slug("g2", "budget") == "budget-2"
        assert cat.claim_slug("g1", "budget") == "budget"  # an article keeps its slug
        cat.save(episode("g3", "budget-3"))
        assert cat.claim_slug("g4", "budget") == "budget-4"
        assert cat.slugs() == {"budget", "budget-2", "budget-3", "budget-4"}


def test_slugs_claimed_at_once_are_distinct(catalog_backend):
    """Eight connections (as eight machines would) claim the same slug at the same moment:
    each article gets its own, nobody gets an error."""
    catalogs = [catalog_backend.open() for _ in range(8)]
    start = threading.Barrier(len(catalogs))
    got: dict[str, str] = {}
    errors: list[BaseException] = []

    def claim(n: int) -> None:
        try:
            start.wait()
            got[f"g{n}"] = catalogs[n].claim_slug(f"g{n}", "le-budget")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(catalogs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for cat in catalogs:
        cat.close()
    assert errors == []
    assert sorted(got.values()) == sorted(["le-budget"] + [f"le-budget-{n}" for n in range(2, 9)])
    with catalog_backend.open() as cat:
        assert cat.slugs() == set(got.values())


def test_a_catalog_copies_into_an_empty_one_of_the_other_backend(catalog_backend, request):
    from audioarticles.store.postgres import PgCatalog

    with catalog_backend.open() as source:
        source.save(episode("g1", "one", meta={"render": "x"}))
        source.save(episode("g2", "two", state="held", duration_s=3.25))
        source.claim_slug("g3", "three")
        source.add_event(EditorialEvent(guid="g2", slug="two", at="t", from_state="published",
                                        to_state="held", actor="ed", reason="check"))
        source.add_feed_token("club", "ana", "h1", "n1")
        source.set_setting("podcast_guid", "pg")
        source.number_episodes("club", ["g1"])
        other = (Catalog(catalog_backend.folder / "copy.sqlite") if catalog_backend.url
                 else PgCatalog(request.getfixturevalue("postgres_url")))
        with other as copy:
            counts = source.copy_into(copy)
            assert counts == source.counts() == copy.counts()
            assert counts["episodes"] == 2 and counts["slug_claims"] == 3
            assert [(e.guid, e.id, e.state, e.meta, e.duration_s) for e in copy.episodes()] == [
                (e.guid, e.id, e.state, e.meta, e.duration_s) for e in source.episodes()]
            assert copy.events() == source.events()
            assert copy.add_feed_token("club", "bo", "h2", "n2") == 2  # ids go on after the copy
            assert copy.claim_slug("g4", "three") == "three-2"
            with pytest.raises(CatalogUnusable, match="empty catalog"):
                source.copy_into(copy)


def test_postgres_words_for_the_sqlite_schema():
    assert postgres_ddl("id INTEGER PRIMARY KEY, n INTEGER NOT NULL, d REAL, t TEXT") == (
        'id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT NOT NULL, '
        'd DOUBLE PRECISION, t TEXT COLLATE "C"')
    assert postgres_sql("SELECT * FROM t WHERE a = ? AND b = :name AND c LIKE '5%'") == (
        "SELECT * FROM t WHERE a = %s AND b = %(name)s AND c LIKE '5%%'")


def test_jobs_are_recorded_moved_along_and_listed_newest_first(catalog_backend):
    from audioarticles.model import Job

    with catalog_backend.open() as cat:
        cat.add_jobs([Job(id="j1", name="a.md", source={"kind": "path", "ref": "/a.md"},
                          options={"voice": None}, runner="queue", created_at="2026-01-01T00",
                          updated_at="2026-01-01T00"),
                      Job(id="j2", name="b.md", source={"kind": "path", "ref": "/b.md"},
                          options={}, runner="embedded", created_at="2026-01-02T00",
                          updated_at="2026-01-02T00")])
        assert [j.id for j in cat.jobs()] == ["j2", "j1"]
        assert cat.job("j1").source == {"kind": "path", "ref": "/a.md"}
        assert cat.update_job("j1", only_from=("queued",), state="running", attempts="+1")
        assert not cat.update_job("j1", only_from=("queued",), state="running")
        assert cat.update_job("j1", state="done", guid="g", status="converted")
        job = cat.job("j1")
        assert (job.state, job.attempts, job.guid, job.status) == ("done", 1, "g", "converted")
        assert job.updated_at > "2026-01-01T00"
        assert [j.id for j in cat.jobs(states=("queued",))] == ["j2"]
        assert [j.id for j in cat.jobs(ids=["j1"])] == ["j1"] and cat.jobs(ids=[]) == []
        assert cat.job("nope") is None
        assert cat.counts()["jobs"] == 2
