"""What kind of answer a question asks for, from its wording, with or without tone marks."""
from __future__ import annotations

import pytest

from chatbot.qtype import QType, question_shape
from ingest.text import fold_diacritics

CASES = [
    # bao nhiêu / mấy → a number, with the unit the figure must have
    ("Phường Quang Trung thu hút bao nhiêu doanh nghiệp mới?", QType.NUMBER, "count"),
    ("Thanh Miếu có mấy trường đạt chuẩn quốc gia?", QType.NUMBER, "count"),
    ("Tỷ lệ tham gia BHYT của Đông Sơn là bao nhiêu?", QType.NUMBER, "percent"),
    ("Phường Đông Sơn có bao nhiêu phần trăm dân số tham gia BHYT?", QType.NUMBER, "percent"),
    ("Thu nhập bình quân của Quang Trung là bao nhiêu?", QType.NUMBER, "money"),
    ("Tổng thu ngân sách là bao nhiêu tỷ đồng?", QType.NUMBER, "money"),
    ("Khu đô thị Nam Bỉm Sơn rộng bao nhiêu ha?", QType.NUMBER, "area"),
    ("Diện tích đất tích tụ là bao nhiêu?", QType.NUMBER, "area"),
    ("Khu đô thị Nam Bỉm Sơn rộng bao nhiêu héc-ta?", QType.NUMBER, "area"),
    # "bao nhiêu một người một năm" is a rate: the people are not what is counted
    ("Thu nhập bình quân được đặt mục tiêu là bao nhiêu một người một năm?", QType.NUMBER, "money"),
    # ai → a person
    ("Ai là Bí thư Đảng ủy phường Nông Trang?", QType.PERSON, None),
    ("Bí thư Đảng ủy phường Thanh Miếu là ai?", QType.PERSON, None),
    ("Người nào đã phát biểu kết luận buổi làm việc?", QType.PERSON, None),
    # chức gì → a role
    ("Ông Nguyễn Hồng Phong giữ chức vụ gì?", QType.ROLE, None),
    ("ông ấy giữ chức gì?", QType.ROLE, None),
    # khi nào / ngày nào / năm nào → a date
    ("Hội nghị diễn ra khi nào?", QType.DATE, None),
    ("Hội nghị diễn ra ngày nào?", QType.DATE, None),
    ("Năm nào Đông Sơn đạt tiêu chí đô thị văn minh?", QType.DATE, None),
    ("Hội nghị được tổ chức ngày bao nhiêu?", QType.DATE, None),
    # những … nào / gồm những gì → every item
    ("Phường Thanh Miếu được sáp nhập từ những phường, xã nào?", QType.LIST, None),
    ("Các ngành sản xuất chủ lực của phường Quang Trung gồm những gì?", QType.LIST, None),
    ("Phường Đông Sơn xác định những nhiệm vụ trọng tâm nào?", QType.LIST, None),
    ("Những sở nào đi cùng đoàn công tác?", QType.LIST, None),
    ("Thanh Miếu có những lễ hội, hội thi truyền thống nào?", QType.LIST, None),
    # ở đâu → a place
    ("Quy hoạch được công khai ở đâu?", QType.PLACE, None),
    ("Khu đô thị Nam Bỉm Sơn nằm tại đâu?", QType.PLACE, None),
    ("Tuyến đường sẽ đi tới đâu?", QType.PLACE, None),
    ("Xã Thụy Vân cũ giờ thuộc phường nào?", QType.PLACE, None),
    # an indicator with no other question word asks for its figure ...
    ("Thu nhập bình quân phường Quang Trung năm 2030?", QType.NUMBER, "money"),
    ("Việc giải phóng mặt bằng đạt tới mức nào?", QType.NUMBER, "level"),
    # ... but named beside another question word it is the topic, not the answer
    ("Mục tiêu của thỏa thuận nhận tội thường là gì?", QType.OTHER, None),
    ("Dạng oxi nào các động vật biển hấp thụ số lượng lớn hơn?", QType.OTHER, None),
    ("Ban Ki-Moon là Tổng thư ký của tổ chức nào?", QType.OTHER, None),
    # "tăng trưởng" alone asks for the growth rate; "so sánh" (compare) is not "số" (a count)
    ("tang truong kinh te dong son", QType.NUMBER, "percent"),
    ("So sánh thu nhập bình quân của Quang Trung và Đông Sơn", QType.NUMBER, "money"),
    # "chủ lực" (main) is not "lúc nào" (when), with or without tone marks after "những …"
    ("Phường Quang Trung có những ngành sản xuất chủ lực nào?", QType.LIST, None),
    ("Hội nghị diễn ra lúc nào?", QType.DATE, None),
    # a percentage written in the question beside "nào" is what is known, not what is asked
    ("Phường nào có tỷ lệ tham gia BHYT 99%?", QType.OTHER, None),
    # which of the places has the higher figure: their figures answer it
    ("Đông Sơn với Quang Trung phường nào có thu nhập cao hơn?", QType.NUMBER, "money"),
    # "Số hộ nghèo …?": a number of things
    ("Số hộ nghèo của phường Nông Trang?", QType.NUMBER, "count"),
    # anything else
    ("Phường Thanh Miếu phát triển thế nào?", QType.OTHER, None),
    ("Đông Sơn tăng trưởng như thế nào?", QType.OTHER, None),
]


