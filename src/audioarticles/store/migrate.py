"""`audioarticles migrate`: move a project's catalog and files to other backends (a SQLite
file or a PostgreSQL database; local folders or object storage), then check the copy.

The catalog is copied through the catalog interface (`CatalogStore.copy_into`: every table,
ids kept, in one transaction of an empty target) and checked table by table: the same number
of rows, and the same SHA-256 over the rows (sorted, so the backends' row order does not
matter). Files are the ones this project wrote (the manifest of written files for local
folders, the record of written objects for object storage): published episodes' files and
the site into the public storage, unreleased files into the private one, in an order that
keeps the target consistent at every moment (versioned files first, pages, feeds last), each
with its Content-Type and Cache-Control; then each copy is read back and its SHA-256
compared. The segment cache is not copied (anything in it can be made again).

Nothing is changed at the source: once the copy checks out, the project's settings are
pointed at the targets (what to write in audioarticles.toml is part of the report).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from audioarticles.config import check_storage_url
from audioarticles.errors import StorageError, UsageError
from audioarticles.store.files import LocalFiles, episode_files
from audioarticles.store.interfaces import CatalogStore, FileStore, SiteKind, site_headers
from audioarticles.store.manifest import Manifest
from audioarticles.store.objects import OWN, ObjectFiles

# named after their content: `<slug>-<hash>.mp3`, `artwork/podcast-<hash>.png`...
_VERSIONED = re.compile(r"-[0-9a-f]{8,64}(\.[a-z0-9]+)+$")


@dataclass
class Migration:
    """What a migration copied and checked."""

    catalog: dict[str, int] = field(default_factory=dict)  # rows copied, by table
    files: dict[str, int] = field(default_factory=lambda: {"public": 0, "private": 0})
    bytes: int = 0
    problems: list[str] = field(default_factory=list)  # checks that failed
    settings: list[str] = field(default_factory=list)  # audioarticles.toml lines to set

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"ok": self.ok, "catalog": self.catalog, "files": self.files,
                "bytes": self.bytes, "problems": self.problems, "settings": self.settings}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- the catalog ---------------------------------------------------------------------------

def table_digests(catalog: CatalogStore) -> dict[str, tuple[int, str]]:
    """(rows, SHA-256 of the rows) by table; rows in a canonical order and form."""
    digests = {}
    for table, rows in catalog.dump():
        lines = sorted(json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)
                       for row in rows)
        digests[table] = (len(rows), digest("\n".join(lines).encode("utf-8")))
    return digests


def copy_catalog(source: CatalogStore, target: CatalogStore, report: Migration) -> None:
    report.catalog = source.copy_into(target)
    counts = target.counts()
    for table, copied in report.catalog.items():
        if counts.get(table) != copied:
            report.problems.append(f"catalog table {table}: {copied} row(s) copied, "
                                   f"{counts.get(table)} in the target")
    before, after = table_digests(source), table_digests(target)
    for table, (rows, checksum) in before.items():
        if after.get(table, (None, None))[1] != checksum:
            report.problems.append(f"catalog table {table}: the target's {rows} row(s) differ "
                                   "from the source's (checksum)")


# ---- files ---------------------------------------------------------------------------------

def inventory(files: FileStore, public: bool) -> list[str]:
    """The relative names of the files we wrote in one area of a store."""
    if isinstance(files, LocalFiles):
        root = files.public_dir if public else files.private
        written = Manifest(files.state) if files.state is not None else None
        names = []
        if root.is_dir():
            for path in root.rglob("*"):
                relative = path.relative_to(root).as_posix()
                if (path.is_file() and not path.is_symlink()
                        and not any(part.startswith(".") for part in relative.split("/"))
                        and (not public or (written is not None and written.wrote(path)))):
                    names.append(relative)
        return sorted(names)
    if isinstance(files, ObjectFiles):
        area = files.public if public else files.private_area
        try:
            found = area.fs.find(area.root)
        except FileNotFoundError:
            return []
        names = []
        for path in found:
            relative = path[len(area.root):].lstrip("/")
            if relative.startswith(f"{OWN}/") or any(p.startswith(".")
                                                     for p in relative.split("/")):
                continue
            if files.written.wrote(area, relative):
                names.append(relative)
        return sorted(names)
    raise TypeError(f"cannot list the files of a {type(files).__name__}")


def read(files: FileStore, name: str, public: bool) -> bytes | None:
    if isinstance(files, LocalFiles):
        try:
            return ((files.public_dir if public else files.private) / name).read_bytes()
        except OSError:
            return None
    return files.read(name, public)


def kind_of(name: str, versioned: set[str]) -> SiteKind:
    """How a public file is served (its Cache-Control), from its name."""
    if name in versioned or _VERSIONED.search(name.rsplit("/", 1)[-1]):
        return SiteKind.VERSIONED
    if name.endswith(".xml"):
        return SiteKind.FEED
    if name.startswith("player/"):
        return SiteKind.ASSET
    return SiteKind.PAGE


def copy_files(source: FileStore, target: ObjectFiles, versioned: set[str],
               report: Migration) -> None:
    """Every file we wrote, public and private, into `target`; then each read back."""
    copied: dict[tuple[bool, str], str] = {}
    for public in (False, True):
        names = inventory(source, public)
        if public:  # what a page or a feed names is there before it
            names.sort(key=lambda n: kind_of(n, versioned).value)
        area = target.public if public else target.private_area
        for name in names:
            data = read(source, name, public)
            if data is None:
                report.problems.append(f"{name}: listed but unreadable at the source")
                continue
            target.written.add(area, name)
            headers = site_headers(name, kind_of(name, versioned)) if public else None
            area.put_bytes(name, data, headers)
            copied[public, name] = digest(data)
            report.files["public" if public else "private"] += 1
            report.bytes += len(data)
    for (public, name), checksum in copied.items():
        held = target.read(name, public)
        if held is None or digest(held) != checksum:
            where = (target.public if public else target.private_area).key(name)
            report.problems.append(f"{where}: the copy differs from the source (checksum)"
                                   if held is not None else f"{where}: missing after the copy")


def versioned_names(catalog: CatalogStore) -> set[str]:
    """Every episode's and edition's own files (named after their content)."""
    names = {name for episode in catalog.episodes() for name in episode_files(episode)}
    names |= {name for edition in catalog.editions() for name in episode_files(edition)}
    return names


def check_target_url(url: str, what: str) -> str:
    shown = re.sub(r"(://[^/@:\s]*:)[^@/\s]+@", r"\1***@", url)  # a secret never printed
    if shown != url:
        raise UsageError(f"{what} {shown}: holds credentials; give them in the environment "
                         "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), never in the URL")
    try:
        return check_storage_url(url)
    except ValueError as exc:
        raise UsageError(f"{what} {shown}: {exc}") from None


def check_targets(catalog: str, storage: str, private: str) -> None:
    """The targets make sense together (a UsageError says what is missing or wrong)."""
    if not catalog and not storage:
        raise UsageError("give --catalog URL and/or --storage URL --private URL: where to move "
                         "the project")
    if storage and not private:
        raise UsageError("--storage needs --private too: the private storage holds unreleased "
                         "episodes' files and the segment cache (e.g. s3://bucket-private/x/)")
    if private and not storage:
        raise UsageError("--private goes with --storage (the public storage)")
    if storage:
        check_target_url(storage, "--storage")
        check_target_url(private, "--private")


def open_target_files(public: str, private: str, work_dir: Path,
                      endpoint_url: str = "") -> ObjectFiles:
    public, private = check_target_url(public, "--storage"), check_target_url(private,
                                                                             "--private")
    return ObjectFiles(public, private, work_dir, endpoint_url)


def empty_target(target: ObjectFiles) -> None:
    """A migration writes into empty storage (it never overwrites what is there)."""
    for area in (target.public, target.private_area):
        try:
            held = [p for p in area.fs.find(area.root)]
        except FileNotFoundError:
            continue
        except Exception as exc:  # the client libraries' errors are of many kinds
            raise StorageError(f"cannot list {area.url} ({exc}); run `audioarticles doctor "
                               "--config` with the target in [storage] to see why") from None
        if held:
            raise UsageError(f"{area.url} already holds {len(held)} object(s); migrate into "
                             "an empty bucket or prefix")


def open_target_catalog(url: str) -> CatalogStore:
    """The catalog to copy into: a PostgreSQL URL, or a SQLite file (a path, or
    `sqlite:///path`), created and migrated to this version's schema."""
    if url.startswith(("postgresql://", "postgres://")):
        from audioarticles.store.postgres import PgCatalog

        return PgCatalog(url)
    from audioarticles.store.catalog import Catalog

    path = Path(url.removeprefix("sqlite://")) if url.startswith("sqlite://") else Path(url)
    if path.suffix != ".sqlite" and not path.exists():
        raise UsageError(f"--catalog {url}: give a PostgreSQL URL (postgresql://user@host/db) "
                         "or the path of a new SQLite file ending in .sqlite")
    path.parent.mkdir(parents=True, exist_ok=True)
    return Catalog(path.resolve())


def migrate(settings, *, catalog: str = "", storage: str = "", private: str = "",
            endpoint_url: str = "") -> Migration:
    """Copy the project's catalog to `catalog` and/or its files to `storage` (public) and
    `private`, and check the copies. The caller holds the project's lock."""
    from audioarticles.store import ProjectStore

    check_targets(catalog, storage, private)
    store = ProjectStore(settings)
    report = Migration()
    endpoint = endpoint_url or settings.values.storage.endpoint_url
    target_files = None
    if storage:  # checked before anything is copied
        target_files = open_target_files(storage, private, settings.state_dir / "rendering",
                                         endpoint)
        empty_target(target_files)
    with store.catalog() as source:
        versioned = versioned_names(source)
        if catalog:
            with open_target_catalog(catalog) as target:
                copy_catalog(source, target, report)
            report.settings += ["[catalog]", f'url = "{catalog}"']
        if target_files is not None:
            copy_files(store.files, target_files, versioned, report)
            report.settings += ["[storage]", f'public = "{target_files.public.url}"',
                                f'private = "{target_files.private_area.url}"']
            if endpoint_url:
                report.settings.append(f'endpoint_url = "{endpoint_url}"')
    return report
