"""The object-storage file store (`store/objects.py`) against a real S3-compatible server
(SeaweedFS, started per module from the `weed` binary): placing, admitting, withdrawing and
deleting episode files, the site's writes, headers as a listener's HTTP client sees them,
never deleting an object we did not write, uploads killed half-way, and the segment cache's
shared tier. The `[storage]` settings are checked here too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from audioarticles.config import Settings
from audioarticles.errors import StorageError, UsageError
from audioarticles.model import Audio, Episode
from audioarticles.store import FileStore, ProjectStore, open_files
from audioarticles.store.files import LocalFiles
from audioarticles.store.interfaces import SiteKind
from audioarticles.store.objects import Area, ObjectFiles
from audioarticles.store.segment_cache import SegmentCache
from audioarticles.testing.s3_server import ACCESS_KEY, SECRET_KEY

IMMUTABLE = "public, max-age=31536000, immutable"


def episode(names: dict[str, str], state: str = "published", size: int = 0) -> Episode:
    return Episode(guid="g", slug="s", title="t", source="s.txt", voice="v", engine="e",
                   state=state, mp3=names[".mp3"], bytes=size,
                   transcripts={"vtt": names[".vtt"]}, chapters=names[".chapters.json"])


def http_get(s3_service, bucket: str, key: str) -> tuple[int, dict, bytes]:
    """An anonymous GET, as a listener's app (or a CDN) fetches a public object."""
    try:
        with urllib.request.urlopen(f"{s3_service.endpoint_url}/{bucket}/{key}",
                                    timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), b""


@pytest.fixture
def files(s3_bucket, tmp_path) -> ObjectFiles:
    return ObjectFiles(f"s3://{s3_bucket}/podcast/", f"s3://{s3_bucket}/private/",
                       tmp_path / "rendering")


def keys(s3_service, bucket: str) -> set[str]:
    fs = s3_service.filesystem()
    return {path.removeprefix(f"{bucket}/") for path in fs.find(bucket)}


# ---- settings ------------------------------------------------------------------------------

