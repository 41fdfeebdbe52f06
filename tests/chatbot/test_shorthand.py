"""Chat shorthand is spelled out in the question's own spelling, and nothing else is touched."""
from __future__ import annotations

import pytest

from chatbot.shorthand import expand_shorthand
from tests.chatbot.conftest import QT, TM, ask


@pytest.mark.parametrize("typed, spelled", [
    ("quang trung co bn chi tieu chu yeu", "quang trung co bao nhieu chi tieu chu yeu"),   # folded stays folded
    ("Quang Trung có bn sản phẩm OCOP?", "Quang Trung có bao nhiêu sản phẩm OCOP?"),
    ("thanh mieu co bn dn", "thanh mieu co bao nhieu doanh nghiep"),
    ("Có bao nhiêu DN?", "Có bao nhiêu doanh nghiệp?"),
    ("dong son co nhung khau dot pha j", "dong son co nhung khau dot pha gi"),
    ("bi thu nong trang la ai z", "bi thu nong trang la ai vay"),
    ("Đông Sơn có đạt 100% ko?", "Đông Sơn có đạt 100% không?"),
])
def test_shorthand_is_spelled_out(typed, spelled):
    assert expand_shorthand(typed) == spelled


@pytest.mark.parametrize("text", [
    "Vitamin K là gì?",                       # a capital letter is a name, not "không"
    "nguyen hong phong giu chuc gi",          # "hong" is "Hồng" typed without marks
    "K-pop", "quý IV/2025", "Dự án 5 v2",
    "Thu nhập bình quân của Quang Trung là bao nhiêu?",
])
def test_words_that_are_no_shorthand_are_left_alone(text):
    assert expand_shorthand(text) == text


@pytest.mark.parametrize("question, short, article", [
    ("quang trung co bn chi tieu chu yeu", "28 chỉ tiêu", QT),
    ("thanh mieu co bn dn", "800 doanh nghiệp", TM),
])
def test_a_question_in_shorthand_gets_the_short_answer(service, question, short, article):
    ans = ask(service, question)
    assert not ans.abstained, ans.text
    assert short in (ans.short_answer or "")
    assert {c.article_id for c in ans.citations} == {article}
