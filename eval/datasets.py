"""Eval sets and the indexes they run against (cached under .cache/eval, rebuilt when stale)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from chatbot.models import Turn
from eval import news_corpus
from index.build import analyzer_versions, build_index, corpus_fingerprint, read_manifest
from index.embedder import Embedder
from index.hybrid import HybridIndex
from ingest.corpus import load_corpus
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
    history: tuple[Turn, ...] = ()
    # gold short answers when ``answers`` holds what a right reply must contain (news corpus)
    short_answers: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return bool(self.gold)

    def without_tone_marks(self) -> "Question":
        return Question(self.id + "-nodau", fold_diacritics(self.question), self.answers, self.gold,
                        self.kind, self.is_list, self.extra, self.history, self.short_answers)


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


XQUAD_DEV_ARTICLES = 24


def xquad_questions(split: str = "all") -> list[Question]:
    """XQuAD-vi questions. Split by article in file order: the first 24 articles are ``dev``
    (tuning allowed), the last 24 ``test`` (measuring only); retrieval searches all paragraphs."""
    if split not in ("dev", "test", "all"):
        raise ValueError(f"unknown split {split!r}")
    out = []
    n = 0
    for d, doc in enumerate(_xquad()["data"]):
        for para in doc["paragraphs"]:
            aid = f"xq{n:03d}"
            in_split = split == "all" or (split == "dev") == (d < XQUAD_DEV_ARTICLES)
            for qa in para["qas"] if in_split else ():
                answers = tuple(dict.fromkeys(a["text"] for a in qa["answers"]))
                out.append(Question(qa["id"], qa["question"], answers, (f"{aid}#1",), "xquad"))
            n += 1
    return out


NEWS_SPLITS = ("dev", "heldout", "all")


def _in_split(row: dict, split: str) -> bool:
    if split not in NEWS_SPLITS:
        raise ValueError(f"unknown split {split!r}")
    return split == "all" or row["split"] == split


def _news_gold(row: dict) -> tuple[str, ...]:
    """Paragraph keys of the rows' source quotes, numbered as ``ingest`` numbers them."""
    keys = []
    for src in row.get("source", []):
        number = news_corpus.paragraph_of(news_corpus.article_text(src["article"]), src["quote"])
        keys.append(f"{src['article']}#{number}")
    return tuple(dict.fromkeys(keys))


def news_questions(split: str = "all") -> list[Question]:
    """The news corpus questions: a reply is right when it holds every ``must_contain``."""
    out = []
    for row in news_corpus.read_rows("questions"):
        if not _in_split(row, split):
            continue
        history = tuple(Turn(t["role"], t["content"]) for t in row.get("history") or [])
        out.append(Question(row["id"], row["question"], tuple(row["must_contain"]), _news_gold(row), row["kind"],
                            True, row, history, tuple(row["answers"])))
    return out


def news_claims(split: str = "all") -> list[dict]:
    """The news corpus claims in the form ``eval.claims`` reads (gold paragraphs, a kind)."""
    out = []
    for row in news_corpus.read_rows("claims"):
        if not _in_split(row, split):
            continue
        gold = [{"article_id": k.split("#")[0], "paragraph": int(k.split("#")[1])} for k in _news_gold(row)]
        kind = row["change"] if row["verdict"] == "refuted" else row["verdict"]
        out.append({**row, "gold": gold, "kind": kind})
    return out


def news_corpus_articles() -> list[Article]:
    """The seeds and every news article: a question is answered from the whole corpus."""
    articles = []
    for directory in (SEEDS_DIR, news_corpus.NEWS_DIR / "articles"):
        load = load_corpus(directory)
        if load.problems:
            raise ValueError(f"unreadable articles: {load.problems}")
        articles += load.articles
    return articles


def open_eval_index(dataset: str, embedder: Embedder, cache_dir: Path) -> HybridIndex:
    """The seeds, news (seeds + news corpus) or XQuAD-vi index, built once into
    ``cache_dir/<dataset>`` and reused."""
    index_dir = cache_dir / dataset
    if dataset == "seeds":
        fingerprint, articles, corpus = corpus_fingerprint(SEEDS_DIR), None, SEEDS_DIR
    elif dataset == "news":
        news_dir = news_corpus.NEWS_DIR / "articles"
        fingerprint = hashlib.sha256((corpus_fingerprint(SEEDS_DIR) + corpus_fingerprint(news_dir)).encode()).hexdigest()
        articles, corpus = news_corpus_articles(), news_dir
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
