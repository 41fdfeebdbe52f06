"""Fact-check mode on the real seed index: verdicts, the quoted correct value, the citation."""
from __future__ import annotations

import pytest

from chatbot.factcheck import NO_FACT, FactChecker
from eval.claims import CLAIMS, TARGET_ACCURACY, evaluate, read_claims

QT, NT, TM, DS, BS = ("000_979beda71dc56cf9", "001_fedeaab69c93254a", "003_cce8d4c811368e9e",
                      "004_bbba2ad5a4ca9edc", "002_06499cde5db94ce7")


@pytest.fixture(scope="module")
def checker(seeds_index):
    return FactChecker(seeds_index)


def check_one(checker, claim):
    report = checker.check(claim)
    assert len(report.sentences) == 1
    return report.sentences[0]


def cited(verdict):
    return [(c.article_id, c.paragraph) for c in verdict.citations]


# --- each number format, supported with its paragraph -----------------------------------------

@pytest.mark.parametrize("claim, where", [
    ("Phường Quang Trung đặt mục tiêu tốc độ tăng giá trị sản xuất bình quân 13,5%/năm.", (QT, 1)),
    ("Tỷ lệ hộ nghèo của phường Thanh Miếu năm 2025 còn 0,27%.", (TM, 9)),
    ("Tổng vốn đầu tư toàn xã hội 5 năm của phường Nông Trang đạt 8.981 tỷ đồng.", (NT, 3)),
    ("Năm 2025, tổng thu ngân sách trên địa bàn phường Nông Trang ước đạt 438,608 tỷ đồng.", (NT, 3)),
    ("Năm 2025, tổng thu ngân sách trên địa bàn phường Nông Trang ước đạt 438.608 triệu đồng.", (NT, 3)),
    ("Phường Đông Sơn phấn đấu thu nhập bình quân đầu người đến năm 2030 đạt 95 triệu đồng.", (DS, 3)),
    ("Khu đô thị Nam Bỉm Sơn có quy mô 129ha.", (QT, 8)),
    ("Phường Quang Trung đã chuyển đổi 98,6 ha đất trồng lúa kém hiệu quả.", (QT, 6)),
    ("Phường Thanh Miếu có 20/20 trường học đạt chuẩn quốc gia.", (TM, 9)),
    ("Sáng 27/11, Phó Bí thư Thường trực Tỉnh ủy Nguyễn Hồng Phong làm việc tại phường Bỉm Sơn.", (BS, 1)),
    ("Ngày 17/9, Đảng ủy phường Đông Sơn tổ chức hội nghị quán triệt Nghị quyết Đại hội.", (DS, 1)),
    ("Phường Quang Trung xây dựng quy hoạch chi tiết trong quý IV/2025.", (QT, 7)),
    ("Trong nhiệm kỳ 2025-2030, phường Đông Sơn sẽ kết nạp 600 đảng viên.", (DS, 3)),
    ("Phường Nông Trang xác định hai khâu đột phá.", (NT, 4)),
    ("Phường Quang Trung đặt mục tiêu tốc độ tăng giá trị sản xuất bình quân 13.5%/năm.", (QT, 1)),
])
def test_each_number_format_is_supported_with_its_paragraph(checker, claim, where):
    v = check_one(checker, claim)
    assert v.verdict == "supported", v.explanation
    assert cited(v)[0] == where


# --- qualifiers -------------------------------------------------------------------------------

@pytest.mark.parametrize("claim, verdict, quoted", [
    ("Phường Đông Sơn đặt mục tiêu tỷ lệ sử dụng dịch vụ công trực tuyến đạt 85%.", "refuted", "trên 85%"),
    ("Phường Đông Sơn đặt mục tiêu tỷ lệ sử dụng dịch vụ công trực tuyến đạt trên 85%.", "supported", "trên 85%"),
    ("Phường Nông Trang phấn đấu tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến đạt 80%.", "refuted",
     "80% trở lên"),
    ("Thu nhập bình quân mục tiêu của phường Quang Trung là dưới 90 triệu đồng/người/năm.", "refuted",
     "từ 90 triệu đồng/người/năm"),
    ("Phường Quang Trung đặt mục tiêu thu nhập bình quân từ 90 triệu đồng/người/năm.", "supported", "từ 90 triệu"),
    ("Phường Thanh Miếu có hơn 1.600 hộ kinh doanh cá thể.", "supported", "trên 1.600"),
    ("Phường Thanh Miếu có hơn 800 doanh nghiệp và công ty tư nhân.", "refuted", "gần 800"),
    ("Phường Thanh Miếu có khoảng 800 doanh nghiệp và công ty tư nhân.", "supported", "gần 800"),
    ("Thanh Miếu được sáp nhập từ 5 phường, xã.", "supported", "5 phường"),   # "từ": where from
    ("Thanh Miếu được sáp nhập từ 4 phường, xã.", "refuted", "5 phường"),
])
def test_a_qualifier_matters(checker, claim, verdict, quoted):
    v = check_one(checker, claim)
    assert v.verdict == verdict, v.explanation
    assert quoted in v.explanation


