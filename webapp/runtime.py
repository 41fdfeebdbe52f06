"""Holds the one answering service for the web app while it loads in the background.

Loading the index and the embedding model takes seconds; the server starts accepting
connections at once so ``/healthz`` can say "not yet" (503) instead of refusing connections.
Everything that answers asks the holder for the service and gets a clear "still starting"
error until it is ready.

After the index changes (admin upload, reindex, or ``python -m index build`` run beside the
server) the holder swaps in a new service built over the new index: ``reload`` for the process
that made the change, ``follow`` for the others (each uvicorn worker notices the new index
generation within seconds). A swap is one attribute assignment; a request already running
keeps the service it started with, which stays whole in memory until it finishes. The new
service starts with an empty answer cache, so no answer from the old index is served again.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import TYPE_CHECKING, Callable, Iterator

from webapp.heap import give_back_free_heap

if TYPE_CHECKING:  # not imported at run time: a server process makes a holder before the service's modules load
    from chatbot.service import QAService

__all__ = ["ServiceHolder", "ServiceUnavailable", "LOADING_MESSAGE", "FAILED_MESSAGE"]

log = logging.getLogger(__name__)

LOADING_MESSAGE = "Hệ thống đang khởi động (đang nạp chỉ mục và mô hình), bạn vui lòng thử lại sau ít giây."
FAILED_MESSAGE = "Hệ thống không khởi động được, vui lòng báo cho quản trị viên."


class ServiceUnavailable(RuntimeError):
    """The service is still loading, or failed to load."""


class ServiceHolder:
    def __init__(self, service: QAService | None = None):
        self._service = service
        self._error: BaseException | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.load_seconds: float | None = 0.0 if service is not None else None
        if service is not None:
            self._ready.set()
        self._swap_lock = threading.RLock()   # one reload (or admin operation) at a time
        self.reloads = 0
        self._changed: Callable[[QAService], bool] | None = None
        self._refresh: Callable[[QAService], QAService] | None = None
        self._every_s = 2.0
        self._next_check = 0.0

    @property
    def ready(self) -> bool:
        return self._service is not None

    @property
    def error(self) -> BaseException | None:
        return self._error

    def start_loading(self, factory: Callable[[], QAService]) -> None:
        """Build the service in a daemon thread (no-op when one was given up front)."""
        if self._ready.is_set() or self._thread is not None:
            return

        def run() -> None:
            t0 = time.perf_counter()
            try:
                service = factory()
            except BaseException as exc:  # noqa: BLE001 - reported by /healthz and the log
                log.exception("không dựng được dịch vụ hỏi đáp")
                self._error = exc
            else:
                self._service = service
                self.load_seconds = time.perf_counter() - t0
                log.info("dịch vụ hỏi đáp sẵn sàng sau %.1f s", self.load_seconds)
                give_back_free_heap()  # the loader's temporaries: ~35 MB
            finally:
                self._ready.set()

        self._thread = threading.Thread(target=run, name="hoidap-service-loader", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until loading finished (either way); True when the service is usable."""
        self._ready.wait(timeout)
        return self.ready

    def get(self) -> QAService:
        service = self._service
        if service is not None:
            if self._changed is not None:
                self._maybe_follow(service)
            return service
        raise ServiceUnavailable(FAILED_MESSAGE if self._error is not None else LOADING_MESSAGE)

    # -- hot swap -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold off ``follow`` reloads while the caller changes the index and reloads itself."""
        with self._swap_lock:
            yield

    def reload(self, factory: Callable[[QAService | None], QAService]) -> QAService:
        """Build a replacement with ``factory(current)`` in the calling thread, then swap it in.
        If the factory raises, the current service stays in place and the error propagates."""
        with self._swap_lock:
            fresh = factory(self._service)
            self._service = fresh
            self._error = None
            self.reloads += 1
            self._ready.set()
        give_back_free_heap()
        log.info("dịch vụ hỏi đáp đã được nạp lại (lần %d)", self.reloads)
        return fresh

    def follow(self, changed: Callable[[QAService], bool], factory: Callable[[QAService | None], QAService],
               every_s: float = 2.0) -> None:
        """Every ``every_s`` seconds at most, a ``get`` asks ``changed(service)``; when true, a
        background thread reloads with ``factory`` while requests keep the current service."""
        self._changed, self._refresh, self._every_s = changed, factory, every_s

    def _maybe_follow(self, service: QAService) -> None:
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + self._every_s
        if not self._swap_lock.acquire(blocking=False):
            return  # a reload or an admin operation is under way
        try:
            if not self._changed(service):  # type: ignore[misc]
                return
        except Exception:  # noqa: BLE001 - a failed check must never fail a request
            log.exception("không kiểm tra được chỉ mục mới")
            return
        finally:
            self._swap_lock.release()

        def run() -> None:
            try:
                with self._swap_lock:
                    current = self._service
                    if current is not None and self._changed(current):  # type: ignore[misc]
                        self.reload(self._refresh)  # type: ignore[arg-type]
            except Exception:  # noqa: BLE001 - keep serving the old index; try again in 10 s
                log.exception("không nạp được chỉ mục mới, vẫn dùng chỉ mục cũ")
                self._next_check = time.monotonic() + 10

        threading.Thread(target=run, name="hoidap-service-reloader", daemon=True).start()
