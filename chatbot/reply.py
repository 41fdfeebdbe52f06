"""Write the Vietnamese reply from the picked sentences: the short answer first, then the
sentence quoted, with ``[n]`` markers that match the citations."""
from __future__ import annotations

from chatbot.answer import Decision, Pick
from chatbot.models import Answer, Citation
from ingest.models import Paragraph

ABSTAIN_TEXT = "Các bài viết hiện có không đề cập đến thông tin bạn hỏi."
RELATED_NOTE = "Có thể liên quan: xem các đoạn được liệt kê bên dưới."
MAX_QUOTE = 400


def _citation(cid: int, p: Paragraph, span: tuple[int, int] | None, score: float) -> Citation:
    return Citation(cid, p.article_id, p.title, p.date, p.number, p.text, span, score)


def _quote(p: Paragraph, pick: Pick) -> str:
    a, b = pick.sentence_span
    if b - a <= MAX_QUOTE or pick.short_span is None:
        return p.text[a:b]
    # a very long sentence: quote the part around the short answer
    s, e = pick.short_span
    lo = max(a, s - MAX_QUOTE // 2)
    hi = min(b, e + MAX_QUOTE // 2)
    lo = p.text.rfind(" ", a, lo) + 1 if lo > a else a
    hi_space = p.text.find(" ", hi, b)
    hi = hi_space if hi < b and hi_space != -1 else b
    return ("…" if lo > a else "") + p.text[lo:hi] + ("…" if hi < b else "")


def compose(question: str, standalone: str, decision: Decision) -> Answer:
    if decision.abstained or not decision.picks:
        related = tuple(_citation(i + 1, p, None, s) for i, (p, s) in enumerate(decision.related[:3]))
        text = ABSTAIN_TEXT + ("\n" + RELATED_NOTE if related else "")
        return Answer(question, standalone, text, None, True, (), related)
    ids: dict[str, int] = {}
    citations: list[Citation] = []
    lines: list[str] = []
    quotes: list[str] = []
    shorts: list[str] = []
    for pick in decision.picks:
        p = pick.paragraph
        if p.key not in ids:
            ids[p.key] = len(ids) + 1
            citations.append(_citation(ids[p.key], p, pick.sentence_span, pick.score))
        cid = ids[p.key]
        quote = f"“{_quote(p, pick)}” [{cid}]"
        if pick.short:
            shorts.append(pick.short)
        if len(decision.picks) > 1 or decision.missing:
            label = pick.part or ""
            lines.append(f"- {label}: {pick.short or _quote(p, pick)} [{cid}]" if label else
                         f"- {pick.short or _quote(p, pick)} [{cid}]")
        elif pick.short:
            lines.append(f"{pick.short[:1].upper()}{pick.short[1:]} [{cid}]")
        if quote not in quotes:
            quotes.append(quote)
    for ward in decision.missing:
        lines.append(f"- {ward}: các bài viết hiện có không đề cập.")
    text = "\n".join(lines + (["Theo bài viết:"] if lines else []) + quotes)
    short = "; ".join(shorts) if shorts else None
    return Answer(question, standalone, text, short, False, tuple(citations), ())
