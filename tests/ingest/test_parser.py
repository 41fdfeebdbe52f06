"""Parsing the five seed articles: titles, dates, block kinds, bylines, wards and offsets."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from ingest.decode import IngestError
from ingest.models import ParagraphKind
from ingest.parser import extract_wards, parse_article
from ingest.text import match_key

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# article id -> what a careful reader of the seed sees
EXPECTED = {
    "000_979beda71dc56cf9": dict(
        count=10, date=dt.date(2025, 11, 17),
        title="Xây dựng chương trình hành động để đưa nghị quyết vào cuộc sống",
        captions={2}, headings=set(), byline=None, byline_fact=None, caption_facts={2},
        wards=("phường Quang Trung",),
    ),
    "001_fedeaab69c93254a": dict(
        count=8, date=dt.date(2025, 7, 25),
        title="Xây dựng Nông Trang trở thành đô thị hiện đại và bền vững",
        captions={2}, headings=set(), byline="Mạnh Cường- Hương Giang", byline_fact=False,
        caption_facts=set(), wards=("phường Nông Trang", "phường Minh Phương", "xã Thuỵ Vân"),
    ),
    "002_06499cde5db94ce7": dict(
        count=29, date=dt.date(2025, 11, 27),
        title="Phó Bí thư Thường trực Tỉnh ủy Nguyễn Hồng Phong thăm, làm việc tại 2 phường Bỉm Sơn, Quang Trung",
        captions={2, 4, 6, 8, 10, 12, 13, 15, 18, 20, 23, 25}, headings=set(),
        byline="Quốc Hương", byline_fact=False, caption_facts={2, 4, 18},
        wards=("phường Bỉm Sơn", "phường Quang Trung"),
    ),
    "003_cce8d4c811368e9e": dict(
        count=16, date=None,
        title="Huy động mọi nguồn lực, tạo đột phá, xây dựng phường Thanh Miếu phát triển nhanh, "
              "bền vững, trở thành đô thị văn minh, hiện đại",
        captions={2}, headings={3, 11},
        byline="Phạm Xuân Hiệp - Bí thư Đảng ủy, Chủ tịch HĐND phường Thanh Miếu", byline_fact=True,
        caption_facts=set(),
        wards=("phường Thanh Miếu", "phường Tiên Cát", "phường Thọ Sơn", "phường Bạch Hạc", "phường Sông Lô"),
    ),
    "004_bbba2ad5a4ca9edc": dict(
        count=7, date=None,
        title="Phường Đông Sơn triển khai học tập, quán triệt Nghị quyết Đại hội Đảng bộ phường lần thứ I",
        captions=set(), headings=set(), byline="Thu Hương (CTV)", byline_fact=False,
        caption_facts=set(), wards=("phường Đông Sơn",),
    ),
}


def _parse(article_id: str):
    path = SEEDS / f"{article_id}.txt"
    return parse_article(path.read_text(encoding="utf-8"), article_id, source=str(path))


@pytest.fixture(scope="module")
def articles():
    return {aid: _parse(aid) for aid in EXPECTED}


def test_every_seed_is_covered():
    assert {p.stem for p in SEEDS.glob("*.txt")} == set(EXPECTED)


@pytest.mark.parametrize("article_id", sorted(EXPECTED))
def test_seed_metadata(articles, article_id):
    a, want = articles[article_id], EXPECTED[article_id]
    assert a.article_id == article_id
    assert a.title == want["title"]
    assert a.date == want["date"]
    assert len(a.paragraphs) == want["count"]
    assert [p.number for p in a.paragraphs] == list(range(1, want["count"] + 1))
    assert a.wards == want["wards"]
    assert a.byline == want["byline"]
    assert a.content_hash == hashlib.sha256(a.text.encode("utf-8")).hexdigest()
    assert a.source.endswith(f"{article_id}.txt")


@pytest.mark.parametrize("article_id", sorted(EXPECTED))
def test_seed_block_kinds(articles, article_id):
    a, want = articles[article_id], EXPECTED[article_id]
    kinds = {p.number: p.kind for p in a.paragraphs}
    assert {n for n, k in kinds.items() if k is ParagraphKind.CAPTION} == want["captions"]
    assert {n for n, k in kinds.items() if k is ParagraphKind.HEADING} == want["headings"]
    bylines = [p for p in a.paragraphs if p.kind is ParagraphKind.BYLINE]
    if want["byline"] is None:
        assert bylines == []
        assert a.paragraphs[-1].kind is ParagraphKind.BODY
    else:
        assert [p.number for p in bylines] == [want["count"]]
        assert bylines[0].states_fact is want["byline_fact"]
        assert bylines[0].answerable is want["byline_fact"]
    facts = {p.number for p in a.paragraphs if p.kind is ParagraphKind.CAPTION and p.states_fact}
    assert facts == want["caption_facts"]
    for p in a.paragraphs:
        if p.kind is ParagraphKind.BODY:
            assert p.states_fact and p.answerable
        if p.kind is ParagraphKind.HEADING:
            assert not p.states_fact and not p.answerable


@pytest.mark.parametrize("article_id", sorted(EXPECTED))
def test_offsets_point_into_the_original_text(articles, article_id):
    a = articles[article_id]
    previous_end = 0
    for p in a.paragraphs:
        assert a.text[p.start:p.end] == p.text
        assert p.text == p.text.strip() and p.text
        assert p.start >= previous_end
        previous_end = p.end
        assert (p.article_id, p.title, p.date, p.wards) == (a.article_id, a.title, a.date, a.wards)
        assert p.key == f"{article_id}#{p.number}"


def test_paragraph_seven_of_the_long_article_is_what_a_reader_counts(articles):
    a = articles["002_06499cde5db94ce7"]
    assert a.paragraph(7).text.startswith("Làm việc với cán bộ chủ chốt hai phường Bỉm Sơn, Quang Trung")
    assert a.paragraph(29).text == "Quốc Hương"
    with pytest.raises(KeyError):
        a.paragraph(30)


def test_title_date_prefix_is_optional_and_offsets_survive_odd_spacing():
    text = "\n  Tiêu đề bài viết  \n\n\n   Đoạn một ở phường Bỉm Sơn.\n  dòng hai của đoạn một.\n \n\t\nĐoạn hai có ý kiến khác nhau.\n\nQuốc Hương\n"
    a = parse_article(text, "x")
    assert a.title == "Tiêu đề bài viết" and a.date is None
    assert [p.text for p in a.paragraphs] == [
        "Đoạn một ở phường Bỉm Sơn.\n  dòng hai của đoạn một.", "Đoạn hai có ý kiến khác nhau.", "Quốc Hương",
    ]
    assert all(text[p.start:p.end] == p.text for p in a.paragraphs)
    assert a.byline == "Quốc Hương"


def test_bad_date_gives_no_date_but_keeps_the_title():
    a = parse_article(" date 2025-13-45 Một tiêu đề\n\nNội dung bài viết đã được đăng tải đầy đủ.", "x")
    assert (a.title, a.date) == ("Một tiêu đề", None)


def test_title_without_body_is_rejected():
    with pytest.raises(IngestError) as info:
        parse_article(" date 2025-11-17 Chỉ có tiêu đề\n\n  \n", "x", source="seeds/x.txt")
    assert "không có đoạn nội dung nào" in info.value.message
    assert "seeds/x.txt" in info.value.message


def test_blank_text_is_rejected():
    with pytest.raises(IngestError):
        parse_article(" \n\n", "x")


def test_an_article_of_short_lines_keeps_them_as_content():
    a = parse_article("Tiêu đề\n\nCác đại biểu dự hội nghị.", "x")
    assert [p.kind for p in a.paragraphs] == [ParagraphKind.BODY]


def test_caption_naming_a_person_with_a_role_states_a_fact():
    text = ("Tiêu đề\n\nSáng 27/11, đoàn công tác đã làm việc tại phường Bỉm Sơn về nhiều nội dung quan trọng.\n\n"
            "Ông Lê Văn Tám, Chủ tịch UBND phường phát biểu tại hội nghị.\n\n"
            "Quang cảnh hội nghị.\n\nCác đại biểu tham quan cầu Hà Lan.\n\n"
            "Hội nghị đã thống nhất nhiều nội dung, trong đó có kế hoạch năm 2026.")
    kinds = [(p.kind, p.states_fact) for p in parse_article(text, "x").paragraphs]
    assert kinds == [
        (ParagraphKind.BODY, True), (ParagraphKind.CAPTION, True), (ParagraphKind.CAPTION, False),
        (ParagraphKind.CAPTION, False), (ParagraphKind.BODY, True),
    ]


def test_caption_that_tells_what_the_body_does_not_states_a_fact():
    body = ("Tiêu đề\n\nĐại hội Đảng bộ phường Quang Trung đã đề ra mục tiêu xây dựng phường trở thành "
            "đô thị công nghiệp, hiện đại, văn minh.\n\n{}\n\nPhường sẽ tập trung phát triển công nghiệp, "
            "thương mại và dịch vụ.")
    telling = ("HĐND phường giám sát tình hình xây dựng, quản lý và hoạt động của các thiết chế văn hóa "
               "tại nhà văn hóa tổ dân phố 1 Bắc Sơn để sắp xếp lại tổ dân phố sau sáp nhập.")
    scenery = "Quang cảnh buổi làm việc tại phường Quang Trung."
    for caption, fact in ((telling, True), (scenery, False)):
        p = parse_article(body.format(caption), "x").paragraphs[1]
        assert (p.kind, p.states_fact, p.answerable) == (ParagraphKind.CAPTION, fact, fact)
    # the same words already said in the body add nothing: the caption stays decoration
    repeated = parse_article(body.format(telling) + "\n\n" + telling.replace("HĐND phường", "Trước đó, HĐND "
                                                                                 "phường đã"), "x")
    assert repeated.paragraphs[1].kind is ParagraphKind.CAPTION
    assert repeated.paragraphs[1].states_fact is False


# --- wards ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "wards"),
    [
        ("làm việc tại 2 phường Bỉm Sơn, Quang Trung", ["phường Bỉm Sơn", "phường Quang Trung"]),
        ("hai phường Bỉm Sơn, Quang Trung đã cơ bản", ["phường Bỉm Sơn", "phường Quang Trung"]),
        ("sáp nhập 5 phường, xã: Thanh Miếu, Tiên Cát, Thọ Sơn, Bạch Hạc, Sông Lô. Việc hợp nhất",
         ["phường Thanh Miếu", "phường Tiên Cát", "phường Thọ Sơn", "phường Bạch Hạc", "phường Sông Lô"]),
        ("hợp nhất từ phường Nông Trang, Minh Phương và xã Thuỵ Vân (cũ); các phường Nông Trang, "
         "phường Minh Phương và xã Thụy Vân (cũ)", ["phường Nông Trang", "phường Minh Phương", "xã Thuỵ Vân"]),
        ("Phường Đông Sơn triển khai; Ủy ban MTTQ phường Đông Sơn", ["phường Đông Sơn"]),
        ("đề nghị phường Bỉm Sơn và Quang Trung phải", ["phường Bỉm Sơn", "phường Quang Trung"]),
        ("tại phường Đông Sơn, Thanh Hóa đã", ["phường Đông Sơn"]),
        ("Ban Văn hóa - Xã hội; kinh tế - xã hội; các phường, xã trước sáp nhập; Phường xác định", []),
        ("phường 12, quận 3", ["phường 12"]),
    ],
)
def test_extract_wards(text, wards):
    assert extract_wards(text) == wards


def test_extract_wards_dedupes_by_match_key():
    wards = extract_wards("xã Thụy Vân và xã Thuỵ Vân, XÃ THỤY VÂN")
    assert wards == ["xã Thụy Vân"]
    assert match_key(wards[0]) == "xa thuy van"


@pytest.mark.parametrize(
    ("last", "kind", "fact"),
    [
        ("Bài và ảnh: Lê Hà", ParagraphKind.BYLINE, False),
        ("Theo Báo Thanh Hóa", ParagraphKind.BYLINE, False),
        ("Nguyễn Văn An - Chủ tịch UBND xã Thụy Vân", ParagraphKind.BYLINE, True),
        ("Hội nghị đã kết thúc vào buổi trưa cùng ngày.", ParagraphKind.BODY, True),
    ],
)
def test_last_block_byline_or_not(last, kind, fact):
    text = f"Tiêu đề\n\nSáng 17/9, Đảng ủy phường Đông Sơn đã tổ chức hội nghị với nhiều nội dung.\n\n{last}"
    a = parse_article(text, "x")
    p = a.paragraphs[-1]
    assert (p.kind, p.states_fact) == (kind, fact)
    assert a.byline == (last if kind is ParagraphKind.BYLINE else None)
