"""Does the serving encoder give the vectors the int8 export gave when run whole?

    .venv/bin/python -m eval.embed_check [--vectors N] [--json]

The serving encoder (:class:`index.embedder.OnnxEmbedder`: sentencepiece tokenizer, word rows
looked up outside the graph) against the export run as it was served before
(:class:`index.embedder.Int8OnnxEmbedder`: ``tokenizers`` and the whole graph), on every text
the eval sets embed or ask (:func:`eval_texts`): the token ids of each text with the query and
the passage prefix, and the cosine of the two vectors (all texts, or ``--vectors N`` of each
set, spread over it).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np

from eval.datasets import DATA, SEEDS_DIR, read_jsonl, seeds_questions, xquad_articles, xquad_questions

NEWS_DIR = DATA / "news"


def _passages(articles) -> list[str]:
    """What an index of ``articles`` embeds: each indexed paragraph's search text and sentences."""
    from index.build import indexed_paragraphs, search_text
    from ingest.text import split_sentences

    out = []
    for p in indexed_paragraphs(articles):
        out.append(search_text(p))
        out.extend(p.text[s:e] for s, e in split_sentences(p.text))
    return out


def eval_texts() -> dict[str, list[str]]:
    """Every text of the seeds, XQuAD-vi and (when present) the news corpus that is embedded or
    asked: passages and sentences as indexed, questions as typed and without tone marks, claims."""
    from ingest.corpus import load_corpus

    seeds = seeds_questions() + seeds_questions(heldout=True)
    sets = {
        "seeds passages": _passages(load_corpus(SEEDS_DIR).articles),
        "seeds questions": [q.question for q in seeds] + [q.without_tone_marks().question for q in seeds]
                           + [row["claim"] for row in read_jsonl(DATA / "claims.jsonl")],
        "xquad-vi passages": _passages(xquad_articles()),
        "xquad-vi questions": [q.question for q in xquad_questions()],
    }
    if (NEWS_DIR / "articles").is_dir():
        sets["news passages"] = _passages(load_corpus(NEWS_DIR / "articles").articles)
        rows = [*read_jsonl(NEWS_DIR / "questions.jsonl")] if (NEWS_DIR / "questions.jsonl").exists() else []
        claims = [*read_jsonl(NEWS_DIR / "claims.jsonl")] if (NEWS_DIR / "claims.jsonl").exists() else []
        sets["news questions"] = [r["question"] for r in rows] + [r["claim"] for r in claims]
    return {name: list(dict.fromkeys(texts)) for name, texts in sets.items()}


def spread(texts: list[str], n: int) -> list[str]:
    """``n`` texts taken evenly over ``texts`` (all of them when ``n`` is 0 or more than there are)."""
    if n <= 0 or n >= len(texts):
        return texts
    return [texts[round(i * (len(texts) - 1) / (n - 1))] for i in range(n)] if n > 1 else texts[:1]


def compare(lean, whole, sets: dict[str, list[str]], vectors: int = 0) -> dict[str, dict]:
    """Per set: texts, texts whose ids differ (either prefix, also in NFD form), and the
    smallest query and passage cosine over the texts compared."""
    from index.embedder import PASSAGE_PREFIX, QUERY_PREFIX

    out = {}
    for name, texts in sets.items():
        forms = texts + [unicodedata.normalize("NFD", t) for t in texts]
        differ = [t for t in forms for p in (QUERY_PREFIX, PASSAGE_PREFIX)
                  if lean.token_ids(p + t) != whole.token_ids(p + t)]
        picked = spread(texts, vectors)
        cos_q = np.sum(lean.embed_queries(picked) * whole.embed_queries(picked), axis=1)
        cos_p = np.sum(lean.embed_passages(picked) * whole.embed_passages(picked), axis=1)
        out[name] = {"texts": len(texts), "ids_differ": len(differ), "first_differing": differ[:3],
                     "vectors_compared": len(picked), "min_cos_query": float(cos_q.min()),
                     "min_cos_passage": float(cos_p.min())}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.embed_check", description=__doc__.splitlines()[0])
    ap.add_argument("--vectors", type=int, default=0, help="texts per set whose vectors are compared (0: all)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from index.embedder import Int8OnnxEmbedder, OnnxEmbedder
    from index.onnx_lean import ensure_lean
    from index.onnx_model import default_onnx_dir
    from settings import Settings

    cache = Settings().model_cache_dir
    lean, whole = OnnxEmbedder(ensure_lean(cache)), Int8OnnxEmbedder(default_onnx_dir(cache))
    t0 = time.perf_counter()
    result = compare(lean, whole, eval_texts(), args.vectors)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for name, r in result.items():
            print(f"{name:20s} {r['texts']:6d} texts, ids differ on {r['ids_differ']} (both prefixes, as written "
                  f"and NFD); vectors of {r['vectors_compared']}: min cosine query {r['min_cos_query']:.6f}, "
                  f"passage {r['min_cos_passage']:.6f}")
        print(f"({time.perf_counter() - t0:.0f} s)")
    bad = any(r["ids_differ"] or min(r["min_cos_query"], r["min_cos_passage"]) < 0.9999 for r in result.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
