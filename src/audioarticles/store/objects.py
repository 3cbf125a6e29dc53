"""Episode files and the site on object storage (or any fsspec file system): `[storage] public`
and `private` name two folders by URL (`s3://bucket/prefix/`; `file://`, `sftp://` work the
same way), credentials come from the environment (AWS_*), `endpoint_url` (or
AWS_ENDPOINT_URL) reaches an S3-compatible store other than AWS.

What the local store gets from renames, this one gets from the object store's own guarantees:

- An object appears whole or not at all: a PUT is atomic, and a multipart upload (s3fs uses
  one above twice its chunk size, 50 MiB) is invisible until it completes. Other file systems
  (no such guarantee) get a temporary dot-name, then a rename.
- Every upload says what it is: Content-Type by suffix, Cache-Control by kind
  (`interfaces.site_headers`): versioned MP3s and their side files are immutable, the feed
  and pages short-lived.
- Order: a rendering is uploaded to the private area (side files, then the MP3); `admit`
  copies a published episode's files to the public area before the rebuild's `site_batch`
  writes the pages and feeds that name them (in `SiteKind` order, feeds last); `withdraw`
  removes them after the batch that stopped naming them.
- Never delete an object we did not write: on S3 every object we upload carries the metadata
  `x-amz-meta-audioarticles: written` (set by the same PUT, so the record and the object
  appear together); on other file systems, where objects carry no metadata, a small marker
  under the private area's `.audioarticles/written/` is written before the object. Every
  delete checks the record first. It lives beside the files, so every worker sharing the
  storage sees it.

Rendering still happens on local disk (ffmpeg needs files): `placing` gives a temporary MP3 in
the project's state folder and `place` uploads it. The private area also holds the store's
records (`.audioarticles/records/`) and the shared tier of the segment cache
(`.audioarticles/segments/`, `store/segment_cache.py`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from audioarticles.errors import StorageError
from audioarticles.store.atomic import atomic_write_bytes
from audioarticles.model import Episode
from audioarticles.store.files import EPISODE_FILE_PATTERNS, EPISODES, audio_stem, episode_files, \
    temporary_mp3
from audioarticles.store.interfaces import FileStore, Placement, SiteBatch, SiteKind, site_headers

OWN = ".audioarticles"  # the store's own objects in the private area (never listed as files)
WRITTEN = f"{OWN}/written"
RECORDS = f"{OWN}/records"
SEGMENTS = f"{OWN}/segments"
_S3 = ("s3", "s3a")
_EPISODE_SUFFIXES = tuple(pattern.lstrip("*") for pattern in EPISODE_FILE_PATTERNS)
# an episode's (or an edition's) own file: `<slug>-<hash of its MP3>.<suffix>`
_EPISODE_FILE = re.compile(r"(episodes|editions)/[^/]+-[0-9a-f]{10}(\.[a-z0-9]+)+")
# connection errors and 5xx answers are retried (a store restarting, a network blip), with
# backoff, before an upload is given up as failed
RETRIES = {"max_attempts": 10, "mode": "standard"}
UPLOADS_AT_ONCE = 16  # a site batch's files of one kind are uploaded this many at a time


class Location(str):
    """A folder or file of a storage area, as its URL (`s3://bucket/prefix/episodes/x.mp3`).
    `/` joins like a path, so it stands where a local `Path` would (`Episode.mp3_path`)."""

    def __truediv__(self, name: str) -> Location:
        return Location(f"{self.rstrip('/')}/{str(name).lstrip('/')}")


def storage_options(url: str, endpoint_url: str = "") -> dict:
    """fsspec options for `url`: for S3, the endpoint (setting, else AWS_ENDPOINT_URL) and
    retries; credentials are left to the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE...)."""
    if urlsplit(url).scheme not in _S3:
        return {}
    endpoint = (endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3")
                or os.environ.get("AWS_ENDPOINT_URL") or None)
    return {"endpoint_url": endpoint, "use_listings_cache": False, "skip_instance_cache": True,
            "config_kwargs": {"retries": RETRIES, "connect_timeout": 10, "read_timeout": 60}}


def open_filesystem(url: str, endpoint_url: str = ""):
    """(fsspec file system, root path without the protocol) for a storage URL."""
    try:
        import fsspec
    except ImportError:
        raise StorageError(f"{url}: storage URLs need fsspec; pip install "
                           "'audioarticles[s3]'") from None
    try:
        fs, root = fsspec.core.url_to_fs(url, **storage_options(url, endpoint_url))
    except ImportError as exc:
        raise StorageError(f"{url}: this kind of storage needs a package that is not "
                           f"installed ({exc}); for S3: pip install 'audioarticles[s3]'") from None
    except (ValueError, OSError) as exc:
        raise StorageError(f"{url}: cannot open this storage ({exc}); check [storage] in "
                           "audioarticles.toml") from None
    return fs, root.rstrip("/")


def failure(exc: BaseException, what: str, where: str) -> StorageError:
    """One line for a storage operation that failed: what, where, why and the fix."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, PermissionError):
        fix = ("check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (this "
               "store's, and allowed to write there)")
    elif isinstance(exc, FileNotFoundError):
        fix = "create the bucket (or fix [storage] in audioarticles.toml)"
    else:
        fix = ("check that the store is reachable ([storage] endpoint_url or AWS_ENDPOINT_URL) "
               "and run the command again")
    return StorageError(f"cannot {what} {where} ({reason}); {fix}")


