"""The manifest of written files: only what it names may ever be swept."""

from __future__ import annotations

from audioarticles.store.manifest import Manifest


def test_only_files_written_down_are_ours_and_removable(tmp_path):
    state = tmp_path / ".audioarticles"
    ours, theirs = tmp_path / "output" / "a.mp3", tmp_path / "output" / "b.mp3"
    ours.parent.mkdir()
    manifest = Manifest(state)
    manifest.add([ours])  # written down before the file gets its name
    ours.write_bytes(b"ours")
    theirs.write_bytes(b"theirs")
    assert manifest.wrote(ours) and not manifest.wrote(theirs)
    assert manifest.remove(theirs) is False and theirs.read_bytes() == b"theirs"
    assert manifest.remove(ours) is True and not ours.exists()
    # another run (another process) reads the same record
    assert Manifest(state).wrote(tmp_path / "output" / "." / "a.mp3")


def test_a_symlink_someone_put_where_we_wrote_is_not_ours(tmp_path):
    target = tmp_path / "precious.mp3"
    target.write_bytes(b"only copy")
    link = tmp_path / "episode.mp3"
    manifest = Manifest(tmp_path / "state")
    manifest.add([link])
    link.symlink_to(target)
    assert not manifest.wrote(link)
    assert manifest.remove(link) is False and link.is_symlink() and target.exists()


def test_tidy_forgets_files_that_are_gone_and_keeps_the_others(tmp_path):
    manifest = Manifest(tmp_path / "state")
    kept, gone = tmp_path / "kept.html", tmp_path / "gone.html"
    manifest.add([kept, gone])
    kept.write_text("x")
    manifest.tidy()
    assert manifest.path.read_text().splitlines() == [str(kept)]
    assert Manifest(tmp_path / "state").wrote(kept)


def test_the_state_folder_is_ours_as_a_whole_without_a_line_per_file(tmp_path):
    state = tmp_path / ".audioarticles"
    manifest = Manifest(state)
    preview = state / "preview" / "index.html"
    manifest.add([preview, tmp_path / "output" / "index.html"])
    assert manifest.path.read_text().splitlines() == [str(tmp_path / "output" / "index.html")]
    assert manifest.wrote(preview)
