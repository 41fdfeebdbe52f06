"""The polite wrapping around a question, and messages that are only courtesy."""
from __future__ import annotations

import pytest

from chatbot.courtesy import small_talk_reply, strip_courtesy
from chatbot.guard import unsupported_facts


@pytest.mark.parametrize("typed, plain", [
    ("Cho mình hỏi là phường Quang Trung năm 2030 thu nhập bình quân được bao nhiêu vậy ạ?",
     "Phường Quang Trung năm 2030 thu nhập bình quân được bao nhiêu?"),
    ("cho minh hoi thu nhap binh quan quang trung bao nhieu vay a", "Thu nhap binh quan quang trung bao nhieu"),
    ("Bạn ơi, ai là Bí thư Đảng ủy phường Nông Trang?", "Ai là Bí thư Đảng ủy phường Nông Trang?"),
    ("Xin hỏi Đông Sơn có mấy nhiệm vụ trọng tâm nhỉ?", "Đông Sơn có mấy nhiệm vụ trọng tâm?"),
    ("Mình muốn biết về chỉ tiêu BHYT của Đông Sơn", "Chỉ tiêu BHYT của Đông Sơn"),
])
def test_the_polite_wrapping_is_taken_off(typed, plain):
    assert strip_courtesy(typed) == plain


@pytest.mark.parametrize("question", [
    "Thu nhập bình quân của Quang Trung?",
    "Quang Trung có bao nhiêu ha đất?",
    "Khu đô thị rộng bao nhiêu ha?",            # "ha" (hectares) ends the question, it is no particle
    "Phường có bao nhiêu trường đạt chuẩn loại A?",   # a capital is a label, not "ạ"
    "Dạ cho em hỏi chút ạ",                     # nothing would be left: kept as typed
    "Thành phố Hà Nội",
])
def test_a_question_without_wrapping_is_left_as_typed(question):
    assert strip_courtesy(question) == question


@pytest.mark.parametrize("message", ["xin chào", "Chào bạn nhé!", "cảm ơn bạn", "cam on nhieu", "ok"])
def test_a_greeting_or_thanks_gets_a_reply_that_states_no_fact(message):
    reply = small_talk_reply(message)
    assert reply and not unsupported_facts(reply, [])


@pytest.mark.parametrize("message", ["Chào mừng đại hội diễn ra khi nào?", "Cảm ơn ai đã ủng hộ Cuba?",
                                     "Quang Trung", "phường Đông Sơn"])
def test_a_question_that_opens_with_a_greeting_word_is_not_small_talk(message):
    assert small_talk_reply(message) is None


@pytest.mark.parametrize("typed, kept", [
    ("Thu nhập 🤔 Quang Trung bao nhiêu vậy ạ 🙏", "Thu nhập Quang Trung bao nhiêu"),
    ("❤️ Đông Sơn có mấy khâu đột phá?", "Đông Sơn có mấy khâu đột phá?"),
])
def test_emoji_are_taken_off_with_the_courtesy(typed, kept):
    assert strip_courtesy(typed) == kept


@pytest.mark.parametrize("message", ["👍", "???", "🙏🙏"])
def test_a_message_without_words_gets_an_invitation_to_ask(message):
    reply = small_talk_reply(message)
    assert reply and "Bạn có thể hỏi" in reply
