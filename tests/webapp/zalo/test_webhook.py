"""End to end over real HTTP on loopback: Zalo -> webhook (uvicorn) -> answer -> fake OA API."""
from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.webapp.zalo.support import (
    APP_ID, AppServer, Recording, other_event, post, signed_headers, text_event, wait_until,
)
from webapp.zalo import ZaloBot
from webapp.zalo.replies import GREETING, MAX_CHARS, RATE_LIMITED
from webapp.zalo.store import ZaloStore

QUESTION = "Đại hội Đảng bộ phường Quang Trung đề ra bao nhiêu chỉ tiêu chủ yếu?"
QUANG_TRUNG_LINK = "https://hoidap.example.vn/articles/000_979beda71dc56cf9#p"


def settle(bot: ZaloBot, oa, delivered: int, timeout_s: float = 30.0) -> None:
    """Wait for ``delivered`` replies and for the bot to have nothing left in progress, so that
    a reply that should not exist would have been sent by now."""
    wait_until(lambda: len(oa.delivered()) >= delivered and bot.busy() == 0, timeout_s,
               f"{delivered} replies delivered and the bot idle")


def test_a_question_is_acknowledged_at_once_and_gets_exactly_one_reply_with_citations(make_bot, oa):
    bot = make_bot()
    with AppServer(bot) as app:
        started = time.monotonic()
        resp = post(app.webhook, text_event("1001", QUESTION))
        ack_s = time.monotonic() - started
        assert resp.status_code == 200 and ack_s < 2.0
        settle(bot, oa, 1)
    (reply,) = oa.delivered()
    assert reply.user_id == "1001" and reply.access_token == "tok-1"
    assert len(reply.text) <= MAX_CHARS
    assert "\n\nNguồn:\n[1] " in reply.text and ", đoạn " in reply.text
    assert QUANG_TRUNG_LINK in reply.text


def test_the_ack_does_not_wait_for_a_slow_answer(make_bot, oa, qa_service):
    gate = threading.Event()

    class Held(Recording):
        def ask(self, question, history=()):
            gate.wait(30)
            return super().ask(question, history)

    bot = make_bot(service=Held(qa_service))
    with AppServer(bot) as app:
        started = time.monotonic()
        assert post(app.webhook, text_event("1001", QUESTION)).status_code == 200
        assert time.monotonic() - started < 2.0 and oa.delivered() == []
        gate.set()
        settle(bot, oa, 1)
    assert len(oa.delivered()) == 1


def test_the_same_msg_id_is_answered_once_even_when_retried_concurrently(make_bot, oa):
    bot = make_bot()
    raw = text_event("1001", QUESTION, "msg-dup")
    with AppServer(bot) as app:
        assert post(app.webhook, raw).json() == {"ok": True}
        with ThreadPoolExecutor(6) as pool:    # Zalo's retries, some arriving together
            statuses = [r.status_code for r in pool.map(lambda _: post(app.webhook, raw), range(6))]
        assert statuses == [200] * 6
        # the same message re-sent later with a new timestamp is still the same msg_id
        assert post(app.webhook, text_event("1001", QUESTION, "msg-dup")).json()["duplicate"]
        settle(bot, oa, 1)
    assert len(oa.delivered()) == 1
    assert [r.inbox_key for r in ZaloStore(bot.store.path).outbox()] == ["msg:msg-dup"]


def test_forged_missing_and_stale_signatures_get_401_and_no_reply(make_bot, oa):
    bot = make_bot()
    stale_ts = str(int(time.time() * 1000) - 10 * 60 * 1000)
    future_ts = str(int(time.time() * 1000) + 10 * 60 * 1000)

    def event(tag: str, **kw) -> bytes:
        return text_event("6666", QUESTION, "forged-" + tag, **kw)

    valid = event("x")
    cases = {
        "missing": (event("missing"), {"Content-Type": "application/json"}),
        "forged": (event("forged"), {"X-ZEvent-Signature": "mac=" + uuid.uuid4().hex * 2}),
        "other secret": (event("secret"), signed_headers(event("secret"), secret="guessed")),
        "stale": (event("stale", timestamp=stale_ts), signed_headers(event("stale", timestamp=stale_ts))),
        "future": (event("future", timestamp=future_ts), signed_headers(event("future", timestamp=future_ts))),
        "other app": (event("app", app_id="42"), signed_headers(event("app", app_id="42"))),
        "tampered": (valid.replace("Quang Trung".encode(), "Đông Sơn".encode()), signed_headers(valid)),
        "reserialised": (json.dumps(json.loads(valid)).encode(), signed_headers(valid)),
    }
    with AppServer(bot) as app:
        for name, (raw, headers) in cases.items():
            resp = post(app.webhook, raw, headers)
            assert resp.status_code == 401, name
            assert resp.json() == {"error": "Chữ ký không hợp lệ."}, name
        # a genuine message afterwards is the only one answered
        assert post(app.webhook, text_event("1001", QUESTION)).status_code == 200
        settle(bot, oa, 1)
        assert all(bot.store.inbox_state("msg:forged-" + tag) is None
                   for tag in ("missing", "forged", "secret", "stale", "future", "app", "x"))
    assert [c.user_id for c in oa.calls] == ["1001"]


