"""The catalog: one row per episode, a versioned schema that migrates itself forward.

The queries are written once (`SqlCatalog`), in SQL both SQLite and PostgreSQL run, with `?`
and `:name` placeholders; `Catalog` is the SQLite file, `store.postgres.PgCatalog` the shared
PostgreSQL database. `MIGRATIONS` is the one schema definition for both: written for SQLite,
its few SQLite-only words are translated for PostgreSQL in one place
(`store.postgres.postgres_ddl`). A new migration uses only portable SQL besides those words
(`INTEGER PRIMARY KEY`, `INTEGER`, `REAL`, `TEXT`): no `PRAGMA`, no `AUTOINCREMENT`, no
`INSERT OR ...` (write `ON CONFLICT`); `tests/test_catalog.py` runs every migration on both.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any
from abc import abstractmethod
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import datetime, timezone
from pathlib import Path

from audioarticles.errors import CatalogUnusable
from audioarticles.model import EditorialEvent, Episode, Job, RetiredFile, Tombstone
from audioarticles.store import backups, cms_tables
from audioarticles.store.interfaces import CatalogStore
from audioarticles.transcripts import Cue, from_entries, to_entries

# Each entry moves the schema from version i to i+1. Append only; never edit a released one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE episodes (
        id INTEGER PRIMARY KEY,
        guid TEXT NOT NULL UNIQUE,
        identity TEXT NOT NULL,
        slug TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        source TEXT NOT NULL,
        content_hash TEXT NOT NULL DEFAULT '',
        voice TEXT NOT NULL,
        intended_voice TEXT NOT NULL DEFAULT '',
        engine TEXT NOT NULL,
        degraded INTEGER NOT NULL DEFAULT 0,
        degraded_reason TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'published',
        mp3 TEXT NOT NULL DEFAULT '',
        duration_s REAL NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        author TEXT NOT NULL DEFAULT '',
        pub_date TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT 'fr',
        transcripts TEXT NOT NULL DEFAULT '{}',
        chapters TEXT NOT NULL DEFAULT '',
        meta TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX episodes_identity ON episodes(identity);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # editorial control: why an episode is in its state, who put it there and when; an audit
    # trail of every transition; tombstones that keep unpublished articles from coming back
    """
    ALTER TABLE episodes ADD COLUMN state_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE episodes ADD COLUMN state_by TEXT NOT NULL DEFAULT '';
    ALTER TABLE episodes ADD COLUMN state_at TEXT NOT NULL DEFAULT '';
    ALTER TABLE episodes ADD COLUMN publish_at TEXT NOT NULL DEFAULT '';
    CREATE TABLE editorial_events (
        id INTEGER PRIMARY KEY,
        guid TEXT NOT NULL,
        slug TEXT NOT NULL,
        at TEXT NOT NULL,
        from_state TEXT NOT NULL,
        to_state TEXT NOT NULL,
        actor TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        publish_at TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX editorial_events_guid ON editorial_events(guid);
    CREATE TABLE tombstones (
        identity TEXT PRIMARY KEY,
        guid TEXT NOT NULL,
        slug TEXT NOT NULL,
        reason TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL
    )
    """,
    # older versions of episodes' audio (and side files) kept public for a while after a
    # re-voice, so apps holding the previous feed still get them; swept once per run
    """
    CREATE TABLE retired_files (
        path TEXT PRIMARY KEY,
        guid TEXT NOT NULL,
        retired_at TEXT NOT NULL
    )
    """,
    # feeds beside the main one: episode numbers given once per feed (publish/sections.py);
    # private feeds' subscriber tokens, kept as a hash and the nonce the token is derived
    # from with the project's key (publish/private.py); daily editions (publish/edition.py)
    """
    CREATE TABLE feed_numbers (
        feed TEXT NOT NULL,
        guid TEXT NOT NULL,
        number INTEGER NOT NULL,
        PRIMARY KEY (feed, guid)
    );
    CREATE TABLE feed_tokens (
        id INTEGER PRIMARY KEY,
        feed TEXT NOT NULL,
        subscriber TEXT NOT NULL DEFAULT '',
        token_hash TEXT NOT NULL UNIQUE,
        nonce TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE editions (
        guid TEXT PRIMARY KEY,
        feed TEXT NOT NULL,
        day TEXT NOT NULL,
        episode TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (feed, day)
    )
    """,
    # slugs given out before their episode is recorded (a conversion names its files with its
    # slug): the database's unique constraints make two machines claiming at once get distinct
    # slugs (`claim_slug`); a GUID keeps the slug it claimed first
    """
    CREATE TABLE slug_claims (
        guid TEXT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE
    );
    INSERT INTO slug_claims (guid, slug) SELECT guid, slug FROM episodes
    """,
    # the CMS integration: API tokens (hashed), webhook deliveries, listening events, the
    # article bodies the API was sent (store/cms_tables.py)
    cms_tables.MIGRATION,
    # an episode's transcript cues, kept at render time (the pages read them here, not back
    # from the VTT file); a table of their own, so listing episodes never loads them
    """
    CREATE TABLE episode_cues (
        guid TEXT PRIMARY KEY,
        cues TEXT NOT NULL
    )
    """,
    # conversions handed to the embedded executor or the task queue (jobs.py): the article
    # as data, the options, and what became of it (portable SQL: TEXT times)
    """
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        runner TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT NOT NULL DEFAULT '',
        guid TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        started_at TEXT NOT NULL DEFAULT '',
        finished_at TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX jobs_state ON jobs(state)
    """,
    # the process an embedded job runs in (host, pid, the lease it holds: store/owners.py),
    # so a job whose process ended before it finished is seen as such, not queued forever
    """
    ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '{}'
    """,
]

_JSON_FIELDS = {"transcripts", "meta"}
_COLUMNS = [f.name for f in fields(Episode) if f.name != "id"]
_JOB_JSON = ("source", "options", "owner")
_JOB_COLUMNS = [f.name for f in fields(Job)]
#: every table, in the order `copy_into` fills them (what a catalog holds, all of it)
TABLES = ("settings", "episodes", "slug_claims", "editorial_events", "tombstones",
          "retired_files", "feed_numbers", "feed_tokens", "editions", "api_tokens",
          "webhook_deliveries", "listening_events", "api_articles", "episode_cues", "jobs")


def _job_json(value: dict) -> str:
    """A job's data field as stored (one spelling, so a field can be matched as text)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def now_precise() -> str:
    """UTC to the microsecond: jobs are ordered and timed by it."""
    return datetime.now(timezone.utc).isoformat()


class CatalogError(CatalogUnusable):
    """The catalog's database failed (PostgreSQL unreachable, a statement refused): one line
    naming the database (never a password) and the fix. SQLite's own errors are
    `sqlite3.Error`, turned into such a line by `unusable`."""


#: what a failing catalog raises (callers outside the store catch these without naming SQLite)
CATALOG_ERRORS = (sqlite3.Error, CatalogError)


def unusable(path: Path, exc: Exception) -> CatalogUnusable:
    """One line for a catalog that failed: what happened to which file or database, and the
    fix."""
    if isinstance(exc, CatalogError):
        return CatalogUnusable(str(exc))
    reason = str(exc)
    if "full" in reason:
        return CatalogUnusable(f"no space left while writing {path}; free some space on that "
                               "disk and run the command again")
    if "readonly" in reason or "read-only" in reason:
        return CatalogUnusable(f"{path} cannot be written (read-only folder or file); make "
                               f"{path.parent} writable and run the command again")
    if "unable to open" in reason or "permission" in reason.lower():
        return CatalogUnusable(f"{path} cannot be opened ({reason}); check that the folder "
                               f"exists and that you may read and write it")
    return CatalogUnusable(f"the catalog {path} is damaged ({reason}); "
                           f"{backups.restore_hint(path)}")


class SqlCatalog(cms_tables.CmsRecords, CatalogStore):
    """The catalog's queries, the same on every SQL backend. A backend runs statements
    (`_rows`, `execute`, `_insert`), opens transactions and migrates its schema."""

    #: where the catalog is, for messages (a path, or a URL without its password)
    where: str

    @abstractmethod
    def _rows(self, sql: str, args: Any = ()) -> list[dict]: ...

    @abstractmethod
    def execute(self, sql: str, args: Any = ()) -> int:
        """Run one statement (`?` or `:name` placeholders); the number of rows it changed."""

    @abstractmethod
    def _execute_many(self, sql: str, rows: list) -> None: ...

    @abstractmethod
    def _insert(self, sql: str, args: Any = ()) -> int:
        """Run an INSERT into a table with an `id` column; the new row's id."""

    @property
    @abstractmethod
    def schema_version(self) -> int: ...

    def _row(self, sql: str, args: Any = ()) -> dict | None:
        rows = self._rows(sql, args)
        return rows[0] if rows else None

    # episodes

    @staticmethod
    def _from_row(row: dict) -> Episode:
        values = {key: row[key] for key in row if key in _COLUMNS or key == "id"}
        for key in _JSON_FIELDS:
            values[key] = json.loads(values[key] or "{}")
        values["degraded"] = bool(values["degraded"])
        return Episode(**values)

    def get(self, guid: str) -> Episode | None:
        row = self._row("SELECT * FROM episodes WHERE guid = ?", (guid,))
        return self._from_row(row) if row else None

    def by_slug(self, slug: str) -> Episode | None:
        row = self._row("SELECT * FROM episodes WHERE slug = ?", (slug,))
        return self._from_row(row) if row else None

    def slugs(self) -> set[str]:
        return {r["slug"] for r in self._rows("SELECT slug FROM episodes UNION "
                                              "SELECT slug FROM slug_claims")}

    def claim_slug(self, guid: str, base: str) -> str:
        """The slug of the article `guid`: the one it claimed before, else the first of
        `base`, `base-2`, `base-3`... that no other article holds, claimed now. The database's
        unique constraints settle two claims made at once: each gets its own slug."""
        def claim() -> str:
            while True:
                held = self._row("SELECT slug FROM slug_claims WHERE guid = ?", (guid,))
                if held:
                    return held["slug"]
                # slugs are [a-z0-9-]: `base-%` matches only the numbered ones (and a few more)
                taken = {row["slug"] for row in self._rows(
                    "SELECT slug FROM slug_claims WHERE slug = ? OR slug LIKE ? UNION "
                    "SELECT slug FROM episodes WHERE slug = ? OR slug LIKE ?",
                    (base, f"{base}-%", base, f"{base}-%"))}
                n = 1
                while (slug := base if n == 1 else f"{base}-{n}") in taken:
                    n += 1
                if self.execute("INSERT INTO slug_claims (guid, slug) VALUES (?, ?) "
                                "ON CONFLICT DO NOTHING", (guid, slug)):
                    return slug
                # claimed at the same moment by another machine (or for this article): again

        return self.retrying(claim)

    def episodes(self, states: tuple[str, ...] | None = None) -> list[Episode]:
        """Newest first (by publication date, then creation)."""
        sql = "SELECT * FROM episodes"
        args: tuple = ()
        if states:
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
            args = tuple(states)
        sql += " ORDER BY COALESCE(NULLIF(pub_date, ''), created_at) DESC, id DESC"
        return [self._from_row(r) for r in self._rows(sql, args)]

    def save(self, episode: Episode) -> Episode:
        """Insert or update by GUID, inside the caller's transaction if there is one."""
        stamp = now_iso()
        episode.updated_at = stamp
        episode.created_at = episode.created_at or stamp
        values = {}
        for key in _COLUMNS:
            value = getattr(episode, key)
            if key in _JSON_FIELDS:
                value = json.dumps(value, ensure_ascii=False, sort_keys=True)
            elif key == "degraded":
                value = int(value)
            values[key] = value
        columns = ", ".join(values)
        placeholders = ", ".join(f":{k}" for k in values)
        updates = ", ".join(f"{k} = excluded.{k}" for k in values if k not in ("guid", "created_at"))
        self.execute(
            f"INSERT INTO episodes ({columns}) VALUES ({placeholders}) "
            f"ON CONFLICT(guid) DO UPDATE SET {updates}",
            values,
        )
        self.execute("INSERT INTO slug_claims (guid, slug) VALUES (?, ?) ON CONFLICT DO NOTHING",
                     (episode.guid, episode.slug))
        saved = self.get(episode.guid)
        assert saved is not None
        return saved

    def restamp(self, updated_at: str) -> None:
        """Every episode's `updated_at` set to `updated_at` and its `created_at` to its
        publication date (`recover`: what the published feed said, not the clock)."""
        self.execute("UPDATE episodes SET updated_at = ?, created_at = pub_date", (updated_at,))

    def cues(self, guid: str) -> list[Cue]:
        row = self._row("SELECT cues FROM episode_cues WHERE guid = ?", (guid,))
        return from_entries(json.loads(row["cues"])) if row else []

    def set_cues(self, guid: str, cue_list: list[Cue]) -> None:
        self.execute(
            "INSERT INTO episode_cues (guid, cues) VALUES (?, ?) "
            "ON CONFLICT(guid) DO UPDATE SET cues = excluded.cues",
            (guid, json.dumps(to_entries(cue_list), ensure_ascii=False, separators=(",", ":"))))

    # project-wide settings computed once and stored (e.g. podcast:guid)

    def setting(self, key: str) -> str | None:
        row = self._row("SELECT value FROM settings WHERE key = ?", (key,))
        return row["value"] if row else None

    def set_setting(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # editorial audit trail and tombstones (see editorial.py)

    def add_event(self, event: EditorialEvent) -> None:
        self._insert(
            "INSERT INTO editorial_events (guid, slug, at, from_state, to_state, actor, reason, "
            "publish_at) VALUES (:guid, :slug, :at, :from_state, :to_state, :actor, :reason, "
            ":publish_at)", asdict(event))

    def events(self, guid: str | None = None) -> list[EditorialEvent]:
        """Oldest first."""
        sql = "SELECT * FROM editorial_events"
        args: tuple = ()
        if guid is not None:
            sql += " WHERE guid = ?"
            args = (guid,)
        rows = self._rows(sql + " ORDER BY id", args)
        return [EditorialEvent(**{k: row[k] for k in row if k != "id"}) for row in rows]

    def tombstone(self, identity: str) -> Tombstone | None:
        row = self._row("SELECT * FROM tombstones WHERE identity = ?", (identity,))
        return Tombstone(**row) if row else None

    def add_tombstone(self, stone: Tombstone) -> None:
        self.execute(
            "INSERT INTO tombstones (identity, guid, slug, reason, actor, at) "
            "VALUES (:identity, :guid, :slug, :reason, :actor, :at) "
            "ON CONFLICT(identity) DO UPDATE SET guid = excluded.guid, slug = excluded.slug, "
            "reason = excluded.reason, actor = excluded.actor, at = excluded.at", asdict(stone))

    def remove_tombstone(self, identity: str) -> None:
        self.execute("DELETE FROM tombstones WHERE identity = ?", (identity,))

    # files kept public for a while after an episode stopped pointing at them (publish/)

    def retire_file(self, retired: RetiredFile) -> None:
        """Record a file as retired; a file already retired keeps its first date."""
        self.execute(
            "INSERT INTO retired_files (path, guid, retired_at) VALUES (:path, :guid, :retired_at) "
            "ON CONFLICT(path) DO NOTHING", asdict(retired))

    def unretire_files(self, paths: list[str]) -> None:
        """Files an episode points at again (same audio as before) are no longer retired."""
        if paths:
            self._execute_many("DELETE FROM retired_files WHERE path = ?", [(p,) for p in paths])

    def retired_files(self) -> list[RetiredFile]:
        """Oldest first."""
        rows = self._rows("SELECT * FROM retired_files ORDER BY retired_at, path")
        return [RetiredFile(**row) for row in rows]

    # feeds beside the main one (publish/sections.py, private.py, edition.py)

    def feed_numbers(self, feed: str) -> dict[str, int]:
        rows = self._rows("SELECT guid, number FROM feed_numbers WHERE feed = ?", (feed,))
        return {row["guid"]: row["number"] for row in rows}

    def number_episodes(self, feed: str, guids: list[str]) -> dict[str, int]:
        """Give each of `guids` (oldest first) not yet numbered in `feed` the next number;
        numbers once given never change. Returns all of the feed's numbers."""
        def number() -> dict[str, int]:
            numbers = self.feed_numbers(feed)
            last = max(numbers.values(), default=0)
            for guid in guids:
                if guid not in numbers:
                    last += 1
                    numbers[guid] = last
                    self.execute("INSERT INTO feed_numbers (feed, guid, number) "
                                 "VALUES (?, ?, ?)", (feed, guid, last))
            return numbers

        return self.retrying(number)

    def add_feed_token(self, feed: str, subscriber: str, token_hash: str, nonce: str) -> int:
        return self._insert(
            "INSERT INTO feed_tokens (feed, subscriber, token_hash, nonce, created_at) "
            "VALUES (?, ?, ?, ?, ?)", (feed, subscriber, token_hash, nonce, now_iso()))

    def feed_tokens(self, feed: str | None = None) -> list[dict]:
        sql, args = "SELECT * FROM feed_tokens", ()
        if feed is not None:
            sql, args = sql + " WHERE feed = ?", (feed,)
        return self._rows(sql + " ORDER BY id", args)

    def remove_feed_token(self, token_id: int) -> bool:
        return self.execute("DELETE FROM feed_tokens WHERE id = ?", (token_id,)) > 0

    def save_edition(self, feed: str, day: str, episode: Episode) -> None:
        stamp = now_iso()
        data = json.dumps(asdict(episode), ensure_ascii=False, sort_keys=True)
        self.execute(
            "INSERT INTO editions (guid, feed, day, episode, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(guid) DO UPDATE SET "
            "episode = excluded.episode, updated_at = excluded.updated_at",
            (episode.guid, feed, day, data, stamp, stamp))

    def edition_feeds(self) -> list[str]:
        return [row["feed"] for row in self._rows("SELECT DISTINCT feed FROM editions "
                                                  "ORDER BY feed")]

    def editions(self, feed: str | None = None) -> list[Episode]:
        """Newest day first."""
        sql, args = "SELECT episode FROM editions", ()
        if feed is not None:
            sql, args = sql + " WHERE feed = ?", (feed,)
        rows = self._rows(sql + " ORDER BY day DESC", args)
        return [Episode(**json.loads(row["episode"])) for row in rows]

    # conversions handed to the embedded executor or the queue (jobs.py)

    def add_jobs(self, jobs: list[Job]) -> None:
        rows = [{k: _job_json(v) if k in _JOB_JSON else v
                 for k, v in asdict(job).items()} for job in jobs]
        with self.transaction():
            self._execute_many(
                f"INSERT INTO jobs ({', '.join(_JOB_COLUMNS)}) "
                f"VALUES ({', '.join(':' + k for k in _JOB_COLUMNS)})", rows)

    @staticmethod
    def _job(row: dict) -> Job:
        values = {k: row[k] for k in _JOB_COLUMNS}
        for key in _JOB_JSON:
            values[key] = json.loads(values[key] or "{}")
        return Job(**values)

    def job(self, job_id: str) -> Job | None:
        row = self._row("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return self._job(row) if row else None

    def jobs(self, states: tuple[str, ...] | None = None,
             ids: list[str] | None = None) -> list[Job]:
        """Newest first; only those in `states`, only those of `ids`."""
        sql, args, where = "SELECT * FROM jobs", [], []
        if states:
            where.append(f"state IN ({','.join('?' * len(states))})")
            args += states
        if ids is not None:
            if not ids:
                return []
            where.append(f"id IN ({','.join('?' * len(ids))})")
            args += ids
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [self._job(r) for r in self._rows(sql + " ORDER BY created_at DESC, id",
                                                 tuple(args))]

    def update_job(self, job_id: str, only_from: tuple[str, ...] = (),
                   only_owner: dict | None = None, **changes) -> bool:
        """Change a job's fields (`attempts` may be given as "+1"); `only_from`: only while
        it is in one of these states; `only_owner`: only while this process owns it. False
        when no job changed."""
        assert changes and set(changes) <= set(_JOB_COLUMNS) - {"id"}, changes
        sets, args = [], {"id": job_id}
        for key, value in changes.items():
            if key == "attempts" and value == "+1":
                sets.append("attempts = attempts + 1")
                continue
            sets.append(f"{key} = :{key}")
            args[key] = _job_json(value) if key in _JOB_JSON else value
        if "updated_at" not in changes:
            sets.append("updated_at = :updated_at")
            args["updated_at"] = now_precise()
        sql = f"UPDATE jobs SET {', '.join(sets)} WHERE id = :id"
        if only_from:
            sql += f" AND state IN ({', '.join(f':s{i}' for i in range(len(only_from)))})"
            args.update({f"s{i}": s for i, s in enumerate(only_from)})
        if only_owner is not None:
            sql += " AND owner = :only_owner"
            args["only_owner"] = _job_json(only_owner)
        return self.execute(sql, args) > 0

    # the whole catalog, row by row (`audioarticles migrate` copies one catalog into another)

    def dump(self) -> Iterator[tuple[str, list[dict]]]:
        """Every table's rows as they are stored (ids included), table by table in `TABLES`
        order: what `copy_into` writes into another catalog."""
        for table in TABLES:
            yield table, self._rows(f"SELECT * FROM {table}")

    def copy_into(self, target: CatalogStore) -> dict[str, int]:
        """Copy everything this catalog holds into `target` (an empty catalog of any backend,
        at the same schema version), in one transaction of the target; the rows copied, by
        table. Ids are kept, so events stay in their order and tokens keep their numbers."""
        if not isinstance(target, SqlCatalog):
            raise TypeError("copy_into writes into a SQL catalog (SQLite or PostgreSQL)")
        if target.schema_version != self.schema_version:
            raise CatalogUnusable(f"{target.where} is at schema {target.schema_version}, "
                                  f"{self.where} at {self.schema_version}; open both with the "
                                  "same audioarticles first")
        counts: dict[str, int] = {}
        with target.transaction():
            for table in TABLES:
                if target._row(f"SELECT 1 AS one FROM {table} LIMIT 1"):
                    raise CatalogUnusable(f"{target.where} already holds {table}; copy into an "
                                          "empty catalog")
            for table, rows in self.dump():
                for row in rows:
                    columns = ", ".join(row)
                    target.execute(f"INSERT INTO {table} ({columns}) VALUES "
                                   f"({', '.join(':' + c for c in row)})", row)
                counts[table] = len(rows)
            target._after_copy()
        return counts

    def _after_copy(self) -> None:
        """What a backend does after rows came in with their ids (PostgreSQL moves its id
        sequences past them)."""

    def counts(self) -> dict[str, int]:
        """The number of rows of each table (to check a copy)."""
        return {table: self._row(f"SELECT COUNT(*) AS n FROM {table}")["n"] for table in TABLES}


class Catalog(SqlCatalog):
    """The catalog in one SQLite file (WAL), checked and migrated forward when opened."""

    def __init__(self, path: Path, *, keep_backups: bool = True):
        self.path = path
        self.where = str(path)
        self._depth = 0  # transactions open (nested ones are savepoints)
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.is_file() and path.stat().st_size > 0
        # a batch's article threads share this connection; the pipeline serialises their use
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            if existed:
                problems = [row[0] for row in self.db.execute("PRAGMA quick_check")]
                if problems != ["ok"]:
                    raise sqlite3.DatabaseError(f"integrity check: {problems[0]}")
            self.migrate(keep_backups and existed)
            if keep_backups and existed and backups.daily_due(path):
                backups.back_up(self.db, path, "daily")
        except sqlite3.Error as exc:
            self.db.close()
            raise unusable(path, exc) from exc

    def close(self) -> None:
        self.db.close()

    def _rows(self, sql: str, args: Any = ()) -> list[dict]:
        return [dict(row) for row in self.db.execute(sql, args)]

    def execute(self, sql: str, args: Any = ()) -> int:
        return self.db.execute(sql, args).rowcount

    def _execute_many(self, sql: str, rows: list) -> None:
        self.db.executemany(sql, rows)

    def _insert(self, sql: str, args: Any = ()) -> int:
        return int(self.db.execute(sql, args).lastrowid)

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, back_up: bool = False) -> None:
        """Bring the schema to the newest version; `back_up`: copy the catalog first."""
        version = self.schema_version
        if back_up and 0 < version < len(MIGRATIONS):
            backups.back_up(self.db, self.path, f"before-schema-{len(MIGRATIONS)}")
        with self.transaction():
            version = self.schema_version
            if version > len(MIGRATIONS):
                raise CatalogUnusable(
                    f"{self.path} was written by a newer audioarticles (schema {version}); "
                    "upgrade the tool")
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing. Inside another transaction: a savepoint (all or nothing too)."""
        depth = self._depth
        begin, commit, rollback = ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK") if depth == 0 else (
            f"SAVEPOINT nested{depth}", f"RELEASE nested{depth}",
            f"ROLLBACK TO nested{depth}; RELEASE nested{depth}")
        self.db.execute(begin)
        self._depth = depth + 1
        try:
            yield self.db
        except BaseException:
            self._depth = depth
            for statement in rollback.split("; "):
                self.db.execute(statement)
            raise
        self._depth = depth
        self.db.execute(commit)
