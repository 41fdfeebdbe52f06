"""Deliver stored replies: claim, send, confirm; back off on network errors and 5xx.

Delivery guarantee (per reply row):
* a row is claimed (``sending``, committed) before the HTTP call and marked ``sent`` when Zalo
  answers ``"error": 0``, so a confirmed reply is never sent again, even after a restart;
* a network error, a 5xx or a 429 puts it back to ``pending`` with exponential backoff
  (``base * 2**(attempts-1)``, capped, with a little jitter) — it is retried until it goes out;
* error -216 refreshes the token pair (one refresh at a time; the single-use refresh token is
  stored at once) and resends immediately;
* any other Zalo error marks it ``failed`` (kept in the table, never retried);
* replies to the same user go out one at a time, oldest first.
At-least-once only where Zalo gave no answer: a timeout or dropped connection after the request
left, or a process killed mid-call (the ``sending`` row is resent at the next start).
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Callable

from webapp.zalo.oa_client import OAClient, SendOutcome, TokenRefreshError
from webapp.zalo.store import OutboxItem, ZaloStore

__all__ = ["TokenKeeper", "OutboxWorker"]

log = logging.getLogger(__name__)


class TokenKeeper:
    """The current token pair, refreshed at most once per expired access token."""

    def __init__(self, store: ZaloStore, client: OAClient, access: str, refresh: str) -> None:
        self._store = store
        self._client = client
        self.access, self._refresh = store.tokens(access, refresh)
        self._lock = asyncio.Lock()

    async def refreshed(self, expired: str) -> str:
        """A fresh access token to replace ``expired``. If another delivery already refreshed
        it, that token is returned without spending the refresh token again."""
        async with self._lock:
            if self.access != expired:
                return self.access
            access, refresh = await self._client.refresh(self._refresh)
            self._store.save_tokens(access, refresh)
            self.access, self._refresh = access, refresh
            log.info("zalo: access token refreshed")
            return access


class OutboxWorker:
    def __init__(self, store: ZaloStore, client: OAClient, tokens: TokenKeeper, *,
                 backoff_base_s: float = 1.0, backoff_max_s: float = 300.0, concurrency: int = 4,
                 idle_poll_s: float = 5.0, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._client = client
        self._tokens = tokens
        self._base = backoff_base_s
        self._max = backoff_max_s
        self._concurrency = max(1, concurrency)
        self._idle_poll = idle_poll_s
        self._clock = clock
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="zalo-outbox")

    def wake(self) -> None:
        """A reply was queued: look at the outbox now rather than at the next poll."""
        self._wake.set()

    async def aclose(self, timeout_s: float = 10.0) -> None:
        """Finish the sends in progress (up to ``timeout_s``) and stop; pending rows stay stored."""
        self._stopping = True
        self._wake.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout_s)
        except asyncio.TimeoutError:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def backoff(self, attempts: int) -> float:
        delay = min(self._base * 2 ** max(attempts - 1, 0), self._max)
        return delay * (1 + random.uniform(0, 0.1))

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                batch = [row for row in self._store.due(self._concurrency)
                         if self._store.claim(row.id)]
                if batch:
                    await asyncio.gather(*(self._deliver(row) for row in batch))
                    continue
                next_at = self._store.next_due_at()
            except Exception:  # a store error must not kill delivery for good
                log.exception("zalo: outbox pass failed")
                next_at = None
            wait = self._idle_poll if next_at is None else max(0.0, next_at - self._clock())
            try:
                await asyncio.wait_for(self._wake.wait(), min(wait, self._idle_poll))
            except asyncio.TimeoutError:
                pass

    async def _send(self, row: OutboxItem) -> SendOutcome:
        token = self._tokens.access
        if token:
            outcome = await self._client.send_text(token, row.user_id, row.text)
        else:  # only a refresh token configured: get an access token first
            outcome = SendOutcome("expired", "no access token yet")
        if outcome.status != "expired":
            return outcome
        try:
            token = await self._tokens.refreshed(token)
        except TokenRefreshError as err:
            return SendOutcome("retry", f"token refresh failed: {err}")
        outcome = await self._client.send_text(token, row.user_id, row.text)
        # still -216 with a brand-new token: try again later rather than give up
        return SendOutcome("retry", outcome.detail) if outcome.status == "expired" else outcome

    async def _deliver(self, row: OutboxItem) -> None:
        try:
            outcome = await self._send(row)
        except Exception as err:  # never leave a claimed row stuck in 'sending'
            log.exception("zalo: delivering reply %s failed", row.id)
            outcome = SendOutcome("retry", f"{type(err).__name__}: {err}")
        attempts = row.attempts + 1
        if outcome.status == "sent":
            self._store.mark_sent(row.id, outcome.message_id)
        elif outcome.status == "failed":
            log.warning("zalo: reply %s refused for good: %s", row.id, outcome.detail)
            self._store.mark_failed(row.id, outcome.detail)
        else:
            delay = self.backoff(attempts)
            log.warning("zalo: reply %s attempt %d failed (%s); retry in %.1fs",
                        row.id, attempts, outcome.detail, delay)
            self._store.reschedule(row.id, self._clock() + delay, outcome.detail)