class Area:
    """One storage folder (public or private): its file system and root, with uploads that
    are atomic and carry their headers."""

    def __init__(self, url: str, endpoint_url: str = ""):
        self.url = url.rstrip("/") + "/"
        self.fs, self.root = open_filesystem(url, endpoint_url)
        self.s3 = urlsplit(url).scheme in _S3

    @property
    def location(self) -> Location:
        return Location(self.url)

    def path(self, name: str) -> str:
        return f"{self.root}/{name}" if name else self.root

    def key(self, name: str) -> str:
        """The full URL of `name` (what the record of written objects keeps)."""
        return self.url + name

    @contextlib.contextmanager
    def calling(self, what: str, name: str, missing_ok: bool = False) -> Iterator[None]:
        """A client error as a StorageError naming the object; `missing_ok`: a missing
        object stays FileNotFoundError, for the caller to take as an answer."""
        try:
            yield
        except StorageError:
            raise
        except FileNotFoundError as exc:
            if missing_ok:
                raise
            raise failure(exc, what, self.key(name)) from exc
        except Exception as exc:  # the client libraries' errors are of many kinds
            raise failure(exc, what, self.key(name)) from exc

    def put_bytes(self, name: str, data: bytes, headers: dict[str, str] | None = None) -> None:
        with self.calling("write", name):
            if self.s3:
                self.fs.pipe_file(self.path(name), data, **_s3_headers(headers))
            else:
                tmp = self._temporary(name)
                self.fs.pipe_file(tmp, data)
                self.fs.mv(tmp, self.path(name))

    def put_many(self, files: dict[str, bytes], headers: dict[str, str] | None = None) -> None:
        """Several uploads with the same headers, UPLOADS_AT_ONCE at a time on S3 (each one
        atomic; no order among them)."""
        if not self.s3 or len(files) < 2:
            for name, data in files.items():
                self.put_bytes(name, data, headers)
            return
        with self.calling("write", f"{len(files)} files under", ""):
            self.fs.pipe({self.path(name): data for name, data in files.items()},
                         batch_size=UPLOADS_AT_ONCE, **_s3_headers(headers))

    def put_file(self, name: str, local: Path, headers: dict[str, str] | None = None) -> None:
        with self.calling("upload", name):
            if self.s3:
                self.fs.put_file(str(local), self.path(name), **_s3_headers(headers))
            else:
                tmp = self._temporary(name)
                self.fs.put_file(str(local), tmp)
                self.fs.mv(tmp, self.path(name))

    def _temporary(self, name: str) -> str:
        parent, _, base = name.rpartition("/")
        self.fs.makedirs(self.path(parent), exist_ok=True)
        return self.path(f"{parent}/.{base}.{secrets.token_hex(4)}.part" if parent
                         else f".{base}.{secrets.token_hex(4)}.part")

    def read(self, name: str) -> bytes | None:
        try:
            with self.calling("read", name, missing_ok=True):
                return self.fs.cat_file(self.path(name))
        except FileNotFoundError:
            return None

    def info(self, name: str) -> dict | None:
        try:
            with self.calling("look up", name, missing_ok=True):
                return self.fs.info(self.path(name))
        except FileNotFoundError:
            return None

    def marked(self, name: str) -> bool | None:
        """S3: whether the object carries our mark (None: no such object)."""
        try:
            with self.calling("look up", name, missing_ok=True):
                meta = self.fs.metadata(self.path(name))
        except FileNotFoundError:
            return None
        return all(meta.get(key) == value for key, value in MARK.items())

    def exists(self, name: str) -> bool:
        info = self.info(name)
        return info is not None and info.get("type") != "directory"

    def listing(self, folder: str) -> dict[str, dict]:
        """The files directly in `folder`: relative name -> fsspec info (size, ETag, mtime);
        hidden and temporary names left out."""
        prefix = f"{folder.strip('/')}/" if folder.strip("/") else ""
        try:
            with self.calling("list", folder or "/", missing_ok=True):
                entries = self.fs.ls(self.path(prefix.rstrip("/")), detail=True, refresh=True) \
                    if self.s3 else self.fs.ls(self.path(prefix.rstrip("/")), detail=True)
        except FileNotFoundError:
            return {}
        found = {}
        for entry in entries:
            base = PurePosixPath(entry["name"]).name
            if entry.get("type") == "directory" or base.startswith("."):
                continue
            found[prefix + base] = entry
        return found

    def remove(self, name: str, present: bool = False) -> bool:
        """Delete `name`; False when it was not there (an S3 DELETE succeeds either way, so
        it is looked up first unless the caller just saw it, `present`)."""
        if not present and not self.exists(name):
            return False
        try:
            with self.calling("delete", name, missing_ok=True):
                self.fs.rm_file(self.path(name))
        except FileNotFoundError:
            return False
        return True


