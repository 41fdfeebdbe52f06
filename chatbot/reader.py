"""The trained reader: the exact span of a few candidate passages that answers a question, with
its score and the score of "not answered".

The answerer hands it at most three windows (a candidate sentence with its neighbours, at most
192 tokens each, cut around the sentence when longer); they go through the int8 ONNX reader
(:mod:`index.reader_export`) in one batched run. The span returned is a slice of the passage's
own text, so it is verbatim by construction. Tokens come from the retrieval encoder's tokenizer
and their rows from its word-embedding matrix (:mod:`index.word_embeddings`), so the reader adds
only its own layers to a worker's memory.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from index.reader_spans import SpanScore, Tokenize, Window, best_span, pad_batch, windows
from index.word_embeddings import WordEmbeddings

MAX_WINDOWS = 3
MAX_WINDOW_TOKENS = 192


@dataclass(frozen=True)
class Passage:
    """A window ``text[start:end]`` of a paragraph, to be cut around ``focus`` (the candidate
    sentence) when it is longer than the reader reads."""

    text: str
    start: int
    end: int
    focus: tuple[int, int] | None = None
    key: str = ""          # whose text it is (a paragraph key), handed back on the span


@dataclass(frozen=True)
class ReaderSpan:
    """The reader's answer: ``text[start:end]`` of the passage ``passage`` (its ``key``) and its
    scores. ``margin`` is the span's score minus the lowest "not answered" score of the windows
    read; the question is answered there when it exceeds ``threshold`` (fitted on the reader's
    validation split)."""

    passage: int
    key: str
    start: int
    end: int
    text: str
    score: float
    null: float
    threshold: float

    @property
    def margin(self) -> float:
        return self.score - self.null

    @property
    def answered(self) -> bool:
        return self.margin > self.threshold

    def features(self) -> dict[str, float]:
        """The reader's side of the answer decision, as numbers."""
        return {"reader_score": self.score, "reader_null": self.null,
                "reader_margin": self.margin - self.threshold, "reader_answered": float(self.answered),
                "reader_tokens": float(len(self.text.split()))}


class Reader:
    def __init__(self, onnx_dir: Path, tokenize: Tokenize, words: WordEmbeddings, *,
                 threshold: float | None = None, num_threads: int | None = None) -> None:
        import json

        import onnxruntime as ort

        from index.reader_export import MODEL_FILE, STAMP_NAME

        options = ort.SessionOptions()
        options.intra_op_num_threads = int(num_threads or os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # no arena: windows vary in length, and an arena keeps the largest run's buffers for good
        options.enable_cpu_mem_arena = False
        self._session = ort.InferenceSession(str(Path(onnx_dir) / MODEL_FILE), options,
                                             providers=["CPUExecutionProvider"])
        self._tokenize = tokenize
        self._words = words
        stamp = json.loads((Path(onnx_dir) / STAMP_NAME).read_text(encoding="utf-8"))
        self.threshold = float(stamp.get("no_answer_threshold", 0.0) if threshold is None else threshold)

    def _window(self, question_ids: list[int], passage: Passage, max_tokens: int) -> Window:
        ids, offsets = self._tokenize(passage.text[passage.start:passage.end])
        offsets = [(a + passage.start, b + passage.start) for a, b in offsets]
        lo, hi = _around(offsets, passage.focus, max_tokens)
        return windows(question_ids, ids[lo:hi], offsets[lo:hi], max_len=10_000)[0]

    def read(self, question: str, passages: Sequence[Passage],
             max_tokens: int = MAX_WINDOW_TOKENS) -> ReaderSpan | None:
        """The best span over the first three passages, each cut to ``max_tokens`` around its
        focus (None when there is nothing to read), in one batched run."""
        passages = list(passages)[:MAX_WINDOWS]
        if not passages:
            return None
        q_ids, _ = self._tokenize(question)
        wins = [self._window(q_ids, p, max_tokens) for p in passages]
        return self._best(wins, list(range(len(wins))), [p.text for p in passages], [p.key for p in passages])

    def read_paragraphs(self, question: str, texts: Sequence[str], keys: Sequence[str] = (),
                        max_len: int = 384, stride: int = 128) -> ReaderSpan | None:
        """The best span of whole paragraphs, each in as many windows as it needs (as in
        training): for evaluation given gold or retrieved paragraphs, and for long texts."""
        q_ids, _ = self._tokenize(question)
        wins, owner = [], []
        for k, text in enumerate(texts):
            ids, offsets = self._tokenize(text)
            for w in windows(q_ids, ids, offsets, max_len, stride):
                wins.append(w)
                owner.append(k)
        keys = list(keys) or [""] * len(texts)
        return self._best(wins, owner, list(texts), keys) if wins else None

    def _best(self, wins: list[Window], owner: list[int], texts: list[str], keys: list[str],
              batch: int = 8) -> ReaderSpan | None:
        best: tuple[int, SpanScore] | None = None
        null = float("inf")
        for lo in range(0, len(wins), batch):
            part = wins[lo:lo + batch]
            ids, mask = pad_batch([w.ids for w in part])
            start, end = self._session.run(None, {"words": self._words.rows(ids), "mask": mask})
            for k, w in enumerate(part):
                null = min(null, float(start[k, 0] + end[k, 0]))
                span = best_span(w, start[k], end[k], texts[owner[lo + k]])
                if span is not None and span.end > span.start and (best is None or span.score > best[1].score):
                    best = (owner[lo + k], span)
        if best is None:
            return None
        n, span = best
        return ReaderSpan(n, keys[n], span.start, span.end, texts[n][span.start:span.end], span.score, null,
                          self.threshold)


def _around(offsets: Sequence[tuple[int, int]], focus: tuple[int, int] | None, limit: int) -> tuple[int, int]:
    """Token range of at most ``limit`` tokens: all of them if they fit, else the focus's tokens
    widened evenly on both sides (the focus itself cut to ``limit`` if it is longer)."""
    n = len(offsets)
    if n <= limit:
        return 0, n
    if focus is None:
        return 0, limit
    inside = [k for k, (a, b) in enumerate(offsets) if b > focus[0] and a < focus[1]] or [0]
    lo, hi = inside[0], min(inside[-1] + 1, inside[0] + limit)
    while hi - lo < limit:
        if lo > 0:
            lo -= 1
        if hi < n and hi - lo < limit:
            hi += 1
    return lo, hi


def load_reader(cache_dir: Path, embedder) -> Reader:
    """The shipped reader (its ONNX graph built into ``cache_dir`` if missing), reading tokens
    with ``embedder``'s tokenizer when it exposes one (no second 280 MB copy)."""
    from index.reader_export import ensure_reader
    from index.word_embeddings import FileWordEmbeddings, ensure_matrix

    tokenize = getattr(embedder, "tokenize", None)
    if tokenize is None:
        from tokenizers import Tokenizer

        from index.convert import ensure_converted
        from index.reader_spans import hf_tokenize

        tokenize = hf_tokenize(Tokenizer.from_file(str(ensure_converted(cache_dir) / "tokenizer.json")))
    return Reader(ensure_reader(cache_dir), tokenize, FileWordEmbeddings(ensure_matrix(cache_dir)))