@pytest.mark.parametrize("question, qtype, unit", CASES)
def test_question_shape(question, qtype, unit):
    shape = question_shape(question)
    assert shape.qtype is qtype
    if qtype is QType.NUMBER:
        assert shape.unit == unit


@pytest.mark.parametrize("question, qtype, unit", [c for c in CASES if not hasattr(c, "marks")])
def test_the_shape_does_not_depend_on_tone_marks(question, qtype, unit):
    plain = question_shape(fold_diacritics(question))
    accented = question_shape(question)
    assert (plain.qtype, plain.unit) == (accented.qtype, accented.unit)


def test_the_counted_noun_is_kept_for_matching_the_figure():
    # "trạm" is counted; only "phần trăm" is a share
    assert question_shape("Phường Đông Sơn có bao nhiêu trạm y tế đạt chuẩn?").counted == "tram y"
    shape = question_shape("Bao nhiêu phần trăm trạm y tế đạt chuẩn?")
    assert shape.unit == "percent" and shape.counted is None
    assert question_shape("Phường Quang Trung thu hút bao nhiêu doanh nghiệp mới?").counted == "doanh nghiep"
    assert question_shape("Phường Đông Sơn kết nạp bao nhiêu đảng viên?").counted.startswith("dang vien")


@pytest.mark.parametrize("question, listed", [
    ("Những sở nào đi cùng đoàn công tác?", "so"),
    ("Thanh Miếu có những lễ hội, hội thi truyền thống nào?", "le hoi"),
    ("Ở phường Quang Trung, những cơ quan nào được giao xây dựng chương trình?", "co quan"),
])
def test_a_list_question_names_what_it_lists(question, listed):
    assert question_shape(question).listed == listed
    assert question_shape(fold_diacritics(question)).listed == listed


@pytest.mark.parametrize("question, named", [
    ("Tuyến phố ẩm thực ở phường Thanh Miếu tên là gì?", "tuyến phố ẩm thực"),
    ("Khu công nghiệp của phường Quang Trung tên gì?", "khu công nghiệp"),
    ("Cho biết khu đô thị mới ở Thanh Miếu có tên là gì?", "khu đô thị mới"),
    ("Tên của chợ ở phường Đông Sơn là gì?", "chợ"),
    ("tuyen pho am thuc o thanh mieu ten gi", "tuyen pho am thuc"),
])
def test_the_name_of_a_thing_is_asked_for_with_its_noun_as_typed(question, named):
    shape = question_shape(question)
    assert shape.qtype is QType.NAME and shape.named == named


@pytest.mark.parametrize("question", [
    "Bí thư Đảng ủy phường Quang Trung tên là gì?",   # a role: a person's name
    "Người viết bài tên là gì?",
    "Ông ấy tên là gì?",
])
def test_the_name_of_a_person_is_a_person_question(question):
    assert question_shape(question).qtype is QType.PERSON


@pytest.mark.parametrize("question, listed", [
    ("Quang Trung ưu tiên mời gọi loại dự án nào vào khu công nghiệp?", "du an"),
    ("Phường phát triển loại hình du lịch nào?", "du lich"),
    ("Chương trình yêu cầu bảo đảm những cái “rõ” nào?", "ro"),     # "cái" is a classifier, not the noun
    ("Những sở nào đi cùng đoàn công tác?", "so"),
])
def test_kinds_and_lists_name_the_listed_noun(question, listed):
    shape = question_shape(question)
    assert shape.qtype is QType.LIST and shape.listed == listed


@pytest.mark.parametrize("question, listed", [
    ("Hai khâu đột phá mà Đại hội Đảng bộ phường Đông Sơn xác định là gì?", "khau dot"),
    ("Ba đột phá chiến lược là gì?", "dot pha"),
])
def test_a_number_of_items_then_what_they_are_is_a_list(question, listed):
    shape = question_shape(question)
    assert shape.qtype is QType.LIST and shape.listed == listed


def test_a_year_is_not_a_number_of_items():
    assert question_shape("Năm 2025 phường đạt kết quả gì?").qtype is not QType.LIST


def test_a_word_that_only_folds_onto_may_is_not_the_question_word():
    # "máy móc" (machines) is not "mấy" (how many): the level is asked, nothing is counted
    shape = question_shape("Việc đưa máy móc vào khâu giải phóng đất đạt tới mức nào?")
    assert shape.qtype is QType.NUMBER and shape.unit == "level" and shape.counted is None
    assert question_shape("Phường có mấy khâu đột phá?").counted == "khau dot"
    assert question_shape("phuong co may khau dot pha").counted == "khau dot"   # typed without marks