#: the user metadata every object we upload to S3 carries: our record of what we wrote
MARK = {"audioarticles": "written"}


def _s3_headers(headers: dict[str, str] | None) -> dict:
    options: dict = {"Metadata": dict(MARK)}
    if headers:
        options.update(ContentType=headers["Content-Type"],
                       CacheControl=headers["Cache-Control"])
    return options


def episode_headers(name: str) -> dict[str, str]:
    """An episode's files are named after their content: cached for good."""
    return site_headers(name, SiteKind.VERSIONED)


def _etag_of(info: dict) -> str:
    return str(info.get("ETag") or info.get("etag") or "").strip('"')


class Written:
    """The record of the objects we wrote, shared by every worker on the same storage: on S3,
    the mark each object carries (`MARK`, set by its own PUT); elsewhere, one small marker
    object per URL under the private area's `.audioarticles/written/`, written before the
    object it names."""

    def __init__(self, markers: Area):
        self.markers = markers
        self._lock = threading.Lock()
        self._known: set[str] = set()

    @staticmethod
    def _marker(url: str) -> str:
        return f"{WRITTEN}/{hashlib.sha256(url.encode()).hexdigest()}"

    def add(self, area: Area, name: str) -> None:
        """Before `name` is uploaded to `area`: write it down (nothing to do on S3)."""
        if area.s3:
            return
        url = area.key(name)
        with self._lock:
            if url in self._known:
                return
        self.markers.put_bytes(self._marker(url), url.encode())
        with self._lock:
            self._known.add(url)

    def wrote(self, area: Area, name: str) -> bool:
        if area.s3:
            return bool(area.marked(name))
        url = area.key(name)
        with self._lock:
            if url in self._known:
                return True
        held = self.markers.read(self._marker(url))
        if held is not None and held.decode(errors="replace") == url:
            with self._lock:
                self._known.add(url)
            return True
        return False


