"""The local file store: placing a rendering, admitting and withdrawing files, purging."""

from __future__ import annotations

import pytest

from audioarticles.config import load_settings
from audioarticles.model import Episode
from audioarticles.store import CatalogStore, FileStore, ProjectStore, local_files, open_catalog
from audioarticles.store.catalog import Catalog
from audioarticles.store.files import LocalFiles
from audioarticles.store.postgres import PgCatalog


@pytest.fixture
def files(tmp_path) -> LocalFiles:
    return LocalFiles(tmp_path / "output", tmp_path / "state" / "unreleased", tmp_path / "state")


def episode(names: dict[str, str], state: str = "published", size: int = 0) -> Episode:
    return Episode(guid="g", slug="s", title="t", source="s.txt", voice="v", engine="e",
                   state=state, mp3=names[".mp3"], bytes=size,
                   transcripts={"vtt": names[".vtt"]}, chapters=names[".chapters.json"])


def test_the_implementations_are_the_interfaces(catalog_backend, tmp_path):
    catalog_backend.configure(tmp_path)
    settings = load_settings(tmp_path)
    assert isinstance(local_files(settings), FileStore)
    kind = PgCatalog if catalog_backend.url else Catalog
    with ProjectStore(settings).catalog() as catalog:
        assert isinstance(catalog, CatalogStore) and isinstance(catalog, kind)
    with open_catalog(settings) as catalog:  # the one factory
        assert isinstance(catalog, kind)
    assert (tmp_path / ".audioarticles" / "catalog.sqlite").exists() != bool(catalog_backend.url)


def test_a_placement_names_files_by_their_audio_and_keeps_them_private(files):
    with files.placing("marche") as placement:
        placement.tmp_mp3.write_bytes(b"ID3 fake audio")
        names = placement.place({".vtt": "WEBVTT\n", ".chapters.json": "{}\n"})
    stem = names[".mp3"].removesuffix(".mp3")
    assert stem.startswith("episodes/marche-") and len(stem) == len("episodes/marche-") + 10
    assert names == {".mp3": f"{stem}.mp3", ".vtt": f"{stem}.vtt",
                     ".chapters.json": f"{stem}.chapters.json"}
    assert sorted(p.name for p in (files.private / "episodes").iterdir()) == sorted(
        n.split("/")[1] for n in names.values())
    assert not files.public_dir.exists()
    placed = episode(names, state="draft", size=len(b"ID3 fake audio"))
    assert files.present(placed) and files.intact(placed)
    assert files.root_for(placed) == files.private
    assert not files.intact(episode(names, state="draft", size=3))


def test_a_failed_placement_leaves_nothing(files):
    with pytest.raises(RuntimeError), files.placing("marche") as placement:
        placement.tmp_mp3.write_bytes(b"half an mp3")
        raise RuntimeError("encoder died")
    assert list((files.private / "episodes").iterdir()) == []


def test_admit_withdraw_and_purge_move_only_the_episode_files(files):
    with files.placing("marche") as placement:
        placement.tmp_mp3.write_bytes(b"audio")
        names = placement.place({".vtt": "WEBVTT\n", ".chapters.json": "{}\n"})
    published = episode(names)
    files.admit([published])
    assert all((files.public_dir / n).is_file() for n in names.values())
    assert files.root_for(published) == files.public_dir
    (files.public_dir / "episodes" / "theirs.mp3").write_bytes(b"not ours")
    held = episode(names, state="held")
    files.withdraw([held])
    assert all((files.private / n).is_file() for n in names.values())
    assert sorted(p.name for p in (files.public_dir / "episodes").iterdir()) == ["theirs.mp3"]
    files.purge(held)
    assert not files.present(held)
    assert (files.public_dir / "episodes" / "theirs.mp3").exists()  # never ours to delete


def test_a_retired_public_file_is_deleted_once(files):
    (files.public_dir / "episodes").mkdir(parents=True)
    (files.public_dir / "episodes" / "old-0123456789.mp3").write_bytes(b"audio")
    assert files.delete_public("episodes/old-0123456789.mp3") is True
    assert files.delete_public("episodes/old-0123456789.mp3") is False