def test_the_oa_api_failing_three_times_then_succeeding_delivers_exactly_once(make_bot, oa):
    oa.fail_next = 3
    bot = make_bot()
    with AppServer(bot) as app:
        post(app.webhook, text_event("1001", QUESTION))
        settle(bot, oa, 1)
        (row,) = bot.store.outbox()
    assert [c.outcome for c in oa.calls] == ["http500"] * 3 + ["sent"]
    assert len({c.text for c in oa.calls}) == 1          # the stored reply, resent unchanged
    assert row.state == "sent" and row.attempts == 4


def test_an_expired_token_is_refreshed_once_and_the_replies_go_out(make_bot, oa):
    oa.valid_access.clear()                              # the configured tok-1 has expired
    bot = make_bot()
    with AppServer(bot) as app:
        for user in ("1001", "1002", "1003"):
            post(app.webhook, text_event(user, QUESTION))
        settle(bot, oa, 3)
        stored = bot.store.tokens("tok-1", "ref-1")
    assert len(oa.refresh_calls) == 1                    # one refresh for concurrent -216s
    call = oa.refresh_calls[0]
    assert call == {"refresh_token": "ref-1", "app_id": APP_ID, "grant_type": "refresh_token",
                    "secret_key": "app-secret-7Yb1"}
    (new_access,) = oa.valid_access
    assert {c.access_token for c in oa.delivered()} == {new_access}
    assert sorted(c.user_id for c in oa.delivered()) == ["1001", "1002", "1003"]
    assert stored[0] == new_access and stored[1] in oa.valid_refresh and "ref-1" not in oa.valid_refresh


def test_a_restart_with_a_pending_reply_delivers_it_once(make_bot, oa, tmp_path):
    oa.fail_next = 10 ** 6                               # the OA API is down
    data = tmp_path / "restart"
    raw = text_event("1001", QUESTION, "msg-restart")
    first = make_bot(data_dir=data)
    with AppServer(first) as app:
        post(app.webhook, raw)
        wait_until(lambda: any(r.attempts >= 1 and r.state == "pending" for r in first.store.outbox()),
                   30, "a failed attempt")
    assert oa.delivered() == []
    assert [r.state for r in ZaloStore(data / "zalo.sqlite3").outbox()] == ["pending"]
    oa.fail_next = 0                                     # back up; a new process starts
    second = make_bot(data_dir=data)
    with AppServer(second) as app:
        settle(second, oa, 1)
        # Zalo retrying the original event after the restart is still a duplicate
        assert post(app.webhook, raw).json()["duplicate"]
        settle(second, oa, 1)
    (reply,) = oa.delivered()
    assert reply.user_id == "1001" and "Nguồn:" in reply.text


def test_a_message_recorded_but_not_answered_before_a_stop_is_answered_after_restart(make_bot, oa, tmp_path):
    data = tmp_path / "crash"
    store = ZaloStore(data / "zalo.sqlite3")            # what a killed process left behind
    assert store.accept("msg:m-crash", "1001", "ask", QUESTION)
    store.close()
    bot = make_bot(data_dir=data)
    with AppServer(bot) as app:
        settle(bot, oa, 1)
        assert post(app.webhook, text_event("1001", QUESTION, "m-crash")).json()["duplicate"]
    assert len(oa.delivered()) == 1 and QUANG_TRUNG_LINK in oa.delivered()[0].text


def test_follow_ups_carry_the_users_recent_turns(make_bot, oa, qa_service):
    service = Recording(qa_service)
    bot = make_bot(service=service)
    with AppServer(bot) as app:
        post(app.webhook, text_event("1001", QUESTION))
        post(app.webhook, text_event("1001", "Còn thu nhập bình quân đầu người thì sao?"))
        post(app.webhook, text_event("2002", "Phường Đông Sơn xác định mấy nhiệm vụ trọng tâm?"))
        settle(bot, oa, 3)
    calls = {q: h for q, h in service.calls}
    assert calls[QUESTION] == ()
    follow_up = calls["Còn thu nhập bình quân đầu người thì sao?"]
    assert [t.role for t in follow_up] == ["user", "assistant"] and follow_up[0].content == QUESTION
    assert calls["Phường Đông Sơn xác định mấy nhiệm vụ trọng tâm?"] == ()   # per user


def test_a_kiem_tra_message_is_fact_checked(make_bot, oa, qa_service):
    service = Recording(qa_service)
    bot = make_bot(service=service)
    with AppServer(bot) as app:
        post(app.webhook, text_event("1001", "Kiểm tra: Phường Quang Trung đề ra 28 chỉ tiêu chủ yếu."))
        settle(bot, oa, 1)
    assert service.calls == [("kiểm tra: Phường Quang Trung đề ra 28 chỉ tiêu chủ yếu.", ())]
    assert oa.delivered()[0].text.startswith("Kết quả kiểm tra: ")


