"""The service's answer cache: two conversations share an answer only when they ask the same
thing, however far back the follow-up resolver reads."""
from __future__ import annotations

from chatbot import followup
from chatbot.models import Turn
from chatbot.service import Service
from settings import Settings

# the last four turns are the same in both conversations; only the first question differs,
# and the resolver reads through two follow-ups back to it
SAME_TAIL = ("còn phường Đông Sơn thì sao?", "Đã trả lời.", "còn phường Quang Trung thì sao?", "Đã trả lời.")
OPENERS = ("Thu nhập bình quân của phường Quang Trung là bao nhiêu?",
           "Tỷ lệ dân số tham gia BHYT của phường Quang Trung là bao nhiêu?")
FOLLOW_UP = "còn phường Đông Sơn thì sao?"


def conversation(opener: str) -> list[Turn]:
    turns = [Turn("user", opener), Turn("assistant", "Đã trả lời.")]
    for i, text in enumerate(SAME_TAIL):
        turns.append(Turn("user" if i % 2 == 0 else "assistant", text))
    return turns


def test_the_two_conversations_differ_only_before_their_last_four_turns(service):
    a, b = (conversation(o) for o in OPENERS)
    assert a[-4:] == b[-4:] and a != b
    standalone = {followup.resolve(FOLLOW_UP, h, service.index) for h in (a, b)}
    assert len(standalone) == 2, standalone     # the resolver tells them apart


def test_a_cached_answer_is_never_served_to_another_conversation(service):
    for opener in OPENERS:      # both conversations through the same service (and cache)
        answer = service.ask(FOLLOW_UP, conversation(opener))
        # the reply a service with an empty cache gives to the standalone question
        alone = Service(service.index, Settings(llm_base_url="", llm_model="")).ask(answer.standalone_question)
        assert answer.standalone_question == followup.resolve(FOLLOW_UP, conversation(opener), service.index)
        assert answer.text == alone.text and answer.short_answer == alone.short_answer
        assert answer.question == FOLLOW_UP


def test_the_same_standalone_question_is_answered_once(service):
    """Different wordings that resolve to one question share the cached answer, each given back
    with its own question."""
    fresh = Service(service.index, Settings(llm_base_url="", llm_model=""))
    first = fresh.ask(OPENERS[0].replace("Quang Trung", "Đông Sơn"))
    history = [Turn("user", OPENERS[0]), Turn("assistant", "…")]
    second = fresh.ask(FOLLOW_UP, history)
    assert second.standalone_question == first.standalone_question
    assert len(fresh._cache) == 1
    assert second.text == first.text and second.question == FOLLOW_UP
