"""Follow-up memory per user (30 minutes of silence forgets) and the per-user rate limit."""
from __future__ import annotations

from chatbot.models import Turn
from webapp.zalo.conversation import Conversations, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_follow_ups_see_the_previous_turns_until_thirty_minutes_of_silence():
    clock = Clock()
    conv = Conversations(clock=clock)
    conv.record("A", "Phường Quang Trung đề ra bao nhiêu chỉ tiêu?", "28 chỉ tiêu chủ yếu [1].")
    clock.t += 29 * 60
    assert conv.history("A") == (Turn("user", "Phường Quang Trung đề ra bao nhiêu chỉ tiêu?"),
                                 Turn("assistant", "28 chỉ tiêu chủ yếu [1]."))
    assert conv.history("B") == ()
    conv.record("A", "Còn thu nhập bình quân?", "90 triệu đồng/người/năm [1].")
    clock.t += 29 * 60                    # silence is counted from the last message
    assert len(conv.history("A")) == 4
    clock.t += 2 * 60
    assert conv.history("A") == ()


def test_history_is_bounded():
    conv = Conversations(max_turns=4, clock=Clock())
    for i in range(5):
        conv.record("A", f"câu hỏi {i}", f"trả lời {i}")
    assert [t.content for t in conv.history("A")] == ["câu hỏi 3", "trả lời 3", "câu hỏi 4", "trả lời 4"]


def test_the_rate_limit_notifies_once_then_drops_until_the_minute_passes():
    clock = Clock()
    limiter = RateLimiter(3, clock=clock)
    assert [limiter.admit("A") for _ in range(3)] == ["ok"] * 3
    assert limiter.admit("B") == "ok"                      # per user
    assert limiter.admit("A") == "notify"
    assert limiter.admit("A") == "drop"
    clock.t += 59
    assert limiter.admit("A") == "drop"
    clock.t += 1                                            # the first three leave the window
    assert [limiter.admit("A") for _ in range(3)] == ["ok"] * 3
    assert limiter.admit("A") == "notify"


def test_a_zero_limit_disables_rate_limiting():
    limiter = RateLimiter(0, clock=Clock())
    assert all(limiter.admit("A") == "ok" for _ in range(100))


def test_memory_is_bounded_however_many_users_write_at_once():
    clock = Clock()
    conv = Conversations(max_users=3, clock=clock)
    limiter = RateLimiter(5, clock=clock, max_users=3)
    for user in "ABCD":
        conv.record(user, "câu hỏi", "trả lời")
        limiter.admit(user)
        clock.t += 1                      # nobody is silent for long: only the bound can drop
    conv.record("B", "câu hỏi nữa", "trả lời")
    limiter.admit("B")
    conv.record("E", "câu hỏi", "trả lời")
    limiter.admit("E")
    assert conv.history("A") == () and conv.history("C") == ()
    assert len(conv.history("B")) == 4 and conv.history("D") and conv.history("E")
    assert len(limiter._windows) == 3 and "B" in limiter._windows and "C" not in limiter._windows
