"""Checks the hand-written evaluation sets against the seed articles they cite.

A wrong gold label is worse than none, so every answer, evidence snippet and correction
must occur verbatim in the paragraph it points at. Paragraphs are computed here with a
tiny local splitter (title line dropped, blocks split on blank lines, 1-based) so this
test does not depend on ``ingest``.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
DATA = ROOT / "eval" / "data"

QA_KINDS = {"number", "date", "person", "role", "project", "place", "list", "paraphrase",
            "multiward", "multipart", "unaccented", "merger", "out_of_scope"}
CLAIM_KINDS = {"true", "ward_swap", "year_swap", "near_miss", "qualifier", "person_role",
               "project_name", "unmentioned", "multi_sentence"}
VERDICTS = {"supported", "refuted", "not_found"}
WARDS = ("quang trung", "dong son", "nong trang", "thanh mieu", "bim son")


@cache
def paragraphs(article_id: str) -> tuple[str, ...]:
    """Blocks of a seed body, numbered from 1 as everywhere else in the project."""
    text = (SEEDS / f"{article_id}.txt").read_text(encoding="utf-8")
    _title, _, body = text.partition("\n")
    return tuple(b.strip() for b in re.split(r"\n\s*\n", body) if b.strip())


def paragraph(ref: dict) -> str:
    paras = paragraphs(ref["article_id"])
    assert 1 <= ref["paragraph"] <= len(paras), ref
    return paras[ref["paragraph"] - 1]


def fold(text: str) -> str:
    """Remove tone marks and vowel diacritics, đ→d, lowercase."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


def load(name: str) -> list[dict]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


ARTICLES = sorted(p.stem for p in SEEDS.glob("*.txt"))
QA_FILES = ["seeds_qa.jsonl", "seeds_qa_heldout.jsonl"]


def test_seed_splitter_matches_known_paragraphs():
    # guards the helper itself: numbering counts captions and bylines
    assert len(ARTICLES) == 5
    assert paragraphs("002_06499cde5db94ce7")[28] == "Quốc Hương"
    assert paragraphs("004_bbba2ad5a4ca9edc")[6] == "Thu Hương (CTV)"
    assert paragraphs("003_cce8d4c811368e9e")[2] == "Thành quả một chặng đường"


@pytest.mark.parametrize("name", QA_FILES)
def test_qa_schema_and_ids(name):
    rows = load(name)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert set(r) <= {"id", "question", "answers", "gold", "kind", "evidence", "list"}, r["id"]
        assert r["kind"] in QA_KINDS, r["id"]
        assert r["question"].strip() and isinstance(r["answers"], list), r["id"]
        assert all(set(g) == {"article_id", "paragraph"} and g["article_id"] in ARTICLES for g in r["gold"]), r["id"]
        if r["kind"] == "out_of_scope":
            assert r["answers"] == [] and r["gold"] == [] and r["evidence"] == [], r["id"]
        else:
            assert r["answers"] and r["gold"] and r["evidence"], r["id"]


@pytest.mark.parametrize("name", QA_FILES)
def test_qa_answers_and_evidence_occur_in_gold_paragraphs(name):
    for r in load(name):
        texts = [paragraph(g) for g in r["gold"]]
        for item in r["answers"] + r["evidence"]:
            assert any(item in t for t in texts), (r["id"], item)
        # every gold paragraph must actually carry part of the answer
        for g, t in zip(r["gold"], texts):
            assert any(item in t for item in r["answers"] + r["evidence"]), (r["id"], g)


@pytest.mark.parametrize("name", QA_FILES)
def test_qa_kind_specific_rules(name):
    for r in load(name):
        if r["kind"] == "unaccented":
            assert not has_diacritics(r["question"]), r["id"]
            assert any(has_diacritics(a) for a in r["answers"]) or all(a.isascii() for a in r["answers"]), r["id"]
        else:
            assert has_diacritics(r["question"]), r["id"]
        if r["kind"] in {"list", "multipart"}:
            assert r.get("list") is True and len(r["answers"]) >= 2, r["id"]
        if r["kind"] == "multipart" and len(r["gold"]) > 1:
            assert len({(g["article_id"], g["paragraph"]) for g in r["gold"]}) == len(r["gold"]), r["id"]
        if r["kind"] == "multiward":
            assert len(r["gold"]) == 1, r["id"]
            assert any(w in fold(r["question"]) for w in WARDS), r["id"]


