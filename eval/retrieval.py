"""Retrieval quality and latency: recall@k, MRR@10 and p50/p95 per retriever, in one run."""
from __future__ import annotations

import time
from typing import Callable, Sequence

import numpy as np

from eval.datasets import Question
from index.hybrid import RETRIEVERS, HybridIndex

Search = Callable[[str, int], list[str]]  # query, k -> paragraph keys in rank order


def evaluate(search: Search, questions: Sequence[Question], k: int = 10) -> dict[str, float]:
    ranks, times = [], []
    for q in questions:
        started = time.perf_counter()
        keys = search(q.question, k)
        times.append((time.perf_counter() - started) * 1000)
        rank = next((i + 1 for i, key in enumerate(keys) if key in q.gold), None)
        ranks.append(rank)

    def recall(n: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= n) / max(len(ranks), 1)

    return {
        "recall@1": round(recall(1), 4),
        "recall@3": round(recall(3), 4),
        "recall@5": round(recall(5), 4),
        "mrr@10": round(sum(1 / r for r in ranks if r is not None and r <= 10) / max(len(ranks), 1), 4),
        "p50_ms": round(float(np.percentile(times, 50)), 3) if times else 0.0,
        "p95_ms": round(float(np.percentile(times, 95)), 3) if times else 0.0,
        "n": len(ranks),
    }


def index_search(index: HybridIndex, retriever: str) -> Search:
    return lambda query, k: [h.paragraph.key for h in index.search(query, k, retriever)]


def run(index: HybridIndex, questions: Sequence[Question], retrievers: Sequence[str] = RETRIEVERS,
        warmup: int = 5) -> dict[str, dict[str, float]]:
    answerable = [q for q in questions if q.answerable]
    for q in answerable[:warmup]:
        index.search(q.question, 10)
    return {name: evaluate(index_search(index, name), answerable) for name in retrievers}
