"""Build and persist the index: one directory per generation, swapped in atomically.

Layout of ``index_dir``::

    current -> gen-20261123T142200-ab12cd   (symlink, replaced atomically with os.replace)
    gen-.../manifest.json                  model id, dimension, analyzer versions, corpus hash, counts
    gen-.../articles.json                  every article with its paragraphs (the serving copy)
    gen-.../rows.json                      which paragraph each vector / BM25 document is
    gen-.../vectors.npy, dense.faiss       paragraph embeddings and their FAISS index
    gen-.../sentences.npy, sentence_vectors.npy   sentence spans (row, start, end) and embeddings
    gen-.../embed_keys.json                text hash of each vector (the embedding cache)
    gen-.../bm25_syllables/, bm25_words/   bm25s indexes
    gen-.../tones.json                     tone-restoration n-grams

A crash while building leaves only an unfinished ``gen-*.tmp`` directory, which the next build
removes; ``current`` keeps pointing at the last complete generation. Builds and incremental
updates (``index.update``) of one ``index_dir`` are serialised by ``index_lock`` (an
``fcntl.flock`` on ``index_dir/.lock``), across processes and threads.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from index import accents, dense, lexical
from index.embedder import Embedder
from ingest.corpus import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, load_corpus
from ingest.models import Article, FileProblem, Paragraph, ParagraphKind, article_to_dict
from ingest.parser import PARSER_VERSION
from ingest.text import split_sentences

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
CURRENT = "current"


def analyzer_versions() -> dict[str, str]:
    return {
        "bm25_syllables": lexical.SYLLABLES_VERSION,
        "bm25_words": lexical.WORDS_VERSION,
        "tones": accents.VERSION,
        "format": str(FORMAT_VERSION),
        "parser": PARSER_VERSION,
    }


def corpus_fingerprint(corpus_dir: Path) -> str:
    """Hash of the names and bytes of every supported file: cheap staleness check at start-up."""
    h = hashlib.sha256()
    for path in sorted(corpus_dir.iterdir()) if corpus_dir.is_dir() else []:
        if path.name.startswith(".") or path.suffix.lower() not in SUPPORTED_SUFFIXES or not path.is_file():
            continue
        h.update(path.name.encode())
        with open(path, "rb") as fh:  # streamed: a huge file dropped in the folder is not loaded whole
            h.update(hashlib.file_digest(fh, "sha256").digest())
    return h.hexdigest()


def text_key(model_id: str, kind: str, text: str) -> str:
    return hashlib.sha1(f"{model_id}\x00{kind}\x00{text}".encode()).hexdigest()


@dataclass
class BuildReport:
    index_dir: Path
    generation: Path
    articles: int
    paragraphs: int
    sentences: int
    embedded: int
    reused: int
    seconds: float
    problems: list[FileProblem] = field(default_factory=list)
    notices: list[FileProblem] = field(default_factory=list)


class _HeldLock:
    def __init__(self) -> None:
        self.rlock = threading.RLock()
        self.fd: int | None = None
        self.depth = 0


_LOCKS: dict[str, _HeldLock] = {}
_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """Exclusive right to change ``index_dir`` (and its corpus): ``fcntl.flock`` on
    ``index_dir/.lock``, waited for. Re-entrant in the holding thread, so ``build_index`` can be
    called inside an update that already holds it; other threads and processes wait. The kernel
    drops the lock when the holder dies, so a killed build never blocks the next one."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    key = str(index_dir.resolve())
    with _LOCKS_GUARD:
        held = _LOCKS.setdefault(key, _HeldLock())
    with held.rlock:
        if held.depth == 0:
            fd = os.open(index_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                raise
            held.fd = fd
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
            if held.depth == 0 and held.fd is not None:
                os.close(held.fd)  # closing the descriptor releases the flock
                held.fd = None


def current_generation(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def read_manifest(index_dir: Path) -> dict | None:
    gen = current_generation(index_dir)
    if gen is None or not (gen / "manifest.json").is_file():
        return None
    try:
        return json.loads((gen / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def staleness(index_dir: Path, corpus_dir: Path, model_id: str) -> str | None:
    """Why the index must be rebuilt, or None if it is up to date."""
    manifest = read_manifest(index_dir)
    if manifest is None:
        return "chưa có chỉ mục (no index yet)"
    if manifest.get("model_id") != model_id:
        return f"mô hình nhúng đã đổi: {manifest.get('model_id')} -> {model_id}"
    if manifest.get("analyzers") != analyzer_versions():
        return "phiên bản bộ phân tích đã đổi (analyzer versions changed)"
    if manifest.get("corpus_hash") != corpus_fingerprint(corpus_dir):
        return "kho bài viết đã thay đổi (corpus changed)"
    return None


class _EmbeddingCache:
    """Vectors of the previous generation, keyed by text hash, so a rebuild embeds only new text."""

    def __init__(self, index_dir: Path, model_id: str):
        self._vectors: dict[str, np.ndarray] = {}
        gen = current_generation(index_dir)
        if gen is None:
            return
        try:
            manifest = json.loads((gen / "manifest.json").read_text())
            if manifest.get("model_id") != model_id:
                return
            for keys_name, vec_name in (("embed_keys.json", "vectors.npy"),
                                        ("sentence_keys.json", "sentence_vectors.npy")):
                keys = json.loads((gen / keys_name).read_text())
                vecs = np.load(gen / vec_name)
                self._vectors.update(zip(keys, vecs))
        except (OSError, ValueError, KeyError) as exc:
            log.warning("embedding cache unavailable (%s); embedding everything", exc)
            self._vectors.clear()

    def embed(self, embedder: Embedder, keys: Sequence[str], texts: Sequence[str],
              show_progress: bool) -> tuple[np.ndarray, int]:
        missing = [i for i, k in enumerate(keys) if k not in self._vectors]
        out = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
        if missing:
            fresh = embedder.embed_passages([texts[i] for i in missing], show_progress=show_progress)
            for i, v in zip(missing, fresh):
                self._vectors[keys[i]] = v
        for i, k in enumerate(keys):
            out[i] = self._vectors[k]
        return out, len(missing)


def indexed_paragraphs(articles: Sequence[Article]) -> list[Paragraph]:
    """Paragraphs that can carry an answer; captions without facts and headings are metadata.
    Bylines are kept: "who wrote this article?" is a question people ask."""
    return [p for a in articles for p in a.paragraphs if p.answerable or p.kind is ParagraphKind.BYLINE]


def search_text(p: Paragraph) -> str:
    """What the retrievers see. A byline alone ("Quốc Hương") says nothing to match a question
    against, so it is searched together with what it is; displayed and quoted as written."""
    if p.kind is ParagraphKind.BYLINE:
        return f"Tác giả bài viết, người viết bài “{p.title}”: {p.text}"
    return p.text


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    *,
    articles: Sequence[Article] | None = None,
    show_progress: bool = True,
    approximate: bool | None = None,
    fingerprint: str | None = None,
    problems: Sequence[FileProblem] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    _before_swap: Callable[[Path], None] | None = None,
) -> BuildReport:
    """Read ``corpus_dir`` (unless ``articles`` is given), build every part, swap it in.

    ``fingerprint`` replaces the corpus hash when the articles do not come from a folder;
    ``problems`` are then the files to report as skipped (the folder's own otherwise).
    Holds ``index_lock(index_dir)`` throughout."""
    with index_lock(index_dir):
        return _build_locked(corpus_dir, index_dir, embedder, articles=articles, show_progress=show_progress,
                             approximate=approximate, fingerprint=fingerprint, problems=list(problems),
                             max_bytes=max_bytes, before_swap=_before_swap)


def _build_locked(corpus_dir: Path, index_dir: Path, embedder: Embedder, *, articles: Sequence[Article] | None,
                  show_progress: bool, approximate: bool | None, fingerprint: str | None,
                  problems: list[FileProblem], max_bytes: int,
                  before_swap: Callable[[Path], None] | None) -> BuildReport:
    started = time.perf_counter()
    _remove_unfinished(index_dir)
    notices: list[FileProblem] = []
    if articles is None:
        # taken before reading: a file changed during the build then leaves the index stale, not wrong
        fingerprint = corpus_fingerprint(corpus_dir)
        loaded = load_corpus(corpus_dir, max_bytes)
        articles, problems, notices = loaded.articles, loaded.problems, loaded.notices
    for problem in problems:
        log.warning("bỏ qua %s: %s", problem.path, problem.message)

    paragraphs = indexed_paragraphs(articles)
    texts = [search_text(p) for p in paragraphs]
    cache = _EmbeddingCache(index_dir, embedder.model_id)
    keys = [text_key(embedder.model_id, "passage", t) for t in texts]
    vectors, embedded = cache.embed(embedder, keys, texts, show_progress)

    sentence_rows: list[tuple[int, int, int]] = []
    for row, p in enumerate(paragraphs):
        for start, end in split_sentences(p.text):
            sentence_rows.append((row, start, end))
    sentence_texts = [paragraphs[r].text[s:e] for r, s, e in sentence_rows]  # as written: they are quoted
    sentence_keys = [text_key(embedder.model_id, "passage", t) for t in sentence_texts]
    sentence_vectors, embedded_s = cache.embed(embedder, sentence_keys, sentence_texts, show_progress)

    gen = index_dir / f"gen-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    tmp = gen.with_name(gen.name + ".tmp")
    tmp.mkdir()
    (tmp / "articles.json").write_text(json.dumps([article_to_dict(a) for a in articles], ensure_ascii=False))
    (tmp / "rows.json").write_text(json.dumps([p.key for p in paragraphs]))
    np.save(tmp / "vectors.npy", vectors)
    (tmp / "embed_keys.json").write_text(json.dumps(keys))
    np.save(tmp / "sentences.npy", np.asarray(sentence_rows, dtype=np.int32).reshape(-1, 3))
    np.save(tmp / "sentence_vectors.npy", sentence_vectors)
    (tmp / "sentence_keys.json").write_text(json.dumps(sentence_keys))
    faiss_index = dense.build_faiss(vectors, approximate=approximate)
    dense.save_faiss(faiss_index, tmp / "dense.faiss")
    for name in lexical.ANALYZERS:
        lexical.LexicalIndex.build(name, texts).save(tmp / name)
    titles = [a.title for a in articles]
    accents.ToneRestorer.train(titles + texts).save(tmp / "tones.json")

    seconds = time.perf_counter() - started
    manifest = {
        "format": FORMAT_VERSION,
        "model_id": embedder.model_id,
        "dimension": embedder.dimension,
        "analyzers": analyzer_versions(),
        "corpus_dir": str(corpus_dir),
        "corpus_hash": fingerprint or corpus_fingerprint(corpus_dir),
        "counts": {"articles": len(articles), "paragraphs": sum(len(a.paragraphs) for a in articles),
                   "indexed_paragraphs": len(paragraphs), "sentences": len(sentence_rows)},
        "faiss": dense.describe(faiss_index),
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(seconds, 3),
        "problems": [{"path": p.path, "message": p.message} for p in problems],
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    _fsync_dir(tmp)
    os.rename(tmp, gen)
    if before_swap is not None:
        before_swap(gen)
    _swap_current(index_dir, gen)
    _remove_old_generations(index_dir, keep=gen)
    return BuildReport(index_dir, gen, len(articles), len(paragraphs), len(sentence_rows),
                       embedded + embedded_s, len(keys) + len(sentence_keys) - embedded - embedded_s,
                       seconds, list(problems), list(notices))


def _fsync_dir(directory: Path) -> None:
    for path in directory.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap_current(index_dir: Path, gen: Path) -> None:
    tmp_link = index_dir / f".{CURRENT}.{uuid.uuid4().hex[:6]}"
    os.symlink(gen.name, tmp_link)
    os.replace(tmp_link, index_dir / CURRENT)
    fd = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_unfinished(index_dir: Path) -> None:
    for path in index_dir.glob("gen-*.tmp"):
        shutil.rmtree(path, ignore_errors=True)
    for path in index_dir.glob(f".{CURRENT}.*"):
        path.unlink(missing_ok=True)


def _remove_old_generations(index_dir: Path, keep: Path) -> None:
    for path in index_dir.glob("gen-*"):
        if path.is_dir() and path.resolve() != keep.resolve() and not path.name.endswith(".tmp"):
            shutil.rmtree(path, ignore_errors=True)
