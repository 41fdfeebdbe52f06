"""Turn an elliptical follow-up into a standalone question, using the conversation so far:
"còn phường Đông Sơn thì sao?", "ông ấy giữ chức gì?", "dự án đó ở đâu?"."""
from __future__ import annotations

import re
from typing import Sequence

from chatbot.entities import find_people
from chatbot.numbers import SINGLE_YEAR
from chatbot.models import Turn
from index.hybrid import HybridIndex
from index.query import find_wards, ward_key
from ingest.text import match_key, nfc

_ELLIPSIS = re.compile(r"\b(?:thi sao|the nao|con\b|the con|vay con|con o|con voi)\b")
_PRONOUN_PERSON = re.compile(r"\b(ông ấy|bà ấy|đồng chí ấy|đồng chí đó|người đó|người này|vị này|vị đó|ông|bà)\b"
                             r"(?=\s|\?|$)", re.IGNORECASE)
_PRONOUN_PERSON_FOLDED = re.compile(r"\b(ong ay|ba ay|dong chi ay|dong chi do|nguoi do|nguoi nay|vi nay|vi do)\b")
_DEMONSTRATIVE = re.compile(r"\b(dự án|công trình|chỉ tiêu|khu đô thị|phường|xã|nghị quyết|đại hội|hội nghị|"
                            r"chương trình|bài viết|đơn vị|tuyến đường|đường)\s+(đó|này|ấy|kia|trên)\b",
                            re.IGNORECASE)


def _last(history: Sequence[Turn], role: str) -> str | None:
    for turn in reversed(history):
        if turn.role == role and turn.content.strip():
            return turn.content
    return None


def _replace_folded(text: str, pattern: re.Pattern[str], replacement: str) -> str:
    """Replace in ``text`` where ``pattern`` matches its folded key (folding keeps length)."""
    text = nfc(text)
    key = match_key(text)
    m = pattern.search(key)
    if not m or len(key) != len(text):
        return text
    return text[:m.start()] + replacement + text[m.end():]


def resolve(question: str, history: Sequence[Turn], index: HybridIndex, _depth: int = 2) -> str:
    """The question as it would be asked on its own. Without history it is returned as is."""
    question = question.strip()
    prev_q = _last(history, "user")
    if not prev_q:
        return question
    if _depth > 0:
        # the previous question may itself have leant on the one before ("ông ấy tên là gì?" then
        # "ngày nào?"): it is taken as it was understood
        k = max(i for i, t in enumerate(history) if t.role == "user" and t.content.strip())
        prev_q = resolve(prev_q, history[:k], index, _depth - 1)
    prev_a = _last(history, "assistant") or ""
    folded = match_key(question)
    # a ward no article is about is a ward all the same ("còn phường Hàm Rồng thì sao?"): the
    # answer will say the articles do not cover it
    new_wards = find_wards(question, index.ward_names) or _named_wards(question)
    prev_wards = find_wards(prev_q, index.ward_names)

    # "còn phường Đông Sơn thì sao?" — the previous question, about the new ward; a whole question
    # that happens to say "còn" ("… năm 2025 còn bao nhiêu?") stands on its own
    if new_wards and _leans_on_context(folded, new_wards):
        out = nfc(prev_q)
        if prev_wards:
            key = match_key(out)
            spans = []
            for w in prev_wards:
                for m in re.finditer(r"(?:(?:phuong|xa)\s+)?" + re.escape(ward_key(w)), key):
                    spans.append((m.start(), m.end()))
            spans.sort()
            if spans and len(key) == len(out):
                first = spans[0]
                for a, b in reversed(spans[1:]):
                    out = out[:a] + out[b:]
                out = out[:first[0]] + " và ".join(new_wards) + out[first[1]:]
                return re.sub(r"\s+", " ", out).strip()
        return f"{out.rstrip(' ?')} của {' và '.join(new_wards)}?"

    # "năm 2021 thì sao?" — the previous question, about the new year
    new_years = SINGLE_YEAR.findall(question)
    if new_years and not new_wards and (_ELLIPSIS.search(folded) or len(folded.split()) <= 5):
        out = nfc(prev_q)
        if SINGLE_YEAR.search(out):
            out = SINGLE_YEAR.sub(lambda m, it=iter(new_years): next(it, m.group(0)), out, count=len(new_years))
            return out
        return f"{out.rstrip(' ?')} năm {' và '.join(new_years)}?"

    # "ông ấy giữ chức gì?" — the person named last
    if _PRONOUN_PERSON_FOLDED.search(folded):
        people = find_people(prev_a) + find_people(prev_q)
        if people:
            if re.search(r"\bten\b.*\bgi\b|\bho ten\b", folded):   # "ông ấy tên là gì?": who is it
                return f"{people[0].name} là ai?"
            return _replace_folded(question, _PRONOUN_PERSON_FOLDED, people[0].name)

    # "dự án đó ở đâu?" — the thing the previous turn was about
    m = _DEMONSTRATIVE.search(nfc(question))
    if m:
        subject = _subject(prev_a, prev_q, m.group(1))
        if subject:
            q = nfc(question)
            return q[:m.start()] + subject + q[m.end():]

    # a short question leaning on context: carry the previous question's wards and names along
    # (not when it names its own ward: then it is whole)
    if not new_wards and (len(folded.split()) <= 6 or _ELLIPSIS.search(folded)):
        context = list(prev_wards) + [p.name for p in find_people(prev_q)]
        if context:
            return f"{question.rstrip(' ?')} ({', '.join(context)})?"
        return f"{question.rstrip(' ?')} ({prev_q.rstrip(' ?')})?"
    return question


_WARD_NAMED = re.compile(r"\b(?:phường|xã|phuong|xa)\s+([A-ZĐ][^\W\d_]*(?:\s+[A-ZĐ][^\W\d_]*)*)")
_FILLER = frozenset("con thi sao the nao vay phuong xa o voi cua va ben tai".split())


def _named_wards(question: str) -> list[str]:
    """Capitalised names after "phường"/"xã", as written."""
    return [m.group(1) for m in _WARD_NAMED.finditer(nfc(question))]


def _leans_on_context(folded: str, wards: list[str]) -> bool:
    """Whether, the wards and the words of ellipsis aside, at most two words are left: "còn
    Đông Sơn thì sao?", "Đông Sơn bao nhiêu?" lean on the previous question, "còn tỷ lệ BHYT của
    Đông Sơn?" does not."""
    rest = f" {' '.join(re.findall(r'[a-z0-9]+', folded))} "
    for w in wards:
        rest = rest.replace(f" {ward_key(w)} ", " ")
    return len([w for w in rest.split() if w not in _FILLER]) <= 2


def _subject(prev_a: str, prev_q: str, noun: str) -> str | None:
    """The named thing of kind ``noun`` in the previous answer (its first line), else question."""
    for source in (prev_a.split("\n")[0], prev_q, prev_a):
        text = nfc(source)
        k = text.lower().find(noun.lower())
        if k != -1:
            tail = re.split(r"[,;.?\[\n(]", text[k:])[0].strip()
            if len(tail.split()) > len(noun.split()):
                return tail
        if source is prev_a.split("\n")[0] and source.strip() and not source.startswith("Các bài viết"):
            first = re.split(r"\s*\[\d+\]", source)[0].strip()
            if first and noun.lower() in first.lower():
                return first
    return None
