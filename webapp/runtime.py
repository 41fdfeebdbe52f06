"""Holds the one answering service for the web app while it loads in the background.

Loading the index and the embedding model takes seconds; the server starts accepting
connections at once so ``/healthz`` can say "not yet" (503) instead of refusing connections.
Everything that answers asks the holder for the service and gets a clear "still starting"
error until it is ready.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

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
            finally:
                self._ready.set()

        self._thread = threading.Thread(target=run, name="hoidap-service-loader", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until loading finished (either way); True when the service is usable."""
        self._ready.wait(timeout)
        return self.ready

    def get(self) -> QAService:
        if self._service is not None:
            return self._service
        raise ServiceUnavailable(FAILED_MESSAGE if self._error is not None else LOADING_MESSAGE)
