"""Turning records into display text. Every piece of article or user text passes through an
escaper here, so a `<script>` in an article or a question is shown as text and never runs.

Two targets: plain HTML (the article page, the fact-check table, the article tab) and the
Gradio chat, which renders its messages as Markdown. For the chat the text is HTML-escaped
*and* Markdown-escaped, so neither tags nor Markdown syntax in the source change the page.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from typing import Sequence
from urllib.parse import quote

from chatbot.models import Answer, CheckReport, Citation, SentenceVerdict
from ingest.models import Article, ParagraphKind

__all__ = [
    "escape_html", "escape_markdown", "format_date", "article_url", "highlight_html",
    "citation_label", "citation_body_html", "reply_markdown",
    "verdict_badge", "check_table_html", "article_html", "article_list_html", "VERDICT_LABELS",
    "NOT_READY_CHECK", "NO_ANSWER_HEADING",
]

VERDICT_LABELS = {"supported": "Đúng theo bài viết", "refuted": "Sai so với bài viết",
                  "not_found": "Không có thông tin"}
NOT_READY_CHECK = "Tính năng kiểm tra thông tin chưa sẵn sàng. Bạn vui lòng quay lại sau nhé."
NO_ANSWER_HEADING = "Chưa tìm thấy câu trả lời trong các bài viết"

# ASCII punctuation that Markdown (marked, GFM, KaTeX delimiters) gives a meaning anywhere.
_MD_ANYWHERE = re.compile(r"([\\`*_\[\]|~$])")
# Syntax that only means something at the start of a line: bullets, setext rules, ordered lists.
_MD_BULLET = re.compile(r"^(\s*)([-+=#])", re.MULTILINE)
_MD_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def escape_html(text: str) -> str:
    """Escape for HTML text and attribute values (quotes included)."""
    return html.escape(text, quote=True)


def escape_markdown(text: str) -> str:
    """Escape ``text`` so a Markdown renderer with HTML enabled shows it verbatim.

    Markdown punctuation gets a backslash; `<`, `>`, `&` and quotes become entities (a
    backslash would not stop HTML in Markdown). Line-start list/heading markers are escaped.
    """
    out = _MD_ANYWHERE.sub(r"\\\1", text)
    out = _MD_BULLET.sub(r"\1\\\2", out)
    out = _MD_ORDERED.sub(r"\1\\\2", out)
    return html.escape(out, quote=True)


def format_date(date: dt.date | None) -> str:
    return date.strftime("%d/%m/%Y") if date else "không rõ ngày"


def article_url(article_id: str, paragraph: int | None = None) -> str:
    """Link to the server-rendered article page, optionally to one paragraph's anchor."""
    url = "/articles/" + quote(article_id, safe="")
    return f"{url}#p{int(paragraph)}" if paragraph else url


def _valid_span(text: str, span: Sequence[int] | None) -> tuple[int, int] | None:
    if not span or len(span) != 2:
        return None
    start, end = int(span[0]), int(span[1])
    if 0 <= start < end <= len(text):
        return start, end
    return None


def highlight_html(text: str, span: Sequence[int] | None, *, mark_class: str = "hl") -> str:
    """``text`` as escaped HTML with ``text[span]`` wrapped in ``<mark>`` (an invalid span is
    ignored rather than trusted)."""
    valid = _valid_span(text, span)
    if valid is None:
        return escape_html(text)
    s, e = valid
    return (escape_html(text[:s]) + f'<mark class="{mark_class}">' + escape_html(text[s:e])
            + "</mark>" + escape_html(text[e:]))


def citation_label(c: Citation) -> str:
    """One-line source label (plain text, not yet escaped): "[1] Title · 17/11/2025 · đoạn 3"."""
    return f"[{c.id}] {c.title} · {format_date(c.date)} · đoạn {c.paragraph}"


def citation_body_html(c: Citation) -> str:
    """What a source expands to: the paragraph, quoted sentence highlighted, and a link to the
    whole article scrolled to that paragraph. Safe for the chat's Markdown renderer: the text is
    escaped the Markdown way, the tags around it are ours."""
    valid = _valid_span(c.text, c.span)
    if valid is None:
        body = escape_markdown(c.text)
    else:
        s, e = valid
        body = (escape_markdown(c.text[:s]) + "<mark>" + escape_markdown(c.text[s:e]) + "</mark>"
                + escape_markdown(c.text[e:]))
    link = escape_html(article_url(c.article_id, c.paragraph))
    return (f"{body}\n\n"
            f'<a href="{link}" target="_blank" rel="noopener">Xem toàn bài, đoạn {c.paragraph} ↗</a>')


