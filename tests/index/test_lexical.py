"""The two BM25 analyzers and their persisted indexes, over the seed paragraphs."""
from __future__ import annotations

import json

import numpy as np
import pytest

from index.lexical import ANALYZERS, LexicalIndex, syllable_terms, word_terms
from ingest.corpus import load_corpus

QUERIES = (
    "Thu nhập bình quân đầu người đến năm 2030",
    "thu nhap binh quan",
    "Đảng uỷ phường Nông Trang",
    "Phó Bí thư Thường trực Tỉnh ủy Nguyễn Hồng Phong",
    "438,608 tỷ đồng",
)


@pytest.fixture(scope="module")
def texts(seeds_dir) -> list[str]:
    return [p.text for a in load_corpus(seeds_dir).articles for p in a.paragraphs]


def test_syllable_terms_are_folded_with_bigrams():
    assert syllable_terms("Thu nhập bình quân") == [
        "thu", "nhap", "binh", "quan", "thu_nhap", "nhap_binh", "binh_quan"]


@pytest.mark.parametrize("a, b", [
    ("Thu nhập bình quân", "thu nhap binh quan"),   # typed without tone marks
    ("Đảng uỷ", "Đảng ủy"),                        # old and new tone placement
    ("ĐẢNG ỦY", "dang uy"),                        # capitals, đ
])
def test_syllable_terms_ignore_diacritics_and_case(a, b):
    assert syllable_terms(a) == syllable_terms(b)
    assert all(t.isascii() for t in syllable_terms(a))


def test_syllable_terms_keep_numbers_whole():
    assert "438,608" in syllable_terms("ước đạt 438,608 tỷ đồng")
    assert "13,5" in syllable_terms("bình quân 13,5%/năm")


def test_word_terms_keep_compounds_and_drop_punctuation():
    terms = word_terms("Thu nhập bình quân đầu người đến năm 2030 đạt 95 triệu đồng; Đảng uỷ phường Đông Sơn.")
    assert {"thu_nhập", "bình_quân", "đảng_ủy"} <= set(terms)
    assert "thu" not in terms and "nhập" not in terms
    assert not {";", ".", ","} & set(terms)
    assert word_terms("Đảng uỷ") == word_terms("Đảng ủy")


@pytest.mark.parametrize("name", sorted(ANALYZERS))
def test_a_saved_index_loads_with_identical_scores(name, texts, tmp_path):
    built = LexicalIndex.build(name, texts)
    built.save(tmp_path / name)
    loaded = LexicalIndex.load(tmp_path / name)
    assert loaded.name == name and loaded.n_docs == built.n_docs == len(texts)
    for query in QUERIES:
        before, after = built.scores(query), loaded.scores(query)
        assert before.shape == (len(texts),) and before.max() > 0, query
        np.testing.assert_array_equal(after, before)


@pytest.mark.parametrize("name", sorted(ANALYZERS))
def test_the_best_paragraph_contains_the_query_words(name, texts):
    index = LexicalIndex.build(name, texts)
    scores = index.scores("thu nhập bình quân đầu người đến năm 2030")
    assert "thu nhập bình quân đầu người đến năm 2030" in texts[int(np.argmax(scores))]


@pytest.mark.parametrize("name", sorted(ANALYZERS))
def test_unknown_words_score_zero(name, texts):
    index = LexicalIndex.build(name, texts)
    assert not index.scores("xyzzyq plughk").any()
    assert not index.scores("").any()


def test_tone_less_questions_only_match_through_syllables(texts):
    syll = LexicalIndex.build("bm25_syllables", texts)
    words = LexicalIndex.build("bm25_words", texts)
    np.testing.assert_allclose(syll.scores("thu nhap binh quan"), syll.scores("thu nhập bình quân"))
    assert syll.scores("thu nhap binh quan").max() > 0
    assert words.scores("thu nhập bình quân").max() > words.scores("thu nhap binh quan").max()


def test_a_changed_analyzer_version_is_refused(texts, tmp_path):
    LexicalIndex.build("bm25_syllables", texts).save(tmp_path / "syll")
    meta_path = tmp_path / "syll" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["version"] = "folded-syllables/0"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="version"):
        LexicalIndex.load(tmp_path / "syll")


def test_abbreviations_match_their_spelled_out_form(texts):
    assert {"bao", "hiem", "y", "te"} <= set(syllable_terms("tham gia BHYT"))
    assert "bhyt" in syllable_terms("tham gia bảo hiểm y tế")
    index = LexicalIndex.build("bm25_syllables", texts)
    scores = index.scores("BHYT")
    written_short = next(i for i, t in enumerate(texts) if "tham gia BHYT" in t)
    written_out = next(i for i, t in enumerate(texts) if "tham gia bảo hiểm y tế" in t)
    assert scores[written_short] > 0 and scores[written_out] > 0
