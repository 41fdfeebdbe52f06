"""The bot's SQLite state: atomic dedup, outbox states and order, token pair, persistence."""
from __future__ import annotations

import threading

from webapp.zalo.store import ZaloStore


class Clock:
    def __init__(self, t: float = 1_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_concurrent_copies_of_one_message_are_accepted_once(tmp_path):
    store = ZaloStore(tmp_path / "z.sqlite3")
    results: list[bool] = []
    barrier = threading.Barrier(16)

    def receive() -> None:
        barrier.wait()
        results.append(store.accept("msg:abc", "1001", "ask", "Phường có bao nhiêu chỉ tiêu?"))

    threads = [threading.Thread(target=receive) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1 and len(results) == 16


def test_dedup_and_pending_replies_survive_reopening(tmp_path):
    store = ZaloStore(tmp_path / "z.sqlite3")
    assert store.accept("msg:1", "1001", "ask", "Phường Quang Trung có bao nhiêu chỉ tiêu?")
    assert store.accept("msg:2", "1001", "ask", "Thu nhập bình quân bao nhiêu?")
    assert store.queue_reply("msg:1", "1001", "Có 28 chỉ tiêu chủ yếu [1].")
    store.close()
    again = ZaloStore(tmp_path / "z.sqlite3")
    assert not again.accept("msg:1", "1001", "ask", "Phường Quang Trung có bao nhiêu chỉ tiêu?")
    assert [i.key for i in again.unanswered()] == ["msg:2"]
    assert [(r.inbox_key, r.state) for r in again.outbox()] == [("msg:1", "pending")]


def test_a_message_gets_at_most_one_reply(tmp_path):
    store = ZaloStore(tmp_path / "z.sqlite3")
    store.accept("msg:1", "1001", "ask", "Câu hỏi")
    assert store.queue_reply("msg:1", "1001", "Trả lời một")
    assert not store.queue_reply("msg:1", "1001", "Trả lời hai")
    assert [r.text for r in store.outbox()] == ["Trả lời một"]
    assert store.inbox_state("msg:1") == "answered"


def test_replies_to_one_user_go_out_in_order_one_at_a_time(tmp_path):
    clock = Clock()
    store = ZaloStore(tmp_path / "z.sqlite3", clock=clock)
    for key, user in [("a1", "A"), ("a2", "A"), ("b1", "B")]:
        store.accept(key, user, "ask", key)
        store.queue_reply(key, user, "reply " + key)
    due = store.due(10)
    assert [r.inbox_key for r in due] == ["a1", "b1"]
    assert store.claim(due[0].id) and not store.claim(due[0].id)   # a claim is taken once
    assert [r.inbox_key for r in store.due(10)] == ["b1"]           # a2 waits while a1 is sending
    store.reschedule(due[0].id, clock.t + 30, "HTTP 500")
    assert [r.inbox_key for r in store.due(10)] == ["b1"]           # ...and while a1 backs off
    assert store.next_due_at() == clock.t
    b1 = store.due(10)[0]
    store.claim(b1.id)
    store.mark_sent(b1.id, "zmsg-0")
    # a2 is due but waits behind a1: the worker must sleep until a1's retry, not spin
    assert store.due(10) == [] and store.next_due_at() == clock.t + 30
    clock.t += 31
    row = store.due(10)[0]
    assert row.inbox_key == "a1" and row.attempts == 1 and row.last_error == "HTTP 500"
    store.claim(row.id)
    store.mark_sent(row.id, "zmsg-1")
    assert [r.inbox_key for r in store.due(10)] == ["a2"]


def test_rows_left_sending_by_a_stopped_process_become_pending(tmp_path):
    store = ZaloStore(tmp_path / "z.sqlite3")
    store.accept("k", "A", "ask", "q")
    store.queue_reply("k", "A", "r")
    assert store.claim(store.due(1)[0].id)
    store.close()
    again = ZaloStore(tmp_path / "z.sqlite3")
    assert again.counts() == {"sending": 1}
    assert again.recover_in_flight() == 1
    assert again.counts() == {"pending": 1}


def test_the_configured_tokens_seed_the_store_until_refreshed(tmp_path):
    store = ZaloStore(tmp_path / "z.sqlite3")
    assert store.tokens("tok-1", "ref-1") == ("tok-1", "ref-1")
    store.save_tokens("tok-2", "ref-2")
    # after a refresh the stored pair wins over the (now used-up) configured one
    assert store.tokens("tok-1", "ref-1") == ("tok-2", "ref-2")
    # a newly configured refresh token means the operator re-authorised: it replaces the pair
    assert store.tokens("tok-9", "ref-9") == ("tok-9", "ref-9")


def test_prune_forgets_only_settled_old_rows(tmp_path):
    clock = Clock()
    store = ZaloStore(tmp_path / "z.sqlite3", clock=clock)
    for key in ("old-sent", "old-pending", "old-unanswered"):
        store.accept(key, "A", "ask", key)
    store.queue_reply("old-sent", "A", "r1")
    store.queue_reply("old-pending", "A", "r2")
    row = store.due(1)[0]
    store.claim(row.id)
    store.mark_sent(row.id, None)
    clock.t += 100
    store.prune(50)
    assert [r.inbox_key for r in store.outbox()] == ["old-pending"]
    assert store.inbox_state("old-sent") is None
    assert store.inbox_state("old-pending") == "answered"
    assert store.inbox_state("old-unanswered") == "received"
