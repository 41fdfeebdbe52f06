"""Hybrid search over the seed index: figures, wards, tone-less questions, place names that
contain a ward's name, and the contract every retriever keeps (≤ k hits, best first)."""
from __future__ import annotations

import numpy as np
import pytest

from index.hybrid import RETRIEVERS

DONG_SON = "004_bbba2ad5a4ca9edc"
QUANG_TRUNG = "000_979beda71dc56cf9"
INCOME_DONG_SON = "Thu nhập bình quân của phường Đông Sơn đến năm 2030?"
INCOME_DONG_SON_PLAIN = "thu nhap binh quan phuong dong son"


def about(index, hit, ward: str) -> bool:
    return ward in index.articles[hit.paragraph.article_id].wards


def test_a_figure_question_gets_the_paragraph_with_that_wards_figure(seeds_index):
    hits = seeds_index.search(INCOME_DONG_SON, k=5)
    top = hits[0].paragraph
    assert top.article_id == DONG_SON
    assert "thu nhập bình quân đầu người đến năm 2030 đạt 95 triệu đồng" in top.text
    # Quang Trung's article states its own income target in almost the same words
    assert hits[0].paragraph.article_id != QUANG_TRUNG
    assert "90 triệu đồng/người/năm" not in top.text
    analysis = seeds_index.analyze(INCOME_DONG_SON)
    assert analysis.numeric and analysis.wards == ("phường Đông Sơn",) and not analysis.restored


@pytest.mark.parametrize("question", [
    "Phường Quang Trung đề ra bao nhiêu chỉ tiêu chủ yếu?",
    "Thu nhập bình quân của phường Quang Trung đến năm 2030?",
    "thu nhap binh quan phuong quang trung",
])
def test_a_question_naming_a_ward_is_answered_from_an_article_about_it(seeds_index, question):
    retrieval = seeds_index.retrieve(question, k=5)
    assert retrieval.analysis.wards == ("phường Quang Trung",)
    top = retrieval.hits[0]
    assert about(seeds_index, top, "phường Quang Trung")
    assert top.paragraph.article_id != DONG_SON


def test_the_ward_bonus_moves_articles_about_the_ward_up(seeds_index):
    question = "Thu nhập bình quân của phường Quang Trung đến năm 2030?"
    aware = seeds_index.search(question, k=10)
    blind = seeds_index.search(question, k=10, ward_aware=False)
    share = lambda hits: sum(about(seeds_index, h, "phường Quang Trung") for h in hits)  # noqa: E731
    assert share(aware) >= share(blind)
    assert share(aware[:3]) == 3


def test_a_question_without_tone_marks_finds_the_same_paragraph(seeds_index):
    plain = seeds_index.retrieve(INCOME_DONG_SON_PLAIN, k=5)
    accented = seeds_index.retrieve(INCOME_DONG_SON, k=5)
    assert plain.analysis.restored is True
    assert "thu nhập bình quân" in plain.analysis.accented
    assert plain.analysis.wards == ("phường Đông Sơn",)
    assert plain.hits[0].paragraph.key == accented.hits[0].paragraph.key
    assert plain.hits[0].paragraph.article_id == DONG_SON


@pytest.mark.parametrize("question", [
    "Khu đô thị Nam Bỉm Sơn rộng bao nhiêu ha?",
    "khu do thi Nam Bim Son",
    "Đường Khu Công nghiệp Bỉm Sơn đi Quốc lộ 217B",
])
def test_a_place_named_after_a_ward_is_not_the_ward(seeds_index, question):
    assert "phường Bỉm Sơn" not in seeds_index.analyze(question).wards


def test_the_ward_itself_is_recognised(seeds_index):
    assert seeds_index.analyze("Lãnh đạo phường Bỉm Sơn là ai?").wards == ("phường Bỉm Sơn",)
    assert set(seeds_index.analyze("hai phường Bỉm Sơn, Quang Trung").wards) == {"phường Bỉm Sơn",
                                                                               "phường Quang Trung"}


def test_the_new_urban_area_question_finds_its_paragraph(seeds_index):
    top = seeds_index.search("Khu đô thị Nam Bỉm Sơn rộng bao nhiêu ha?", k=3)[0]
    assert "Nam Bỉm Sơn (129ha)" in top.paragraph.text


@pytest.mark.parametrize("retriever", RETRIEVERS)
@pytest.mark.parametrize("k", [1, 3, 8])
def test_every_retriever_returns_at_most_k_hits_best_first(seeds_index, retriever, k):
    hits = seeds_index.search(INCOME_DONG_SON, k=k, retriever=retriever)
    assert 1 <= len(hits) <= k
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert [h.rank for h in hits] == list(range(len(hits)))
    assert len({h.paragraph.key for h in hits}) == len(hits)
    assert all(np.isfinite(s) for s in scores)


@pytest.mark.parametrize("retriever", RETRIEVERS)
def test_the_right_article_is_near_the_top_for_every_retriever(seeds_index, retriever):
    hits = seeds_index.search(INCOME_DONG_SON, k=3, retriever=retriever)
    assert DONG_SON in {h.paragraph.article_id for h in hits}


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
@pytest.mark.parametrize("retriever", RETRIEVERS)
def test_an_empty_query_has_no_hits(seeds_index, query, retriever):
    assert seeds_index.search(query, k=5, retriever=retriever) == []


