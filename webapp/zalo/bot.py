"""The Zalo Official Account bot: authenticate an event, acknowledge it, answer in the background.

Zalo wants a 200 within 2 seconds and retries otherwise, so the webhook only verifies the
signature and records the message (atomically deduplicated by ``msg_id``) before answering
200; the answer is computed in a thread pool (the answering service is synchronous and
CPU-bound) and its reply stored in the outbox, from which ``OutboxWorker`` delivers it.
Messages of one user are answered one at a time, in order, so follow-ups see the turn before.
"""
from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import hashlib
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, AsyncIterator, Callable

import httpx

from settings import Settings
from webapp.zalo.conversation import Conversations, RateLimiter
from webapp.zalo.oa_client import OAClient
from webapp.zalo.outbox import OutboxWorker, TokenKeeper
from webapp.zalo.replies import (
    EMPTY_CHECK, GREETING, RATE_LIMITED, SORRY, check_claim, format_check, format_reply,
)
from webapp.zalo.signature import Unauthorized, verify_event
from webapp.zalo.store import InboxItem, Kind, ZaloStore

if TYPE_CHECKING:  # the service module pulls in the index; the bot only needs its protocol
    from chatbot.service import QAService

__all__ = ["ZaloBot", "NOT_CONFIGURED", "STOPPING", "BAD_SIGNATURE"]

log = logging.getLogger(__name__)

NOT_CONFIGURED = ("Kênh Zalo chưa được cấu hình: cần đặt ZALO_APP_ID và ZALO_OA_SECRET_KEY "
                  "rồi khởi động lại ứng dụng.")
STOPPING = "Máy chủ đang khởi động lại, vui lòng gửi lại sau."
BAD_SIGNATURE = "Chữ ký không hợp lệ."
TOO_LARGE = "Yêu cầu quá lớn."
MAX_BODY_BYTES = 256 * 1024
KEEP_RECORDS_S = 30 * 24 * 3600


class _Stopping(Exception):
    """The bot closed while a message waited for the service."""


def _user(obj: object) -> str | None:
    if isinstance(obj, dict) and isinstance(obj.get("id"), (str, int)) and str(obj["id"]).strip():
        return str(obj["id"]).strip()
    return None


