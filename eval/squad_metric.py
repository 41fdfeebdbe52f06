"""SQuAD exact match and token F1, standard library only.

Its own module so that the reader's training (``eval.train_reader``, run on a bare GPU machine
with torch and numpy but none of the service's packages) scores exactly as ``eval answers`` does.
"""
from __future__ import annotations

import collections
import string
import unicodedata
from typing import Iterable

_DROP = set(string.punctuation) | {"“", "”", "…"}


def normalize(text: str) -> str:
    """NFC, lower case, punctuation dropped, white space collapsed (no English articles: the
    texts are Vietnamese)."""
    text = unicodedata.normalize("NFC", text).lower()
    return " ".join("".join(ch for ch in text if ch not in _DROP).split())


def exact(pred: str, gold: str) -> float:
    return float(normalize(pred) == normalize(gold))


def f1(pred: str, gold: str) -> float:
    p, g = normalize(pred).split(), normalize(gold).split()
    same = sum((collections.Counter(p) & collections.Counter(g)).values())
    if not p or not g or same == 0:
        # SQuAD 2.0: an empty prediction for an unanswerable question is right
        return float(not p and not g)
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def best(pred: str, golds: Iterable[str]) -> tuple[float, float]:
    """EM and F1 of ``pred`` against the best of ``golds`` (an empty list: unanswerable, so only
    an empty prediction scores)."""
    golds = list(golds) or [""]
    return max(exact(pred, g) for g in golds), max(f1(pred, g) for g in golds)
