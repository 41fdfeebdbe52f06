"""News pages, Word files and PDFs become the same paragraph records as the seed text files:
title, date, numbered blocks with offsets into ``Article.text``, kinds, wards, PDF pages."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ingest.corpus import load_corpus, read_document
from ingest.decode import IngestError
from ingest.models import ParagraphKind, article_from_dict, article_to_dict, paragraph_to_dict

from .documents import (
    DOCX_BYLINE,
    DOCX_TITLE,
    HTML_PAGE,
    HTML_TITLE,
    PDF_PAGES,
    PDF_TITLE,
    make_docx,
    make_pdf,
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def check_offsets(article) -> None:
    assert [p.number for p in article.paragraphs] == list(range(1, len(article.paragraphs) + 1))
    for p in article.paragraphs:
        assert article.text[p.start:p.end] == p.text
        assert p.article_id == article.article_id and p.title == article.title and p.date == article.date


def kinds(article) -> list[tuple[str, str]]:
    return [(p.kind.value, p.text) for p in article.paragraphs]


# -- HTML -------------------------------------------------------------------------------------

def test_a_news_page_keeps_the_article_and_drops_the_boilerplate(tmp_path):
    article = read_document(write(tmp_path, "tan-lap.html", HTML_PAGE.encode("utf-8"))).article
    assert article.article_id == "tan-lap"
    assert article.title == HTML_TITLE
    assert article.date == dt.date(2025, 12, 5)
    check_offsets(article)
    body = [p.text for p in article.paragraphs]
    assert body[0].startswith("Sáng 5/12, Đảng ủy, UBND phường Đông Sơn")
    assert "3,2 tỷ đồng" in body[0]
    for junk in ("Trang chủ", "Tin đọc nhiều", "Giá vàng", "Chia sẻ", "Bình luận", "Giấy phép", "05/12/2025 08:30"):
        assert not any(junk in t for t in body), junk
    assert HTML_TITLE not in body  # the <h1> repeating the title is not a paragraph
    assert kinds(article)[1:3] == [
        ("caption", "Quang cảnh lễ khánh thành nhà văn hóa tổ dân phố Tân Lập."),
        ("heading", "Nhân dân cùng góp sức"),
    ]
    assert article.paragraphs[-1].kind is ParagraphKind.BYLINE and article.byline == "Quốc Hương"
    assert article.wards == ("phường Đông Sơn",)
    assert all(p.page is None for p in article.paragraphs)


def test_a_page_without_metadata_date_takes_the_written_one(tmp_path):
    page = HTML_PAGE.replace('<meta property="article:published_time" content="2025-12-05T08:30:00+07:00">', "")
    page = page.replace("05/12/2025 08:30", "Thứ sáu, 07/11/2025 - 10:15")
    article = read_document(write(tmp_path, "a.htm", page.encode("utf-8"))).article
    assert article.date == dt.date(2025, 11, 7)
    assert not any("Thứ sáu" in p.text for p in article.paragraphs)


def test_a_page_in_a_legacy_charset_is_read_by_its_declared_encoding(tmp_path):
    from .test_decode import cp1258

    page = HTML_PAGE.replace('<meta charset="utf-8">', '<meta charset="windows-1258">')
    data = cp1258(page)  # tone marks stored apart, as Windows-1258 does
    article = read_document(write(tmp_path, "cu.html", data)).article
    assert article.title == HTML_TITLE  # composed again (NFC)
    assert article.paragraphs[0].text.startswith("Sáng 5/12, Đảng ủy, UBND phường Đông Sơn")
    assert article.wards == ("phường Đông Sơn",)


@pytest.mark.parametrize("page", [
    b"<html><body><nav><a href='/'>Trang ch\xe1\xbb\xa7</a></nav></body></html>",
    b"<html><head><title>Tr\xe1\xbb\x91ng</title></head><body></body></html>",
])
def test_a_page_without_article_text_is_rejected(tmp_path, page):
    with pytest.raises(IngestError) as info:
        read_document(write(tmp_path, "rong.html", page))
    assert "rong.html" in info.value.message and "HTML" in info.value.message


# -- DOCX -------------------------------------------------------------------------------------

def test_a_word_resolution_becomes_numbered_paragraphs(tmp_path):
    article = read_document(write(tmp_path, "nghi-quyet.docx", make_docx())).article
    assert article.title == DOCX_TITLE
    assert article.date == dt.date(2025, 11, 20)  # "Quảng Phú, ngày 20 tháng 11 năm 2025"
    check_offsets(article)
    texts = [p.text for p in article.paragraphs]
    assert texts[:2] == ["ĐẢNG BỘ PHƯỜNG QUẢNG PHÚ", "Quảng Phú, ngày 20 tháng 11 năm 2025"]
    assert DOCX_TITLE not in texts and "" not in texts
    assert "Thu ngân sách | 85 tỷ đồng" in texts  # a table row is one paragraph ...
    row = article.paragraphs[texts.index("Thu ngân sách | 85 tỷ đồng")]
    assert row.kind is ParagraphKind.BODY and row.answerable  # ... and answer text
    fact = next(p for p in article.paragraphs if "12,5%" in p.text)
    assert fact.kind is ParagraphKind.BODY
    assert article.paragraphs[-1].kind is ParagraphKind.BYLINE and article.byline == DOCX_BYLINE
    assert article.paragraphs[-1].states_fact  # a person with a role
    assert article.wards == ("phường Quảng Phú",)


def test_the_title_property_wins_and_no_styles_fall_back_to_the_first_paragraph(tmp_path):
    import io

    import docx

    document = docx.Document()
    for text in ("Phường Hàm Rồng ra quân làm sạch môi trường",
                 "Sáng 9/11, phường Hàm Rồng ra quân làm sạch môi trường với 500 người tham gia.",
                 "Hội Cựu chiến binh phường nhận chăm sóc 3 tuyến đường."):
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    first = read_document(write(tmp_path, "a.docx", out.getvalue())).article
    assert first.title == "Phường Hàm Rồng ra quân làm sạch môi trường"
    assert len(first.paragraphs) == 2 and first.date is None

    document.core_properties.title = "Ra quân làm sạch môi trường"
    out = io.BytesIO()
    document.save(out)
    titled = read_document(write(tmp_path, "b.docx", out.getvalue())).article
    assert titled.title == "Ra quân làm sạch môi trường"
    assert len(titled.paragraphs) == 3  # the first paragraph is body text again


@pytest.mark.parametrize("data", [b"PK\x03\x04broken", make_docx()[:2000], b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old doc"])
def test_a_damaged_word_file_is_rejected(tmp_path, data):
    with pytest.raises(IngestError) as info:
        read_document(write(tmp_path, "hong.docx", data))
    assert "hong.docx" in info.value.message and ".docx" in info.value.message


# -- PDF --------------------------------------------------------------------------------------

def test_a_pdf_report_has_paragraphs_with_pages(tmp_path):
    article = read_document(write(tmp_path, "bao-cao.pdf", make_pdf())).article
    assert article.title == PDF_TITLE
    assert article.date == dt.date(2025, 12, 15)
    check_offsets(article)
    texts = [p.text for p in article.paragraphs]
    # wrapped lines are one paragraph; a list item is its own; the break across pages is mended
    assert texts[1] == " ".join(PDF_PAGES[0][4:7])
    assert texts[2:4] == [PDF_PAGES[0][8], PDF_PAGES[0][9]]
    assert texts[4] == " ".join(PDF_PAGES[0][11:13] + PDF_PAGES[1][:1])
    assert [p.page for p in article.paragraphs] == [1, 1, 1, 1, 1, 2, 2]
    assert all(p.kind is ParagraphKind.BODY for p in article.paragraphs[1:-1])  # no captions in a report
    assert article.byline == "Lê Thị Thu Hà - Bí thư Đảng ủy phường"
    assert article.wards == ("phường Quang Trung",)


def test_pdf_page_numbers_and_running_headers_are_dropped_and_the_title_property_is_used(tmp_path):
    header = "UBND PHƯỜNG QUANG TRUNG"
    pages = [(header, "", f"Đoạn thứ {i} của báo cáo nói về thu ngân sách năm 2025 đạt {90 + i} tỷ đồng.",
              "", str(i)) for i in range(1, 5)]
    data = make_pdf(pages, title="Báo cáo thu ngân sách")
    article = read_document(write(tmp_path, "thu.pdf", data)).article
    assert article.title == "Báo cáo thu ngân sách"
    assert [p.text for p in article.paragraphs] == [page[2] for page in pages]
    assert [p.page for p in article.paragraphs] == [1, 2, 3, 4]
    # a file name as the Title property is not a title
    named = read_document(write(tmp_path, "ten.pdf", make_pdf(title="Microsoft Word - bao-cao.docx"))).article
    assert named.title == PDF_TITLE


@pytest.mark.parametrize(("data", "words"), [
    (make_pdf()[:-300], "cắt cụt"),                           # a download cut short
    (make_pdf([[]]), "OCR"),                                   # a scan: no text layer
    (b"%PDF-1.4\n" + b"\x00" * 100 + b"\n%%EOF\n", "hỏng"),
    (b"<html>not a pdf</html>\n%%EOF", "không phải tệp PDF"),
])
def test_bad_pdfs_are_rejected_with_a_reason(tmp_path, data, words):
    with pytest.raises(IngestError) as info:
        read_document(write(tmp_path, "xau.pdf", data))
    assert "xau.pdf" in info.value.message and words in info.value.message


def test_a_pdf_with_a_damaged_trailer_is_still_read(tmp_path):
    # pypdf rebuilds what it can find; the text is all there, so the file is not refused
    article = read_document(write(tmp_path, "sua.pdf", make_pdf().replace(b"/Root", b"/Rxxx"))).article
    assert article.title == PDF_TITLE and len(article.paragraphs) == 7


# -- records ----------------------------------------------------------------------------------

def test_the_page_survives_a_round_trip_and_old_records_without_it_still_load(tmp_path):
    article = read_document(write(tmp_path, "bao-cao.pdf", make_pdf())).article
    data = json.loads(json.dumps(article_to_dict(article), ensure_ascii=False))
    assert article_from_dict(data) == article
    assert data["paragraphs"][5]["page"] == 2
    # articles.json written before pages existed: no "page" key at all
    for p in data["paragraphs"]:
        del p["page"]
    old = article_from_dict(data)
    assert all(p.page is None for p in old.paragraphs)
    assert [p.text for p in old.paragraphs] == [p.text for p in article.paragraphs]
    # text formats do not grow the key
    seed = load_corpus(Path(__file__).resolve().parents[2] / "seeds").articles[0]
    assert "page" not in paragraph_to_dict(seed.paragraphs[0])


def test_a_folder_mixing_formats_loads_every_good_file(tmp_path):
    write(tmp_path, "tin.html", HTML_PAGE.encode("utf-8"))
    write(tmp_path, "nq.docx", make_docx())
    write(tmp_path, "bc.pdf", make_pdf())
    write(tmp_path, "cut.pdf", make_pdf()[:500])
    write(tmp_path, "big.pdf", make_pdf() + b"\n" * 200_000)
    loaded = load_corpus(tmp_path, max_bytes=100_000)
    assert sorted(a.article_id for a in loaded.articles) == ["bc", "nq", "tin"]
    assert {Path(p.path).name for p in loaded.problems} == {"cut.pdf", "big.pdf"}


def test_a_huge_file_is_refused_without_being_read(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:  # 50 MB, sparse: nothing is written, nothing could be read fast
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(IngestError) as info:
        read_document(path, max_bytes=10 * 1024 * 1024)
    assert "huge.txt" in info.value.message and "quá lớn" in info.value.message
    assert "50,0 MB" in info.value.message and "10,0 MB" in info.value.message
