"""The loaded index: hybrid search over FAISS and two BM25 analyzers, ward- and query-aware."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from index import dense, lexical
from index.accents import ToneRestorer
from index.build import current_generation
from index.embedder import Embedder
from index.models import Hit
from index.query import QueryAnalysis, find_wards, is_numeric, needs_tone_restoration, ward_key
from index.synonyms import Thesaurus
from ingest.models import Article, Paragraph, article_from_dict
from ingest.text import match_key

log = logging.getLogger(__name__)

RETRIEVERS = ("hybrid", "dense", "bm25_words", "bm25_syllables")


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the min-max-normalised scores, per kind of question. Tuned with
    ``python -m eval tune`` on the project's eval set; see README."""

    dense: float = 0.4
    bm25_words: float = 0.25
    bm25_syllables: float = 0.75
    numeric_dense: float = 0.2      # a figure is matched by its words, not its meaning
    restored_dense: float = 0.4     # restored tone marks are right ~88-97% of syllables (README): trusted as typed
    ward_bonus: float = 0.5         # articles about the named ward rank first
    candidates: int = 50
    expansion: float = 0.5          # weight of equivalent phrases (index.synonyms) in the lexical scores
    # share of the dense score taken from the paragraph's closest sentence (when closer than the
    # paragraph as a whole): a question is about one sentence, and a long paragraph's vector
    # averages it away (XQuAD-vi R@1 0.950 -> 0.955, seeds unchanged)
    sentence_dense: float = 0.5


@dataclass(frozen=True)
class Retrieval:
    """Hits plus what the answer stage can reuse without recomputing."""

    hits: list[Hit]
    analysis: QueryAnalysis
    query_vector: np.ndarray | None = field(repr=False, default=None)


