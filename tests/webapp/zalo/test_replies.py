"""Reply text: answer + source lines within 2,000 characters, cut only between sentences."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from chatbot.models import Answer, CheckReport, Citation, SentenceVerdict
from ingest.corpus import load_corpus
from ingest.text import split_sentences
from tests.webapp.zalo.support import SEEDS
from webapp.zalo.replies import (
    MAX_CHARS, check_claim, cut_at_sentence, format_check, format_reply, paragraph_link,
)

ARTICLES = {a.article_id: a for a in load_corpus(SEEDS).articles}
NONG_TRANG = ARTICLES["001_fedeaab69c93254a"]
QUANG_TRUNG = ARTICLES["000_979beda71dc56cf9"]
THANH_MIEU = ARTICLES["003_cce8d4c811368e9e"]
BASE = "https://hoidap.example.vn"
SOURCE_LINE = re.compile(r"^\[(\d+)\] .+ \(\d\d/\d\d/\d{4}\), đoạn (\d+)$")


def cite(n: int, article, number: int) -> Citation:
    p = article.paragraph(number)
    return Citation(n, article.article_id, article.title, article.date, number, p.text, None, 1.0)


def answer(text: str, *cites: Citation) -> Answer:
    return Answer("q", "q", text, None, False, tuple(cites))


def test_a_short_answer_lists_its_sources_with_date_paragraph_and_link():
    text = ("Đại hội đề ra 28 chỉ tiêu chủ yếu [1]. Tốc độ tăng giá trị sản xuất bình quân "
            "13,5%/năm [1].")
    reply = format_reply(answer(text, cite(1, QUANG_TRUNG, 1)), BASE)
    body, sources = reply.split("\n\nNguồn:\n")
    assert body == text
    line, link = sources.split("\n")
    assert line == ("[1] Xây dựng chương trình hành động để đưa nghị quyết vào cuộc sống "
                    "(17/11/2025), đoạn 1")
    assert link == "https://hoidap.example.vn/articles/000_979beda71dc56cf9#p1"


def test_without_a_public_address_there_are_no_links():
    reply = format_reply(answer("Có 28 chỉ tiêu [1].", cite(1, QUANG_TRUNG, 1)), "")
    assert "http" not in reply
    assert reply.endswith("(17/11/2025), đoạn 1")


def test_an_undated_article_and_a_long_title_give_a_short_line():
    reply = format_reply(answer("Tổng vốn đầu tư hơn 15.200 tỷ đồng [1].", cite(1, THANH_MIEU, 7)), BASE)
    line = reply.split("Nguồn:\n")[1].split("\n")[0]
    assert THANH_MIEU.date is None and "(" not in line
    assert line.startswith("[1] Huy động mọi nguồn lực") and line.endswith("…, đoạn 7")
    assert len(line) < 100


def test_a_long_answer_is_cut_at_a_sentence_boundary_and_keeps_its_cited_sources():
    # the 2,123-character paragraph 6 of the Nông Trang article, one marker per sentence,
    # citing paragraphs 6, 5, 4 in turn: far longer than Zalo allows
    para = NONG_TRANG.paragraph(6).text + "\n" + NONG_TRANG.paragraph(5).text
    sentences = [para[s:e] for s, e in split_sentences(para)]
    marked = " ".join(f"{s} [{i % 3 + 1}]" for i, s in enumerate(sentences))
    cites = [cite(1, NONG_TRANG, 6), cite(2, NONG_TRANG, 5), cite(3, NONG_TRANG, 4)]
    reply = format_reply(answer(marked, *cites), BASE)
    assert len(reply) <= MAX_CHARS
    body, sources = reply.split("\n\nNguồn:\n")
    assert marked.startswith(body) and len(body) < len(marked)
    # the cut falls right after a sentence's marker, not inside a sentence or a marker
    assert re.search(r"[.!?:…”]\s*\[\d\]$", body) or re.search(r"\[\d\]$", body)
    assert body.count("[") == body.count("]")
    lines = sources.split("\n")
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    listed = {int(SOURCE_LINE.match(l).group(1)) for l in lines if SOURCE_LINE.match(l)}
    assert listed == cited


def test_an_abstention_lists_related_paragraphs_without_numbers():
    related = (cite(1, QUANG_TRUNG, 2), cite(2, NONG_TRANG, 3))
    a = Answer("q", "q", "Tôi chưa tìm thấy thông tin này trong các bài viết.", None, True, (), related)
    reply = format_reply(a, BASE)
    assert reply.startswith("Tôi chưa tìm thấy")
    assert "Các đoạn có thể liên quan:\n- Xây dựng chương trình hành động" in reply
    assert "[1]" not in reply and "#p3" in reply


def test_a_single_overlong_sentence_is_cut_at_a_word_and_never_inside_a_marker():
    words = NONG_TRANG.paragraph(6).text.replace(".", ",").split()
    text = " ".join(f"{w} [1]" if i % 7 == 0 else w for i, w in enumerate(words))
    out = cut_at_sentence(text, 500)
    assert len(out) <= 500 and out.endswith(" …")
    assert out.count("[") == out.count("]")
    assert text.startswith(out[:-2])


def test_a_fact_check_report_gives_verdicts_and_renumbered_sources():
    # each sentence numbers its citations from 1; the reply numbers them across the report
    s1 = SentenceVerdict("Phường Quang Trung đề ra 28 chỉ tiêu chủ yếu.", "supported",
                         "Bài viết nêu đúng 28 chỉ tiêu [1].", (cite(1, QUANG_TRUNG, 1),))
    s2 = SentenceVerdict("Phường Nông Trang được hợp nhất từ ba đơn vị.", "supported",
                         "Hợp nhất từ Nông Trang, Minh Phương và Thuỵ Vân [1].", (cite(1, NONG_TRANG, 1),))
    s3 = SentenceVerdict("Thu nhập bình quân đạt 50 triệu đồng/người/năm.", "refuted",
                         "Bài viết nêu 90 triệu đồng/người/năm [1].", (cite(1, QUANG_TRUNG, 1),))
    reply = format_check(CheckReport("…", (s1, s2, s3)), BASE)
    lines = reply.split("\n")
    assert lines[0] == "Kết quả kiểm tra: SAI (trái với bài viết)"
    assert "28 chỉ tiêu" in lines[1] and "ĐÚNG" in lines[1] and lines[1].endswith("[1].")
    assert "Minh Phương" in lines[2] and lines[2].endswith("[2].")
    assert "50 triệu" in lines[3] and "SAI" in lines[3] and lines[3].endswith("[1].")
    sources = reply.split("Nguồn:\n")[1]
    assert sources.count("[1] Xây dựng chương trình hành động") == 1
    assert "[2] Xây dựng Nông Trang" in sources and "[3]" not in sources
    assert len(reply) <= MAX_CHARS


@pytest.mark.parametrize("text, claim", [
    ("kiểm tra: Phường có 28 chỉ tiêu", "Phường có 28 chỉ tiêu"),
    ("Kiểm tra:Phường có 28 chỉ tiêu", "Phường có 28 chỉ tiêu"),
    ("KIEM TRA : thu nhập 90 triệu", "thu nhập 90 triệu"),
    ("kiểm tra:", ""),
    ("Kiểm tra giúp tôi chỉ tiêu này", None),
    ("Phường kiểm tra: ai?", None),
    ("Chỉ tiêu: 28", None),
])
def test_fact_check_requests_are_recognised(text, claim):
    assert check_claim(text) == claim


def test_paragraph_links_use_the_web_app_route():
    assert paragraph_link(BASE + "/", "000_979beda71dc56cf9", 4) == \
        "https://hoidap.example.vn/articles/000_979beda71dc56cf9#p4"


SEED_SENTENCES = [p.text[s:e] for a in ARTICLES.values() for p in a.paragraphs
                  for s, e in split_sentences(p.text)]


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(SEED_SENTENCES), st.integers(0, 4)), min_size=1, max_size=40),
       st.integers(300, MAX_CHARS))
def test_any_reply_fits_and_ends_on_a_whole_sentence(parts, limit):
    text = " ".join(s + (f" [{m}]" if m else "") for s, m in parts)
    cites = [cite(1, QUANG_TRUNG, 1), cite(2, NONG_TRANG, 6), cite(3, THANH_MIEU, 12), cite(4, ARTICLES["004_bbba2ad5a4ca9edc"], 3)]
    reply = format_reply(answer(text, *cites), BASE, limit=limit)
    assert len(reply) <= limit
    body = reply.split("\n\nNguồn:\n")[0]
    assert body.count("[") == body.count("]")
    assert text.startswith(body.removesuffix(" …"))
