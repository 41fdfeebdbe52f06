"""Per-user memory of the bot: recent turns for follow-up questions, and a rate limit.

Both live in memory only: losing them on a restart costs a follow-up's context or resets a
counter, never a reply. Users are keyed by Zalo's ``sender.id``.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Literal

from chatbot.models import Turn

__all__ = ["Conversations", "RateLimiter"]


@dataclass
class _Thread:
    turns: deque[Turn]
    last_seen: float


class Conversations:
    """Recent turns per user, forgotten after ``ttl_s`` seconds of silence."""

    def __init__(self, ttl_s: float = 30 * 60, max_turns: int = 8, max_users: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_s
        self._max_turns = max_turns
        self._max_users = max_users
        self._clock = clock
        self._threads: dict[str, _Thread] = {}  # least recently written first

    def _live(self, user_id: str) -> _Thread | None:
        thread = self._threads.get(user_id)
        if thread and self._clock() - thread.last_seen > self._ttl:
            del self._threads[user_id]
            return None
        return thread

    def history(self, user_id: str) -> tuple[Turn, ...]:
        thread = self._live(user_id)
        return tuple(thread.turns) if thread else ()

    def record(self, user_id: str, question: str, answer: str) -> None:
        thread = self._live(user_id)
        if thread is None:
            thread = _Thread(deque(maxlen=self._max_turns), 0.0)
        self._threads.pop(user_id, None)
        self._threads[user_id] = thread  # now the most recent
        thread.turns.append(Turn("user", question))
        thread.turns.append(Turn("assistant", answer))
        thread.last_seen = self._clock()
        if len(self._threads) > 1000:  # bound memory: drop every silent thread
            for uid in [u for u, t in self._threads.items()
                        if self._clock() - t.last_seen > self._ttl]:
                del self._threads[uid]
        while len(self._threads) > self._max_users:  # and never keep more than max_users
            del self._threads[next(iter(self._threads))]


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    notified_at: float = float("-inf")


class RateLimiter:
    """At most ``per_minute`` messages per user in any 60 seconds (0 disables the limit).

    Over the limit, the first message gets a polite notice and the rest of that minute's are
    dropped silently, so a flood is not answered with a flood of notices.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 max_users: int = 10_000) -> None:
        self._limit = per_minute
        self._clock = clock
        self._max_users = max_users
        self._windows: dict[str, _Window] = {}  # least recently seen first

    def admit(self, user_id: str) -> Literal["ok", "notify", "drop"]:
        if self._limit <= 0:
            return "ok"
        now = self._clock()
        if len(self._windows) > 1000:  # bound memory: drop users silent for a minute
            for uid in [u for u, w in self._windows.items()
                        if (not w.times or now - w.times[-1] >= 60) and now - w.notified_at >= 60]:
                del self._windows[uid]
        w = self._windows.pop(user_id, None) or _Window()
        self._windows[user_id] = w  # now the most recent
        while len(self._windows) > self._max_users:  # the least recently seen go first
            del self._windows[next(iter(self._windows))]
        while w.times and now - w.times[0] >= 60:
            w.times.popleft()
        if len(w.times) < self._limit:
            w.times.append(now)
            return "ok"
        if now - w.notified_at >= 60:
            w.notified_at = now
            return "notify"
        return "drop"