@pytest.mark.parametrize("storage, message", [
    ({"public": "s3://b/p/", "private": "s3://c/", "key": "AKIA"},
     "[storage] key has moved; credentials belong in the environment"),
    ({"public": "s3://b/p/", "private": "s3://c/", "aws_secret_access_key": "x"},
     "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
    ({"public": "s3://AKIA:secret@b/p/", "private": "s3://c/"}, "holds credentials"),
    ({"public": "s3://b/p/"}, "set [storage] private too"),
    ({"public": "podcast-bucket/p", "private": "s3://c/"}, "not a storage URL"),
    ({"public": "s3://b/", "private": "s3://c/", "endpoint_url": "127.0.0.1:8333"},
     "not an http(s) URL"),
])
def test_storage_settings_refuse_credentials_and_malformed_urls(tmp_path, storage, message):
    with pytest.raises(UsageError) as caught:
        Settings(tmp_path, {"storage": storage})
    assert message in str(caught.value)
    assert "secret" not in str(caught.value).split("=", 1)[-1].split(":")[0]


def test_the_factory_opens_local_folders_by_default_and_object_storage_when_set(tmp_path):
    assert isinstance(open_files(Settings(tmp_path, {})), LocalFiles)
    settings = Settings(tmp_path, {"storage": {"public": "file://" + str(tmp_path / "pub"),
                                               "private": "file://" + str(tmp_path / "priv"),
                                               }})
    opened = open_files(settings)
    assert isinstance(opened, ObjectFiles) and isinstance(opened, FileStore)
    assert ProjectStore(settings).files.public.url == f"file://{tmp_path}/pub/"


def test_any_fsspec_url_works_a_local_file_url_included(tmp_path):
    """Not only S3: the same store over `file://` (temporary name, then a rename)."""
    files = ObjectFiles(f"file://{tmp_path}/pub/", f"file://{tmp_path}/priv/",
                        tmp_path / "rendering")
    with files.placing("marche") as placement:
        placement.tmp_mp3.write_bytes(b"ID3 audio")
        names = placement.place({".vtt": "WEBVTT\n", ".chapters.json": "{}\n"})
    files.admit([episode(names)])
    assert (tmp_path / "pub" / names[".mp3"]).read_bytes() == b"ID3 audio"
    assert not (tmp_path / "priv" / names[".mp3"]).exists()
    assert not list((tmp_path / "pub").rglob(".*.part"))
    theirs = tmp_path / "pub" / "episodes" / "theirs-0123456789.mp3"
    theirs.write_bytes(b"the publisher's own")
    assert files.delete_public("episodes/theirs-0123456789.mp3") is False  # no marker: theirs
    assert files.delete_public(names[".mp3"]) is True and theirs.exists()


# ---- episode files on S3 -------------------------------------------------------------------

def test_a_placement_uploads_to_the_private_area_only(files, s3_service, s3_bucket):
    with files.placing("marche") as placement:
        placement.tmp_mp3.write_bytes(b"ID3 fake audio")
        names = placement.place({".vtt": "WEBVTT\n", ".chapters.json": "{}\n"})
    stem = names[".mp3"].removesuffix(".mp3")
    assert stem.startswith("episodes/marche-")
    stored = keys(s3_service, s3_bucket)
    assert {f"private/{n}" for n in names.values()} <= stored
    assert not any(k.startswith("podcast/") for k in stored)
    assert not placement.tmp_mp3.exists()  # the local rendering is gone once uploaded
    placed = episode(names, state="draft", size=len(b"ID3 fake audio"))
    assert files.present(placed) and files.intact(placed)
    assert not files.intact(episode(names, state="draft", size=3))
    assert str(files.root_for(placed)) == f"s3://{s3_bucket}/private/"
    assert str(files.root_for(placed) / names[".mp3"]) == f"s3://{s3_bucket}/private/{names['.mp3']}"


def test_a_failed_placement_leaves_nothing(files, s3_service, s3_bucket, tmp_path):
    with pytest.raises(RuntimeError), files.placing("marche") as placement:
        placement.tmp_mp3.write_bytes(b"half an mp3")
        raise RuntimeError("encoder died")
    assert not any(k.startswith(("private/episodes", "podcast/"))
                   for k in keys(s3_service, s3_bucket))
    assert list((tmp_path / "rendering").iterdir()) == []


def test_admitted_files_are_public_with_their_headers_and_withdrawn_ones_are_not(
        files, s3_service, s3_bucket):
    with files.placing("marche") as placement:
        placement.tmp_mp3.write_bytes(b"ID3 audio")
        names = placement.place({".vtt": "WEBVTT\n", ".chapters.json": "{}\n"})
    files.admit([episode(names)])
    expected = {".mp3": "audio/mpeg", ".vtt": "text/vtt; charset=utf-8",
                ".chapters.json": "application/json"}
    for suffix, name in names.items():
        status, headers, body = http_get(s3_service, s3_bucket, f"podcast/{name}")
        assert status == 200, name
        assert headers["Content-Type"] == expected[suffix]
        assert headers["Cache-Control"] == IMMUTABLE
        assert {k.lower(): v for k, v in headers.items()}["x-amz-meta-audioarticles"] == \
            "written"  # our record, on the object itself
        assert body == (b"ID3 audio" if suffix == ".mp3" else b"WEBVTT\n" if suffix == ".vtt"
                        else b"{}\n")
    assert not any(k.startswith("private/episodes") for k in keys(s3_service, s3_bucket))
    files.withdraw([episode(names, state="held")])
    for name in names.values():
        assert http_get(s3_service, s3_bucket, f"podcast/{name}")[0] == 404
    assert files.present(episode(names, state="held"))
    assert files.read(names[".vtt"], public=False) == b"WEBVTT\n"


def test_never_deletes_an_object_it_did_not_write(files, s3_service, s3_bucket):
    fs = s3_service.filesystem()
    theirs = f"{s3_bucket}/podcast/episodes/theirs-0123456789.mp3"
    fs.pipe_file(theirs, b"the publisher's own")
    fs.pipe_file(f"{s3_bucket}/podcast/index.html", b"their page")
    with files.placing("marche") as placement:
        placement.tmp_mp3.write_bytes(b"ID3 audio")
        names = placement.place({".vtt": "WEBVTT\n", ".chapters.json": "{}\n"})
    files.admit([episode(names)])
    assert files.delete_public("episodes/theirs-0123456789.mp3") is False
    assert files.delete_site("index.html") is False
    files.delete(["episodes/theirs-0123456789.mp3"])
    removed = files.sweep_orphans(set(), before=time.time() + 60)
    assert sorted(str(p).rsplit("/", 1)[1] for p in removed) == sorted(
        n.rsplit("/", 1)[1] for n in names.values())
    assert fs.cat_file(theirs) == b"the publisher's own"
    assert fs.cat_file(f"{s3_bucket}/podcast/index.html") == b"their page"
    assert files.delete_public(names[".mp3"]) is False  # ours, but already swept


def test_the_site_is_uploaded_with_its_headers_in_order_and_unchanged_files_are_skipped(
        files, s3_service, s3_bucket, monkeypatch):
    order: list[str] = []
    put = files.public.put_bytes
    monkeypatch.setattr(files.public, "put_bytes",
                        lambda name, data, headers=None: (order.append(name),
                                                          put(name, data, headers)))
    with files.site_batch() as batch:
        assert batch.write("feed.xml", b"<rss/>", SiteKind.FEED)
        assert batch.write("episodes/a.html", b"<p>a</p>", SiteKind.PAGE)
        assert batch.write("artwork/podcast-0123.png", b"PNG", SiteKind.VERSIONED)
        assert order == []  # nothing is visible before the batch ends
    assert order == ["artwork/podcast-0123.png", "episodes/a.html", "feed.xml"]
    status, headers, body = http_get(s3_service, s3_bucket, "podcast/feed.xml")
    assert (status, body) == (200, b"<rss/>")
    assert headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert headers["Cache-Control"] == "public, max-age=300"
    assert http_get(s3_service, s3_bucket, "podcast/episodes/a.html")[1]["Content-Type"] == \
        "text/html; charset=utf-8"
    order.clear()
    with files.site_batch() as batch:
        assert not batch.write("feed.xml", b"<rss/>", SiteKind.FEED)
        assert batch.write("episodes/a.html", b"<p>A</p>", SiteKind.PAGE)
    assert order == ["episodes/a.html"]
    assert files.listing("episodes") == {"episodes/a.html": 8}
    assert files.delete_site("episodes/a.html") is True
    with pytest.raises(ValueError), files.site_batch() as batch:
        batch.write("../escape.html", b"x", SiteKind.PAGE)


def test_a_failed_site_batch_uploads_nothing(files, s3_service, s3_bucket):
    with pytest.raises(RuntimeError), files.site_batch() as batch:
        batch.write("feed.xml", b"<rss/>", SiteKind.FEED)
        raise RuntimeError("build failed")
    assert not any(k.startswith("podcast/") for k in keys(s3_service, s3_bucket))


def test_records_are_kept_privately_and_replaced_whole(files, s3_service, s3_bucket):
    assert files.read_record("site-fingerprints.json") is None
    files.write_record("site-fingerprints.json", b'{"a": 1}')
    files.write_record("site-fingerprints.json", b'{"a": 2}')
    assert files.read_record("site-fingerprints.json") == b'{"a": 2}'
    assert "private/.audioarticles/records/site-fingerprints.json" in keys(s3_service, s3_bucket)
    assert files.listing("", public=False) == {}  # the store's own objects are not files


def test_a_missing_bucket_is_one_line_naming_it(s3_service, tmp_path, monkeypatch):
    for key, value in s3_service.environ().items():
        monkeypatch.setenv(key, value)
    files = ObjectFiles("s3://no-such-bucket-here/p/", "s3://no-such-bucket-here/q/",
                        tmp_path / "rendering")
    with pytest.raises(StorageError) as caught, files.placing("marche") as placement:
        placement.tmp_mp3.write_bytes(b"ID3 audio")
        placement.place({".vtt": "WEBVTT\n"})
    message = str(caught.value)
    assert "s3://no-such-bucket-here/" in message and "\n" not in message
    assert "create the bucket" in message


def test_the_segment_cache_shares_entries_through_the_private_storage(files, tmp_path):
    audio = Audio(pcm=b"\x01\x00" * 800, sample_rate=16000)
    one = SegmentCache(tmp_path / "machine-1", files.private_area)
    two = SegmentCache(tmp_path / "machine-2", files.private_area)
    key = SegmentCache.key("espeak", "Bonjour.")
    assert two.get(key) is None
    assert one.put(key, audio) is audio
    found = two.get(key)  # another machine: a miss locally, a hit in the shared tier
    assert found is not None and found.pcm == audio.pcm
    assert two.path(key).is_file()  # kept locally from now on
    files.private_area.put_bytes(f".audioarticles/segments/{key[:2]}/{key}.pcm", b"torn")
    three = SegmentCache(tmp_path / "machine-3", files.private_area)
    assert three.get(key) is None  # a bad shared entry reads as a miss


# ---- an upload killed half-way ---------------------------------------------------------------

KILLED_UPLOAD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import s3fs
    from audioarticles.store.objects import ObjectFiles

    calls = s3fs.S3FileSystem._call_s3

    async def call(self, method, *args, **kwargs):
        out = await calls(self, method, *args, **kwargs)
        if method == "upload_part":  # one part is stored: stop here, to be killed
            print("PART", flush=True)
            time.sleep(600)
        return out

    s3fs.S3FileSystem._call_s3 = call
    files = ObjectFiles(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
    with files.placing("long") as placement:
        with open(placement.tmp_mp3, "wb") as handle:
            handle.write(b"ID3" + bytes(12 * 2**20))  # above 2 x 5 MiB: a multipart upload
        import functools
        put = files.private_area.fs.put_file
        files.private_area.fs.put_file = functools.partial(put, chunksize=5 * 2**20)
        placement.place({".vtt": "WEBVTT\\n"})
""")


def test_an_upload_killed_half_way_leaves_no_object_under_its_name(
        s3_service, s3_bucket, tmp_path):
    env = {**os.environ, **s3_service.environ()}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_UPLOAD, f"s3://{s3_bucket}/podcast/",
         f"s3://{s3_bucket}/private/", str(tmp_path / "rendering")],
        stdout=subprocess.PIPE, env=env, start_new_session=True)
    try:
        assert child.stdout.readline().strip() == b"PART"
        fs = s3_service.filesystem()
        uploads = fs.list_multipart_uploads(s3_bucket)
        assert [u["Key"].rsplit("/", 1)[0] for u in uploads] == ["private/episodes"]
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    stored = keys(s3_service, s3_bucket)
    mp3s = [k for k in stored if k.endswith(".mp3")]
    assert mp3s == []  # the killed upload is not an object: nothing under its final name
    final = uploads[0]["Key"]
    assert not fs.exists(f"{s3_bucket}/{final}")
    # the side file was uploaded whole before the MP3 (an orphan the next sweep removes)
    assert [k for k in stored if k.endswith(".vtt")] == [final.removesuffix(".mp3") + ".vtt"]
    files = ObjectFiles(f"s3://{s3_bucket}/podcast/", f"s3://{s3_bucket}/private/",
                        tmp_path / "rendering")
    assert [p.name for p in files.sweep_partial(time.time() + 1)]  # the local rendering
    assert [str(p).rsplit("/", 1)[1] for p in files.sweep_orphans(set(), time.time() + 60)] \
        == [final.rsplit("/", 1)[1].removesuffix(".mp3") + ".vtt"]


def test_credentials_come_from_the_environment(s3_service, s3_bucket, tmp_path, monkeypatch):
    files = ObjectFiles(f"s3://{s3_bucket}/podcast/", f"s3://{s3_bucket}/private/",
                        tmp_path / "rendering")
    files.write_record("probe", b"1")
    assert os.environ["AWS_ACCESS_KEY_ID"] == ACCESS_KEY and SECRET_KEY
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    wrong = ObjectFiles(f"s3://{s3_bucket}/podcast/", f"s3://{s3_bucket}/other/",
                        tmp_path / "rendering")
    with pytest.raises(StorageError) as caught:
        wrong.write_record("probe", b"1")
    assert "AWS_ACCESS_KEY_ID" in str(caught.value) or "reachable" in str(caught.value)
    assert json.dumps(str(caught.value)).count("wrong") == 0


# ---- doctor --config -------------------------------------------------------------------------

def write_storage_settings(project: Path, public: str, private: str, endpoint: str = "") -> None:
    lines = ["[storage]", f'public = "{public}"', f'private = "{private}"']
    if endpoint:
        lines.append(f'endpoint_url = "{endpoint}"')
    (project / "audioarticles.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_doctor_config_checks_the_storage_and_says_the_fix(project, runner, s3_service,
                                                           s3_bucket, monkeypatch):
    from audioarticles.cli import cli

    write_storage_settings(project, f"s3://{s3_bucket}/podcast/", f"s3://{s3_bucket}/private/")
    result = runner.invoke(cli, ["doctor", "--config", "--json"])
    assert result.exit_code == 0, result.output
    checked = json.loads(result.stdout)
    assert checked["ok"] is True
    assert [(r["part"], r["ok"]) for r in checked["config"]] == [
        ("catalog", True), ("storage (public)", True), ("storage (private)", True)]
    assert keys(s3_service, s3_bucket) == set()  # the probes were cleaned up

    write_storage_settings(project, "s3://no-such-bucket-x/podcast/", f"s3://{s3_bucket}/p/")
    result = runner.invoke(cli, ["doctor", "--config"])
    assert result.exit_code == 1
    assert "error: storage (public) s3://no-such-bucket-x/podcast/" in result.stdout
    assert "create the bucket" in result.stdout
    assert "ok: storage (private)" in result.stdout

    write_storage_settings(project, f"s3://{s3_bucket}/podcast/", f"s3://{s3_bucket}/p/")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    result = runner.invoke(cli, ["doctor", "--config", "--json"])
    assert result.exit_code == 1
    problems = [r["message"] for r in json.loads(result.stdout)["config"]
                if r["part"].startswith("storage")]
    assert all("AWS_ACCESS_KEY_ID" in m for m in problems), problems
    assert "not-the-secret" not in result.stdout


def test_doctor_config_on_local_folders(project, runner):
    from audioarticles.cli import cli

    result = runner.invoke(cli, ["doctor", "--config", "--json"])
    assert result.exit_code == 0, result.output
    assert [r["part"] for r in json.loads(result.stdout)["config"]] == [
        "catalog", "storage (public)", "storage (private)"]
    assert runner.invoke(cli, ["doctor"]).exit_code == 2


def test_private_state_is_shared_through_the_private_storage(s3_bucket, tmp_path):
    """Two machines on the same storage: what one keeps (an edition's segment list, the
    private feeds' key), the other reads."""
    storage = {"storage": {"public": f"s3://{s3_bucket}/podcast/",
                           "private": f"s3://{s3_bucket}/private/"}}
    machines = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        machines.append(ProjectStore(Settings(tmp_path / name, storage)))
    one, two = machines
    one.keep(one.private_path("segments", "abc.json"), b'{"segments": []}')
    assert two.kept(two.private_path("segments", "abc.json")) == b'{"segments": []}'
    assert two.private_path("segments", "abc.json").is_file()  # kept locally from now on
    assert two.kept(two.private_path("segments", "nothing.json")) is None
    assert two.secret("feed-tokens.key") is None
    key = one.secret("feed-tokens.key", create=True)
    assert len(key) == 32 and two.secret("feed-tokens.key") == key
    assert oct(two.private_path("feed-tokens.key").stat().st_mode & 0o777) == "0o600"
    local = ProjectStore(Settings(tmp_path / "one", {}))
    assert local.kept(local.private_path("segments", "zzz.json")) is None


def test_an_episode_file_read_once_is_read_again_from_the_local_cache(s3_bucket, tmp_path,
                                                                      monkeypatch):
    files = ObjectFiles(f"s3://{s3_bucket}/podcast/", f"s3://{s3_bucket}/private/",
                        tmp_path / "rendering", cache_dir=tmp_path / "cache")
    with files.placing("marche") as placement:
        placement.tmp_mp3.write_bytes(b"ID3 audio")
        names = placement.place({".vtt": "WEBVTT\n", ".chapters.json": "{}\n"})
    files.admit([episode(names)])
    with files.site_batch() as batch:
        batch.write("index.html", b"<p>v1</p>", SiteKind.PAGE)
    gets = []
    read = Area.read
    monkeypatch.setattr(Area, "read", lambda area, name: (gets.append(name), read(area, name))[1])
    assert files.read(names[".vtt"]) == b"WEBVTT\n"
    assert files.read(names[".vtt"]) == b"WEBVTT\n"
    assert gets == [names[".vtt"]]  # named after its audio: never changes, read once
    assert files.read("index.html") == b"<p>v1</p>"
    with files.site_batch() as batch:
        batch.write("index.html", b"<p>v2</p>", SiteKind.PAGE)
    assert files.read("index.html") == b"<p>v2</p>"  # a page changes in place: always asked
    assert files.read("episodes/missing-0123456789.vtt") is None
