"""The catalog's records for the CMS integration: API tokens (hashes only), webhook deliveries
(an outbox: every attempt's outcome is kept), listening events from the players, and the last
article body each CMS id was sent with (so the same PUT again is recognised).

`CmsRecords` is mixed into `store.catalog.SqlCatalog`: its queries use that class's
statements (`_rows`, `execute`, `_execute_many`) and are portable SQL, so the SQLite and the
PostgreSQL catalog both run them as they are.
"""

from __future__ import annotations

from typing import Any

# appended to store.catalog.MIGRATIONS (one schema version)
MIGRATION = """
    CREATE INDEX episodes_changed ON episodes(updated_at, guid);
    CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        scope TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        last_used_at TEXT NOT NULL DEFAULT '',
        revoked_at TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        event TEXT NOT NULL,
        guid TEXT NOT NULL,
        url TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_status INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        delivered_at TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
    CREATE TABLE listening_events (
        episode TEXT NOT NULL,
        event TEXT NOT NULL,
        play_id TEXT NOT NULL DEFAULT '',
        value REAL NOT NULL DEFAULT 0,
        at TEXT NOT NULL
    );
    CREATE INDEX listening_events_episode ON listening_events(episode);
    CREATE TABLE api_articles (
        id TEXT PRIMARY KEY,
        body_hash TEXT NOT NULL,
        job TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT '',
        submitted_at TEXT NOT NULL
    )
"""

_DELIVERY_FIELDS = ("event", "guid", "url", "payload", "status", "attempts", "next_attempt_at",
                    "last_status", "last_error", "delivered_at")


class CmsRecords:
    """Catalog methods of the CMS integration (see the module docstring)."""

    _rows: Any
    execute: Any
    _execute_many: Any
    _from_row: Any

    # episodes in the order they changed (GET /v1/episodes)

    def changed_episodes(self, state: str | None, since: str, after: tuple[str, str] | None,
                         limit: int) -> list:
        """Up to `limit` episodes (in `state`, when given) changed at or after `since` and
        after `after` (updated_at, guid), in that order."""
        sql = "SELECT * FROM episodes WHERE updated_at >= ?"
        args: list = [since]
        if state:
            sql += " AND state = ?"
            args.append(state)
        if after:
            sql += " AND (updated_at > ? OR (updated_at = ? AND guid > ?))"
            args += [after[0], after[0], after[1]]
        sql += " ORDER BY updated_at, guid LIMIT ?"
        return [self._from_row(row) for row in self._rows(sql, (*args, limit))]

    # API tokens: the catalog never holds a token, only its SHA-256

    def add_api_token(self, token_id: str, name: str, scope: str, token_hash: str,
                      at: str) -> None:
        self.execute("INSERT INTO api_tokens (id, name, scope, token_hash, created_at) "
                        "VALUES (?, ?, ?, ?, ?)", (token_id, name, scope, token_hash, at))

    def api_tokens(self, revoked: bool = False) -> list[dict]:
        """Oldest first; `revoked`: the revoked ones too."""
        where = "" if revoked else " WHERE revoked_at = ''"
        return self._rows(f"SELECT * FROM api_tokens{where} ORDER BY created_at, id")

    def revoke_api_token(self, token_id: str, at: str) -> bool:
        return self.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND "
                            "revoked_at = ''", (at, token_id)) > 0

    def touch_api_token(self, token_id: str, at: str) -> None:
        self.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (at, token_id))

    # webhook deliveries

    def add_delivery(self, delivery: dict) -> None:
        columns = ("id", "created_at") + _DELIVERY_FIELDS
        self.execute(f"INSERT INTO webhook_deliveries ({', '.join(columns)}) VALUES "
                        f"({', '.join('?' * len(columns))})",
                        tuple(delivery[c] for c in columns))

    def update_delivery(self, delivery_id: str, **values: Any) -> None:
        unknown = set(values) - set(_DELIVERY_FIELDS)
        if unknown:
            raise ValueError(f"not delivery fields: {sorted(unknown)}")
        sets = ", ".join(f"{name} = ?" for name in values)
        self.execute(f"UPDATE webhook_deliveries SET {sets} WHERE id = ?",
                        (*values.values(), delivery_id))

    def claim_delivery(self, delivery_id: str, due_at: str, until: str) -> bool:
        """Take a due delivery for this process until `until` (False: another process took
        it first, or it is no longer pending)."""
        return self.execute(
            "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND "
            "status = 'pending' AND next_attempt_at = ?", (until, delivery_id, due_at)) == 1

    def release_deliveries(self, waiting: str, now: str) -> int:
        """Pending deliveries whose next attempt is `waiting` become due `now`; how many."""
        return self.execute("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE "
                            "status = 'pending' AND next_attempt_at = ?", (now, waiting))

    def due_deliveries(self, now: str, limit: int = 50) -> list[dict]:
        """Pending deliveries whose next attempt is due, oldest first."""
        return self._rows("SELECT * FROM webhook_deliveries WHERE status = 'pending' AND "
                          "next_attempt_at <= ? ORDER BY created_at, id LIMIT ?", (now, limit))

    def deliveries(self, status: str | None = None, limit: int = 1000) -> list[dict]:
        """Newest first; `status`: pending, delivered or failed only."""
        where, args = (" WHERE status = ?", (status,)) if status else ("", ())
        return self._rows(f"SELECT * FROM webhook_deliveries{where} "
                          "ORDER BY created_at DESC, id DESC LIMIT ?", (*args, limit))

    # listening events (no person, no address: an episode, what happened, a random play id)

    def add_listening_events(self, events: list[tuple[str, str, str, float, str]]) -> None:
        """(episode GUID, event, play id, value, at) rows."""
        self._execute_many("INSERT INTO listening_events (episode, event, play_id, value, at) "
                           "VALUES (?, ?, ?, ?, ?)", events)

    def listening_plays(self, since: str = "") -> list[dict]:
        """One row per episode and play: whether it started, its furthest point in percent
        (progress marks, `complete` as 100, positions as the player reported them) and the
        plain counts of events without a play id."""
        return self._rows(
            "SELECT episode, play_id, "
            "SUM(CASE WHEN event = 'play' THEN 1 ELSE 0 END) AS plays, "
            "SUM(CASE WHEN event = 'complete' THEN 1 ELSE 0 END) AS completes, "
            "MAX(CASE WHEN event IN ('progress', 'complete', 'pause') THEN value ELSE 0 END) "
            "AS furthest "
            "FROM listening_events WHERE at >= ? GROUP BY episode, play_id "
            "ORDER BY episode, play_id", (since,))

    # what each CMS id was last sent with

    def api_article(self, article_id: str) -> dict | None:
        rows = self._rows("SELECT * FROM api_articles WHERE id = ?", (article_id,))
        return rows[0] if rows else None

    def forget_api_article(self, article_id: str) -> None:
        self.execute("DELETE FROM api_articles WHERE id = ?", (article_id,))

    def save_api_article(self, article_id: str, body_hash: str, job: str, state: str,
                         at: str) -> None:
        self.execute(
            "INSERT INTO api_articles (id, body_hash, job, state, submitted_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET body_hash = excluded.body_hash, "
            "job = excluded.job, state = excluded.state, submitted_at = excluded.submitted_at",
            (article_id, body_hash, job, state, at))