class HybridIndex:
    def __init__(self, generation: Path, embedder: Embedder, weights: FusionWeights | None = None, *,
                 on_step: Callable[[str], None] | None = None):
        step = on_step or (lambda name: None)  # called after each loading step (eval.scale measures memory)
        self.generation = generation
        self.embedder = embedder
        self.weights = weights or FusionWeights()
        self.manifest = json.loads((generation / "manifest.json").read_text())
        if self.manifest["model_id"] != embedder.model_id:
            raise ValueError(
                f"index built with {self.manifest['model_id']}, embedder is {embedder.model_id}")
        self.articles: dict[str, Article] = {a.article_id: a for a in _load_articles(generation / "articles.json")}
        by_key = {p.key: p for a in self.articles.values() for p in a.paragraphs}
        self.paragraphs: list[Paragraph] = [by_key[k] for k in json.loads((generation / "rows.json").read_text())]
        self.row_of: dict[str, int] = {p.key: i for i, p in enumerate(self.paragraphs)}
        step("articles")
        # The large arrays are memory-mapped, not copied: a query touches only its candidates' rows,
        # the kernel shares the pages between worker processes and can drop them under pressure.
        self.vectors = np.load(generation / "vectors.npy", mmap_mode="r")
        step("vectors")
        self.faiss = dense.load_faiss(generation / "dense.faiss", mmap=True)
        step("faiss")
        self.sentences = np.load(generation / "sentences.npy")
        self.sentence_vectors = np.load(generation / "sentence_vectors.npy", mmap_mode="r")
        self._sentence_lo, self._sentence_hi = self._group_sentences()
        step("sentences")
        self.lexical = {}
        for name in lexical.ANALYZERS:
            self.lexical[name] = lexical.LexicalIndex.load(generation / name, mmap=True)
            step(name)
        self.thesaurus = Thesaurus()
        self.tones = ToneRestorer.load(generation / "tones.json")
        step("tones")
        self.ward_names: dict[str, str] = {}
        for a in self.articles.values():
            for w in a.wards:
                self.ward_names.setdefault(ward_key(w), w)
        self._article_ward_keys = {aid: {ward_key(w) for w in a.wards} for aid, a in self.articles.items()}
        self._row_article = [p.article_id for p in self.paragraphs]
        step("wards")

    @classmethod
    def load(cls, index_dir: Path, embedder: Embedder, weights: FusionWeights | None = None, *,
             on_step: Callable[[str], None] | None = None) -> "HybridIndex":
        gen = current_generation(index_dir)
        if gen is None:
            raise FileNotFoundError(f"không tìm thấy chỉ mục trong {index_dir}")
        return cls(gen, embedder, weights, on_step=on_step)

    # -- query side -------------------------------------------------------------------------
    def analyze(self, query: str) -> QueryAnalysis:
        restored = needs_tone_restoration(query)
        accented = self.tones.restore(query) if restored else query
        folded = match_key(query)
        return QueryAnalysis(query, accented, restored, folded, find_wards(query, self.ward_names),
                             is_numeric(folded))

    def sentences_of(self, row: int) -> list[tuple[int, int, int]]:
        """(sentence index, start, end) of the sentences of indexed paragraph ``row``."""
        if not 0 <= row < len(self._sentence_lo):
            return []
        lo, hi = int(self._sentence_lo[row]), int(self._sentence_hi[row])
        return [(i, int(self.sentences[i, 1]), int(self.sentences[i, 2])) for i in range(lo, hi)]

    def _group_sentences(self) -> tuple[np.ndarray, np.ndarray]:
        """First and one-past-last sentence index of every row (two arrays, not a dict of
        100,000 tuples). The build writes sentences in row order."""
        rows = self.sentences[:, 0] if len(self.sentences) else np.zeros(0, dtype=np.int32)
        if np.any(np.diff(rows) < 0):
            raise ValueError(f"{self.generation / 'sentences.npy'}: sentences are not in paragraph order")
        every_row = np.arange(len(self.paragraphs))
        return np.searchsorted(rows, every_row, "left"), np.searchsorted(rows, every_row, "right")

    # -- search -----------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, retriever: str = "hybrid", *, ward_aware: bool = True) -> list[Hit]:
        return self.retrieve(query, k, retriever, ward_aware=ward_aware).hits

    def retrieve(self, query: str, k: int = 5, retriever: str = "hybrid", *, ward_aware: bool = True,
                 weights: FusionWeights | None = None, query_vector: np.ndarray | None = None) -> Retrieval:
        """``query_vector``: the dense vector to use instead of encoding ``query`` (a part of a
        question already encoded whole: encoding is most of a query's time)."""
        if retriever not in RETRIEVERS:
            raise ValueError(f"unknown retriever {retriever!r}; choose from {RETRIEVERS}")
        analysis = self.analyze(query)
        n = len(self.paragraphs)
        if n == 0 or not query.strip():
            return Retrieval([], analysis)
        w = weights or self.weights
        qvec = None
        signals: dict[str, np.ndarray] = {}
        if retriever in ("hybrid", "dense"):
            qvec = query_vector if query_vector is not None else self.embedder.embed_queries([analysis.accented])[0]
        if retriever == "hybrid":
            signals = self.lexical_signals(analysis, w)
        elif retriever == "bm25_words":
            signals["bm25_words"] = self.lexical["bm25_words"].scores(analysis.accented)
        elif retriever == "bm25_syllables":
            signals["bm25_syllables"] = self.lexical["bm25_syllables"].scores(query)

        if retriever == "dense":
            scores, ids = dense.search(self.faiss, qvec, k)
            hits = [self._hit(int(i), float(s), r, {"dense": float(s)}) for r, (s, i) in enumerate(zip(scores, ids))]
            return Retrieval(hits, analysis, qvec)
        if retriever != "hybrid":
            s = signals[retriever]
            order = _top(s, k)
            hits = [self._hit(int(i), float(s[i]), r, {retriever: float(s[i])}) for r, i in enumerate(order) if s[i] > 0]
            return Retrieval(hits, analysis, qvec)

        signals_ = self.hybrid_signals(analysis, qvec, signals, w.candidates)
        fused = fuse(signals_, analysis, w, ward_aware=ward_aware)
        order = np.argsort(-fused, kind="stable")[:k]
        hits = []
        for rank, j in enumerate(order):
            sig = {name: float(v[j]) for name, v in signals_.parts.items()}
            sig["ward"] = float(signals_.ward[j])
            hits.append(self._hit(int(signals_.rows[j]), float(fused[j]), rank, sig))
        return Retrieval(hits, analysis, qvec)

    def lexical_signals(self, analysis: QueryAnalysis, w: FusionWeights) -> dict[str, np.ndarray]:
        """Both BM25 sides of the hybrid: the words analyzer on the accented text, the syllable
        analyzer on the text as typed plus the everyday or official equivalents of the question's
        phrases (index.synonyms) at a fraction of the weight of the words actually asked (on the
        words analyzer too they changed no ranking of the eval sets, and cost a segmenter run)."""
        signals = {"bm25_words": self.lexical["bm25_words"].scores(analysis.accented),
                   "bm25_syllables": self.lexical["bm25_syllables"].scores(analysis.text)}
        wider = self.thesaurus.expansion(analysis.accented) if w.expansion else ""
        if wider:
            signals["bm25_syllables"] = signals["bm25_syllables"] + \
                w.expansion * self.lexical["bm25_syllables"].scores(wider)
        return signals

    def hybrid_signals(self, analysis: QueryAnalysis, qvec: np.ndarray, lexical_scores: dict[str, np.ndarray],
                       candidates: int) -> "Signals":
        """Candidates from every side (top ``candidates`` of each) with every side's score."""
        cand: set[int] = set()
        _, d_ids = dense.search(self.faiss, qvec, candidates)
        cand.update(int(i) for i in d_ids)
        for s in lexical_scores.values():
            cand.update(int(i) for i in _top(s, candidates) if s[i] > 0)
        rows = np.fromiter(sorted(cand), dtype=np.int64)
        para_dense = self.vectors[rows] @ qvec
        parts = {"dense": para_dense, "dense_sentence": self._closest_sentence(rows, qvec, para_dense),
                 **{name: s[rows] for name, s in lexical_scores.items()}}
        ward = np.zeros(len(rows), dtype=np.float32)
        if analysis.wards:
            keys = {ward_key(x) for x in analysis.wards}
            ward = np.array([1.0 if self._article_ward_keys[self._row_article[r]] & keys else 0.0 for r in rows],
                            dtype=np.float32)
        return Signals(rows, parts, ward)

    def _closest_sentence(self, rows: np.ndarray, qvec: np.ndarray, fallback: np.ndarray) -> np.ndarray:
        """Cosine of each row's sentence closest to the question (``fallback`` for a row
        without sentences), in one product over the candidates' sentences."""
        lo, hi = self._sentence_lo[rows], self._sentence_hi[rows]
        counts = hi - lo
        has = counts > 0
        out = np.array(fallback, dtype=np.float32, copy=True)
        if not has.any():
            return out
        counts_ = counts[has]
        starts = np.concatenate(([0], np.cumsum(counts_)[:-1]))
        index = np.repeat(lo[has] - starts, counts_) + np.arange(int(counts_.sum()))
        sims = np.asarray(self.sentence_vectors[index]) @ qvec
        out[has] = np.maximum.reduceat(sims, starts)
        return out

    def _hit(self, row: int, score: float, rank: int, signals: dict[str, float]) -> Hit:
        return Hit(self.paragraphs[row], score, rank, {"row": float(row), **signals})