class _RemotePlacement(Placement):
    """The MP3 is rendered into a local temporary file; `place` uploads the side files, then
    the MP3, each under its final versioned name."""

    def __init__(self, store: ObjectFiles, area: Area, folder: str, slug: str) -> None:
        self.store, self.area, self.folder, self.slug = store, area, folder, slug
        self.tmp_mp3 = temporary_mp3(store.work_dir, slug)
        self.created: list[str] = []

    def place(self, sides: dict[str, str | bytes]) -> dict[str, str]:
        stem = audio_stem(self.tmp_mp3, self.slug)
        placed = {}
        for suffix, text in sides.items():
            name = f"{self.folder}/{stem}{suffix}"
            data = text.encode("utf-8") if isinstance(text, str) else text
            self._upload(name, lambda n=name, d=data: self.area.put_bytes(
                n, d, episode_headers(n)))
            placed[suffix] = name
        name = f"{self.folder}/{stem}.mp3"
        self._upload(name, lambda: self.area.put_file(name, self.tmp_mp3, episode_headers(name)))
        placed[".mp3"] = name
        with contextlib.suppress(FileNotFoundError):
            self.tmp_mp3.unlink()
        return placed

    def _upload(self, name: str, upload) -> None:
        if not self.area.exists(name):
            self.created.append(name)
        self.store.written.add(self.area, name)
        upload()

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.tmp_mp3.unlink()
        for name in self.created:
            with contextlib.suppress(StorageError):
                self.store.remove_ours(self.area, name)


class _RemoteSiteBatch(SiteBatch):
    """Site files queued in memory; on commit uploaded one by one in `SiteKind` order (each
    PUT atomic), unchanged ones skipped (their ETag is the MD5 of the content)."""

    def __init__(self, store: ObjectFiles) -> None:
        self.store = store
        self._pending: dict[str, tuple[SiteKind, bytes]] = {}
        self._listings: dict[str, dict[str, dict]] = {}

    def _current(self, name: str) -> dict | None:
        folder = name.rpartition("/")[0]
        if folder not in self._listings:
            self._listings[folder] = self.store.public.listing(folder)
        return self._listings[folder].get(name)

    def write(self, name: str, data: bytes, kind: SiteKind) -> bool:
        _check_name(name)
        info = self._current(name)
        if info is not None and info.get("size") == len(data):
            etag = _etag_of(info)
            same = (etag == hashlib.md5(data, usedforsecurity=False).hexdigest()
                    if etag and self.store.public.s3 else self.store.public.read(name) == data)
            if same:
                return False
        self._pending[name] = (kind, data)
        return True

    def commit(self) -> None:
        """Kind after kind (versioned files, assets, pages, feeds): each kind's files are all
        visible before the next kind's upload begins; within a kind, several at a time."""
        public = self.store.public
        for kind in sorted({kind for kind, _ in self._pending.values()}, key=lambda k: k.value):
            groups: dict[tuple, dict[str, bytes]] = {}
            for name, (of_kind, data) in self._pending.items():
                if of_kind is kind:
                    headers = site_headers(name, kind)
                    groups.setdefault(tuple(sorted(headers.items())), {})[name] = data
            for headers, files in groups.items():
                for name in files:
                    self.store.written.add(public, name)
                public.put_many(files, dict(headers))
        self._pending.clear()


def _check_name(name: str) -> None:
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if not parts or any(part == ".." or part.startswith(".") for part in parts):
        raise ValueError(f"{name!r} is not a file name inside the public folder")


