"""The large-corpus benchmark at a tiny size: the synthetic corpus is what it claims to be, and
a whole run (build and serving in child processes, HNSW forced) reports sane figures."""
from __future__ import annotations

import numpy as np
import pytest

from eval import scale
from ingest.text import split_sentences

N = 300


@pytest.fixture(scope="module")
def pool() -> list[str]:
    return scale.sentence_pool()


def test_the_pool_holds_real_sentences_that_stay_single_sentences(pool):
    assert len(pool) > 1000 and len(set(pool)) == len(pool)
    assert any("Đông Sơn" in s for s in pool)          # the seeds are in
    for s in pool[::50]:
        assert split_sentences(s) == [(0, len(s))]


def test_synthetic_paragraphs_are_pool_sentences_grouped_into_articles(pool):
    articles = scale.synthetic_articles(45, pool, seed=3)
    assert [len(a.paragraphs) for a in articles] == [20, 20, 5]
    members = set(pool)
    for a in articles:
        assert a.text == "\n\n".join(p.text for p in a.paragraphs)
        for p in a.paragraphs:
            assert a.text[p.start:p.end] == p.text and p.article_id == a.article_id
            parts = [p.text[s:e] for s, e in split_sentences(p.text)]
            assert 2 <= len(parts) <= 5 and all(s in members for s in parts)
    again = scale.synthetic_articles(45, pool, seed=3)
    assert [p.text for a in again for p in a.paragraphs] == [p.text for a in articles for p in a.paragraphs]
    other = scale.synthetic_articles(45, pool, seed=4)
    assert [p.text for a in other for p in a.paragraphs] != [p.text for a in articles for p in a.paragraphs]


def test_composed_vectors_are_the_normalised_mean_of_the_sentence_vectors(pool):
    rng = np.random.default_rng(0)
    table = {s: v / np.linalg.norm(v) for s, v in zip(pool[:3], rng.standard_normal((3, 8)).astype(np.float32))}
    embedder = scale.ComposedEmbedder(dict(table), "m", 8)
    one, both = embedder.embed_passages([pool[0], f"{pool[0]} {pool[1]}"])
    np.testing.assert_allclose(one, table[pool[0]], rtol=1e-6)
    mean = table[pool[0]] + table[pool[1]]
    np.testing.assert_allclose(both, mean / np.linalg.norm(mean), rtol=1e-5)
    with pytest.raises(KeyError):
        embedder.embed_passages([pool[5]])


def test_a_tiny_run_reports_sane_figures(tmp_path, embedder):
    r = scale.run(N, work_dir=tmp_path / "run", cache_dir=tmp_path / "cache", queries=20, pool_limit=40,
                  recall_queries=40, throughput_sample=8, hnsw_threshold=100, embedder=embedder)
    build, serve, lat = r["build"], r["serve"], r["serve"]["latency"]
    assert r["paragraphs"] == build["paragraphs"] == N
    assert build["articles"] == N // scale.PER_ARTICLE
    assert 2 * N <= build["sentences"] <= 5 * N
    assert build["embedded_for_real_during_build"] == 0
    assert build["peak_rss_mb"] > 50 and build["build_seconds"] > 0
    assert build["disk"]["total_mb"] > 0
    assert all(build["disk"]["files_mb"][f] > 0 for f in ("vectors.npy", "dense.faiss", "sentence_vectors.npy",
                                                          "articles.json", "bm25_words", "bm25_syllables"))
    assert serve["faiss"]["type"] == "hnsw"                    # the forced threshold reached the build
    assert lat["faiss_hnsw"]["recall@10"] >= 0.98
    assert lat["faiss_hnsw"]["recall_queries"] == 40
    for name in ("hybrid", "faiss_exact", "faiss_hnsw", "bm25_words", "bm25_syllables", "query_embedding"):
        assert lat[name]["n"] == 20 and 0 < lat[name]["p50_ms"] <= lat[name]["p95_ms"]
    assert serve["memory"]["rss_mb"] > 50
    assert set(serve["memory_breakdown_mb"]) >= {"articles", "vectors", "faiss", "sentences", "bm25_words"}
    assert r["embedding"]["extrapolated_seconds"] > 0
    assert set(r["goals"]) == {"retrieval_p95_ms<=100", "serving_memory_mb<=1500", "hnsw_recall@10>=0.98"}
    assert f"{N:,} paragraphs" in scale.format_report(r)
    assert not (tmp_path / "run").exists()                     # the index is removed unless --keep


def test_the_subcommand_is_registered(capsys):
    from eval.__main__ import main

    with pytest.raises(SystemExit) as exit_:
        main(["scale", "--help"])
    assert exit_.value.code == 0
    assert "--paragraphs" in capsys.readouterr().out
