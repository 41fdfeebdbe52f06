"""The text the bot sends: answers and fact-checks as plain text of at most 2,000 characters.

Zalo shows plain text only, so a reply is the answer followed by its sources as short lines
``[1] <title> (dd/mm/yyyy), đoạn N`` with, when the web app has a public address, a link to
that paragraph. A reply that is too long loses whole sentences from the end of the answer
(never part of a sentence or of a ``[n]`` marker) and the sources no longer cited.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence
from urllib.parse import quote

from chatbot.models import Answer, CheckReport, Citation, Verdict
from ingest.text import match_key, nfc, split_sentences

__all__ = [
    "MAX_CHARS", "GREETING", "RATE_LIMITED", "SORRY", "EMPTY_CHECK",
    "format_reply", "format_check", "paragraph_link", "check_claim", "cut_at_sentence",
]

MAX_CHARS = 2000
TITLE_MAX_CHARS = 80

GREETING = (
    "Xin chào! Tôi là trợ lý Hỏi đáp phường. Bạn có thể hỏi tôi về tin tức, nghị quyết, "
    "chỉ tiêu và hoạt động của các phường; tôi trả lời dựa trên các bài viết đã đăng và ghi rõ "
    "nguồn (bài nào, đoạn nào). Muốn kiểm tra một thông tin, hãy nhắn: "
    "\"kiểm tra: <nội dung cần kiểm tra>\"."
)
RATE_LIMITED = (
    "Bạn đang gửi tin nhắn hơi nhanh. Vui lòng chờ khoảng một phút rồi gửi tiếp nhé. "
    "Xin cảm ơn!"
)
SORRY = (
    "Xin lỗi, hiện tôi chưa trả lời được tin nhắn này. Bạn vui lòng thử lại sau ít phút nhé."
)
EMPTY_CHECK = (
    "Bạn muốn kiểm tra thông tin nào? Hãy nhắn theo mẫu: \"kiểm tra: <nội dung cần kiểm tra>\"."
)
NO_ANSWER = "Xin lỗi, tôi chưa tìm thấy thông tin này trong các bài viết."

_VERDICT_LABEL: dict[Verdict, str] = {
    "supported": "ĐÚNG (khớp với bài viết)",
    "refuted": "SAI (trái với bài viết)",
    "not_found": "CHƯA KIỂM CHỨNG ĐƯỢC (không tìm thấy trong các bài viết)",
}

# "[1]", "[1, 2]", "[1-3]": a citation marker, never cut inside
_MARKER = r"\[\d+(?:\s*[,;–-]\s*\d+)*\]"
_LEADING_MARKERS = re.compile(r"(?:" + _MARKER + r"\s*)+")
_MARKER_IDS = re.compile(_MARKER)
_SINGLE_ID = re.compile(r"\[(\d+)\]")


def check_claim(text: str) -> str | None:
    """The claim when ``text`` asks for a fact-check ("kiểm tra: ...", any case, with or
    without diacritics), else None. An empty claim gives ``""``."""
    colon = text.find(":")
    if colon < 0 or colon > 20:
        return None
    if " ".join(match_key(text[:colon]).split()) != "kiem tra":
        return None
    return text[colon + 1:].strip()


def paragraph_link(public_base_url: str, article_id: str, paragraph: int) -> str:
    """The web app's address of one paragraph (route owned by the web app)."""
    return f"{public_base_url.rstrip('/')}/articles/{quote(article_id, safe='')}#p{paragraph}"