class ObjectFiles(FileStore):
    """Public files under `public` (a URL), unreleased ones under `private` (same relative
    names); rendering in `work_dir` on local disk."""

    def __init__(self, public: str, private: str, work_dir: Path, endpoint_url: str = "",
                 cache_dir: Path | None = None):
        self.public = Area(public, endpoint_url)
        self.private_area = Area(private, endpoint_url)
        self.work_dir = work_dir
        self.cache_dir = cache_dir  # local copies of episode files read (None: no cache)
        self.written = Written(self.private_area)

    # where things are
    @property
    def public_dir(self) -> Location:  # type: ignore[override]
        """The public storage's URL (joins with `/` like a path, for what is shown)."""
        return self.public.location

    @property
    def private(self) -> Location:
        return self.private_area.location

    def root_for(self, episode: Episode) -> Location:  # type: ignore[override]
        return (self.public if episode.state == "published" else self.private_area).location

    def present(self, episode: Episode) -> bool:
        names = episode_files(episode)
        return bool(names) and all(self.public.exists(n) or self.private_area.exists(n)
                                   for n in names)

    def intact(self, episode: Episode) -> bool:
        if not episode.mp3 or not self.present(episode):
            return False
        for area in (self.public, self.private_area):
            info = area.info(episode.mp3)
            if info is not None:
                return int(info.get("size") or 0) == episode.bytes
        return False

    def size(self, name: str) -> int:
        for area in (self.private_area, self.public):
            info = area.info(name)
            if info is not None:
                return int(info.get("size") or 0)
        return 0

    # new renderings
    @contextlib.contextmanager
    def placing(self, slug: str, folder: str = EPISODES,
                public: bool = False) -> Iterator[Placement]:
        placement = _RemotePlacement(self, self.public if public else self.private_area,
                                     folder, slug)
        try:
            yield placement
        except BaseException:
            placement.discard()
            raise

    def remove_ours(self, area: Area, name: str) -> bool:
        """Delete `name` from `area` if, and only if, we wrote it (False: not ours, or gone)."""
        if not self.written.wrote(area, name):
            return False
        # on S3 the mark was read from the object itself: it is there
        return area.remove(name, present=area.s3)

    def _copy(self, source: Area, target: Area, name: str) -> None:
        data = source.read(name)
        if data is None:
            return
        self.written.add(target, name)
        target.put_bytes(name, data, episode_headers(name))

    # releasing and withdrawing
    def admit(self, episodes: Iterable[Episode]) -> None:
        # a file waiting in the private area is the newer one (conversions write there first);
        # the MP3 goes last, like `place`; one listing per folder, not a request per file
        waiting = _Listings(self.private_area)
        for episode in episodes:
            for name in sorted(episode_files(episode), key=lambda n: n.endswith(".mp3")):
                if waiting.has(name):
                    self._copy(self.private_area, self.public, name)
                    self.remove_ours(self.private_area, name)

    def withdraw(self, episodes: Iterable[Episode]) -> None:
        shown = _Listings(self.public)
        kept = _Listings(self.private_area)
        for episode in episodes:
            for name in episode_files(episode):
                if not shown.has(name):
                    continue
                if not kept.has(name):
                    self._copy(self.public, self.private_area, name)
                self.remove_ours(self.public, name)

    def purge(self, episode: Episode) -> None:
        self.delete(episode_files(episode))

    def delete(self, names: Iterable[str]) -> None:
        for name in names:
            for area in (self.public, self.private_area):
                self.remove_ours(area, name)

    def discard_replaced(self, old: Episode | None, new: Episode) -> None:
        if old is None:
            return
        keep = set(episode_files(new))
        for name in episode_files(old):
            if name not in keep:
                self.remove_ours(self.private_area, name)

    def delete_public(self, name: str) -> bool:
        return self.remove_ours(self.public, name)

    # the site
    @contextlib.contextmanager
    def site_batch(self) -> Iterator[SiteBatch]:
        batch = _RemoteSiteBatch(self)
        yield batch
        batch.commit()

    def read(self, name: str, public: bool = True) -> bytes | None:
        """A file's bytes; an episode's own files (named after their audio, so never
        changing) are kept in the local cache after the first read: a rebuild reads an
        episode's transcript and chapters again without a request."""
        kept = self._cached(name)
        if kept is not None:
            try:
                return kept.read_bytes()
            except FileNotFoundError:
                pass
        data = (self.public if public else self.private_area).read(name)
        if data is not None and kept is not None:
            with contextlib.suppress(OSError):  # a cache that cannot be written is no cache
                atomic_write_bytes(kept, data)
        return data

    def _cached(self, name: str) -> Path | None:
        if self.cache_dir is None or not _EPISODE_FILE.fullmatch(name):
            return None
        digest = hashlib.sha256(name.encode()).hexdigest()
        return self.cache_dir / digest[:2] / digest

    def listing(self, folder: str, public: bool = True) -> dict[str, int]:
        area = self.public if public else self.private_area
        return {name: int(info.get("size") or 0)
                for name, info in area.listing(folder).items()}

    def delete_site(self, name: str) -> bool:
        try:
            _check_name(name)
        except ValueError:
            return False
        return self.remove_ours(self.public, name)

    def read_record(self, name: str) -> bytes | None:
        return self.private_area.read(f"{RECORDS}/{name}")

    def write_record(self, name: str, data: bytes) -> None:
        self.private_area.put_bytes(f"{RECORDS}/{name}", data)

    # what a run that died left
    def sweep_partial(self, before: float) -> list[Path]:
        """The temporary MP3s of renderings that died (local); an upload that died left
        nothing visible (an unfinished multipart upload is aborted by the bucket's lifecycle
        rule, see README)."""
        removed = []
        if self.work_dir.is_dir():
            for path in self.work_dir.glob(".*.part"):
                with contextlib.suppress(OSError):
                    if path.is_file() and path.stat().st_mtime < before:
                        path.unlink()
                        removed.append(path)
        return removed

    def sweep_orphans(self, known: set[str], before: float) -> list[Path]:
        """Episode files no episode names, older than `before`, that we wrote."""
        removed: list[Path] = []
        for area in (self.public, self.private_area):
            for name, info in area.listing(EPISODES).items():
                if name in known or not name.endswith(_EPISODE_SUFFIXES):
                    continue
                modified = _modified(info)
                if modified is not None and modified < before and self.remove_ours(area, name):
                    removed.append(area.location / name)  # type: ignore[arg-type]
        return removed