class ZaloBot:
    """Owns the bot's SQLite store, token pair, conversation memory and outbox worker.

    Call ``start()`` once the event loop runs (app lifespan) and ``await aclose()`` on shutdown.
    One process per ``data_dir`` delivers replies (a lock file decides which); other processes
    sharing it only receive, and their replies are delivered by the owner.
    """

    def __init__(self, settings: Settings, service: "QAService | Callable[[], QAService]", *,
                 backoff_base_s: float = 1.0, backoff_max_s: float = 300.0,
                 answer_workers: int = 1, send_concurrency: int = 4, drain_timeout_s: float = 10.0,
                 service_wait_s: float = 600.0,
                 transport: httpx.AsyncBaseTransport | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        """``service`` is the answering service, or a function returning it that raises while
        it is still loading (``ServiceHolder.get``): messages are then acknowledged and stored
        at once and answered when it is ready (waiting at most ``service_wait_s``)."""
        self.settings = settings
        self._service_source = service
        self._service_wait = service_wait_s
        self.configured = bool(settings.zalo_app_id and settings.zalo_oa_secret_key)
        self._clock = clock
        self._drain_timeout = drain_timeout_s
        self._started = False
        self._closed = False
        self._tasks: set[asyncio.Task] = set()
        self._locks: dict[str, list] = {}
        self._lock_fd: int | None = None
        self.conversations = Conversations()
        self.rate_limiter = RateLimiter(settings.zalo_rate_per_minute)
        if not self.configured:
            return
        self.store = ZaloStore(Path(settings.data_dir) / "zalo.sqlite3", clock=clock)
        self._client = OAClient(settings.zalo_oa_api_base, settings.zalo_oauth_base,
                                settings.zalo_app_id, settings.zalo_app_secret, transport=transport)
        self.tokens = TokenKeeper(self.store, self._client, settings.zalo_access_token,
                                  settings.zalo_refresh_token)
        self.worker = OutboxWorker(self.store, self._client, self.tokens,
                                   backoff_base_s=backoff_base_s, backoff_max_s=backoff_max_s,
                                   concurrency=send_concurrency, clock=clock)
        self._executor = ThreadPoolExecutor(max_workers=max(1, answer_workers),
                                            thread_name_prefix="zalo-answer")

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start delivering (needs a running event loop). Replies left pending by a previous run
        are delivered, and messages it recorded but never answered are answered now."""
        if self._started or self._closed or not self.configured:
            return
        self._started = True
        if not self._take_delivery_lock():
            log.warning("zalo: another process delivers replies from %s", self.settings.data_dir)
            return
        self.store.prune(KEEP_RECORDS_S)
        resent = self.store.recover_in_flight()
        if resent:
            log.warning("zalo: %d replies were being sent when the last run stopped; resending",
                        resent)
        for item in self.store.unanswered():
            self._spawn(self._answer(item))
        self.worker.start()

    async def aclose(self) -> None:
        """Stop taking events, let answers and sends in progress finish (bounded), then stop.
        Anything unfinished stays in the store for the next start."""
        if self._closed:
            return
        self._closed = True
        if not self.configured:
            return
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=self._drain_timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self.worker.aclose(self._drain_timeout)
        await self._client.aclose()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.store.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def _take_delivery_lock(self) -> bool:
        path = Path(self.settings.data_dir) / "zalo.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._lock_fd = fd
        return True

    def busy(self) -> int:
        """Answers being computed plus replies not yet settled (0 when the bot is idle)."""
        if not self.configured or self._closed:
            return len(self._tasks)
        counts = self.store.counts()
        return len(self._tasks) + counts.get("pending", 0) + counts.get("sending", 0)

    def status(self) -> dict:
        """For health checks: whether Zalo is configured and how the outbox stands."""
        if not self.configured:
            return {"configured": False}
        return {"configured": True, "delivering": self._lock_fd is not None,
                "outbox": self.store.counts()}

    # --- receiving -----------------------------------------------------------------------------

    async def handle_webhook(self, raw_body: bytes, signature: str | None) -> tuple[int, dict]:
        """(HTTP status, JSON body) for one webhook call; never waits for the answer."""
        if not self.configured:
            return 503, {"error": NOT_CONFIGURED}
        if self._closed:
            return 503, {"error": STOPPING}
        if len(raw_body) > MAX_BODY_BYTES:
            return 413, {"error": TOO_LARGE}
        try:
            event = verify_event(raw_body, signature, app_id=self.settings.zalo_app_id,
                                 secret=self.settings.zalo_oa_secret_key,
                                 window_s=self.settings.zalo_signature_window_s,
                                 now_ms=self._clock() * 1000)
        except Unauthorized as err:
            log.warning("zalo: refused webhook call: %s", err.reason)
            return 401, {"error": BAD_SIGNATURE}
        self.start()  # no-op once started; covers an app that forgot the lifespan hook
        return 200, self._receive(event, raw_body)

    def _receive(self, event: dict, raw_body: bytes) -> dict:
        name = event.get("event_name")
        kind: Kind
        if name == "user_send_text":
            user = _user(event.get("sender"))
            message = event.get("message") if isinstance(event.get("message"), dict) else {}
            text = message.get("text")
            if not user or not isinstance(text, str) or not text.strip():
                return {"ok": True, "ignored": "empty message"}
            msg_id = message.get("msg_id")
            key = f"msg:{msg_id}" if msg_id else "body:" + hashlib.sha256(raw_body).hexdigest()
            kind = "check" if check_claim(text) is not None else "ask"
        elif name == "follow":
            user = _user(event.get("follower")) or _user(event.get("sender"))
            if not user:
                return {"ok": True, "ignored": "no follower id"}
            key, kind, text = f"follow:{user}:{event.get('timestamp')}", "greet", ""
        else:
            return {"ok": True, "ignored": str(name)}
        if not self.store.accept(key, user, kind, text):
            return {"ok": True, "duplicate": True}
        if kind in ("ask", "check"):
            admitted = self.rate_limiter.admit(user)
            if admitted == "drop":
                self.store.ignore(key)
                return {"ok": True, "rate_limited": True}
            if admitted == "notify":
                kind = "throttled"
                self.store.set_kind(key, kind)
        self._spawn(self._answer(InboxItem(key, user, kind, text, self._clock())))
        return {"ok": True}

    # --- answering -----------------------------------------------------------------------------

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @contextlib.asynccontextmanager
    async def _user_turn(self, user_id: str) -> AsyncIterator[None]:
        """One answer at a time per user, in arrival order (asyncio locks are FIFO)."""
        entry = self._locks.setdefault(user_id, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self._locks[user_id]

    def _get_service(self) -> "QAService":
        source = self._service_source
        return source if hasattr(source, "ask") else source()

    async def _service(self) -> "QAService":
        """The service, waiting while it loads. Raises ``_Stopping`` if the bot closes meanwhile
        (the message stays recorded and is answered after the restart)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._service_wait
        while True:
            try:
                return self._get_service()
            except Exception:
                if self._closed:
                    raise _Stopping() from None
                if loop.time() >= deadline:
                    raise
            await asyncio.sleep(0.5)

    async def _in_thread(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(
            self._executor, functools.partial(fn, *args))

    async def _reply_text(self, item: InboxItem) -> str:
        if item.kind == "greet":
            return GREETING
        if item.kind == "throttled":
            return RATE_LIMITED
        base = self.settings.public_base_url
        if item.kind == "check":
            claim = check_claim(item.text)
            if not claim:
                return EMPTY_CHECK
            service = await self._service()
            return format_check(await self._in_thread(service.check, claim), base)
        service = await self._service()
        history = self.conversations.history(item.user_id)
        answer = await self._in_thread(service.ask, item.text, history)
        self.conversations.record(item.user_id, item.text, answer.text)
        return format_reply(answer, base)

    async def _answer(self, item: InboxItem) -> None:
        async with self._user_turn(item.user_id):
            try:
                reply = await self._reply_text(item)
            except _Stopping:
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("zalo: answering message %s failed", item.key)
                reply = SORRY
            self.store.queue_reply(item.key, item.user_id, reply)
            self.worker.wake()