def test_the_rate_limit_answers_politely_once_then_drops(make_bot, oa):
    bot = make_bot(zalo_rate_per_minute=3)
    questions = [f"{QUESTION} (lần {i})" for i in range(6)]
    with AppServer(bot) as app:
        for q in questions:
            assert post(app.webhook, text_event("1001", q)).status_code == 200
        post(app.webhook, text_event("2002", QUESTION))   # another user is not limited
        settle(bot, oa, 5)
    to_1001 = [c.text for c in oa.delivered() if c.user_id == "1001"]
    assert len(to_1001) == 4 and to_1001[3] == RATE_LIMITED
    assert all("Nguồn:" in t for t in to_1001[:3])
    assert [c.user_id for c in oa.delivered()].count("2002") == 1


def test_follow_gets_a_greeting_and_other_events_get_nothing(make_bot, oa):
    bot = make_bot()
    with AppServer(bot) as app:
        for name in ("user_send_sticker", "user_send_image", "user_seen_message",
                     "user_received_message", "unfollow"):
            resp = post(app.webhook, other_event(name, "1001"))
            assert resp.status_code == 200 and resp.json()["ignored"] == name
        follow = other_event("follow", "1001")
        assert post(app.webhook, follow).json() == {"ok": True}
        assert post(app.webhook, follow).json()["duplicate"]
        settle(bot, oa, 1)
    assert [(c.user_id, c.text) for c in oa.delivered()] == [("1001", GREETING)]


def test_without_zalo_configuration_the_webhook_answers_503(make_bot, oa, tmp_path):
    bot = make_bot(zalo_app_id="", zalo_oa_secret_key="")
    with AppServer(bot) as app:
        resp = post(app.webhook, text_event("1001", QUESTION))
    assert resp.status_code == 503 and "chưa được cấu hình" in resp.json()["error"]
    assert not (tmp_path / "data" / "zalo.sqlite3").exists() and oa.calls == []


def test_a_burst_of_200_events_from_20_users_is_answered_exactly_once_each(make_bot, oa, burst_service):
    bot = make_bot(service=burst_service)
    events = [(f"{3000 + u}", f"{QUESTION} — câu {i} của người {u}", f"burst-{u}-{i}")
              for i in range(10) for u in range(20)]
    with AppServer(bot) as app, httpx.Client(timeout=30) as client:
        def send(e):
            raw = text_event(*e)
            started = time.monotonic()
            status = client.post(app.webhook, content=raw, headers=signed_headers(raw)).status_code
            return status, time.monotonic() - started

        with ThreadPoolExecutor(20) as pool:
            results = list(pool.map(send, events))
        assert [s for s, _ in results] == [200] * 200
        settle(bot, oa, 200, timeout_s=60)
        rows = bot.store.outbox()
    assert max(t for _, t in results) < 2.0
    assert len(oa.calls) == 200 and len(oa.delivered()) == 200
    per_user = {}
    for c in oa.delivered():
        per_user[c.user_id] = per_user.get(c.user_id, 0) + 1
    assert per_user == {f"{3000 + u}": 10 for u in range(20)}
    assert sorted(r.inbox_key for r in rows) == sorted(f"msg:{m}" for _, _, m in events)
    assert all(r.state == "sent" and r.attempts == 1 for r in rows)


def test_a_reply_zalo_refuses_for_good_is_not_retried(make_bot, oa):
    oa.blocked_users.add("4004")
    bot = make_bot()
    with AppServer(bot) as app:
        post(app.webhook, text_event("4004", QUESTION))
        post(app.webhook, text_event("1001", QUESTION))
        settle(bot, oa, 1)
        states = {r.user_id: (r.state, r.attempts, r.last_error) for r in bot.store.outbox()}
    assert [c.outcome for c in oa.calls if c.user_id == "4004"] == ["blocked"]
    assert states["4004"][:2] == ("failed", 1) and "-213" in states["4004"][2]
    assert states["1001"][0] == "sent"


def test_messages_arriving_while_the_service_loads_are_answered_once_it_is_ready(make_bot, oa, qa_service):
    # wired as in app.py: the service is built in the background and fetched per message
    from webapp.runtime import ServiceHolder

    loaded = threading.Event()
    holder = ServiceHolder()
    holder.start_loading(lambda: (loaded.wait(30), qa_service)[1])
    bot = make_bot(service=holder.get)
    with AppServer(bot) as app:
        started = time.monotonic()
        assert post(app.webhook, text_event("1001", QUESTION)).json() == {"ok": True}
        assert time.monotonic() - started < 2.0 and not holder.ready
        loaded.set()
        settle(bot, oa, 1)
    (reply,) = oa.delivered()
    assert QUANG_TRUNG_LINK in reply.text
