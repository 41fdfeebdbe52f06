"""FAISS search: the exact index is a brute-force top-k, HNSW agrees with it, and an index
read back (copied or memory-mapped) answers exactly as the one that was built."""
from __future__ import annotations

import faiss
import numpy as np
import pytest

from index import dense


def unit_rows(rng: np.random.Generator, n: int, dim: int, clusters: int = 0) -> np.ndarray:
    """Unit vectors; with ``clusters``, drawn around that many centres (like embeddings are)."""
    x = rng.standard_normal((n, dim)).astype(np.float32)
    if clusters:
        centres = rng.standard_normal((clusters, dim)).astype(np.float32) * 3
        x += centres[rng.integers(0, clusters, n)]
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def recall_at_10(exact: faiss.Index, approx: faiss.Index, queries: np.ndarray) -> float:
    _, e = exact.search(queries, 10)
    _, a = approx.search(queries, 10)
    return float(np.mean([len(set(x) & set(y)) / 10 for x, y in zip(e.tolist(), a.tolist())]))


def test_the_exact_index_returns_the_brute_force_top_k():
    rng = np.random.default_rng(1)
    x, q = unit_rows(rng, 500, 32), unit_rows(rng, 20, 32)
    index = dense.build_faiss(x)
    assert isinstance(index, faiss.IndexFlatIP)
    for v in q:
        scores, ids = dense.search(index, v, 5)
        truth = np.argsort(-(x @ v), kind="stable")[:5]
        assert set(ids.tolist()) == set(truth.tolist())
        np.testing.assert_allclose(scores, (x @ v)[ids], rtol=1e-5, atol=1e-6)
        assert list(scores) == sorted(scores, reverse=True)


def test_the_index_kind_follows_the_threshold(monkeypatch):
    x = unit_rows(np.random.default_rng(2), 40, 16)
    monkeypatch.setattr(dense, "HNSW_THRESHOLD", 30)
    assert isinstance(dense.build_faiss(x), faiss.IndexHNSWFlat)
    assert isinstance(dense.build_faiss(x[:20]), faiss.IndexFlatIP)
    assert isinstance(dense.build_faiss(x, approximate=False), faiss.IndexFlatIP)


@pytest.mark.parametrize("clusters", [0, 25])
def test_hnsw_keeps_recall_at_10_of_the_exact_index(clusters):
    rng = np.random.default_rng(3)
    x, q = unit_rows(rng, 6000, 48, clusters), unit_rows(rng, 200, 48, clusters)
    exact, approx = dense.build_faiss(x, approximate=False), dense.build_faiss(x, approximate=True)
    assert approx.hnsw.efSearch == dense.HNSW_EF_SEARCH
    assert recall_at_10(exact, approx, q) >= 0.98
    assert dense.describe(approx) == {"type": "hnsw", "M": dense.HNSW_M,
                                      "efConstruction": dense.HNSW_EF_CONSTRUCTION, "efSearch": dense.HNSW_EF_SEARCH}


def test_hnsw_agrees_with_exact_on_real_embeddings(seeds_index, embedder):
    vectors = np.ascontiguousarray(seeds_index.vectors, dtype=np.float32)
    questions = ["Thu nhập bình quân của phường Đông Sơn đến năm 2030?", "Ai là Phó Bí thư Thường trực Tỉnh ủy?",
                 "Phường Nông Trang được hợp nhất từ những đơn vị nào?", "Dự án đê Tam Điệp tiến độ thế nào?"]
    queries = np.vstack([embedder.embed_queries(questions), vectors[::7]])
    exact, approx = dense.build_faiss(vectors, approximate=False), dense.build_faiss(vectors, approximate=True)
    assert recall_at_10(exact, approx, queries) >= 0.98
    for v in queries[:4]:
        e_scores, e_ids = dense.search(exact, v, 3)
        a_scores, a_ids = dense.search(approx, v, 3)
        assert a_ids[0] == e_ids[0]
        np.testing.assert_allclose(a_scores, e_scores, atol=1e-5)


@pytest.mark.parametrize("approximate", [False, True])
@pytest.mark.parametrize("mmap", [False, True])
def test_an_index_read_back_answers_like_the_built_one(tmp_path, approximate, mmap):
    rng = np.random.default_rng(4)
    x, q = unit_rows(rng, 800, 32, 10), unit_rows(rng, 30, 32, 10)
    built = dense.build_faiss(x, approximate=approximate)
    dense.save_faiss(built, tmp_path / "dense.faiss")
    loaded = dense.load_faiss(tmp_path / "dense.faiss", mmap=mmap)
    assert loaded.ntotal == 800 and dense.describe(loaded) == dense.describe(built)
    for v in q:
        s1, i1 = dense.search(built, v, 10)
        s2, i2 = dense.search(loaded, v, 10)
        np.testing.assert_array_equal(i1, i2)
        np.testing.assert_array_equal(s1, s2)


def test_k_beyond_the_index_size_and_an_empty_index():
    x = unit_rows(np.random.default_rng(5), 3, 8)
    scores, ids = dense.search(dense.build_faiss(x), x[0], 10)
    assert sorted(ids.tolist()) == [0, 1, 2] and ids[0] == 0
    empty = dense.build_faiss(np.zeros((0, 8), np.float32))
    scores, ids = dense.search(empty, x[0], 5)
    assert len(scores) == len(ids) == 0