def test_a_qualifier_mismatch_says_so(checker):
    v = check_one(checker, "Phường Đông Sơn đặt mục tiêu tỷ lệ sử dụng dịch vụ công trực tuyến đạt 85%.")
    assert v.explanation.startswith("Bài viết ghi trên 85%, không phải đúng 85%.")
    paragraph = v.citations[0].text
    start, end = v.evidence_span
    assert "trên 85%" in paragraph[start:end]


# --- the same indicator in several wards ------------------------------------------------------

@pytest.mark.parametrize("claim, correct, where", [
    ("Phường Đông Sơn đặt mục tiêu tỷ lệ dân số tham gia bảo hiểm y tế đạt 99%.", "96%", (DS, 3)),
    ("Phường Quang Trung phấn đấu tỷ lệ dân số tham gia BHYT đạt 96%.", "99%", (QT, 1)),
    ("Phường Đông Sơn đặt mục tiêu thu nhập bình quân đầu người đến năm 2030 đạt 90 triệu đồng.",
     "95 triệu đồng", (DS, 3)),
    ("Phường Quang Trung phấn đấu tốc độ tăng giá trị sản xuất bình quân 11,8% mỗi năm.", "13,5%", (QT, 1)),
    ("Trong nhiệm kỳ 2025-2030, phường Đông Sơn sẽ thành lập mới 220 doanh nghiệp.", "750 doanh nghiệp", (DS, 3)),
    ("Phường Quang Trung đặt mục tiêu thu hút 750 doanh nghiệp mới giai đoạn 2026-2030.",
     "220 doanh nghiệp", (QT, 1)),
    ("Tổng vốn đầu tư toàn xã hội giai đoạn 2020 - 2025 của phường Thanh Miếu đạt 8.981 tỷ đồng.",
     "15.200 tỷ đồng", (TM, 7)),
])
def test_a_ward_given_another_wards_figure_is_refuted_with_its_own(checker, claim, correct, where):
    v = check_one(checker, claim)
    assert v.verdict == "refuted"
    assert f"Bài viết ghi {correct}" in v.explanation or f"Bài viết ghi hơn {correct}" in v.explanation
    assert cited(v)[0] == where


def test_the_swapped_figure_is_named_as_the_other_wards(checker):
    v = check_one(checker, "Phường Đông Sơn đặt mục tiêu tỷ lệ dân số tham gia bảo hiểm y tế đạt 99%.")
    assert "99% là của phường Quang Trung" in v.explanation


def test_a_figure_of_another_ward_the_claimed_ward_lacks_is_refuted(checker):
    v = check_one(checker, "Phường Đông Sơn đặt mục tiêu tỷ lệ hộ nghèo giảm bình quân hàng năm 0,1%.")
    assert v.verdict == "refuted"
    assert "phường Quang Trung" in v.explanation
    assert cited(v)[0] == (QT, 1)


def test_a_figure_for_a_ward_no_article_is_about_is_not_found(checker):
    v = check_one(checker, "Phường Hạc Thành đặt mục tiêu tỷ lệ dân số tham gia bảo hiểm y tế đạt 96%.")
    assert v.verdict == "not_found"


# --- periods, dates, near misses --------------------------------------------------------------

@pytest.mark.parametrize("claim, correct", [
    ("Phường Quang Trung đặt mục tiêu thu hút 220 doanh nghiệp mới trong giai đoạn 2021-2025.", "2026-2030"),
    ("Tỷ lệ hộ nghèo ở Thanh Miếu giảm từ 0,55% năm 2020 xuống 0,27% năm 2025.", "năm 2021"),
    ("Năm 2025, tỷ lệ hộ nghèo của phường Thanh Miếu chỉ còn 0,72%.", "0,27%"),
    ("Sáng 27/10, Phó Bí thư Thường trực Tỉnh ủy Nguyễn Hồng Phong làm việc tại phường Bỉm Sơn.", "27/11"),
    ("Phường Quang Trung sẽ điều chỉnh quy hoạch chung trong quý IV/2026.", "quý IV/2025"),
    ("Phường Quang Trung xây dựng hệ thống cơ sở dữ liệu số về quy hoạch, đất đai trong năm 2025.", "2026"),
    ("Khu đô thị Nam Bỉm Sơn có diện tích 192ha.", "129ha"),
    ("Phường Quang Trung chú trọng thực hiện 4 nghị quyết trụ cột số 57, 59, 66, 69 của Bộ Chính trị.", "68"),
])
def test_wrong_period_date_or_value_is_refuted_quoting_the_article(checker, claim, correct):
    v = check_one(checker, claim)
    assert v.verdict == "refuted"
    assert correct in v.explanation


