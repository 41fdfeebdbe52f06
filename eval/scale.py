"""Large-corpus benchmark: ``python -m eval scale --paragraphs N [--json]``.

Builds a synthetic corpus of N paragraphs by recombining the sentences of the shipped texts
(the 240 XQuAD-vi contexts and the seed articles; 2–5 sentences a paragraph, 20 paragraphs an
article, deterministic for a given ``--seed``), indexes it with the real pipeline
(:func:`index.build.build_index` with ``articles=``) and reports:

* build time, index size on disk (the generation directory) and peak memory of the build;
* serving memory: RSS of a fresh process after :meth:`HybridIndex.load` and a few queries, with
  how much each loading step added;
* query p50/p95 over real XQuAD-vi questions for exact FAISS (``IndexFlatIP``), approximate
  FAISS (HNSW) with its recall@10 against the exact one, BM25 (both analyzers), and the full
  hybrid :meth:`HybridIndex.retrieve` (query embedding included) — the "retrieval p95" figure.

Build and serving each run in a child process, so their memory figures are not polluted by
this process or by each other.

**Build time excludes real embedding.** Embedding 100,000 paragraphs and their sentences with
the e5 model on two cores takes hours, so the benchmark embeds the pool of unique sentences for real
once (cached under ``.cache/scale/``) and builds with :class:`ComposedEmbedder`: a sentence's
vector is its real embedding, a paragraph's the normalised mean of its sentences' embeddings.
The report measures the real embedder's passage throughput on a sample and states how much real
embedding would add (``embedding.extrapolated_seconds``). Queries are embedded for real.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ingest.models import Article, Paragraph, ParagraphKind
from ingest.text import split_sentences
from settings import ROOT

if TYPE_CHECKING:  # the heavy imports (FAISS, bm25s, the models) wait until a run needs them
    from index.embedder import Embedder

CACHE_DIR = ROOT / ".cache" / "scale"
PER_ARTICLE = 20
SENTENCES_PER_PARAGRAPH = (2, 5)
DEFAULT_QUERIES = 300
RECALL_K = 10
WARMUP = 5
_END = (".", "!", "?", "…", "”", '"', ")")
_PROBE = "Đây là một câu khác."


# -- the synthetic corpus ------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """What a synthetic article borrows from a real one: title and wards."""

    title: str
    wards: tuple[str, ...]


def _sources() -> tuple[list[str], list[Source]]:
    """Every sentence of the shipped texts, in order, and the articles they come from."""
    from eval.datasets import SEEDS_DIR, xquad_articles
    from ingest.corpus import load_corpus

    articles = xquad_articles() + load_corpus(SEEDS_DIR).articles
    sentences = [p.text[s:e] for a in articles for p in a.paragraphs if p.answerable
                 for s, e in split_sentences(p.text)]
    return sentences, [Source(a.title, a.wards) for a in articles]


def sentence_pool(limit: int | None = None) -> list[str]:
    """Unique sentences that stay one sentence when joined to others with a space (they end
    with terminal punctuation, not after an initial such as "chủng Y.", and start with a
    capital or a digit), so splitting a synthetic paragraph gives back exactly its sentences."""
    sentences, _ = _sources()
    pool = []
    for s in dict.fromkeys(sentences):
        if (len(s) >= 20 and s.endswith(_END) and (s[0].isupper() or s[0].isdigit())
                and split_sentences(s) == [(0, len(s))]
                and split_sentences(f"{s} {_PROBE}") == [(0, len(s)), (len(s) + 1, len(s) + 1 + len(_PROBE))]
                and split_sentences(f"{_PROBE} {s}") == [(0, len(_PROBE)), (len(_PROBE) + 1, len(_PROBE) + 1 + len(s))]):
            pool.append(s)
    return pool[:limit] if limit else pool


def synthetic_articles(n: int, pool: Sequence[str], *, seed: int = 0,
                       per_article: int = PER_ARTICLE) -> list[Article]:
    """``n`` paragraphs of 2–5 pool sentences, ``per_article`` to an article, each article
    titled after a real one (numbered) and about its wards; deterministic for ``seed``."""
    rng = random.Random(seed)
    _, sources = _sources()
    lo, hi = SENTENCES_PER_PARAGRAPH
    articles = []
    for a, first in enumerate(range(0, n, per_article)):
        src = sources[rng.randrange(len(sources))]
        aid = f"syn{a:06d}"
        title = f"{src.title} (tổng hợp {a + 1})"
        date = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365))
        texts = [" ".join(rng.sample(pool, rng.randint(lo, min(hi, len(pool)))))
                 for _ in range(first, min(first + per_article, n))]
        paragraphs, offset = [], 0
        for number, text in enumerate(texts, 1):
            paragraphs.append(Paragraph(aid, number, text, offset, offset + len(text), ParagraphKind.BODY,
                                        title, date, src.wards))
            offset += len(text) + 2
        body = "\n\n".join(texts)
        articles.append(Article(aid, title, date, "synthetic", body, tuple(paragraphs), src.wards,
                                content_hash=hashlib.sha1(body.encode()).hexdigest()))
    return articles


# -- embeddings --------------------------------------------------------------------------------

class ComposedEmbedder:
    """Passage vectors built from real sentence embeddings, for building large synthetic indexes
    in minutes: a text's vector is the L2-normalised mean of the real embeddings of its
    sentences (a single sentence gets its own embedding unchanged). Sentences not in the table
    are embedded for real by ``fallback`` and counted in ``misses``. It keeps the real model's
    id and dimension, so an index built with it loads with the real embedder for queries."""

    def __init__(self, table: dict[str, np.ndarray], model_id: str, dimension: int,
                 fallback: Embedder | None = None):
        self._table = table
        self.model_id = model_id
        self.dimension = dimension
        self._fallback = fallback
        self.misses = 0

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError("ComposedEmbedder embeds passages only; queries need the real model")

    def embed_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            parts = [text[s:e] for s, e in split_sentences(text)] or [text]
            missing = [p for p in dict.fromkeys(parts) if p not in self._table]
            if missing:
                if self._fallback is None:
                    raise KeyError(f"{len(missing)} sentence(s) not in the embedding table: {missing[0][:60]!r}")
                self._table.update(zip(missing, self._fallback.embed_passages(missing)))
                self.misses += len(missing)
            v = np.mean([self._table[p] for p in parts], axis=0)
            out[i] = v / max(float(np.linalg.norm(v)), 1e-12)
        return out


def _cached_vectors(kind: str, texts: Sequence[str], model_id: str, encode, cache_dir: Path) -> np.ndarray:
    """Real embeddings of ``texts``; each text is embedded once and kept in ``cache_dir``
    (``<kind>-<model>.json`` texts, ``.npy`` vectors), so runs only embed what is new."""
    stem = cache_dir / f"{kind}-{hashlib.sha256(model_id.encode()).hexdigest()[:12]}"
    known: dict[str, np.ndarray] = {}
    if stem.with_suffix(".json").is_file() and stem.with_suffix(".npy").is_file():
        old_texts = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
        old_vectors = np.load(stem.with_suffix(".npy"))
        if len(old_texts) == len(old_vectors):
            known = dict(zip(old_texts, old_vectors))
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        known.update(zip(missing, np.asarray(encode(missing), dtype=np.float32)))
        cache_dir.mkdir(parents=True, exist_ok=True)
        np.save(stem.with_suffix(".tmp.npy"), np.stack(list(known.values())))
        stem.with_suffix(".tmp.json").write_text(json.dumps(list(known), ensure_ascii=False), encoding="utf-8")
        os.replace(stem.with_suffix(".tmp.npy"), stem.with_suffix(".npy"))
        os.replace(stem.with_suffix(".tmp.json"), stem.with_suffix(".json"))
    return np.stack([known[t] for t in texts]).astype(np.float32) if texts else np.zeros((0, 0), np.float32)


def pool_table(embedder: Embedder, pool: Sequence[str], cache_dir: Path) -> dict[str, np.ndarray]:
    vectors = _cached_vectors("pool", pool, embedder.model_id,
                              lambda t: embedder.embed_passages(t, show_progress=True), cache_dir)
    return dict(zip(pool, vectors))


def benchmark_questions(limit: int | None = None, *, seed: int = 0) -> list[str]:
    """XQuAD-vi questions in a fixed shuffled order (the first ones time the queries)."""
    from eval.datasets import xquad_questions

    questions = list(dict.fromkeys(q.question for q in xquad_questions()))
    random.Random(seed).shuffle(questions)
    return questions[:limit] if limit else questions


def embedding_throughput(embedder: Embedder, pool: Sequence[str], paragraphs: Sequence[str],
                         sample: int) -> dict[str, float]:
    """Real passages/second of ``embedder`` on ``sample`` pool sentences and ``sample // 2``
    synthetic paragraphs (after a warm-up call)."""
    embedder.embed_passages(list(pool[:2]))
    sentences = list(pool[:sample])
    paras = list(paragraphs[:max(sample // 2, 1)])
    started = time.perf_counter()
    embedder.embed_passages(sentences)
    s_rate = len(sentences) / (time.perf_counter() - started)
    started = time.perf_counter()
    embedder.embed_passages(paras)
    p_rate = len(paras) / (time.perf_counter() - started)
    return {"model_id": embedder.model_id, "sentences_per_s": round(s_rate, 2),
            "paragraphs_per_s": round(p_rate, 2), "sample_sentences": len(sentences),
            "sample_paragraphs": len(paras)}


# -- measurements ------------------------------------------------------------------------------

def _mb(kib: float) -> float:
    return round(kib * 1024 / 1e6, 1)


def memory_status() -> dict[str, float]:
    """Resident memory of this process in MB (10^6 bytes) from /proc/self/status: total, peak,
    anonymous (heap) and file-backed (memory-mapped files, page cache the kernel can drop)."""
    out = {}
    names = {"VmRSS": "rss_mb", "VmHWM": "peak_rss_mb", "RssAnon": "anon_mb", "RssFile": "file_mb"}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in names:
            out[names[key]] = _mb(int(value.split()[0]))
    return out


def mapped_files_mb(directory: Path) -> float:
    """Size (MB) of the files under ``directory`` this process has memory-mapped: the most the
    file-backed part of its RSS can grow to as queries touch more of them."""
    root = str(directory.resolve())
    paths = {line.split(None, 5)[5] for line in Path("/proc/self/maps").read_text().splitlines()
             if len(line.split(None, 5)) == 6 and line.split(None, 5)[5].startswith(root)}
    return round(sum(os.path.getsize(p) for p in paths if os.path.exists(p)) / 1e6, 1)


def disk_usage(directory: Path) -> dict[str, float]:
    """Bytes on disk (MB) of every top-level entry of ``directory`` and the total."""
    parts: dict[str, float] = {}
    for entry in sorted(directory.iterdir()):
        files = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
        parts[entry.name] = round(sum(p.stat().st_blocks * 512 for p in files) / 1e6, 2)
    return {"total_mb": round(sum(parts.values()), 1), "files_mb": parts}


def latency(fn, items: Sequence) -> dict[str, float]:
    """p50/p95/mean wall-clock ms of ``fn(item)`` over ``items`` after a few warm-up calls, and
    p50/p95 of the CPU time the process spent on each call (all its threads): on a machine
    shared with other work the wall clock includes waiting for a core, the CPU time does not
    (but it does include OpenMP threads spinning while they wait for each other)."""
    for item in items[:WARMUP]:
        fn(item)
    times, cpu = [], []
    for item in items:
        started, started_cpu = time.perf_counter(), time.process_time()
        fn(item)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {"p50_ms": round(float(np.percentile(times, 50)), 3), "p95_ms": round(float(np.percentile(times, 95)), 3),
            "mean_ms": round(float(np.mean(times)), 3), "n": len(times),
            "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 3), "cpu_p95_ms": round(float(np.percentile(cpu, 95)), 3)}


def recall_at_k(exact, approx, queries: np.ndarray, k: int = RECALL_K) -> float:
    """Mean share of the exact top-k that the approximate index returns. A result tied with
    the exact k-th score counts as found (synthetic paragraphs can share a vector)."""
    k = min(k, exact.ntotal)
    e_scores, e_ids = exact.search(queries, k)
    a_scores, a_ids = approx.search(queries, k)
    found = []
    for es, ei, as_, ai in zip(e_scores, e_ids, a_scores, a_ids):
        truth = set(ei.tolist())
        same = sum(1 for s, i in zip(as_.tolist(), ai.tolist()) if i in truth or (i >= 0 and s >= es[-1] - 1e-6))
        found.append(min(same, k) / k)
    return float(np.mean(found))


# -- child processes ---------------------------------------------------------------------------

def _child_build(spec: dict) -> dict:
    """Generate the corpus and build the index; runs in its own process."""
    from index import dense
    from index.build import build_index

    model_id, dimension = spec["model_id"], spec["dimension"]
    pool = json.loads(Path(spec["pool_json"]).read_text(encoding="utf-8"))
    vectors = np.load(spec["pool_npy"])
    embedder = ComposedEmbedder(dict(zip(pool, vectors)), model_id, dimension, fallback=_LazyEmbedder(model_id))
    started = time.perf_counter()
    articles = synthetic_articles(spec["paragraphs"], pool, seed=spec["seed"])
    generated = time.perf_counter() - started
    if spec.get("hnsw_threshold") is not None:
        dense.HNSW_THRESHOLD = int(spec["hnsw_threshold"])
    index_dir = Path(spec["index_dir"])
    report = build_index(Path("synthetic"), index_dir, embedder, articles=articles, show_progress=False,
                         fingerprint=f"synthetic:{spec['paragraphs']}:{spec['seed']}")
    return {
        "generate_seconds": round(generated, 2),
        "build_seconds": round(report.seconds, 2),
        "peak_rss_mb": _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "articles": report.articles, "paragraphs": report.paragraphs, "sentences": report.sentences,
        "embedded_for_real_during_build": embedder.misses,
        "generation": str(report.generation),
    }


def _serving_embedder() -> Embedder:
    """The embedder the service is configured with (``HOIDAP_EMBEDDER``, default onnx)."""
    from index.embedder import load_embedder
    from settings import Settings

    settings = Settings()
    return load_embedder(settings.embedder, settings.embed_model, settings.model_cache_dir)


class _LazyEmbedder:
    """The real embedder, loaded only if a sentence is missing from the table."""

    def __init__(self, model_id: str):
        self.model_id = model_id
        self._e: Embedder | None = None

    def embed_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if self._e is None:
            self._e = _serving_embedder()
        return self._e.embed_passages(texts)


def _child_serve(spec: dict) -> dict:
    """Load the index as the service does, measure memory, then time every retriever."""
    import faiss

    from index import dense
    from index.hybrid import HybridIndex

    questions = json.loads(Path(spec["questions_json"]).read_text(encoding="utf-8"))
    qvecs = np.load(spec["questions_npy"])
    timed = questions[:spec["queries"]]
    before = memory_status()
    steps: list[tuple[str, dict]] = []
    started = time.perf_counter()
    embedder = _serving_embedder()
    steps.append(("embedder", memory_status()))
    index = HybridIndex.load(Path(spec["index_dir"]), embedder,
                             on_step=lambda name: steps.append((name, memory_status())))
    load_seconds = time.perf_counter() - started
    for q in timed[:WARMUP]:
        index.retrieve(q, k=10)
    after = memory_status()
    after["mapped_index_files_mb"] = mapped_files_mb(index.generation)
    breakdown, anon, prev = {}, {}, before
    for name, status in [*steps, ("first_queries", after)]:
        breakdown[name] = round(status["rss_mb"] - prev["rss_mb"], 1)
        anon[name] = round(status["anon_mb"] - prev["anon_mb"], 1)
        prev = status

    out: dict = {"load_seconds": round(load_seconds, 2), "memory": after, "memory_before_load": before,
                 "memory_breakdown_mb": breakdown, "memory_breakdown_anon_mb": anon,
                 "faiss": index.manifest["faiss"], "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
                 "load_average_before": round(os.getloadavg()[0], 2)}
    lat = {
        "hybrid": latency(lambda q: index.retrieve(q, k=10), timed),
        "bm25_words": latency(lambda q: index.retrieve(q, k=10, retriever="bm25_words"), timed),
        "bm25_syllables": latency(lambda q: index.retrieve(q, k=10, retriever="bm25_syllables"), timed),
        "query_embedding": latency(lambda q: embedder.embed_queries([q]), timed),
    }
    # the index side alone: the same retrieve with each question's vector looked up, not computed
    index.embedder = _Precomputed(embedder, dict(zip(questions, qvecs)))
    lat["hybrid_precomputed_query"] = latency(lambda q: index.retrieve(q, k=10), timed)
    index.embedder = embedder
    out["memory_after_queries"] = memory_status()
    out["load_average_after"] = round(os.getloadavg()[0], 2)

    vectors = np.ascontiguousarray(index.vectors, dtype=np.float32)
    started = time.perf_counter()
    exact = dense.build_faiss(vectors, approximate=False)
    exact_build = time.perf_counter() - started
    if isinstance(index.faiss, faiss.IndexHNSWFlat):
        approx, approx_build = index.faiss, None
    else:
        started = time.perf_counter()
        approx = dense.build_faiss(vectors, approximate=True)
        approx_build = round(time.perf_counter() - started, 2)
    qs = [qvecs[i:i + 1] for i in range(len(timed))]
    lat["faiss_exact"] = latency(lambda v: exact.search(v, RECALL_K), qs)
    lat["faiss_exact"]["build_seconds"] = round(exact_build, 2)
    sweep = {}
    for ef in sorted({16, 32, 64, 128, 256, dense.HNSW_EF_SEARCH}):
        approx.hnsw.efSearch = ef
        sweep[str(ef)] = {"recall@10": round(recall_at_k(exact, approx, qvecs), 4),
                          "p95_ms": latency(lambda v: approx.search(v, RECALL_K), qs)["p95_ms"]}
    approx.hnsw.efSearch = dense.HNSW_EF_SEARCH
    lat["faiss_hnsw"] = latency(lambda v: approx.search(v, RECALL_K), qs)
    lat["faiss_hnsw"].update({
        "recall@10": round(recall_at_k(exact, approx, qvecs), 4), "recall_queries": len(qvecs),
        "M": dense.HNSW_M, "efConstruction": dense.HNSW_EF_CONSTRUCTION, "efSearch": dense.HNSW_EF_SEARCH,
        "build_seconds": approx_build if approx_build is not None else "in the index build",
        "ef_search_sweep": sweep,
    })
    out["latency"] = lat
    out["peak_rss_mb"] = _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return out


class _Precomputed:
    """The real embedder, except that questions embedded beforehand are looked up."""

    def __init__(self, embedder: Embedder, vectors: dict[str, np.ndarray]):
        self._embedder, self._vectors = embedder, vectors
        self.model_id, self.dimension = embedder.model_id, embedder.dimension

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if all(t in self._vectors for t in texts):
            return np.stack([self._vectors[t] for t in texts])
        return self._embedder.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        return self._embedder.embed_passages(texts, show_progress)


_CHILDREN = {"build": _child_build, "serve": _child_serve}


def _run_child(kind: str, spec: dict) -> dict:
    """``python -m eval.scale --child KIND SPEC``; the child prints one JSON line last."""
    proc = subprocess.run([sys.executable, "-m", "eval.scale", "--child", kind, json.dumps(spec)],
                          cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"scale {kind} child failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- the benchmark -----------------------------------------------------------------------------

def run(paragraphs: int, *, work_dir: Path | None = None, cache_dir: Path = CACHE_DIR,
        queries: int = DEFAULT_QUERIES, seed: int = 0, pool_limit: int | None = None,
        recall_queries: int | None = None, throughput_sample: int = 64,
        hnsw_threshold: int | None = None, keep: bool = False, reuse: bool = False,
        embedder: Embedder | None = None) -> dict:
    """Run the whole benchmark at ``paragraphs`` and return the report (see the module doc).

    ``pool_limit``/``recall_queries``/``throughput_sample`` shrink the real-embedding work (for
    tests); ``hnsw_threshold`` overrides :data:`index.dense.HNSW_THRESHOLD` for the build;
    ``reuse`` serves an index an earlier ``keep`` run built with the same N and seed."""
    if paragraphs < 1:
        raise ValueError("--paragraphs must be at least 1")
    embedder = embedder or _serving_embedder()
    work_dir = work_dir or cache_dir / f"run-{paragraphs}-{seed}"
    build_json = work_dir / "build.json"
    build: dict | None = None
    if reuse and build_json.is_file():
        build = json.loads(build_json.read_text())
        if (build.get("paragraphs"), build.get("seed")) != (paragraphs, seed):
            build = None
    if build is None and work_dir.exists():
        shutil.rmtree(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        pool = sentence_pool(pool_limit)
        table = pool_table(embedder, pool, cache_dir)
        questions = benchmark_questions(recall_queries or None, seed=seed)
        if len(questions) < queries:
            questions = (questions * (queries // max(len(questions), 1) + 1))[:queries]
        qvecs = _cached_vectors("queries", questions, embedder.model_id, embedder.embed_queries, cache_dir)
        (work_dir / "pool.json").write_text(json.dumps(pool, ensure_ascii=False), encoding="utf-8")
        np.save(work_dir / "pool.npy", np.stack([table[s] for s in pool]))
        (work_dir / "questions.json").write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        np.save(work_dir / "questions.npy", qvecs)

        sample = synthetic_articles(max(throughput_sample // 2, 1), pool, seed=seed + 1)
        throughput = embedding_throughput(embedder, pool, [p.text for a in sample for p in a.paragraphs],
                                          throughput_sample)
        index_dir = work_dir / "index"
        if build is None:
            build = _run_child("build", {
                "paragraphs": paragraphs, "seed": seed, "index_dir": str(index_dir),
                "hnsw_threshold": hnsw_threshold, "pool_json": str(work_dir / "pool.json"),
                "pool_npy": str(work_dir / "pool.npy"), "model_id": embedder.model_id,
                "dimension": embedder.dimension,
            })
            build["seed"] = seed
            build["disk"] = disk_usage(Path(build.pop("generation")))
            build_json.write_text(json.dumps(build))
        else:
            build["reused"] = True
        serve = _run_child("serve", {
            "index_dir": str(index_dir), "queries": queries,
            "questions_json": str(work_dir / "questions.json"), "questions_npy": str(work_dir / "questions.npy"),
        })
    finally:
        if not keep:
            shutil.rmtree(work_dir, ignore_errors=True)
    extrapolated = (build["paragraphs"] / throughput["paragraphs_per_s"]
                    + build["sentences"] / throughput["sentences_per_s"])
    return {
        "paragraphs": paragraphs, "seed": seed, "pool_sentences": len(pool), "queries": queries,
        "build": build, "serve": serve,
        "embedding": {**throughput, "extrapolated_seconds": round(extrapolated, 1),
                      "note": "build_seconds excludes real embedding; embedding every paragraph and "
                              "sentence with the serving embedder would add about extrapolated_seconds"},
        "goals": {"retrieval_p95_ms<=100": serve["latency"]["hybrid"]["p95_ms"] <= 100,
                  "serving_memory_mb<=1500": serve["memory"]["rss_mb"] <= 1500,
                  "hnsw_recall@10>=0.98": serve["latency"]["faiss_hnsw"]["recall@10"] >= 0.98},
    }


def format_report(r: dict) -> str:
    b, s, e = r["build"], r["serve"], r["embedding"]
    lat = s["latency"]
    lines = [
        f"Scale benchmark: {r['paragraphs']:,} paragraphs ({b['articles']:,} articles, {b['sentences']:,} sentences; "
        f"synthetic from {r['pool_sentences']:,} real sentences, seed {r['seed']})",
        f"  OpenMP wait policy of the serving process: {s.get('omp_wait_policy') or 'default'}; "
        f"{os.cpu_count()} CPUs, 1-minute load average {s.get('load_average_before', float('nan')):.1f} before and "
        f"{s.get('load_average_after', float('nan')):.1f} after the timed queries (other work shares the machine)",
        f"  build          {b['build_seconds']:.1f} s (+ {b['generate_seconds']:.1f} s generating), peak RSS "
        f"{b['peak_rss_mb']:.0f} MB, index on disk {b['disk']['total_mb']:.1f} MB, FAISS {s['faiss']}",
        f"  real embedding NOT included: {e.get('model_id', 'e5')} {e['paragraphs_per_s']:.1f} paragraphs/s, "
        f"{e['sentences_per_s']:.1f} sentences/s -> about {e['extrapolated_seconds'] / 3600:.1f} h more",
        f"  serving        RSS {s['memory']['rss_mb']:.0f} MB (anon {s['memory']['anon_mb']:.0f}, "
        f"file-backed {s['memory']['file_mb']:.0f}) after load ({s['load_seconds']:.1f} s) and {WARMUP} queries; "
        f"{s['memory_after_queries']['rss_mb']:.0f} MB after all timed queries; memory-mapped index files "
        f"{s['memory'].get('mapped_index_files_mb', 0):.0f} MB (the most the file-backed part can grow)",
        "  RSS added by loading step (MB): " + ", ".join(
            f"{k} {v:+.0f}" for k, v in s["memory_breakdown_mb"].items()),
        "  of which anonymous (MB): " + ", ".join(
            f"{k} {v:+.0f}" for k, v in s.get("memory_breakdown_anon_mb", {}).items()),
        f"  on disk (MB): " + ", ".join(f"{k} {v:.1f}" for k, v in b["disk"]["files_mb"].items()),
        "",
        f"  {'query latency (ms)':<34}{'p50':>9}{'p95':>9}{'mean':>9}{'cpu p50':>9}{'cpu p95':>9}  notes",
    ]
    notes = {
        "faiss_exact": f"IndexFlatIP, k={RECALL_K}",
        "faiss_hnsw": (f"HNSW M={lat['faiss_hnsw']['M']} efC={lat['faiss_hnsw']['efConstruction']} "
                       f"efS={lat['faiss_hnsw']['efSearch']}, recall@{RECALL_K} vs exact "
                       f"{lat['faiss_hnsw']['recall@10']:.4f} ({lat['faiss_hnsw']['recall_queries']} queries)"),
        "bm25_words": "HybridIndex.retrieve(retriever=bm25_words)",
        "bm25_syllables": "HybridIndex.retrieve(retriever=bm25_syllables)",
        "query_embedding": "the serving embedder, one question",
        "hybrid": "HybridIndex.retrieve, query embedding included",
        "hybrid_precomputed_query": "the same, question vectors looked up (index side only)",
    }
    for name in ("faiss_exact", "faiss_hnsw", "bm25_words", "bm25_syllables", "query_embedding", "hybrid",
                 "hybrid_precomputed_query"):
        if name not in lat:
            continue
        row = lat[name]
        lines.append(f"  {name:<34}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}{row['mean_ms']:>9.2f}"
                     f"{row.get('cpu_p50_ms', float('nan')):>9.2f}{row.get('cpu_p95_ms', float('nan')):>9.2f}  {notes[name]}")
    sweep = lat["faiss_hnsw"]["ef_search_sweep"]
    lines.append("  HNSW efSearch sweep: " + ", ".join(
        f"{ef}: recall {v['recall@10']:.4f} p95 {v['p95_ms']:.2f} ms" for ef, v in sweep.items()))
    lines.append("  goals: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in r["goals"].items()))
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--paragraphs", type=int, required=True, help="number of synthetic paragraphs")
    parser.add_argument("--queries", type=int, default=DEFAULT_QUERIES, help="timed queries (XQuAD-vi questions)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hnsw-threshold", type=int, default=None,
                        help="build HNSW from this many paragraphs (default: index.dense.HNSW_THRESHOLD)")
    parser.add_argument("--keep", action="store_true", help="keep the built index under .cache/scale/")
    parser.add_argument("--reuse", action="store_true",
                        help="measure serving on the index a --keep run built (same N and seed)")
    parser.add_argument("--json", action="store_true")


def cli(args: argparse.Namespace) -> int:
    report = run(args.paragraphs, queries=args.queries, seed=args.seed, hnsw_threshold=args.hnsw_threshold,
                 keep=args.keep or args.reuse, reuse=args.reuse)
    print(json.dumps(report, ensure_ascii=False) if args.json else format_report(report))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        result = _CHILDREN[argv[1]](json.loads(argv[2]))
        print(json.dumps(result, ensure_ascii=False))
        return 0
    parser = argparse.ArgumentParser(prog="python -m eval.scale", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return cli(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
