"""Escaping and rendering: article and user text never becomes markup."""
from __future__ import annotations

import datetime as dt

from chatbot.models import Answer, CheckReport, Citation, SentenceVerdict
from ingest.parser import parse_article
from webapp.render import (
    article_html, check_table_html, citation_body_html, citation_label, escape_markdown, highlight_html,
    reply_markdown,
)

from tests.webapp.conftest import SEEDS, XSS_ARTICLE

PAYLOAD = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def _cite(text: str, span=None, title="Tiêu đề", paragraph=3) -> Citation:
    return Citation(1, "000_979beda71dc56cf9", title, dt.date(2025, 11, 17), paragraph, text, span, 0.9)


def test_markdown_escape_neutralises_tags_and_markdown():
    out = escape_markdown(PAYLOAD + " **đậm** [x](javascript:alert(1)) $$x$$\n- mục\n1. một\n# tiêu đề")
    assert "<" not in out and ">" not in out
    assert "&lt;script&gt;" in out and "onerror=&quot;alert(2)&quot;" in out
    assert r"\*\*đậm\*\*" in out and r"\[x\]" in out and r"\$\$x\$\$" in out
    assert "\n\\- mục" in out and "\n1\\. một" in out and "\n\\# tiêu đề" in out


def test_highlight_marks_the_span_and_escapes_the_rest():
    text = "Câu đầu <b>. Câu hai có 28 chỉ tiêu."
    s = text.index("Câu hai")
    out = highlight_html(text, (s, len(text)))
    assert out == 'Câu đầu &lt;b&gt;. <mark class="hl">Câu hai có 28 chỉ tiêu.</mark>'
    # a span outside the text is ignored, not trusted
    assert highlight_html(text, (5, 999)) == "Câu đầu &lt;b&gt;. Câu hai có 28 chỉ tiêu."


def test_citation_body_links_to_the_paragraph_anchor():
    text = "Đại hội đề ra 28 chỉ tiêu <img src=x onerror=alert(1)>."
    body = citation_body_html(_cite(text, (0, 25)))
    assert "<mark>Đại hội đề ra 28 chỉ tiêu</mark>" in body
    assert "<img" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert 'href="/articles/000_979beda71dc56cf9#p3"' in body
    assert citation_label(_cite(text)) == "[1] Tiêu đề · 17/11/2025 · đoạn 3"


def test_abstained_reply_reads_as_not_found():
    ans = Answer("q", "q", "Các bài viết chưa có thông tin này.", None, True)
    out = reply_markdown(ans)
    assert "Chưa tìm thấy câu trả lời" in out and "Các bài viết chưa có thông tin này." in out


def test_article_html_numbers_every_paragraph_and_escapes():
    xss = parse_article(XSS_ARTICLE, "900_xss")
    out = article_html(xss)
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in out
    for p in xss.paragraphs:
        assert f'id="p{p.number}"' in out
    seed = parse_article((SEEDS / "000_979beda71dc56cf9.txt").read_text(encoding="utf-8"), "000_979beda71dc56cf9")
    assert article_html(seed).count('class="para ') == len(seed.paragraphs)


def test_check_table_shows_badges_and_evidence():
    text = "Đại hội đề ra 28 chỉ tiêu chủ yếu."
    report = CheckReport("Đại hội đề ra 30 chỉ tiêu. <script>x</script>", (
        SentenceVerdict("Đại hội đề ra 30 chỉ tiêu.", "refuted", "Bài viết ghi 28 chỉ tiêu.",
                        (_cite(text, (0, 25)),), (14, 25)),
        SentenceVerdict("<script>x</script>", "not_found", "Không có trong bài viết."),
    ))
    out = check_table_html(report)
    assert out.count('class="badge badge-refuted"') == 2  # the sentence and the overall verdict
    assert 'class="badge badge-not_found"' in out
    assert '<mark class="hl">28 chỉ tiêu</mark>' in out
    assert "<script>" not in out and "&lt;script&gt;x&lt;/script&gt;" in out