def test_a_places_role_is_not_a_persons_post():
    assert question_shape("Về lâu dài Thanh Miếu muốn giữ vai trò gì đối với tỉnh?").qtype is QType.OTHER
    assert question_shape("Ông Nguyễn Hồng Phong giữ vai trò gì?").qtype is QType.ROLE


@pytest.mark.parametrize("question, counted", [
    ("Peyton Manning bao nhiêu tuổi khi anh chơi trận chung kết?", "tuoi"),   # "khi" is no noun
    ("Đường sắt ngầm bao phủ bao nhiêu phần của thành phố?", None),
    ("Phường Đông Sơn có bao nhiêu doanh nghiệp mới?", "doanh nghiep"),
])
def test_the_counted_noun_stops_at_function_words(question, counted):
    assert question_shape(question).counted == counted


def test_a_word_typed_with_other_tone_marks_is_not_the_question_word():
    # "ở đầu" (at the head of) is not "ở đâu" (where); typed without marks the two are one
    assert question_shape("Quang Trung thu hút đầu tư ở đầu tuyến đường nào?").qtype is QType.OTHER
    assert question_shape("Khu đô thị nằm ở đâu?").qtype is QType.PLACE
    assert question_shape("o dau tuyen duong nao").qtype is QType.PLACE
    # only where the question word would be read: "đầu tư" stays an investment
    assert question_shape("Dự án có tổng mức đầu tư bao nhiêu?").unit == "money"


@pytest.mark.parametrize("question, asked", [
    ("Xã Thụy Vân cũ giờ thuộc phường nào?", True),
    ("du an nay o phuong nao", True),
    ("Phường Tiên Cát nay đã nhập vào phường nào?", True),
    ("Khu đô thị nằm ở đâu?", False),
])
def test_a_ward_is_the_place_asked_for_only_when_the_question_says_so(question, asked):
    shape = question_shape(question)
    assert shape.qtype is QType.PLACE and shape.ward_asked is asked


def test_which_ward_has_more_still_asks_for_figures():
    assert question_shape("Phường nào có thu nhập cao hơn?").qtype is QType.NUMBER


@pytest.mark.parametrize("question, author", [
    ("Ai viết bài về Thanh Miếu?", True),
    ("ai viet bai ve hoi nghi o phuong dong son", True),
    ("Ai đã viết bài thơ “Cái mặt nạ”?", False),        # who wrote a poem, not the article
    ("Ai viết cuốn sách này?", False),
])
def test_who_wrote_the_article_is_not_who_wrote_a_work(question, author):
    assert question_shape(question).author is author


def test_a_word_typed_with_marks_is_counted_although_its_folded_form_is_a_function_word():
    assert question_shape("Tứ giác Chính có bao nhiêu tứ giác?").counted == "tu giac"   # "tứ", not "từ"
    assert question_shape("Quang Trung có bao nhiêu sở?").counted == "so"               # "sở", not "số"
    assert question_shape("bao nhiêu từ khóa").counted == "khoa"


def test_a_measure_asked_is_no_count():
    shape = question_shape("Có bao nhiêu tấn carbon được hấp thụ?")
    assert shape.qtype is QType.NUMBER and shape.unit is None and shape.counted == "tan carbon"


@pytest.mark.parametrize("question, when", [
    ("Bài viết nào nói về phường Đông Sơn?", None),
    ("co nhung bai viet nao ve dong son", None),
    ("Những bài nào nhắc tới đê Tam Điệp?", None),
    ("Bài về Nông Trang đăng ngày nào?", "published"),
    ("bai viet ve dong son dang ngay nao", "published"),
])
def test_a_question_about_the_articles_themselves(question, when):
    shape = question_shape(question)
    assert shape.qtype is QType.ARTICLE and shape.when == when


@pytest.mark.parametrize("question", [
    "Ai viết bài về Thanh Miếu?",                  # the author, not the article
    "Có thông tin nào về giá đất không?",          # "thông tin nào" is no article
    "Hội nghị diễn ra ngày nào?",
])
def test_other_questions_are_not_about_the_articles(question):
    assert question_shape(question).qtype is not QType.ARTICLE


@pytest.mark.parametrize("question, listed", [
    ("Di tích nào ở Thanh Miếu?", "di tich"),
    ("Sở nào tham gia đoàn công tác?", "so"),
    ("nghi quyet nao duoc quan triet", "nghi quyet"),
])
def test_a_noun_with_which_opening_the_question_asks_which_ones(question, listed):
    shape = question_shape(question)
    # one or several: no list is demanded, but a sentence listing the noun gives the items
    assert shape.qtype is QType.OTHER and shape.listed == listed


@pytest.mark.parametrize("question, qtype", [
    ("Phường nào có thu nhập cao hơn?", QType.NUMBER),
    ("Năm nào Đông Sơn đạt tiêu chí đô thị văn minh?", QType.DATE),
    ("Khu vực nào được ưu tiên?", QType.PLACE),
])
def test_which_ward_year_or_area_keeps_its_own_type(question, qtype):
    assert question_shape(question).qtype is qtype