def test_tuning_set_minimum_counts():
    rows = load("seeds_qa.jsonl")
    kinds = Counter(r["kind"] for r in rows)
    assert len(rows) >= 70
    minimum = {"out_of_scope": 8, "unaccented": 8, "multiward": 6, "paraphrase": 4, "list": 3,
               "multipart": 3, "person": 2, "role": 2, "project": 2, "date": 2, "place": 2,
               "number": 2, "merger": 1}
    for kind, n in minimum.items():
        assert kinds[kind] >= n, (kind, kinds[kind])
    assert {g["article_id"] for r in rows for g in r["gold"]} == set(ARTICLES)


def test_heldout_counts_and_no_overlap_with_tuning_set():
    tuning, heldout = load("seeds_qa.jsonl"), load("seeds_qa_heldout.jsonl")
    kinds = Counter(r["kind"] for r in heldout)
    assert len(heldout) == 30
    assert kinds["unaccented"] >= 5 and kinds["out_of_scope"] >= 4
    assert not {r["id"] for r in tuning} & {r["id"] for r in heldout}
    assert not {fold(r["question"]) for r in tuning} & {fold(r["question"]) for r in heldout}


def test_claims_schema_and_ids():
    rows = load("claims.jsonl")
    assert len({r["id"] for r in rows}) == len(rows) >= 48
    for r in rows:
        assert r["verdict"] in VERDICTS and r["kind"] in CLAIM_KINDS, r["id"]
        assert all(g["article_id"] in ARTICLES for g in r["gold"]), r["id"]
        if r["verdict"] == "refuted":
            assert r.get("correct"), r["id"]
        if r["kind"] == "true":
            assert r["verdict"] == "supported", r["id"]
        if r["kind"] == "unmentioned":
            assert r["verdict"] == "not_found" and r["gold"] == [], r["id"]
        if r["verdict"] == "not_found" and r["kind"] != "multi_sentence":
            assert r["gold"] == [], r["id"]
        if r["verdict"] == "supported":
            assert r["gold"] and r.get("evidence"), r["id"]


def test_claim_corrections_and_evidence_occur_in_gold_paragraphs():
    for r in load("claims.jsonl"):
        texts = [paragraph(g) for g in r["gold"]]
        for item in r.get("evidence", []) + ([r["correct"]] if "correct" in r else []):
            assert any(item in t for t in texts), (r["id"], item)
        if r["verdict"] == "refuted":
            # a refuted claim must not simply repeat the article's wording
            assert r["correct"] not in r["claim"], r["id"]


def test_multi_sentence_claims_combine_sentence_verdicts():
    rows = [r for r in load("claims.jsonl") if r["kind"] == "multi_sentence"]
    assert len(rows) >= 4
    for r in rows:
        sentences = r["sentences"]
        assert 2 <= len(sentences) <= 3, r["id"]
        for s in sentences:
            assert s["text"] in r["claim"] and s["verdict"] in VERDICTS, r["id"]
            if s["verdict"] == "refuted":
                assert s["correct"] == r["correct"], r["id"]
        verdicts = {s["verdict"] for s in sentences}
        expected = ("refuted" if "refuted" in verdicts
                    else "not_found" if "not_found" in verdicts else "supported")
        assert r["verdict"] == expected, r["id"]


def test_claims_are_mostly_false_and_cover_every_error_type():
    rows = load("claims.jsonl")
    assert sum(r["verdict"] == "refuted" for r in rows) * 2 >= len(rows)
    assert {r["kind"] for r in rows} == CLAIM_KINDS
    assert sum(r["verdict"] == "not_found" for r in rows) >= 4