# --- people, places, mergers ------------------------------------------------------------------

@pytest.mark.parametrize("claim, verdict, quoted", [
    ("Ông Phạm Xuân Hiệp là Bí thư Đảng ủy, Chủ tịch HĐND phường Thanh Miếu.", "supported", "Phạm Xuân Hiệp"),
    ("Ông Cầm Hà Chung là Bí thư Đảng ủy phường Nông Trang.", "supported", "Bí thư Đảng uỷ"),
    ("Ông Nguyễn Hồng Phong là Bí thư Tỉnh ủy.", "refuted", "Phó Bí thư Thường trực Tỉnh ủy"),
    ("Ông Phạm Xuân Hiệp là Chủ tịch UBND phường Thanh Miếu.", "refuted", "Chủ tịch HĐND"),
    ("Bí thư Đảng ủy phường Thanh Miếu là đồng chí Cầm Hà Chung.", "refuted", "Phạm Xuân Hiệp"),
    ("Chủ tịch UBND phường Quang Trung là ông Lê Văn Nam.", "not_found", ""),
])
def test_person_and_role(checker, claim, verdict, quoted):
    v = check_one(checker, claim)
    assert v.verdict == verdict, v.explanation
    assert quoted in v.explanation


@pytest.mark.parametrize("claim, verdict, quoted", [
    ("Đoàn công tác đã kiểm tra thực địa Dự án nâng cấp cải tạo đê Tam Điệp và cầu Bỉm Sơn.", "refuted",
     "cầu Hà Lan"),
    ("Giai đoạn 2025-2030, Quang Trung làm đường Khu Công nghiệp Bỉm Sơn đi Quốc lộ 1A.", "refuted",
     "Quốc lộ 217B"),
    ("Tuyến phố ẩm thực Tiên Cát là mô hình dịch vụ đặc thù của phường Thanh Miếu.", "refuted", "Tiên Dung"),
    ("Phường Quang Trung huy động xã hội hóa tu bổ cụm di tích đền Sòng Sơn, đền Tam Giang.", "refuted",
     "đền Chín Giếng"),
    ("Thanh Miếu có tuyến phố ẩm thực Tiên Dung.", "supported", ""),
])
def test_project_and_place_names(checker, claim, verdict, quoted):
    v = check_one(checker, claim)
    assert v.verdict == verdict, v.explanation
    assert quoted in v.explanation


@pytest.mark.parametrize("claim, verdict", [
    ("Phường Nông Trang được hợp nhất từ phường Nông Trang, Minh Phương và xã Thụy Vân.", "supported"),
    ("Phường Nông Trang mới được hợp nhất từ phường Nông Trang, phường Minh Phương và xã Sông Lô.", "refuted"),
    ("Phường Thanh Miếu được sáp nhập từ Thanh Miếu, Tiên Cát, Thọ Sơn, Bạch Hạc và Minh Phương.", "refuted"),
    ("Xã Thụy Vân được sáp nhập vào phường Nông Trang.", "supported"),
    ("Xã Thụy Vân được sáp nhập vào phường Thanh Miếu.", "refuted"),
])
def test_merged_from_lists_are_compared_as_sets(checker, claim, verdict):
    v = check_one(checker, claim)
    assert v.verdict == verdict, v.explanation
    if verdict == "refuted":
        assert "Bài viết ghi" in v.explanation


# --- things the articles never mention --------------------------------------------------------

@pytest.mark.parametrize("claim", [
    "Phường Quang Trung có dân số khoảng 45.000 người.",
    "Phường Đông Sơn đã quyên góp được 200 triệu đồng ủng hộ Nhân dân Cuba.",
    "Khu đô thị Nam Bỉm Sơn có tổng mức đầu tư 3.000 tỷ đồng.",
    "Tỷ lệ thất nghiệp của phường Bỉm Sơn năm 2025 là 2%.",
    "Phường Nông Trang đặt mục tiêu 100% dịch vụ công trực tuyến.",
    "Phường Đông Sơn đặt mục tiêu 100% hộ gia đình sử dụng nước sạch.",
    "Phường Quang Trung có 4 khu công nghiệp.",
    "Phường Nông Trang có tỷ lệ hộ nghèo 0,5%.",
    "Dự án nâng cấp cải tạo đê Tam Điệp và cầu Hà Lan dự kiến hoàn thành vào tháng 6/2026.",
])
def test_claims_the_articles_never_speak_to_are_not_found(checker, claim):
    v = check_one(checker, claim)
    assert v.verdict == "not_found", v.explanation
    assert v.citations == ()


