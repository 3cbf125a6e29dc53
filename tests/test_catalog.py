from __future__ import annotations

import sqlite3

import pytest

from audioarticles.errors import CatalogUnusable
from audioarticles.store import catalog as catalog_module
from audioarticles.store.catalog import Catalog
from audioarticles.model import Episode

ALL_MIGRATIONS = list(catalog_module.MIGRATIONS)


def test_new_catalog_is_at_latest_schema(tmp_path):
    with Catalog(tmp_path / "c.sqlite") as cat:
        assert cat.schema_version == len(catalog_module.MIGRATIONS)


def test_migrates_forward_and_keeps_rows(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite"
    first = catalog_module.MIGRATIONS[:1]
    monkeypatch.setattr(catalog_module, "MIGRATIONS", first)
    with Catalog(path) as cat:
        # a row as the first schema wrote it
        cat.db.execute(
            "INSERT INTO episodes (guid, identity, slug, title, source, voice, engine, created_at, "
            "updated_at) VALUES ('g1', 'path:a.txt', 's1', 'T', 'a.txt', 'v', 'e', 'x', 'x')")
    latest = ALL_MIGRATIONS + ["CREATE TABLE extra (x INTEGER)"]
    monkeypatch.setattr(catalog_module, "MIGRATIONS", latest)
    with Catalog(path) as cat:
        assert cat.schema_version == len(latest)
        episode = cat.get("g1")
        assert episode.slug == "s1" and episode.state == "published"
        assert (episode.state_reason, episode.publish_at) == ("", "")
        cat.db.execute("SELECT x FROM extra")


def test_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "c.sqlite"
    Catalog(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(CatalogUnusable, match="newer audioarticles"):
        Catalog(path)


def test_save_updates_by_guid_and_keeps_created_at(tmp_path):
    with Catalog(tmp_path / "c.sqlite") as cat:
        first = cat.save(Episode(guid="g", slug="s", title="A", source="a.txt", voice="v", engine="e",
                                 transcripts={"vtt": "episodes/s.vtt"}))
        second = cat.save(Episode(guid="g", slug="s", title="B", source="a.txt", voice="v", engine="e",
                                  created_at="1999-01-01T00:00:00+00:00"))
        assert second.id == first.id and second.title == "B"
        assert second.created_at == first.created_at
        assert first.transcripts == {"vtt": "episodes/s.vtt"}
        assert [e.guid for e in cat.episodes()] == ["g"]


def test_failed_transaction_leaves_catalog_unchanged(tmp_path):
    with Catalog(tmp_path / "c.sqlite") as cat:
        with pytest.raises(ZeroDivisionError), cat.transaction():
            cat.save(Episode(guid="g", slug="s", title="A", source="a", voice="v", engine="e"))
            1 / 0
        assert cat.episodes() == []