def _modified(info: dict) -> float | None:
    stamp = info.get("LastModified") or info.get("mtime") or info.get("last_modified")
    if stamp is None:
        return None
    return stamp.timestamp() if hasattr(stamp, "timestamp") else float(stamp)


class _Listings:
    """The files of an area's folders, each folder listed once."""

    def __init__(self, area: Area):
        self.area = area
        self._folders: dict[str, set[str]] = {}

    def has(self, name: str) -> bool:
        folder = name.rpartition("/")[0]
        if folder not in self._folders:
            self._folders[folder] = set(self.area.listing(folder))
        return name in self._folders[folder]


def probe(url: str, endpoint_url: str = "") -> str | None:
    """Whether the storage at `url` can be written, read back and cleaned: None when it can,
    else one line saying what failed and the fix (`doctor --config`). The probe object is
    written under the area's own `.audioarticles/` prefix and deleted at once."""
    name = f"{OWN}/doctor-probe-{secrets.token_hex(6)}"
    try:
        area = Area(url, endpoint_url)
        area.put_bytes(name, b"audioarticles doctor --config")
        if area.read(name) != b"audioarticles doctor --config":
            return (f"{area.key(name)} was written but reads back differently; check the "
                    "store's consistency settings")
        area.remove(name)
    except StorageError as exc:
        return _credentials_hint(str(exc))
    except Exception as exc:  # the client libraries' errors are of many kinds
        return _credentials_hint(str(failure(exc, "reach", url)))
    return None


def _credentials_hint(message: str) -> str:
    if "credentials" in message.lower() and "locate" in message.lower():
        return (f"{message.split(' (')[0]}: no credentials found; set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the environment")
    return message