def test_an_unknown_retriever_is_refused(seeds_index):
    with pytest.raises(ValueError, match="tfidf"):
        seeds_index.search(INCOME_DONG_SON, k=5, retriever="tfidf")


def test_a_retrieval_keeps_the_query_vector_for_the_answer_stage(seeds_index, embedder):
    retrieval = seeds_index.retrieve(INCOME_DONG_SON, k=3)
    assert retrieval.query_vector is not None and retrieval.query_vector.shape == (embedder.dimension,)
    assert seeds_index.retrieve(INCOME_DONG_SON, k=3, retriever="bm25_words").query_vector is None


def test_sentences_of_a_paragraph_are_spans_of_its_text(seeds_index):
    row = seeds_index.row_of[f"{DONG_SON}#3"]
    spans = seeds_index.sentences_of(row)
    text = seeds_index.paragraphs[row].text
    assert len(spans) >= 2
    assert any("95 triệu đồng" in text[s:e] for _, s, e in spans)
    assert all(0 <= s < e <= len(text) for _, s, e in spans)


def test_a_given_query_vector_stands_in_for_encoding(seeds_index):
    q = "Thu nhập bình quân đầu người của phường Quang Trung năm 2030?"
    encoded = seeds_index.retrieve(q, 5)
    given = seeds_index.retrieve(q, 5, query_vector=encoded.query_vector)
    assert [h.paragraph.key for h in given.hits] == [h.paragraph.key for h in encoded.hits]
    # another vector changes the dense side: the hybrid then ranks by what it was given
    other = seeds_index.embedder.embed_queries(["đền chùa di tích du lịch tâm linh"])[0]
    moved = seeds_index.retrieve(q, 5, "dense", query_vector=other)
    assert [h.paragraph.key for h in moved.hits] != [h.paragraph.key for h in
                                                     seeds_index.retrieve(q, 5, "dense").hits]


def test_equivalent_phrases_lift_the_paragraph_in_official_words(seeds_index):
    # "rải vốn" (spreading capital thin) is written "đầu tư dàn trải" in the visit article
    import dataclasses

    q = "Tỉnh lưu ý gì để tránh rải vốn cho nhiều công trình?"
    target = "002_06499cde5db94ce7#21"
    plain = dataclasses.replace(seeds_index.weights, expansion=0.0)
    without = [h.paragraph.key for h in seeds_index.retrieve(q, 5, weights=plain).hits]
    with_ = [h.paragraph.key for h in seeds_index.retrieve(q, 5).hits]
    assert with_[0] == target
    assert without.index(target) > 0


def test_each_side_is_scaled_over_its_own_candidate_depth():
    from index.hybrid import _minmax

    v = np.array([10.0, 8.0, 6.0, 0.0, 0.0], dtype=np.float32)
    # over everything: the zeros another side brought in set the floor
    assert np.allclose(_minmax(v), [1.0, 0.8, 0.6, 0.0, 0.0])
    # over this side's own top 3: the third best is the floor, anything below is 0
    assert np.allclose(_minmax(v, 3), [1.0, 0.5, 0.0, 0.0, 0.0])
    assert np.allclose(_minmax(v, 10), _minmax(v))              # fewer candidates than the depth
    assert np.allclose(_minmax(np.zeros(4, dtype=np.float32), 2), 0.0)


def test_the_closest_sentence_of_each_candidate_is_its_best_sentence_cosine(seeds_index):
    q = seeds_index.embedder.embed_queries(["Phường Thanh Miếu được sáp nhập từ những phường, xã nào?"])[0]
    rows = np.array([0, 3, 7, len(seeds_index.paragraphs) - 1], dtype=np.int64)
    para = seeds_index.vectors[rows] @ q
    got = seeds_index._closest_sentence(rows, q, para)
    for row, value in zip(rows, got):
        lo, hi = seeds_index._sentence_lo[row], seeds_index._sentence_hi[row]
        want = np.max(seeds_index.sentence_vectors[lo:hi] @ q) if hi > lo else para[list(rows).index(row)]
        assert value == pytest.approx(float(want), abs=1e-5)


def test_a_paragraph_is_as_close_as_its_closest_sentence_by_the_weight_given():
    import dataclasses

    from index.hybrid import FusionWeights, Signals, fuse
    from index.query import QueryAnalysis

    # row 0: a long paragraph whose one sentence is the question's; row 1: close on average
    signals = Signals(np.array([0, 1]), {"dense": np.array([0.80, 0.84], dtype=np.float32),
                                         "dense_sentence": np.array([0.90, 0.85], dtype=np.float32),
                                         "bm25_words": np.zeros(2, dtype=np.float32),
                                         "bm25_syllables": np.zeros(2, dtype=np.float32)},
                      np.zeros(2, dtype=np.float32))
    analysis = QueryAnalysis("q", "q", False, "q", (), False)
    only_paragraph = dataclasses.replace(FusionWeights(), sentence_dense=0.0)
    assert np.argmax(fuse(signals, analysis, only_paragraph)) == 1
    assert np.argmax(fuse(signals, analysis, FusionWeights())) == 0