def _short_title(title: str) -> str:
    title = " ".join(title.split())
    if len(title) <= TITLE_MAX_CHARS:
        return title
    cut = title[: TITLE_MAX_CHARS - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-–") + "…"


def _where(c: Citation) -> str:
    date = f" ({c.date:%d/%m/%Y})" if c.date else ""
    return f"{_short_title(nfc(c.title))}{date}, đoạn {c.paragraph}"


@dataclass(frozen=True)
class _Source:
    number: int | None   # the [n] it is cited as; None for "possibly related" lines
    text: str


def _sources(citations: Iterable[Citation], base: str, numbered: bool) -> list[_Source]:
    out, seen = [], set()
    for c in citations:
        key = c.id if numbered else (c.article_id, c.paragraph)
        if key in seen:
            continue
        seen.add(key)
        line = f"[{c.id}] {_where(c)}" if numbered else f"- {_where(c)}"
        if base:
            line += "\n" + paragraph_link(base, c.article_id, c.paragraph)
        out.append(_Source(c.id if numbered else None, line))
    return out


def _cut_points(text: str) -> list[int]:
    """Offsets where ``text`` may be cut: after each sentence and the markers that follow it."""
    spans = split_sentences(text)
    points = []
    for i, (_, end) in enumerate(spans):
        if i + 1 < len(spans):
            nxt = spans[i + 1][0]
            m = _LEADING_MARKERS.match(text, nxt)
            if m:  # "…13,5%. [1] Tiếp theo": the marker belongs to the sentence before it
                end = nxt + len(m.group(0).rstrip())
        points.append(end)
    return sorted(set(points))


def cut_at_sentence(text: str, limit: int) -> str:
    """The longest prefix of whole sentences of at most ``limit`` characters. A first sentence
    longer than that is cut at a word boundary outside any marker and ends with "…"."""
    text = text.strip()
    if len(text) <= limit:
        return text
    fitting = [p for p in _cut_points(text) if p <= limit]
    if fitting:
        return text[: fitting[-1]].rstrip()
    cut = text[: max(limit - 2, 0)]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    opened = cut.rfind("[")
    if opened > cut.rfind("]"):
        cut = cut[:opened]
    return (cut.rstrip() + " …").strip() if cut.strip() else ""


def _cited_ids(text: str) -> set[int]:
    return {int(n) for m in _MARKER_IDS.finditer(text) for n in re.findall(r"\d+", m.group(0))}


def _compose(body: str, header: str, sources: list[_Source], limit: int) -> str:
    body = nfc(body).strip()  # composed form: Zalo counts characters, NFD would double them

    def tail(items: Sequence[_Source]) -> str:
        return (header + "\n" + "\n".join(s.text for s in items)) if items else ""

    # the sources alone must leave room for an answer; drop the last ones if they do not
    while sources and len(tail(sources)) > limit * 2 // 3:
        sources = sources[:-1]
    full = body + ("\n\n" + tail(sources) if sources else "")
    if len(full) <= limit:
        return full
    budget = limit - (len(tail(sources)) + 2 if sources else 0)
    cut = cut_at_sentence(body, budget)
    if _cited_ids(body):
        still = _cited_ids(cut)
        kept = [s for s in sources if s.number is None or s.number in still]
        sources = kept or sources
    return cut + ("\n\n" + tail(sources) if sources else "")


def format_reply(answer: Answer, public_base_url: str = "", limit: int = MAX_CHARS) -> str:
    """The Zalo text for an answer: the answer, then "Nguồn:" lines (for an abstention, "Các
    đoạn có thể liên quan:" lines), at most ``limit`` characters."""
    body = answer.text.strip() or NO_ANSWER
    if answer.abstained or not answer.citations:
        related = _sources(answer.related[:3], public_base_url, numbered=False)
        return _compose(body, "Các đoạn có thể liên quan:", related, limit)
    cites = sorted(answer.citations, key=lambda c: c.id)
    return _compose(body, "Nguồn:", _sources(cites, public_base_url, numbered=True), limit)


def format_check(report: CheckReport, public_base_url: str = "", limit: int = MAX_CHARS) -> str:
    """The Zalo text for a fact-check: the overall verdict, one line per sentence of the claim
    with its verdict and explanation, then the sources, renumbered across sentences."""
    numbers: dict[tuple[str, int], int] = {}
    cites: list[Citation] = []
    lines = [f"Kết quả kiểm tra: {_VERDICT_LABEL[report.verdict]}"]
    for s in report.sentences:
        local: dict[int, int] = {}
        for c in s.citations:
            key = (c.article_id, c.paragraph)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                cites.append(Citation(numbers[key], c.article_id, c.title, c.date, c.paragraph,
                                      c.text, c.span, c.score))
            local[c.id] = numbers[key]
        explanation = _SINGLE_ID.sub(
            lambda m: f"[{local.get(int(m.group(1)), int(m.group(1)))}]", s.explanation.strip()
        )
        line = f"- \"{s.sentence.strip()}\": {_VERDICT_LABEL[s.verdict]}."
        if explanation:
            line += " " + explanation
        refs = sorted(set(local.values()))
        if refs and not _cited_ids(explanation):
            line += " " + "".join(f"[{n}]" for n in refs)
        lines.append(line)
    if len(lines) == 1:
        lines.append(NO_ANSWER)
    return _compose("\n".join(lines), "Nguồn:", _sources(cites, public_base_url, numbered=True), limit)
