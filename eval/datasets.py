"""Eval sets and the indexes they run against (cached under .cache/eval, rebuilt when stale)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from index.build import analyzer_versions, build_index, corpus_fingerprint, read_manifest
from index.embedder import Embedder
from index.hybrid import HybridIndex
from ingest.models import Article, Paragraph, ParagraphKind
from ingest.text import fold_diacritics

EVAL_DIR = Path(__file__).resolve().parent
DATA = EVAL_DIR / "data"
ROOT = EVAL_DIR.parent
SEEDS_DIR = ROOT / "seeds"
XQUAD_JSON = DATA / "xquad-vi" / "xquad.vi.json"


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    gold: tuple[str, ...]            # paragraph keys "<article_id>#<number>"
    kind: str
    is_list: bool = False
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def answerable(self) -> bool:
        return bool(self.gold)

    def without_tone_marks(self) -> "Question":
        return Question(self.id + "-nodau", fold_diacritics(self.question), self.answers, self.gold,
                        self.kind, self.is_list, self.extra)


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def seeds_questions(heldout: bool = False) -> list[Question]:
    path = DATA / ("seeds_qa_heldout.jsonl" if heldout else "seeds_qa.jsonl")
    out = []
    for row in read_jsonl(path):
        gold = tuple(f"{g['article_id']}#{g['paragraph']}" for g in row.get("gold", []))
        out.append(Question(row["id"], row["question"], tuple(row.get("answers", [])), gold,
                            row.get("kind", ""), bool(row.get("list")), row))
    return out


def _xquad() -> dict:
    return json.loads(XQUAD_JSON.read_text(encoding="utf-8"))


def xquad_articles() -> list[Article]:
    """Each XQuAD paragraph becomes a one-paragraph article (gold = that paragraph)."""
    articles = []
    n = 0
    for doc in _xquad()["data"]:
        for para in doc["paragraphs"]:
            aid = f"xq{n:03d}"
            text = para["context"]
            title = doc.get("title", aid).replace("_", " ")
            p = Paragraph(aid, 1, text, 0, len(text), ParagraphKind.BODY, title, None)
            articles.append(Article(aid, title, None, str(XQUAD_JSON.name), text, (p,)))
            n += 1
    return articles


def xquad_questions() -> list[Question]:
    out = []
    n = 0
    for doc in _xquad()["data"]:
        for para in doc["paragraphs"]:
            aid = f"xq{n:03d}"
            for qa in para["qas"]:
                answers = tuple(dict.fromkeys(a["text"] for a in qa["answers"]))
                out.append(Question(qa["id"], qa["question"], answers, (f"{aid}#1",), "xquad"))
            n += 1
    return out


def open_eval_index(dataset: str, embedder: Embedder, cache_dir: Path) -> HybridIndex:
    """The seeds or XQuAD-vi index, built once into ``cache_dir/<dataset>`` and reused."""
    index_dir = cache_dir / dataset
    if dataset == "seeds":
        fingerprint, articles, corpus = corpus_fingerprint(SEEDS_DIR), None, SEEDS_DIR
    elif dataset == "xquad-vi":
        fingerprint = hashlib.sha256(XQUAD_JSON.read_bytes()).hexdigest()
        articles, corpus = xquad_articles(), XQUAD_JSON.parent
    else:
        raise ValueError(f"unknown dataset {dataset!r}")
    manifest = read_manifest(index_dir)
    if (manifest is None or manifest.get("corpus_hash") != fingerprint
            or manifest.get("model_id") != embedder.model_id or manifest.get("analyzers") != analyzer_versions()):
        build_index(corpus, index_dir, embedder, articles=articles, fingerprint=fingerprint, show_progress=True)
    return HybridIndex.load(index_dir, embedder)
