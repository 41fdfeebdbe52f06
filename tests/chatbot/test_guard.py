"""The faithfulness guard on real seed paragraphs: numbers, percentages, dates and proper names
must be written verbatim in a source; anything else is reported."""
from __future__ import annotations

import pytest

from chatbot.guard import is_faithful, unsupported_facts
from settings import ROOT


def _paragraph(article: str, number: int) -> str:
    """Paragraph ``number`` of a seed file, numbered like the project (1-based over non-empty
    blocks after the title line)."""
    text = next((ROOT / "seeds").glob(f"{article}*.txt")).read_text(encoding="utf-8")
    lines = text.split("\n")[1:]
    blocks, cur = [], []
    for line in lines + [""]:
        if line.strip():
            cur.append(line.strip())
        elif cur:
            blocks.append(" ".join(cur))
            cur = []
    return blocks[number - 1]


QT1 = _paragraph("000", 1)      # Quang Trung's targets: 13,5% ... 99% ... 220 doanh nghiệp
DS3 = _paragraph("004", 3)      # Đông Sơn's targets: 11,8% ... 96% ... 750 doanh nghiệp
BS1 = _paragraph("002", 1)      # Sáng 27/11, đồng chí Nguyễn Hồng Phong ...
NT1 = _paragraph("001", 1)      # ... xã Thuỵ Vân (cũ) ...
TM7 = _paragraph("003", 7)      # ... 15.200 tỷ đồng ... 1.600 hộ ...


def kinds(reply: str, sources) -> list[tuple[str, str]]:
    return [(u.kind, u.text) for u in unsupported_facts(reply, sources)]


def test_the_paragraphs_are_the_ones_meant():
    assert "BHYT 99%" in QT1 and "bảo hiểm y tế đạt 96%" in DS3 and "Sáng 27/11" in BS1
    assert "Thuỵ Vân" in NT1 and "15.200 tỷ đồng" in TM7


@pytest.mark.parametrize("reply, source", [
    ("Tỷ lệ dân số tham gia BHYT 99% [1]", QT1),
    ("Tốc độ tăng giá trị sản xuất bình quân 13,5%/năm [1]", QT1),
    ("Thu hút 220 doanh nghiệp mới giai đoạn 2026-2030 [1]", QT1),
    ("“tỷ lệ dân số tham gia bảo hiểm y tế đạt 96%” [1]", DS3),
    ("Sáng 27/11 [1]\nTheo bài viết:\n“Sáng 27/11, đồng chí Nguyễn Hồng Phong, Phó Bí thư Thường trực Tỉnh ủy” [1]",
     BS1),
    ("Tổng vốn đầu tư toàn xã hội giai đoạn 2020 - 2025 ước đạt hơn 15.200 tỷ đồng [1]", TM7),
    ("Toàn phường có trên 1.600 hộ kinh doanh cá thể [1]", TM7),
])
def test_a_reply_made_of_its_sources_words_passes(reply, source):
    assert unsupported_facts(reply, [source]) == []
    assert is_faithful(reply, [source])


@pytest.mark.parametrize("reply, source, problem", [
    ("Thu nhập bình quân là 120 triệu đồng [1].", QT1, ("number", "120")),     # invented
    ("Tỷ lệ dân số tham gia BHYT 96% [1]", QT1, ("number", "96")),             # the other ward's
    ("Tỷ lệ tham gia bảo hiểm y tế đạt 99% [1]", DS3, ("number", "99")),
    ("Tốc độ tăng bình quân 13% [1]", QT1, ("number", "13")),                  # 13 is not 13,5
    ("Thu nhập bình quân 9 triệu đồng [1]", QT1, ("number", "9")),             # 9 is not 90
    ("Tốc độ tăng 11,8% [1]", QT1, ("number", "11,8")),
    ("Vốn đầu tư 15.300 tỷ đồng [1]", TM7, ("number", "15.300")),
    ("Đoàn đến làm việc sáng 28/11 [1]", BS1, ("number", "28/11")),            # wrong date
    ("Đoàn đến làm việc năm 2024 [1]", BS1, ("number", "2024")),
])
def test_a_number_not_written_in_the_source_is_reported(reply, source, problem):
    assert problem in kinds(reply, [source])
    assert not is_faithful(reply, [source])


