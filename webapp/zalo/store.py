"""The bot's durable state in one SQLite file: received messages, the reply outbox, the tokens.

* ``inbox``: one row per Zalo message id (primary key), inserted with ``INSERT OR IGNORE``
  before anything else happens, so a retried or replayed event is recognised atomically even
  when two copies arrive at once, and after a restart. ``state`` says whether its reply has
  been queued yet, so a message received just before a crash is still answered after it.
* ``outbox``: a reply is stored (``pending``) in the same transaction that marks its message
  answered, and at most one reply exists per message (``inbox_key`` is unique). A row is
  marked ``sending`` (committed) before the HTTP call and ``sent`` once Zalo confirms it.
* ``tokens``: the current access/refresh token pair. Zalo's refresh token is single-use, so
  the new pair is written as soon as a refresh succeeds.

One connection shared under a lock (calls are short), WAL journal, ``synchronous=FULL`` so a
committed row survives a power cut, not only a process crash.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

__all__ = ["InboxItem", "OutboxItem", "ZaloStore", "Kind"]

Kind = Literal["ask", "check", "greet", "throttled"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    key          TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,
    received_at  REAL NOT NULL,
    state        TEXT NOT NULL DEFAULT 'received'   -- received | answered | ignored
);
CREATE TABLE IF NOT EXISTS outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    inbox_key        TEXT UNIQUE,
    user_id          TEXT NOT NULL,
    text             TEXT NOT NULL,
    state            TEXT NOT NULL,                 -- pending | sending | sent | failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  REAL NOT NULL,
    created_at       REAL NOT NULL,
    sent_at          REAL,
    zalo_message_id  TEXT,
    last_error       TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_user ON outbox (user_id, state, id);
CREATE TABLE IF NOT EXISTS tokens (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    access_token   TEXT NOT NULL,
    refresh_token  TEXT NOT NULL,
    seeded_from    TEXT NOT NULL,   -- the configured refresh token this pair descends from
    updated_at     REAL NOT NULL
);
"""


@dataclass(frozen=True)
class InboxItem:
    key: str
    user_id: str
    kind: Kind
    text: str
    received_at: float


@dataclass(frozen=True)
class OutboxItem:
    id: int
    inbox_key: str | None
    user_id: str
    text: str
    state: str
    attempts: int
    next_attempt_at: float
    sent_at: float | None
    zalo_message_id: str | None
    last_error: str | None


