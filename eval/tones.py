"""Tone-mark restoration accuracy: each eval question is folded (marks removed) and restored by
a restorer trained on the dataset's own articles; the share of syllables that come back as
written is reported, with and without the Vietnamese word list (``python -m eval tones``)."""
from __future__ import annotations

import re
from typing import Sequence

from index.accents import ToneRestorer
from ingest.text import fold_diacritics, normalize_for_match

_SYLLABLE = re.compile(r"[^\W\d_]+", re.UNICODE)


def syllable_accuracy(restorer: ToneRestorer, questions: Sequence[str]) -> float:
    right = total = 0
    for q in questions:
        gold = [s.lower() for s in _SYLLABLE.findall(normalize_for_match(q))]
        out = [s.lower() for s in _SYLLABLE.findall(normalize_for_match(restorer.restore(fold_diacritics(q))))]
        if len(gold) != len(out):  # never happens: restoring keeps the syllables, only marks change
            raise AssertionError(f"restoring changed the syllables of {q!r}")
        right += sum(a == b for a, b in zip(gold, out))
        total += len(gold)
    return right / max(total, 1)


def run() -> dict[str, dict[str, float]]:
    from pathlib import Path

    from eval.datasets import seeds_questions, xquad_articles, xquad_questions
    from ingest.corpus import load_corpus
    from settings import ROOT

    seeds = load_corpus(Path(ROOT / "seeds")).articles
    sets = {
        "seeds": ([a.title for a in seeds] + [p.text for a in seeds for p in a.paragraphs],
                  [q.question for q in seeds_questions() + seeds_questions(heldout=True)]),
        "xquad-vi": ([p.text for a in xquad_articles() for p in a.paragraphs],
                     [q.question for q in xquad_questions()]),
    }
    out = {}
    for name, (texts, questions) in sets.items():
        out[name] = {
            "with_word_list": round(syllable_accuracy(ToneRestorer.train(texts), questions), 4),
            "corpus_only": round(syllable_accuracy(ToneRestorer.train(texts, lexicon=[]), questions), 4),
            "questions": len(questions),
        }
    return out
