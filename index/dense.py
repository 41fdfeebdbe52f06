"""FAISS inner-product search over L2-normalised vectors (so scores are cosines).

Exact (``IndexFlatIP``) for small corpora; HNSW above ``HNSW_THRESHOLD`` vectors, where an
exhaustive scan stops fitting the latency budget (see ``python -m eval scale``).

HNSW parameters were tuned with that benchmark on 100,000 synthetic paragraphs (recombined real
sentences, so many near neighbours) against the exact index, 1,182 XQuAD-vi questions:
M=32 efConstruction=80 reached recall@10 0.968 at efSearch 128 and 0.987 at 256;
efConstruction=160 gives 0.984 at 128 and 0.995 at 256 (chosen: ≥ 0.98 with a margin, for
about 1.4 ms a query against 14 ms for the exact scan at 100,000).
"""
from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

HNSW_THRESHOLD = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 160
HNSW_EF_SEARCH = 256


def build_faiss(vectors: np.ndarray, *, approximate: bool | None = None) -> faiss.Index:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    if approximate is None:
        approximate = n >= HNSW_THRESHOLD
    if approximate:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        index = faiss.IndexFlatIP(dim)
    if n:
        index.add(vectors)
    return index


def describe(index: faiss.Index) -> dict:
    if isinstance(index, faiss.IndexHNSWFlat):
        return {"type": "hnsw", "M": int(index.hnsw.nb_neighbors(1)), "efConstruction": int(index.hnsw.efConstruction),
                "efSearch": int(index.hnsw.efSearch)}
    return {"type": "flat"}


def save_faiss(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load_faiss(path: Path, *, mmap: bool = False) -> faiss.Index:
    """Read an index written by :func:`save_faiss`. With ``mmap`` the stored vectors are mapped
    from the file instead of copied into memory (shared between processes, pageable, read-only):
    search results are the same, the vectors just do not count as the process's own memory."""
    flags = faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY if mmap else 0
    index = faiss.read_index(str(path), flags)
    if isinstance(index, faiss.IndexHNSWFlat):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def search(index: faiss.Index, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k (scores, ids) for one query vector; ids of -1 are dropped."""
    k = min(k, index.ntotal)
    if k <= 0:
        return np.zeros(0, np.float32), np.zeros(0, np.int64)
    scores, ids = index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]
