"""BM25 over two Vietnamese analyzers (bm25s: sparse, fast, persistable).

* ``syllables``: diacritic-folded syllables plus syllable bigrams. Robust to questions typed
  without tone marks and to word-segmentation mistakes; the bigrams recover multi-syllable
  words ("thu_nhap") without a segmenter.
* ``words``: underthesea word segmentation of the accented, tone-canonical text. Sharper on
  well-typed questions (compound words are single terms).
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Callable, Sequence

import bm25s
import numpy as np

from ingest.text import match_key, normalize_for_match, syllables

log = logging.getLogger(__name__)

SYLLABLES_VERSION = "folded-syllables+bigrams+abbreviations/2"
WORDS_VERSION = "underthesea-word-tokenize/1"

_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


# Abbreviations of Vietnamese administration and their spelled-out forms: a question says
# "bảo hiểm y tế" where the article writes "BHYT", or the other way round.
ABBREVIATIONS: dict[str, str] = {
    "bhyt": "bao hiem y te", "bhxh": "bao hiem xa hoi", "hdnd": "hoi dong nhan dan",
    "ubnd": "uy ban nhan dan", "mttq": "mat tran to quoc", "thcs": "trung hoc co so",
    "thpt": "trung hoc pho thong", "grdp": "tong san pham tren dia ban", "fdi": "dau tu truc tiep nuoc ngoai",
    "kcn": "khu cong nghiep", "cchc": "cai cach hanh chinh", "tthc": "thu tuc hanh chinh",
    "gpmb": "giai phong mat bang", "tdp": "to dan pho", "htx": "hop tac xa", "cntt": "cong nghe thong tin",
    "atgt": "an toan giao thong", "ktxh": "kinh te xa hoi", "ocop": "moi xa mot san pham",
    "dvc": "dich vu cong", "qptd": "quoc phong toan dan",
}
# spelled-out forms by their first syllable, so a text is scanned once, not once per abbreviation
_EXPANSIONS: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _abbr, _spelled in ABBREVIATIONS.items():
    _EXPANSIONS.setdefault(_spelled.split()[0], []).append((tuple(_spelled.split()), _abbr))


def _with_abbreviations(sylls: list[str]) -> list[str]:
    extra: list[str] = []
    for i, t in enumerate(sylls):
        if t in ABBREVIATIONS:
            extra.extend(ABBREVIATIONS[t].split())
        for words, abbr in _EXPANSIONS.get(t, ()):
            if tuple(sylls[i:i + len(words)]) == words:
                extra.append(abbr)
    return sylls + extra if extra else sylls


def syllable_terms(text: str) -> list[str]:
    """Folded syllables and adjacent-syllable bigrams (abbreviations also spelled out)."""
    sylls = syllables(match_key(text))
    bigrams = [f"{a}_{b}" for a, b in zip(sylls, sylls[1:])]
    full = _with_abbreviations(sylls)
    extra = full[len(sylls):]
    bigrams += [f"{a}_{b}" for a, b in zip(extra, extra[1:])]
    return full + bigrams


def word_terms(text: str) -> list[str]:
    """underthesea words of the accented text, lower-cased, joined with ``_``."""
    from index.segmenter import word_tokenize  # not `from underthesea import`: that imports torch

    words = word_tokenize(normalize_for_match(text))
    return [w.replace(" ", "_") for w in words if not _PUNCT.match(w)]


ANALYZERS: dict[str, tuple[Callable[[str], list[str]], str]] = {
    "bm25_syllables": (syllable_terms, SYLLABLES_VERSION),
    "bm25_words": (word_terms, WORDS_VERSION),
}


class LexicalIndex:
    """One BM25 index over one analyzer. Scores for all documents come back as a dense array,
    which the fusion step needs anyway."""

    def __init__(self, name: str, model: bm25s.BM25, n_docs: int):
        self.name = name
        self._analyze = ANALYZERS[name][0]
        self._model = model
        self._vocab: dict[str, int] = model.vocab_dict
        self.n_docs = n_docs

    @classmethod
    def build(cls, name: str, texts: Sequence[str], *, k1: float = 1.2, b: float = 0.75) -> "LexicalIndex":
        analyze = ANALYZERS[name][0]
        corpus = [analyze(t) or [""] for t in texts]
        model = bm25s.BM25(k1=k1, b=b)
        model.index(corpus, show_progress=False)
        return cls(name, model, len(texts))

    def analyze(self, text: str) -> list[str]:
        return self._analyze(text)

    def scores(self, query: str | list[str]) -> np.ndarray:
        """BM25 score of every document (float32, len n_docs); zeros if no term is known."""
        terms = self.analyze(query) if isinstance(query, str) else query
        known = [t for t in terms if t in self._vocab and t]
        if not known or self.n_docs == 0:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._model.save(str(directory), show_progress=False)
        (directory / "meta.json").write_text(
            json.dumps({"name": self.name, "version": ANALYZERS[self.name][1], "n_docs": self.n_docs})
        )

    @classmethod
    def load(cls, directory: Path, *, mmap: bool = False) -> "LexicalIndex":
        """``mmap`` maps the score matrix from disk instead of copying it (same scores)."""
        meta = json.loads((directory / "meta.json").read_text())
        if meta["version"] != ANALYZERS[meta["name"]][1]:
            raise ValueError(f"analyzer {meta['name']} version changed: {meta['version']}")
        model = bm25s.BM25.load(str(directory), mmap=mmap)
        return cls(meta["name"], model, int(meta["n_docs"]))
