"""The Gradio chat UI at "/", built after the answering service instead of before the server starts.

Importing Gradio and building the UI takes 3–4 s of a core, more than loading the index and the
model; a server process that did it first answered ``/healthz`` after 9 s. ``python app.py``
instead answers ``/healthz``, the API and the webhooks as soon as the service is loaded and
builds the UI right after, in a background thread. Until then "/" answers 503 with a page that
reloads itself. The UI is the one ``gr.mount_gradio_app`` makes, on an app of its own whose
lifespan (Gradio's start-up events) is run here through the ASGI lifespan protocol, the way a
server runs an app's.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webapp.heap import give_back_free_heap

__all__ = ["DeferredUI", "STARTING_PAGE"]

log = logging.getLogger(__name__)

STARTING_PAGE = (
    "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
    "<meta http-equiv='refresh' content='2'><title>Hỏi đáp phường</title></head>"
    "<body style='font-family:sans-serif;max-width:40em;margin:3em auto'>"
    "<h1>Hỏi đáp phường</h1><p>Giao diện đang khởi động, trang sẽ tự tải lại sau ít giây.</p>"
    "</body></html>"
).encode("utf-8")


class _Lifespan:
    """Runs an ASGI app's lifespan: ``start`` until start-up completes, ``stop`` to shut it down."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._outbox: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
        self._task = asyncio.create_task(self._app(scope, self._inbox.get, self._outbox.put))
        await self._inbox.put({"type": "lifespan.startup"})
        reply = await self._outbox.get()
        if reply["type"] != "lifespan.startup.complete":
            raise RuntimeError(f"UI start-up failed: {reply.get('message', reply['type'])}")

    async def stop(self, timeout: float = 10.0) -> None:
        if self._task is None or self._task.done():
            return
        await self._inbox.put({"type": "lifespan.shutdown"})
        try:
            await asyncio.wait_for(self._outbox.get(), timeout)
            await asyncio.wait_for(self._task, timeout)
        except (asyncio.TimeoutError, Exception):  # noqa: BLE001 - shutting down anyway
            log.warning("giao diện không dừng gọn", exc_info=True)


class DeferredUI:
    """An ASGI app that serves a starting page until ``start``'s builder has made the real UI
    app and its start-up has run, then hands every request to it."""

    def __init__(self) -> None:
        self._app: ASGIApp | None = None
        self._lifespan: _Lifespan | None = None
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None

    @property
    def ready(self) -> bool:
        return self._app is not None

    def start(self, build: Callable[[], ASGIApp], loop: asyncio.AbstractEventLoop,
              wait_for: Callable[[], object] | None = None) -> None:
        """Build in a daemon thread (after ``wait_for()`` returns, when given), then start the
        built app on ``loop`` and serve it."""
        if self._thread is not None:
            return

        def run() -> None:
            try:
                if wait_for is not None:
                    wait_for()
                app = build()
            except BaseException as exc:  # noqa: BLE001 - reported by the log and the starting page
                log.exception("không dựng được giao diện")
                self.error = exc
                return
            give_back_free_heap()  # importing Gradio leaves freed temporaries behind
            asyncio.run_coroutine_threadsafe(self._serve(app), loop)

        self._thread = threading.Thread(target=run, name="hoidap-ui-builder", daemon=True)
        self._thread.start()

    async def _serve(self, app: ASGIApp) -> None:
        lifespan = _Lifespan(app)
        try:
            await lifespan.start()
        except Exception as exc:  # noqa: BLE001
            log.exception("giao diện không khởi động được")
            self.error = exc
            return
        self._lifespan, self._app = lifespan, app
        log.info("giao diện sẵn sàng")

    async def aclose(self) -> None:
        if self._lifespan is not None:
            await self._lifespan.stop()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self._app
        if app is not None:
            await app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013})  # try again later
            return
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 503, "headers": [
            (b"content-type", b"text/html; charset=utf-8"), (b"retry-after", b"2"),
            (b"cache-control", b"no-store"), (b"content-length", str(len(STARTING_PAGE)).encode())]})
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else STARTING_PAGE})
