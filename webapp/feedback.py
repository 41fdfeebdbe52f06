"""👍/👎 on chat replies, kept in SQLite with the question, the reply and its citations, so a
bad answer can be traced back to the paragraphs it relied on."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from chatbot.models import Citation

__all__ = ["FeedbackStore", "FeedbackRow"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  TEXT    NOT NULL,
    liked       INTEGER NOT NULL,          -- 1 = 👍, 0 = 👎
    question    TEXT    NOT NULL,
    reply       TEXT    NOT NULL,
    abstained   INTEGER NOT NULL DEFAULT 0,
    citations   TEXT    NOT NULL,          -- JSON list of Citation.to_json()
    history     TEXT    NOT NULL DEFAULT '[]',
    source      TEXT    NOT NULL DEFAULT 'web'
)
"""


@dataclass(frozen=True)
class FeedbackRow:
    id: int
    created_at: str
    liked: bool
    question: str
    reply: str
    abstained: bool
    citations: list[dict]
    history: list[dict]
    source: str


class FeedbackStore:
    """One SQLite file; a lock serialises writers because Gradio calls handlers from a thread
    pool and a single connection is shared."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(_SCHEMA)

    def record(self, *, liked: bool, question: str, reply: str, citations: Sequence[Citation | dict],
               abstained: bool = False, history: Sequence[dict] = (), source: str = "web") -> int:
        cites = [c.to_json() if isinstance(c, Citation) else dict(c) for c in citations]
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO feedback (created_at, liked, question, reply, abstained, citations, history, source)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (now, int(bool(liked)), question, reply, int(bool(abstained)),
                 json.dumps(cites, ensure_ascii=False), json.dumps(list(history), ensure_ascii=False), source),
            )
            return int(cur.lastrowid)

    def rows(self, limit: int = 1000) -> list[FeedbackRow]:
        with self._lock:
            cur = self._conn.execute(
                "SELECT id, created_at, liked, question, reply, abstained, citations, history, source"
                " FROM feedback ORDER BY id DESC LIMIT ?", (int(limit),))
            raw = cur.fetchall()
        return [FeedbackRow(r[0], r[1], bool(r[2]), r[3], r[4], bool(r[5]), json.loads(r[6]),
                            json.loads(r[7]), r[8]) for r in raw]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
