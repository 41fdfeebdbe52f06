"""How the reader sees a question and a passage, and how its logits become a span.

One layout for training, validation and serving: ``<s> question </s></s> passage </s>`` (the
XLM-R pair template), the passage cut into windows that overlap by ``stride`` tokens when it
does not fit. The score of a span is its start logit plus its end logit; the score of "not
answered" is the same at the ``<s>`` position (SQuAD 2.0, as BERT's reference reader does it).

NumPy only: the GPU training run, the pack step and the onnxruntime reader all import it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

CLS, PAD, SEP = 0, 1, 2
MAX_QUESTION_TOKENS = 64
MAX_ANSWER_TOKENS = 40   # a short answer; longer gold spans are lists or whole clauses

# text -> token ids and (start, end) character offsets into that text, no special tokens
Tokenize = Callable[[str], tuple[list[int], list[tuple[int, int]]]]


def hf_tokenize(tokenizer) -> Tokenize:
    """The ``tokenizers.Tokenizer`` of the converted model as a :data:`Tokenize`."""

    def tokenize(text: str) -> tuple[list[int], list[tuple[int, int]]]:
        enc = tokenizer.encode(text, add_special_tokens=False)
        return list(enc.ids), [tuple(o) for o in enc.offsets]

    return tokenize


@dataclass(frozen=True)
class Window:
    """One model input: ``ids`` laid out as above; passage token ``k`` of the window sits at
    position ``first + k`` and covers ``offsets[k]`` of the passage."""

    ids: tuple[int, ...]
    first: int
    offsets: tuple[tuple[int, int], ...]

    @property
    def length(self) -> int:
        return len(self.ids)


def windows(question_ids: Sequence[int], passage_ids: Sequence[int],
            passage_offsets: Sequence[tuple[int, int]], max_len: int = 384, stride: int = 128) -> list[Window]:
    """The passage in as many windows as it needs, each overlapping the previous by ``stride``."""
    q = list(question_ids)[:MAX_QUESTION_TOKENS]
    room = max_len - len(q) - 4
    if room < 16:
        raise ValueError("max_len too small for the question")
    head = [CLS, *q, SEP, SEP]
    out = []
    start = 0
    n = len(passage_ids)
    while True:
        end = min(start + room, n)
        out.append(Window(tuple(head + list(passage_ids[start:end]) + [SEP]), len(head),
                          tuple(tuple(o) for o in passage_offsets[start:end])))
        if end >= n:
            return out
        start = end - min(stride, room - 1)


def token_targets(window: Window, answer_start: int, answer_end: int) -> tuple[int, int]:
    """Positions of the answer's first and last token in the window; (0, 0), the ``<s>``
    position, when the window does not hold the whole answer."""
    offsets = window.offsets
    if not offsets or answer_start < offsets[0][0] or answer_end > offsets[-1][1]:
        return 0, 0
    s = next((k for k, (a, b) in enumerate(offsets) if b > answer_start), None)
    e = next((k for k in range(len(offsets) - 1, -1, -1) if offsets[k][0] < answer_end), None)
    if s is None or e is None or e < s:
        return 0, 0
    return window.first + s, window.first + e


@dataclass(frozen=True)
class SpanScore:
    """The best span of one window: passage characters ``[start, end)``, its score (start plus
    end logit) and the window's "not answered" score."""

    start: int
    end: int
    score: float
    null: float


def best_span(window: Window, start_logits: np.ndarray, end_logits: np.ndarray, text: str,
              max_tokens: int = MAX_ANSWER_TOKENS) -> SpanScore | None:
    """The highest scoring passage span of at most ``max_tokens`` tokens, its characters
    trimmed of white space; None when the window has no passage token."""
    n = len(window.offsets)
    if n == 0:
        return None
    s = np.asarray(start_logits[window.first:window.first + n], dtype=np.float64)
    e = np.asarray(end_logits[window.first:window.first + n], dtype=np.float64)
    scores = s[:, None] + e[None, :]
    i, j = np.indices(scores.shape)
    scores[(j < i) | (j - i >= max_tokens)] = -np.inf
    flat = int(np.argmax(scores))
    a, b = divmod(flat, n)
    start, end = whole_words(text, window.offsets[a][0], window.offsets[b][1])
    return SpanScore(start, end, float(scores[a, b]), float(start_logits[0] + end_logits[0]))


_TRAILING = ",;:–-"


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` trimmed of white space and trailing commas, and widened to whole words
    and whole numbers: a piece boundary can fall inside "0,27" ("0,2" + "7"), and a span that
    cut a number would be a figure the passage does not state."""
    while start < end and text[start].isspace():
        start += 1
    while start > 0 and (text[start - 1].isalnum() or _inside_number(text, start - 1)):
        start -= 1
    while end < len(text) and (text[end].isalnum() and end > start and text[end - 1].isalnum()
                               or _inside_number(text, end)):
        end += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _TRAILING):
        end -= 1
    return start, end


def _inside_number(text: str, i: int) -> bool:
    """``text[i]`` is a digit group separator between two digits ("13,5", "8.981")."""
    return text[i] in ".," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def pad_batch(batch: Sequence[Sequence[int]], pad: int = PAD) -> tuple[np.ndarray, np.ndarray]:
    """Ids padded to the longest and the attention mask (1 = token), both int64."""
    width = max(len(ids) for ids in batch)
    ids = np.full((len(batch), width), pad, dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=np.int64)
    for r, row in enumerate(batch):
        ids[r, :len(row)] = row
        mask[r, :len(row)] = 1
    return ids, mask
