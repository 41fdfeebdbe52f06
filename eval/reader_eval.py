"""How well the shipped reader reads: SQuAD EM/F1 given the gold paragraph or the retrieved ones.

``python -m eval reader`` reports, on the XQuAD-vi ``test`` half (558 questions, never trained or
tuned on), the reader given each question's own paragraph and given the top paragraphs that
hybrid retrieval finds among all 240; the reader always answers there (XQuAD has no unanswerable
question). The training command also runs :func:`evaluate` on its validation split with the
int8 reader it ships.
"""
from __future__ import annotations

import time
from typing import Callable, Sequence

import numpy as np

from eval import squad_metric
from eval.reader_data import Example


def evaluate(read: Callable[[Example], "object | None"], examples: Sequence[Example]) -> dict:
    """EM/F1 of the best span (always answering), and SQuAD 2.0 EM/F1 at the reader's own
    threshold for the examples it read (unanswerable ones count right when it abstains)."""
    rows, times = [], []
    for ex in examples:
        started = time.perf_counter()
        span = read(ex)
        times.append(1000 * (time.perf_counter() - started))
        text = span.text if span is not None else ""
        golds = [t for _, t in ex.answers]
        em, f1 = squad_metric.best(text, golds) if golds else (0.0, 0.0)
        answered = span is not None and span.answered
        em2, f12 = squad_metric.best(text if answered else "", golds)
        rows.append((ex.answerable, em, f1, em2, f12))
    has = [r for r in rows if r[0]]
    pct = lambda xs: round(100 * float(np.mean(xs)), 2) if xs else None  # noqa: E731
    return {"n": len(rows), "n_answerable": len(has),
            "em": pct([r[1] for r in has]), "f1": pct([r[2] for r in has]),
            "squad2_em": pct([r[3] for r in rows]), "squad2_f1": pct([r[4] for r in rows]),
            "abstained_answerable": pct([float(r[3] == 0 and r[4] == 0 and r[1] + r[2] > 0) for r in has]),
            "p50_ms": round(float(np.percentile(times, 50)), 1) if times else None,
            "p95_ms": round(float(np.percentile(times, 95)), 1) if times else None}


def by_source(read, examples: Sequence[Example]) -> dict:
    out = {}
    for source in dict.fromkeys(ex.source for ex in examples):
        out[source] = evaluate(read, [ex for ex in examples if ex.source == source])
    return out


def xquad_test(reader, index, k: int = 3, limit: int | None = None) -> dict:
    """The reader on XQuAD-vi ``test`` given the gold paragraph, then given the top ``k``
    paragraphs of hybrid retrieval (and the recall@k of that retrieval)."""
    from eval.reader_data import xquad

    examples = xquad("test")[:limit]
    gold = evaluate(lambda ex: reader.read_paragraphs(ex.question, [ex.context]), examples)
    hits_at_k = []

    def retrieved(ex: Example):
        hits = index.retrieve(ex.question, k=k).hits[:k]
        hits_at_k.append(any(h.paragraph.text == ex.context for h in hits))
        return reader.read_paragraphs(ex.question, [h.paragraph.text for h in hits])

    top = evaluate(retrieved, examples)
    top["recall_at_k"] = round(float(np.mean(hits_at_k)), 4)
    return {"gold_paragraph": gold, f"retrieved_top{k}": top}
