"""Follow-up rewriting: an elliptical question becomes a standalone one from the conversation,
and the answer to it is the one the user meant."""
from __future__ import annotations

import pytest

from chatbot.followup import resolve
from chatbot.models import Turn
from tests.chatbot.conftest import DS, NT, QT, TM, ask, folded, has_number, prefetch

INCOME_QT = "Thu nhập bình quân của phường Quang Trung là bao nhiêu?"
LEADER_Q = "Ai là lãnh đạo tỉnh đã đi kiểm tra, làm việc tại hai phường Bỉm Sơn, Quang Trung?"
PROJECT_Q = "Đoàn công tác của tỉnh kiểm tra thực địa tiến độ dự án nào?"
SECRETARY_NT = "Ai là Bí thư Đảng ủy phường Nông Trang?"


@pytest.fixture(scope="module")
def index(service):
    return service.index


@pytest.fixture(scope="module", autouse=True)
def _embed_first_questions(service):
    prefetch(service, [INCOME_QT, LEADER_Q, PROJECT_Q, SECRETARY_NT])


def conversation(service, question: str) -> list[Turn]:
    """One real exchange: the question and the service's reply to it."""
    return [Turn("user", question), Turn("assistant", ask(service, question).text)]


# --- resolve on its own --------------------------------------------------------------------------
def test_without_history_the_question_is_kept_as_asked(index):
    assert resolve("  còn phường Đông Sơn thì sao?  ", [], index) == "còn phường Đông Sơn thì sao?"


@pytest.mark.parametrize("follow_up", ["còn phường Đông Sơn thì sao?", "con phuong dong son thi sao",
                                       "Còn Đông Sơn?", "thế còn Đông Sơn?", "Đông Sơn thì sao?"])
def test_another_ward_follow_up_repeats_the_previous_question_for_that_ward(index, follow_up):
    history = [Turn("user", INCOME_QT), Turn("assistant", "Từ 90 triệu đồng/người/năm [1]")]
    standalone = folded(resolve(follow_up, history, index))
    assert "dong son" in standalone
    assert "thu nhap binh quan" in standalone
    assert "quang trung" not in standalone


def test_he_is_replaced_by_the_person_the_previous_answer_named(index):
    history = [Turn("user", LEADER_Q), Turn("assistant", "Nguyễn Hồng Phong, Phó Bí thư Thường trực Tỉnh ủy [1]")]
    for follow_up in ("ông ấy giữ chức gì?", "ong ay giu chuc gi?"):
        standalone = resolve(follow_up, history, index)
        assert "Nguyễn Hồng Phong" in standalone
        assert "ong ay" not in folded(standalone)


def test_that_project_is_replaced_by_the_project_of_the_previous_turn(index):
    history = [Turn("user", PROJECT_Q),
               Turn("assistant", "“Đồng chí Nguyễn Hồng Phong, Phó Bí thư Thường trực Tỉnh ủy cùng đoàn công tác "
                                 "kiểm tra thực địa tiến độ thực hiện Dự án nâng cấp cải tạo đê Tam Điệp và cầu "
                                 "Hà Lan.” [1]")]
    standalone = resolve("dự án đó ở đâu?", history, index)
    assert "đê Tam Điệp" in standalone
    assert "ở đâu" in standalone
    assert "dự án đó" not in standalone


def test_a_complete_new_question_is_not_rewritten(index):
    history = [Turn("user", INCOME_QT), Turn("assistant", "Từ 90 triệu đồng/người/năm [1]")]
    for q in ("Ai là Bí thư Đảng ủy phường Thanh Miếu?", "Phường Đông Sơn có bao nhiêu nhiệm vụ trọng tâm?"):
        assert resolve(q, history, index) == q


def test_a_complete_question_that_uses_con_is_not_rewritten(index):
    history = [Turn("user", INCOME_QT), Turn("assistant", "Từ 90 triệu đồng/người/năm [1]")]
    q = "Tỷ lệ hộ nghèo của phường Thanh Miếu năm 2025 còn bao nhiêu?"
    assert resolve(q, history, index) == q


def test_a_follow_up_about_an_unknown_ward_keeps_the_topic_and_drops_the_old_ward(index):
    history = [Turn("user", INCOME_QT), Turn("assistant", "Từ 90 triệu đồng/người/năm [1]")]
    standalone = folded(resolve("còn phường Hàm Rồng thì sao?", history, index))
    assert "ham rong" in standalone and "thu nhap" in standalone
    assert "quang trung" not in standalone


# --- through the whole chain -------------------------------------------------------------------
def test_other_ward_follow_up_answers_with_that_wards_figure(service):
    history = conversation(service, INCOME_QT)
    assert "90 triệu" in history[1].content
    ans = ask(service, "còn phường Đông Sơn thì sao?", history)
    assert "Đông Sơn" in ans.standalone_question
    assert ans.question == "còn phường Đông Sơn thì sao?"
    assert not ans.abstained
    assert "95 triệu" in (ans.short_answer or "")
    assert not has_number(ans.text, "90")
    assert {c.article_id for c in ans.citations} == {DS}


