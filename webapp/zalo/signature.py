"""Zalo webhook authentication: the ``X-ZEvent-Signature`` header, the app id and a replay window.

Zalo signs an event as ``mac=sha256_hex(app_id + raw_body + timestamp + oa_secret_key)`` — a
plain hash of the concatenation, not an HMAC — where ``app_id`` and ``timestamp`` are the values
inside the JSON body. The body must be hashed exactly as received: re-serialising the parsed
JSON changes spacing and escapes and breaks the signature.
"""
from __future__ import annotations

import hashlib
import hmac
import json

__all__ = ["SIGNATURE_HEADER", "Unauthorized", "sign_event", "verify_event"]

SIGNATURE_HEADER = "X-ZEvent-Signature"
_PREFIX = "mac="


class Unauthorized(Exception):
    """The request must be refused with 401; ``reason`` is for the log, never for the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def sign_event(app_id: str, raw_body: str | bytes, timestamp: str | int, secret: str) -> str:
    """The ``X-ZEvent-Signature`` header value Zalo sends for this body: ``"mac=<hex>"``."""
    digest = hashlib.sha256(
        _bytes(app_id) + _bytes(raw_body) + _bytes(str(timestamp)) + _bytes(secret)
    ).hexdigest()
    return _PREFIX + digest


def _timestamp_ms(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Unauthorized("timestamp missing or not a string of milliseconds")
    text = str(value).strip()
    if not text.isdigit():
        raise Unauthorized("timestamp is not a number of milliseconds")
    return int(text)


def verify_event(
    raw_body: bytes,
    header: str | None,
    *,
    app_id: str,
    secret: str,
    window_s: float,
    now_ms: float,
) -> dict:
    """The parsed event when the request is authentic and fresh; raises ``Unauthorized`` otherwise.

    Checks, all of which must pass: the header is ``mac=<hex>``; the body is a JSON object with
    ``app_id`` and ``timestamp``; the hash matches (constant-time compare); the body's
    ``app_id`` is ours; ``timestamp`` lies within ``window_s`` seconds of ``now_ms`` either way
    (a replayed old event and a far-future one are both refused).
    """
    if not header:
        raise Unauthorized("no signature header")
    header = header.strip()
    if not header.lower().startswith(_PREFIX):
        raise Unauthorized("signature header is not mac=<hex>")
    given = header[len(_PREFIX):].strip().lower()
    try:
        event = json.loads(raw_body)
    except (UnicodeDecodeError, ValueError):
        raise Unauthorized("body is not JSON") from None
    if not isinstance(event, dict):
        raise Unauthorized("body is not a JSON object")
    body_app_id = event.get("app_id")
    if not isinstance(body_app_id, (str, int)) or isinstance(body_app_id, bool):
        raise Unauthorized("app_id missing")
    raw_ts = event.get("timestamp")
    ts = _timestamp_ms(raw_ts)
    expected = sign_event(str(body_app_id), raw_body, str(raw_ts), secret)[len(_PREFIX):]
    # compare the digests as bytes: compare_digest refuses non-ASCII str
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
        raise Unauthorized("signature mismatch")
    if not hmac.compare_digest(str(body_app_id).encode(), app_id.encode()):
        raise Unauthorized("app_id is not ours")
    if abs(now_ms - ts) > window_s * 1000:
        raise Unauthorized(f"timestamp outside the {window_s:g}s window")
    return event
