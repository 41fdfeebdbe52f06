"""Tune the fusion weights on the project's own eval set (``python -m eval tune``).

Each question's per-retriever scores are computed once; every weight combination is then
scored by recall@1, recall@3 and MRR over the questions as written and typed without tone
marks. The best combination is printed as a ``FusionWeights(...)`` to paste into
``index/hybrid.py``; the held-out set is reported beside it, never tuned on.
"""
from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Sequence

import numpy as np

from eval.datasets import Question
from index.hybrid import FusionWeights, HybridIndex, fuse

GRID = {
    "dense": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6),
    "words_share": (0.0, 0.25, 0.5, 0.75, 1.0),
    "numeric_dense": (0.0, 0.1, 0.2, 0.3),
    "restored_dense": (0.0, 0.1, 0.2, 0.3),
    "ward_bonus": (0.0, 0.2, 0.5, 1.0),
    "sentence_dense": (0.0, 0.5, 1.0),
}


def _prepare(index: HybridIndex, questions: Sequence[Question]):
    prepared = []
    base = FusionWeights()
    for q in questions:
        analysis = index.analyze(q.question)
        qvec = index.embedder.embed_queries([analysis.accented])[0]
        lex = index.lexical_signals(analysis, base)
        signals = index.hybrid_signals(analysis, qvec, lex, base.candidates)
        gold = np.array([index.paragraphs[r].key in q.gold for r in signals.rows])
        prepared.append((analysis, signals, gold))
    return prepared


def score(prepared, weights: FusionWeights) -> dict[str, float]:
    r1 = r3 = mrr = 0.0
    for analysis, signals, gold in prepared:
        fused = fuse(signals, analysis, weights)
        order = np.argsort(-fused, kind="stable")[:10]
        hits = np.nonzero(gold[order])[0]
        if len(hits):
            rank = int(hits[0]) + 1
            r1 += rank == 1
            r3 += rank <= 3
            mrr += 1 / rank
    n = max(len(prepared), 1)
    return {"recall@1": r1 / n, "recall@3": r3 / n, "mrr@10": mrr / n}


def tune(index: HybridIndex, questions: Sequence[Question]) -> tuple[FusionWeights, dict[str, float]]:
    answerable = [q for q in questions if q.answerable]
    prepared = _prepare(index, answerable + [q.without_tone_marks() for q in answerable])
    best, best_key, best_scores = None, None, None
    for dense, share, num, rest, ward, sentence in itertools.product(*GRID.values()):
        w = replace(FusionWeights(), dense=dense, bm25_words=share, bm25_syllables=1 - share,
                    numeric_dense=num, restored_dense=rest, ward_bonus=ward, sentence_dense=sentence)
        s = score(prepared, w)
        key = (round(s["recall@3"], 4), round(s["recall@1"], 4), round(s["mrr@10"], 4))
        if best_key is None or key > best_key:
            best, best_key, best_scores = w, key, s
    return best, best_scores