def test_person_follow_up_answers_with_that_persons_role(service):
    history = conversation(service, LEADER_Q)
    assert "Nguyễn Hồng Phong" in history[1].content
    ans = ask(service, "ông ấy giữ chức gì?", history)
    assert "Nguyễn Hồng Phong" in ans.standalone_question
    assert not ans.abstained
    assert "Phó Bí thư Thường trực Tỉnh ủy" in (ans.short_answer or "")


def test_project_follow_up_stays_on_that_project(service):
    history = conversation(service, PROJECT_Q)
    assert "đê Tam Điệp" in history[1].content
    ans = ask(service, "dự án đó ở đâu?", history)
    assert "đê Tam Điệp" in ans.standalone_question
    if not ans.abstained:
        assert all("đê Tam Điệp" in c.text or "Tam Điệp" in c.title for c in ans.citations), ans.citations


def test_role_follow_up_becomes_a_question_about_the_other_wards_person(service):
    history = conversation(service, SECRETARY_NT)
    assert "Cầm Hà Chung" in history[1].content
    ans = ask(service, "còn phường Thanh Miếu thì sao?", history)
    assert "Thanh Miếu" in ans.standalone_question
    assert "Phạm Xuân Hiệp" in (ans.short_answer or "")
    assert {c.article_id for c in ans.citations} == {TM}
    assert "Cầm Hà Chung" not in ans.text


def test_follow_up_about_a_ward_the_articles_do_not_cover_is_declined(service):
    history = conversation(service, INCOME_QT)
    ans = ask(service, "còn phường Hàm Rồng thì sao?", history)
    assert ans.abstained
    assert ans.citations == ()
    assert not has_number(ans.text, "90")


def test_same_follow_up_after_different_conversations_gets_different_answers(service):
    """The service caches replies; the cache must be keyed on the history too."""
    after_income = ask(service, "còn phường Đông Sơn thì sao?", conversation(service, INCOME_QT))
    bhyt_qt = "Tỷ lệ tham gia BHYT của phường Quang Trung là bao nhiêu?"
    after_bhyt = ask(service, "còn phường Đông Sơn thì sao?", conversation(service, bhyt_qt))
    assert "95 triệu" in (after_income.short_answer or "")
    assert "96%" in (after_bhyt.short_answer or "")
    assert {c.article_id for c in after_bhyt.citations} == {DS}
    assert QT not in {c.article_id for c in after_income.citations}
    assert NT not in {c.article_id for c in after_bhyt.citations}


# --- years, names and chains -----------------------------------------------------------------------
@pytest.mark.parametrize("follow_up, standalone", [
    ("năm 2021 thì sao?", "Tỷ lệ hộ nghèo của phường Thanh Miếu năm 2021 là bao nhiêu?"),
    ("con nam 2021", "Tỷ lệ hộ nghèo của phường Thanh Miếu năm 2021 là bao nhiêu?"),
])
def test_another_year_follow_up_repeats_the_previous_question_for_that_year(index, follow_up, standalone):
    history = [Turn("user", "Tỷ lệ hộ nghèo của phường Thanh Miếu năm 2025 là bao nhiêu?"),
               Turn("assistant", "0,27% [1]")]
    assert resolve(follow_up, history, index) == standalone


def test_a_year_follow_up_after_a_question_without_a_year_adds_it(index):
    history = [Turn("user", "Tổng thu ngân sách của Nông Trang?"), Turn("assistant", "438,608 tỷ đồng [1]")]
    assert resolve("còn năm 2025?", history, index) == "Tổng thu ngân sách của Nông Trang năm 2025?"


def test_asking_the_name_of_the_person_just_named_asks_who_they_are(service, index):
    history = conversation(service, LEADER_Q)
    assert resolve("ông ấy tên là gì?", history, index) == "Nguyễn Hồng Phong là ai?"
    ans = ask(service, "ông ấy tên là gì?", history)
    assert not ans.abstained and "Nguyễn Hồng Phong" in ans.short_answer


def test_a_follow_up_of_a_follow_up_is_read_with_what_the_first_one_meant(service, index):
    history = [Turn("user", "Tỷ lệ hộ nghèo của phường Thanh Miếu năm 2025 là bao nhiêu?"), Turn("assistant", "0,27% [1]"),
               Turn("user", "năm 2021 thì sao?"), Turn("assistant", "0,55% [1]")]
    # "còn Đông Sơn?" is about the 2021 question the second turn stood for
    assert resolve("còn Đông Sơn?", history, index) == "Tỷ lệ hộ nghèo của phường Đông Sơn năm 2021 là bao nhiêu?"
