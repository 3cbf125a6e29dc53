"""The file store's site seam: how publish/ writes, reads back, lists and deletes the public
site's files by relative name (`FileStore.site_batch`, `read`, `listing`, `delete_site`,
`read_record`/`write_record`), and the headers each kind of file is served with."""

from __future__ import annotations

import pytest

from audioarticles.store import SiteKind, site_headers
from audioarticles.store import atomic
from audioarticles.store.files import LocalFiles
from audioarticles.store.manifest import Manifest


@pytest.fixture
def files(tmp_path) -> LocalFiles:
    return LocalFiles(tmp_path / "output", tmp_path / "state" / "unreleased", tmp_path / "state")


def test_a_batch_writes_whole_files_and_records_them_as_ours(files, tmp_path):
    with files.site_batch() as batch:
        assert batch.write("episodes/marche.html", b"<p>page</p>", SiteKind.PAGE)
        assert batch.write("feed.xml", b"<rss/>", SiteKind.FEED)
        # nothing is visible before the batch ends
        assert not (files.public_dir / "feed.xml").exists()
    assert (files.public_dir / "feed.xml").read_bytes() == b"<rss/>"
    assert files.read("episodes/marche.html") == b"<p>page</p>"
    written = Manifest(tmp_path / "state")
    assert written.wrote(files.public_dir / "feed.xml")
    assert written.wrote(files.public_dir / "episodes" / "marche.html")
    assert not list(files.public_dir.rglob(".*.part"))


def test_an_unchanged_file_is_not_written_again(files):
    with files.site_batch() as batch:
        batch.write("index.html", b"same", SiteKind.PAGE)
    before = (files.public_dir / "index.html").stat().st_ino
    with files.site_batch() as batch:
        assert not batch.write("index.html", b"same", SiteKind.PAGE)
        assert batch.write("feed.xml", b"new", SiteKind.FEED)
    assert (files.public_dir / "index.html").stat().st_ino == before


def test_files_become_visible_versioned_first_and_feeds_last(files, monkeypatch):
    order = []
    real = atomic.replace_with

    def spy(tmp, target):
        order.append(target.relative_to(files.public_dir).as_posix())
        real(tmp, target)

    monkeypatch.setattr("audioarticles.store.files.replace_with", spy)
    with files.site_batch() as batch:  # queued in the worst order
        batch.write("feed.xml", b"<rss/>", SiteKind.FEED)
        batch.write("episodes/a.html", b"a", SiteKind.PAGE)
        batch.write("player/player.js", b"js", SiteKind.ASSET)
        batch.write("artwork/podcast-0123456789.png", b"png", SiteKind.VERSIONED)
        batch.write("feeds/sante.xml", b"<rss/>", SiteKind.FEED)
    assert order == ["artwork/podcast-0123456789.png", "player/player.js", "episodes/a.html",
                     "feed.xml", "feeds/sante.xml"]


def test_a_batch_left_by_an_error_makes_nothing_visible(files):
    with pytest.raises(RuntimeError), files.site_batch() as batch:
        batch.write("index.html", b"new page", SiteKind.PAGE)
        raise RuntimeError("the build failed half-way")
    assert not (files.public_dir / "index.html").exists()
    assert not [p for p in files.public_dir.rglob("*") if p.is_file()]


def test_a_name_outside_the_public_folder_is_refused(files):
    for name in ("../state/catalog.sqlite", "/etc/passwd", "episodes/../../x", ".hidden", ""):
        with pytest.raises(ValueError), files.site_batch() as batch:
            batch.write(name, b"x", SiteKind.PAGE)
        assert files.read(name) is None
    assert not files.delete_site("../state/written-files")


def test_listing_names_visible_files_with_their_sizes(files):
    with files.site_batch() as batch:
        batch.write("episodes/a.html", b"12345", SiteKind.PAGE)
        batch.write("episodes/b.mp3", b"123", SiteKind.VERSIONED)
        batch.write("index.html", b"1", SiteKind.PAGE)
    (files.public_dir / "episodes" / ".a.html.1234.part").write_bytes(b"half")
    (files.public_dir / "episodes" / "sub").mkdir()
    assert files.listing("episodes") == {"episodes/a.html": 5, "episodes/b.mp3": 3}
    assert files.listing("") == {"index.html": 1}
    assert files.listing("nothing-here") == {}
    assert files.listing("episodes", public=False) == {}


def test_only_files_we_wrote_are_deleted(files):
    with files.site_batch() as batch:
        batch.write("embed/ours.html", b"ours", SiteKind.PAGE)
    theirs = files.public_dir / "embed" / "theirs.html"
    theirs.write_bytes(b"the publisher's own page")
    assert files.delete_site("embed/ours.html")
    assert not files.delete_site("embed/ours.html")  # already gone
    assert not files.delete_site("embed/theirs.html")
    assert theirs.read_bytes() == b"the publisher's own page"


def test_records_are_private_and_replaced_whole(files, tmp_path):
    assert files.read_record("site-fingerprints.json") is None
    files.write_record("site-fingerprints.json", b'{"a": 1}')
    files.write_record("site-fingerprints.json", b'{"a": 2}')
    assert files.read_record("site-fingerprints.json") == b'{"a": 2}'
    assert (tmp_path / "state" / "site-fingerprints.json").is_file()
    assert not [p for p in files.public_dir.rglob("*") if p.is_file()]


@pytest.mark.parametrize("name, kind, content_type, cache", [
    ("episodes/marche-0123456789.mp3", SiteKind.VERSIONED, "audio/mpeg", "immutable"),
    ("episodes/marche-0123456789.vtt", SiteKind.VERSIONED, "text/vtt; charset=utf-8",
     "immutable"),
    ("episodes/marche-0123456789.chapters.json", SiteKind.VERSIONED, "application/json",
     "immutable"),
    ("artwork/podcast-0123456789.png", SiteKind.VERSIONED, "image/png", "immutable"),
    ("player/player.js", SiteKind.ASSET, "text/javascript; charset=utf-8", "max-age=3600"),
    ("episodes/marche.html", SiteKind.PAGE, "text/html; charset=utf-8", "max-age=300"),
    ("feed.xml", SiteKind.FEED, "application/rss+xml; charset=utf-8", "max-age=300"),
    ("feeds/sante-abc.xml", SiteKind.FEED, "application/rss+xml; charset=utf-8", "max-age=300"),
])
def test_each_kind_of_file_has_its_headers(name, kind, content_type, cache):
    headers = site_headers(name, kind)
    assert headers["Content-Type"] == content_type
    assert cache in headers["Cache-Control"]
    assert ("immutable" in headers["Cache-Control"]) == (kind is SiteKind.VERSIONED)
