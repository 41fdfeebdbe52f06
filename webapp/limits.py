"""Request body size limit, as a pure ASGI middleware.

A body is refused with 413 and a Vietnamese ``detail`` as soon as it is known to be too large:
at once when ``Content-Length`` says so, otherwise (chunked transfer, or a client that lies)
when the chunks read so far add up to more than the limit. The limit depends on the route
(``limit_for``), so the admin upload can take megabytes while the JSON API takes kilobytes.

Pure ASGI rather than ``BaseHTTPMiddleware``: the body is never buffered here, streaming
responses are untouched, and the handler sees the same ``receive`` it would without us.
"""
from __future__ import annotations

import json
from typing import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodySizeLimit", "BodyTooLarge", "too_large_message"]


def _size(n: int) -> str:
    """65536 -> "64 KiB"; 20971520 -> "20 MiB"; 1000 -> "1.000 byte"."""
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n:,} byte".replace(",", ".")


def too_large_message(limit: int) -> str:
    return (f"Nội dung gửi lên quá lớn: địa chỉ này nhận tối đa {_size(limit)}. "
            "Bạn vui lòng gửi ít dữ liệu hơn (hoặc chia nhỏ tệp).")


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once the streamed body passes the limit. An ``HTTPException`` so
    that FastAPI's body parsing re-raises it (instead of turning it into a 400) and the app's
    own handler answers 413; if nothing handles it, the middleware does."""

    def __init__(self, limit: int):
        super().__init__(413, detail=too_large_message(limit))
        self.limit = limit


class BodySizeLimit:
    """``limit_for(scope)`` gives the byte limit of a request (``None``: unlimited)."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[Scope], int | None]):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _reject(send, limit)
            return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge as exc:
            if started:  # the app answered already; nothing sensible left to send
                raise
            await _reject(send, exc.limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server (h11/httptools) refuses a malformed length itself
    return None


async def _reject(send: Send, limit: int) -> None:
    body = json.dumps({"detail": too_large_message(limit)}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