def test_a_sentence_without_a_checkable_fact(checker):
    v = check_one(checker, "Đây là một thành tựu đáng tự hào.")
    assert (v.verdict, v.explanation) == ("not_found", NO_FACT)


# --- several sentences ------------------------------------------------------------------------

def test_multi_sentence_input_gets_a_verdict_per_sentence(checker):
    report = checker.check(
        "Sáng 27/11, Phó Bí thư Thường trực Tỉnh ủy Nguyễn Hồng Phong làm việc tại hai phường Bỉm Sơn, "
        "Quang Trung. Đây là lần thứ ba trong năm đồng chí về làm việc tại Bỉm Sơn. Hai phường đã vận hành "
        "chính quyền địa phương 2 cấp được gần 6 tháng.")
    assert [s.verdict for s in report.sentences] == ["supported", "not_found", "refuted"]
    assert report.verdict == "refuted"
    assert "gần 5 tháng" in report.sentences[2].explanation
    assert cited(report.sentences[2])[0] == (BS, 11)


def test_a_later_sentence_inherits_the_ward_named_before(checker):
    report = checker.check("Phường Quang Trung phấn đấu tỷ lệ dân số tham gia BHYT 99%. "
                           "Phường cũng đặt mục tiêu thu hút 750 doanh nghiệp mới giai đoạn 2026-2030.")
    assert [s.verdict for s in report.sentences] == ["supported", "refuted"]
    assert "220 doanh nghiệp" in report.sentences[1].explanation
    report = checker.check("Phường Đông Sơn đặt mục tiêu tăng tổng giá trị sản phẩm bình quân 11,8% mỗi năm. "
                           "Đến năm 2030, thu nhập bình quân đầu người của phường đạt 95 triệu đồng.")
    assert report.verdict == "supported"


def test_empty_input_has_no_sentences(checker):
    report = checker.check("   ")
    assert report.sentences == () and report.verdict == "not_found"


# --- citations --------------------------------------------------------------------------------

def test_citations_point_into_the_paragraph_as_numbered_in_the_article(checker, seeds_index):
    v = check_one(checker, "Phường Đông Sơn đặt mục tiêu tỷ lệ dân số tham gia bảo hiểm y tế đạt 99%.")
    c = v.citations[0]
    article = seeds_index.articles[c.article_id]
    assert article.paragraph(c.paragraph).text == c.text
    assert c.id == 1 and c.title == article.title
    s, e = c.span
    assert "bảo hiểm y tế đạt 96%" in c.text[s:e]
    s, e = v.evidence_span
    assert c.text[s:e] == "tỷ lệ dân số tham gia bảo hiểm y tế đạt 96%"


# --- the project's claim set ------------------------------------------------------------------

@pytest.mark.skipif(not CLAIMS.exists(), reason="eval/data/claims.jsonl not written yet")
def test_claim_set_accuracy_and_no_false_claim_supported(checker):
    res = evaluate(checker, read_claims())
    assert res["false_supported"] == 0, res["errors"]
    assert res["accuracy"] >= TARGET_ACCURACY, res["errors"]


@pytest.mark.parametrize("claim, verdict", [
    ("Phường Đông Sơn tổ chức hội nghị vào sáng 17/9.", "supported"),
    ("Phường Đông Sơn tổ chức hội nghị vào chiều 17/9.", "refuted"),     # the article writes "Sáng 17/9"
    ("phuong dong son to chuc hoi nghi vao chieu 17/9", "refuted"),
])
def test_the_time_of_day_of_a_date_matters(checker, claim, verdict):
    v = check_one(checker, claim)
    assert v.verdict == verdict, v.explanation
    if verdict == "refuted":
        assert v.explanation.startswith("Bài viết ghi Sáng 17/9, không phải")


def test_a_person_placed_in_a_ward_no_article_about_it_names_is_not_supported(checker):
    # his post is right, but no article about Đông Sơn names him: the visit is not stated
    v = check_one(checker, "Phó Bí thư Thường trực Tỉnh ủy Nguyễn Hồng Phong làm việc tại phường Đông Sơn.")
    assert v.verdict == "not_found", v.explanation
    v = check_one(checker, "Phó Bí thư Thường trực Tỉnh ủy Nguyễn Hồng Phong làm việc tại phường Bỉm Sơn.")
    assert v.verdict == "supported", v.explanation