def test_an_invented_name_is_reported():
    reply = "Theo bài viết, đồng chí Trần Văn Nam đã làm việc với hai phường [1]"
    assert ("name", "Trần Văn Nam") in kinds(reply, [BS1])


def test_a_real_name_in_another_paragraph_is_still_reported():
    assert ("name", "Nguyễn Hồng Phong") in kinds("Đồng chí Nguyễn Hồng Phong chỉ đạo [1]", [QT1])


def test_tone_mark_placement_does_not_matter():
    """The source writes 'Thuỵ Vân' (old style); a reply with 'Thụy Vân' names the same commune."""
    assert unsupported_facts("Phường được hợp nhất từ xã Thụy Vân (cũ) [1]", [NT1]) == []


def test_markers_and_reply_template_words_are_not_facts():
    reply = "Các bài viết hiện có không đề cập đến thông tin bạn hỏi.\nCó thể liên quan: xem [1] [2] [3]"
    assert unsupported_facts(reply, []) == []
    assert unsupported_facts("Theo bài viết:\n“Sáng 27/11” [12]", [BS1]) == []


def test_an_ordinary_capitalised_word_starting_a_sentence_is_not_a_name():
    assert unsupported_facts("Thu hút 220 doanh nghiệp mới. Tỷ lệ dân số tham gia BHYT 99%.", [QT1]) == []


def test_a_capitalised_word_inside_a_sentence_is_a_name():
    assert ("name", "Hà Nội") in kinds("Tỷ lệ dân số tham gia BHYT ở Hà Nội là 99% [1]", [QT1])


def test_any_source_may_hold_the_fact():
    reply = "Phường Quang Trung: 99% [1]; bảo hiểm y tế đạt 96% [2]"
    assert unsupported_facts(reply, [QT1, DS3]) == []
    only_ds = kinds(reply, [DS3])
    assert ("number", "99") in only_ds and ("number", "96") not in only_ds
    assert any(k == "name" and "Quang Trung" in t for k, t in only_ds)


def test_every_problem_is_reported_not_just_the_first():
    reply = "Thu nhập 120 triệu đồng, tăng trưởng 14%, do ông Lê Văn Tám báo cáo [1]"
    found = kinds(reply, [QT1])
    assert ("number", "120") in found and ("number", "14") in found and ("name", "Lê Văn Tám") in found


def test_a_year_after_a_roman_quarter_is_found_in_its_source():
    # "quý IV/2025": the year follows a slash but no digit, so it is the year 2025 as written
    assert is_faithful("Trong quý IV/2025 [1].", ["... xây dựng quy hoạch chi tiết trong quý IV/2025."])
    assert not is_faithful("Ngày 11 [1].", ["Sáng 27/11, đoàn công tác ..."])


def test_a_part_the_articles_do_not_answer_may_name_the_ward_asked_about():
    reply = "- phường Quang Trung: từ 90 triệu đồng [1]\n- phường Nông Trang: các bài viết hiện có không đề cập."
    assert is_faithful(reply, ["thu nhập bình quân đạt từ 90 triệu đồng/người/năm (phường Quang Trung)"])
    # the template does not launder a figure
    assert not is_faithful("- phường Nông Trang: 95 triệu đồng [1]", ["thu nhập 90 triệu đồng"])


def test_an_article_date_is_accepted_only_as_its_citation_gives_it():
    import datetime as dt

    from chatbot.chain import guard
    from chatbot.models import Answer, Citation

    cite = Citation(1, "a", "Tiêu đề", dt.date(2025, 11, 17), 1, "Đoạn văn không có ngày.", None, 1.0)

    def reply(text: str) -> Answer:
        return Answer("q", "q", text, None, False, (cite,), ())

    assert guard(reply("Bài “Tiêu đề” (ngày 17/11/2025) [1]")) == []
    assert [u.text for u in guard(reply("Bài “Tiêu đề” (ngày 18/11/2025) [1]"))] == ["18/11/2025"]
