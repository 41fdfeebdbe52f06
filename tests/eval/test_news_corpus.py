"""The news corpus (eval/data/news) stays valid: every quote is in its article, every
``must_contain`` in an answer or a quote, ids unique, kinds and splits as documented, and the
sizes and shares issue 14 asks for."""
from __future__ import annotations

from collections import Counter

import pytest

from eval import news_corpus
from ingest.corpus import read_article

QUESTIONS = news_corpus.read_rows("questions")
CLAIMS = news_corpus.read_rows("claims")
ARTICLES = news_corpus.article_ids()


def test_the_corpus_has_no_problem():
    assert news_corpus.validate() == []


def test_the_corpus_is_as_large_as_asked():
    assert len(ARTICLES) >= 40
    assert len(QUESTIONS) >= 500
    assert len(CLAIMS) >= 200


def test_at_least_a_third_of_the_articles_are_held_out_with_all_their_items():
    held = {r["article"] for r in QUESTIONS + CLAIMS if r["split"] == "heldout"}
    dev = {r["article"] for r in QUESTIONS + CLAIMS if r["split"] == "dev"}
    assert not held & dev
    assert held | dev == set(ARTICLES)
    assert 3 * len(held) >= len(ARTICLES)


def test_the_hard_kinds_have_their_shares():
    kinds = Counter(q["kind"] for q in QUESTIONS)
    n = len(QUESTIONS)
    assert kinds["paraphrase"] >= 0.20 * n
    assert kinds["unaccented"] >= 0.10 * n
    assert kinds["out_of_scope"] >= 0.10 * n
    for kind in ("fact", "target", "person", "date", "list", "name", "place", "count", "multipart", "followup"):
        assert kinds[kind] >= 10, kind


def test_claims_have_every_verdict_and_change():
    verdicts = Counter(c["verdict"] for c in CLAIMS)
    assert min(verdicts[v] for v in news_corpus.VERDICTS) >= 20
    changes = {c["change"] for c in CLAIMS if c["verdict"] == "refuted"}
    assert changes == news_corpus.CHANGES - {"none"}


def test_no_article_is_about_a_seed_ward():
    for aid in ARTICLES:
        title = news_corpus.fold(news_corpus.article_text(aid).split("\n", 1)[0])
        assert not any(w in title for w in news_corpus.SEED_WARDS), aid


@pytest.mark.parametrize("aid", ARTICLES)
def test_ingest_numbers_the_paragraphs_as_the_gold_labels_do(aid):
    """Gold paragraphs come from ``news_corpus.paragraphs``: ``ingest`` must agree on them."""
    article = read_article(news_corpus.NEWS_DIR / "articles" / f"{aid}.txt")
    assert [p.text for p in article.paragraphs] == news_corpus.paragraphs(news_corpus.article_text(aid))
    assert article.date is not None


def test_the_validator_catches_a_quote_that_is_not_in_its_article(tmp_path):
    (tmp_path / "articles").mkdir()
    aid = ARTICLES[0]
    (tmp_path / "articles" / f"{aid}.txt").write_text(news_corpus.article_text(aid), encoding="utf-8")
    row = next(q for q in QUESTIONS if q["article"] == aid and q["source"])
    bad = {**row, "source": [{"article": aid, "quote": "một câu không có trong bài"}]}
    import json
    (tmp_path / "questions.jsonl").write_text(json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    problems = news_corpus.validate(tmp_path)
    assert any("not a substring" in p for p in problems)