def _load_articles(path: Path) -> list[Article]:
    """The serving copy of the articles. Short strings every paragraph repeats from its article
    (id, title, wards, date, kind) are parsed into one shared object instead of one per
    paragraph; the records are the same."""
    shared: dict[str, str] = {}

    def share(pairs: list[tuple[str, object]]) -> dict:
        return {k: shared.setdefault(v, v) if isinstance(v, str) and k != "text" and len(v) < 512 else v
                for k, v in pairs}

    with path.open(encoding="utf-8") as fh:
        return [article_from_dict(d) for d in json.load(fh, object_pairs_hook=share)]


@dataclass(frozen=True)
class Signals:
    rows: np.ndarray                 # candidate paragraph rows
    parts: dict[str, np.ndarray]     # retriever -> raw score of each candidate
    ward: np.ndarray                 # 1.0 where the candidate's article is about a ward the question names


def fuse(signals: Signals, analysis: QueryAnalysis, w: FusionWeights, *, ward_aware: bool = True) -> np.ndarray:
    """Convex combination of min-max-normalised scores. The dense score blends the paragraph's
    cosine with its closest sentence's (``sentence_dense``). The dense side gets less weight when
    the question asks for a figure (numbers match by their words) or had its tone marks
    restored (the encoder then sees a guessed text); a named ward lifts its articles."""
    if len(signals.rows) == 0:
        return np.zeros(0, dtype=np.float32)
    parts = dict(signals.parts)
    dense_ = parts.pop("dense")
    closest = parts.pop("dense_sentence", dense_)
    dense_ = (1 - w.sentence_dense) * dense_ + w.sentence_dense * np.maximum(dense_, closest)
    norm = {"dense": _minmax(dense_, w.candidates), **{name: _minmax(v, w.candidates) for name, v in parts.items()}}
    w_dense = w.dense
    if analysis.numeric:
        w_dense = min(w_dense, w.numeric_dense)
    if analysis.restored:
        w_dense = min(w_dense, w.restored_dense)
    w_lex = w.bm25_words + w.bm25_syllables
    scale = (1 - w_dense) / w_lex if w_lex else 0.0
    fused = (w_dense * norm["dense"] + scale * w.bm25_words * norm["bm25_words"]
             + scale * w.bm25_syllables * norm["bm25_syllables"])
    if ward_aware:
        fused = fused + w.ward_bonus * signals.ward
    return fused


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


def _minmax(values: np.ndarray, depth: int | None = None) -> np.ndarray:
    """Scores scaled between the best (1) and the ``depth``-th best (0; lower ones clipped to 0).

    Each side is scaled over its own candidate list, not over the union of every side's
    candidates: the paragraphs only another side brought in would otherwise set the floor (a BM25
    score of 0, a dense cosine far below any this side returned) and squeeze this side's scores."""
    hi = float(values.max())
    lo = float(np.partition(values, len(values) - depth)[len(values) - depth]) \
        if depth and len(values) > depth else float(values.min())
    if hi - lo < 1e-9:
        return np.where(values > 0, 1.0, 0.0).astype(np.float32) if hi > 0 else np.zeros_like(values)
    return np.clip((values - lo) / (hi - lo), 0.0, None).astype(np.float32)