class ZaloStore:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None,
                                   timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, *statements: tuple[str, tuple]) -> list[int]:
        """Run statements in one immediate transaction; rowcount of each."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                counts = [self._db.execute(sql, args).rowcount for sql, args in statements]
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return counts

    def _read(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # --- inbox ---------------------------------------------------------------------------------

    def accept(self, key: str, user_id: str, kind: Kind, text: str) -> bool:
        """Record a message; False when ``key`` was already recorded (a duplicate)."""
        (n,) = self._write((
            "INSERT OR IGNORE INTO inbox (key, user_id, kind, text, received_at) VALUES (?,?,?,?,?)",
            (key, user_id, kind, text, self._clock()),
        ))
        return n == 1

    def set_kind(self, key: str, kind: Kind) -> None:
        self._write(("UPDATE inbox SET kind=? WHERE key=? AND state='received'", (kind, key)))

    def ignore(self, key: str) -> None:
        """Nothing will be sent for this message (e.g. dropped by the rate limit)."""
        self._write(("UPDATE inbox SET state='ignored' WHERE key=? AND state='received'", (key,)))

    def unanswered(self) -> list[InboxItem]:
        """Messages recorded but whose reply was never queued (the process stopped meanwhile)."""
        rows = self._read("SELECT * FROM inbox WHERE state='received' ORDER BY received_at, key")
        return [InboxItem(r["key"], r["user_id"], r["kind"], r["text"], r["received_at"])
                for r in rows]

    def inbox_state(self, key: str) -> str | None:
        rows = self._read("SELECT state FROM inbox WHERE key=?", (key,))
        return rows[0]["state"] if rows else None

    # --- outbox --------------------------------------------------------------------------------

    def queue_reply(self, inbox_key: str | None, user_id: str, text: str) -> bool:
        """Store a reply and mark its message answered, atomically. False when that message
        already has a reply (nothing is added)."""
        now = self._clock()
        added, _ = self._write(
            ("INSERT OR IGNORE INTO outbox (inbox_key, user_id, text, state, next_attempt_at, "
             "created_at) VALUES (?,?,?, 'pending', ?, ?)", (inbox_key, user_id, text, now, now)),
            ("UPDATE inbox SET state='answered' WHERE key=?", (inbox_key,)),
        )
        return added == 1

    def due(self, limit: int) -> list[OutboxItem]:
        """Pending replies due now, at most one per user: the user's oldest unsent reply, so
        replies to one person go out in order (a later one waits while an earlier one backs off)."""
        rows = self._read(
            "SELECT o.* FROM outbox o WHERE o.state='pending' AND o.next_attempt_at <= ? "
            "AND o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.user_id = o.user_id "
            "            AND p.state IN ('pending', 'sending')) "
            "ORDER BY o.id LIMIT ?",
            (self._clock(), limit),
        )
        return [self._item(r) for r in rows]

    def next_due_at(self) -> float | None:
        """When ``due`` will next return something (a reply queued behind another reply of the
        same user counts only once that one is settled)."""
        rows = self._read(
            "SELECT MIN(o.next_attempt_at) AS t FROM outbox o WHERE o.state='pending' "
            "AND o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.user_id = o.user_id "
            "            AND p.state IN ('pending', 'sending'))")
        return rows[0]["t"] if rows and rows[0]["t"] is not None else None

    def claim(self, item_id: int) -> bool:
        """pending -> sending, committed before the HTTP call; False if someone else claimed it."""
        (n,) = self._write((
            "UPDATE outbox SET state='sending', attempts=attempts+1 WHERE id=? AND state='pending'",
            (item_id,),
        ))
        return n == 1

    def mark_sent(self, item_id: int, zalo_message_id: str | None) -> None:
        self._write(("UPDATE outbox SET state='sent', sent_at=?, zalo_message_id=?, last_error=NULL "
                     "WHERE id=?", (self._clock(), zalo_message_id, item_id)))

    def reschedule(self, item_id: int, at: float, error: str) -> None:
        self._write(("UPDATE outbox SET state='pending', next_attempt_at=?, last_error=? "
                     "WHERE id=? AND state='sending'", (at, error[:500], item_id)))

    def mark_failed(self, item_id: int, error: str) -> None:
        """Zalo refused the message for good (e.g. the user blocked the OA); kept for inspection."""
        self._write(("UPDATE outbox SET state='failed', last_error=? WHERE id=?",
                     (error[:500], item_id)))

    def recover_in_flight(self) -> int:
        """At start-up: rows left ``sending`` by a stopped process go back to ``pending``.
        Their fate is unknown (Zalo may or may not have received them): this is the one case
        where a reply can be delivered twice."""
        (n,) = self._write(("UPDATE outbox SET state='pending' WHERE state='sending'", ()))
        return n

    def counts(self) -> dict[str, int]:
        """Outbox rows per state."""
        rows = self._read("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
        return {r["state"]: r["n"] for r in rows}

    def outbox(self) -> list[OutboxItem]:
        return [self._item(r) for r in self._read("SELECT * FROM outbox ORDER BY id")]

    def prune(self, older_than_s: float) -> None:
        """Forget settled rows older than the cut-off (dedup only has to outlive Zalo's retries)."""
        cutoff = self._clock() - older_than_s
        self._write(
            ("DELETE FROM outbox WHERE state IN ('sent', 'failed') AND created_at < ?", (cutoff,)),
            ("DELETE FROM inbox WHERE state <> 'received' AND received_at < ? AND key NOT IN "
             "(SELECT inbox_key FROM outbox WHERE inbox_key IS NOT NULL)", (cutoff,)),
        )

    @staticmethod
    def _item(r: sqlite3.Row) -> OutboxItem:
        return OutboxItem(r["id"], r["inbox_key"], r["user_id"], r["text"], r["state"],
                          r["attempts"], r["next_attempt_at"], r["sent_at"], r["zalo_message_id"],
                          r["last_error"])

    # --- tokens --------------------------------------------------------------------------------

    def tokens(self, configured_access: str, configured_refresh: str) -> tuple[str, str]:
        """The current pair. The configured pair seeds the store, and replaces a stored pair
        when the operator configures a new refresh token (re-authorised the app)."""
        rows = self._read("SELECT * FROM tokens WHERE id=1")
        if rows and rows[0]["seeded_from"] == configured_refresh:
            return rows[0]["access_token"], rows[0]["refresh_token"]
        self._write((
            "INSERT INTO tokens (id, access_token, refresh_token, seeded_from, updated_at) "
            "VALUES (1,?,?,?,?) ON CONFLICT(id) DO UPDATE SET access_token=excluded.access_token, "
            "refresh_token=excluded.refresh_token, seeded_from=excluded.seeded_from, "
            "updated_at=excluded.updated_at",
            (configured_access, configured_refresh, configured_refresh, self._clock()),
        ))
        return configured_access, configured_refresh

    def save_tokens(self, access_token: str, refresh_token: str) -> None:
        self._write(("UPDATE tokens SET access_token=?, refresh_token=?, updated_at=? WHERE id=1",
                     (access_token, refresh_token, self._clock())))
