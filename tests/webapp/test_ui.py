"""The chat's event handlers, called directly (the browser test drives the same code through
Chromium; these pin down the details quickly)."""
from __future__ import annotations

import gradio as gr
import pytest

from chatbot.models import CheckReport
from webapp.feedback import FeedbackStore
from webapp.runtime import ServiceHolder
from webapp.ui import _Handlers

NONG_TRANG = "Ai là Bí thư Đảng ủy phường Nông Trang?"


@pytest.fixture()
def handlers(seed_service, tmp_path):
    return _Handlers(ServiceHolder(seed_service), FeedbackStore(tmp_path / "fb.sqlite3"))


def _converse(h: _Handlers, question: str, messages, history, turns):
    box, _, messages, pending = h.submit(question, messages)
    assert box == "" and pending == question.strip()
    steps = list(h.reply(pending, messages, history, turns))
    return steps, steps[-1]


def test_reply_streams_then_adds_numbered_sources(handlers):
    steps, (shown, messages, history, turns) = _converse(handlers, NONG_TRANG, [], [], [])
    replies = [s[0][1]["content"] for s in steps]
    assert len(replies) >= 3 and replies[0] != replies[-1]
    assert all(replies[-1].startswith(r) for r in replies[:-1])   # each piece grows the last
    sources = [m for m in shown if m.get("metadata")]
    assert sources and sources[0]["metadata"]["title"].startswith("📄 \\[1\\] Xây dựng Nông Trang")
    assert "/articles/001_fedeaab69c93254a#p" in sources[0]["content"]
    assert history == [{"role": "user", "content": NONG_TRANG},
                       {"role": "assistant", "content": history[1]["content"]}]
    assert turns[0]["first"] == 1 and turns[0]["last"] == len(shown) - 1


def test_follow_up_passes_the_conversation(handlers):
    _, (_, messages, history, turns) = _converse(handlers, NONG_TRANG, [], [], [])
    _, (shown, _, history, turns) = _converse(handlers, "Còn phường Thanh Miếu thì sao?", messages, history, turns)
    assert "Phạm Xuân Hiệp" in shown[len(messages) + 1]["content"]
    assert len(history) == 4 and len(turns) == 2


def test_blank_and_overlong_questions_are_refused_with_a_warning(handlers):
    for bad in ("   ", "a" * 1001):
        with pytest.warns(UserWarning) as caught:
            box, _, messages, pending = handlers.submit(bad, [])
        assert pending is None and messages == []
        assert any(("trống" in str(w.message)) or ("1.000" in str(w.message)) for w in caught)


def test_question_markup_is_escaped_in_the_bubble(handlers):
    _, _, messages, _ = handlers.submit('<img src=x onerror="alert(1)"> *Nông Trang*?', [])
    assert messages[0]["content"] == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; \\*Nông Trang\\*?"


def test_like_stores_the_reply_and_its_citations(handlers):
    _, (shown, _, _, turns) = _converse(handlers, NONG_TRANG, [], [], [])
    data = gr.LikeData(None, {"index": len(shown) - 1, "value": "x", "liked": True})
    handlers.like(data, turns)
    row = handlers.feedback.rows()[0]
    assert row.liked and row.question == NONG_TRANG
    assert row.citations[0]["article_id"] == "001_fedeaab69c93254a"
    handlers.like(gr.LikeData(None, {"index": 1, "value": "x", "liked": False}), turns)
    assert [r.liked for r in handlers.feedback.rows()] == [False, True]


class _NoCheck:
    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def check(self, claim: str) -> CheckReport:
        raise NotImplementedError


def test_check_tab_table_or_polite_not_ready(seed_service, tmp_path):
    h = _Handlers(ServiceHolder(seed_service), FeedbackStore(tmp_path / "fb.sqlite3"))
    out = h.check("Đại hội Đảng bộ phường Quang Trung đề ra 30 chỉ tiêu chủ yếu.")
    assert 'class="check-table"' in out and "badge-refuted" in out and "<mark" in out
    h = _Handlers(ServiceHolder(_NoCheck(seed_service)), FeedbackStore(tmp_path / "fb2.sqlite3"))
    assert "chưa sẵn sàng" in h.check("Phường Nông Trang có 5 trường học.")


def test_while_loading_the_chat_says_so(tmp_path):
    h = _Handlers(ServiceHolder(), FeedbackStore(tmp_path / "fb.sqlite3"))
    shown, *_ = list(h.reply(NONG_TRANG, [], [], []))[-1]
    assert "khởi động" in shown[-1]["content"]