def reply_markdown(answer: Answer) -> str:
    """The reply bubble's text. An abstention gets a friendly heading so it reads as "not in the
    articles" rather than as an error."""
    text = escape_markdown(answer.text.strip())
    if answer.abstained:
        return f"🔎 **{NO_ANSWER_HEADING}.**\n\n{text}"
    return text


# --- fact-check table --------------------------------------------------------------------------

def verdict_badge(verdict: str) -> str:
    label = VERDICT_LABELS.get(verdict, verdict)
    cls = verdict if verdict in VERDICT_LABELS else "unknown"
    return f'<span class="badge badge-{cls}">{escape_html(label)}</span>'


def _evidence_html(s: SentenceVerdict) -> str:
    if not s.citations:
        return f'<span class="muted">{escape_html(s.explanation)}</span>' if s.explanation else "—"
    parts = []
    for i, c in enumerate(s.citations):
        span = s.evidence_span if i == 0 and s.evidence_span else c.span
        link = escape_html(article_url(c.article_id, c.paragraph))
        parts.append(
            f'<div class="evidence"><div class="evidence-text">{highlight_html(c.text, span)}</div>'
            f'<a class="evidence-src" href="{link}" target="_blank" rel="noopener">'
            f"{escape_html(c.title)} · {escape_html(format_date(c.date))} · đoạn {int(c.paragraph)}</a>"
            "</div>"
        )
    if s.explanation:
        parts.insert(0, f'<div class="muted">{escape_html(s.explanation)}</div>')
    return "".join(parts)


def check_table_html(report: CheckReport) -> str:
    """Per-sentence verdicts as a table: sentence, coloured badge, evidence with the decisive
    span highlighted."""
    if not report.sentences:
        return '<p class="muted">Không tách được câu nào để kiểm tra.</p>'
    rows = "".join(
        f"<tr><td data-label=\"Câu\">{escape_html(s.sentence)}</td>"
        f"<td data-label=\"Kết luận\">{verdict_badge(s.verdict)}</td>"
        f"<td data-label=\"Bằng chứng\">{_evidence_html(s)}</td></tr>"
        for s in report.sentences
    )
    return (f'<div class="check-overall">Kết luận chung: {verdict_badge(report.verdict)}</div>'
            '<table class="check-table"><thead><tr><th>Câu</th><th>Kết luận</th><th>Bằng chứng</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>")


# --- articles ----------------------------------------------------------------------------------

_KIND_CLASS = {ParagraphKind.BODY: "body", ParagraphKind.HEADING: "heading",
               ParagraphKind.CAPTION: "caption", ParagraphKind.BYLINE: "byline"}


def article_html(article: Article, *, highlight: int | None = None) -> str:
    """The whole article, every paragraph numbered with an ``id="p{N}"`` anchor. ``highlight``
    marks one paragraph explicitly (the page also highlights the ``:target`` one)."""
    paras = []
    for p in article.paragraphs:
        cls = "para " + _KIND_CLASS.get(p.kind, "body") + (" highlighted" if p.number == highlight else "")
        paras.append(
            f'<p id="p{p.number}" class="{cls}"><a class="pnum" href="#p{p.number}" '
            f'title="Đoạn {p.number}">{p.number}</a>{escape_html(p.text)}</p>'
        )
    return (f'<article class="article" data-article-id="{escape_html(article.article_id)}">'
            f"<h1>{escape_html(article.title)}</h1>"
            f'<div class="meta">{escape_html(format_date(article.date))} · {len(article.paragraphs)} đoạn</div>'
            + "".join(paras) + "</article>")


def article_list_html(articles: Sequence[Article]) -> str:
    items = "".join(
        f'<li><a href="{escape_html(article_url(a.article_id))}">{escape_html(a.title)}</a> '
        f'<span class="muted">{escape_html(format_date(a.date))}</span></li>'
        for a in articles
    )
    return f'<ul class="article-list">{items}</ul>'
