"""Webhook authentication: Zalo's mac over the raw body, app id, replay window."""
from __future__ import annotations

import json

import pytest

from tests.webapp.zalo.support import APP_ID, OA_SECRET, text_event, zalo_mac
from webapp.zalo.signature import Unauthorized, sign_event, verify_event

NOW_MS = 1_764_000_000_000


def _verify(raw: bytes, header: str | None, now_ms: float = NOW_MS, window_s: float = 300) -> dict:
    return verify_event(raw, header, app_id=APP_ID, secret=OA_SECRET, window_s=window_s,
                        now_ms=now_ms)


def _event(**kw) -> bytes:
    return text_event("1001", "Phường Quang Trung đề ra bao nhiêu chỉ tiêu?", "m1",
                      timestamp=str(NOW_MS), **kw)


def test_sign_event_is_the_plain_sha256_of_the_concatenation():
    raw = _event()
    assert sign_event(APP_ID, raw, str(NOW_MS), OA_SECRET) == zalo_mac(APP_ID, raw, str(NOW_MS), OA_SECRET)
    # str and bytes bodies sign alike; an int timestamp signs like its decimal string
    assert sign_event(APP_ID, raw.decode(), NOW_MS, OA_SECRET) == sign_event(APP_ID, raw, str(NOW_MS), OA_SECRET)


def test_a_correctly_signed_event_is_accepted_and_parsed():
    raw = _event()
    event = _verify(raw, zalo_mac(APP_ID, raw, str(NOW_MS), OA_SECRET))
    assert event["message"]["text"].startswith("Phường Quang Trung")
    # the header prefix and hex case do not matter
    header = zalo_mac(APP_ID, raw, str(NOW_MS), OA_SECRET)
    assert _verify(raw, " MAC=" + header[4:].upper() + " ")["sender"]["id"] == "1001"


def test_the_body_is_hashed_as_received_not_reserialised():
    raw = _event()
    reserialised = json.dumps(json.loads(raw)).encode()   # same JSON, different bytes
    assert reserialised != raw
    header = zalo_mac(APP_ID, raw, str(NOW_MS), OA_SECRET)
    with pytest.raises(Unauthorized, match="mismatch"):
        _verify(reserialised, header)


@pytest.mark.parametrize("header", [None, "", "sha256=abc", "mac=", "mac=" + "0" * 64, "mac=zzzé"])
def test_missing_or_wrong_signatures_are_refused(header):
    with pytest.raises(Unauthorized):
        _verify(_event(), header)


def test_a_signature_made_with_another_secret_is_refused():
    raw = _event()
    with pytest.raises(Unauthorized, match="mismatch"):
        _verify(raw, zalo_mac(APP_ID, raw, str(NOW_MS), "not-our-secret"))


def test_a_tampered_body_is_refused():
    raw = _event()
    header = zalo_mac(APP_ID, raw, str(NOW_MS), OA_SECRET)
    with pytest.raises(Unauthorized):
        _verify(raw.replace("chỉ tiêu".encode(), "chi tieu".encode()), header)


def test_another_app_id_is_refused_even_when_signed_with_our_secret():
    raw = _event(app_id="999")
    with pytest.raises(Unauthorized, match="app_id"):
        _verify(raw, zalo_mac("999", raw, str(NOW_MS), OA_SECRET))


@pytest.mark.parametrize("skew_s, ok", [(0, True), (-299, True), (299, True), (-301, False), (301, False),
                                         (-86_400, False)])
def test_timestamps_outside_the_window_are_refused(skew_s, ok):
    raw = _event()
    header = zalo_mac(APP_ID, raw, str(NOW_MS), OA_SECRET)
    now = NOW_MS + skew_s * -1000   # the event is skew_s seconds away from "now"
    if ok:
        assert _verify(raw, header, now_ms=now)
    else:
        with pytest.raises(Unauthorized, match="window"):
            _verify(raw, header, now_ms=now)


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'{"app_id": "1"}',
                                 b'{"app_id": "1", "timestamp": "12x"}', b"\xff\xfe"])
def test_malformed_bodies_are_refused(raw):
    with pytest.raises(Unauthorized):
        _verify(raw, "mac=" + "0" * 64)
