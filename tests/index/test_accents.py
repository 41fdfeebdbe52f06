"""Tone-mark restoration trained on the seed text."""
from __future__ import annotations

import json

import pytest

from index.accents import ToneRestorer
from ingest.corpus import load_corpus


@pytest.fixture(scope="module")
def restorer(seeds_dir) -> ToneRestorer:
    articles = load_corpus(seeds_dir).articles
    return ToneRestorer.train([a.title for a in articles] + [p.text for a in articles for p in a.paragraphs])


@pytest.mark.parametrize("plain, accented", [
    ("thu nhap binh quan", "thu nhập bình quân"),
    ("ty le ho ngheo", "tỷ lệ hộ nghèo"),
    ("dai hoi dang bo phuong", "đại hội đảng bộ phường"),
    ("den nam 2030", "đến năm 2030"),
])
def test_restores_tone_marks_from_the_corpus(restorer, plain, accented):
    assert restorer.restore(plain) == accented


def test_keeps_unknown_syllables_digits_and_punctuation(restorer):
    assert restorer.restore("xyzzy thu nhap, qwer!") == "xyzzy thu nhập, qwer!"
    assert restorer.restore("  thu nhap (2030)?\n") == "  thu nhập (2030)?\n"
    assert restorer.restore("...") == "..."
    assert restorer.restore("") == ""


def test_keeps_capitalised_words_capitalised(restorer):
    assert restorer.restore("Thu nhap binh quan cua phuong Dong Son") == \
        "Thu nhập bình quân của phường Đông Sơn"


def test_keeps_syllables_that_already_have_marks(restorer):
    assert restorer.restore("thu nhập binh quan") == "thu nhập bình quân"


def test_keeps_upper_case_words_upper_case(restorer):
    assert restorer.restore("THU NHAP BINH QUAN") == "THU NHẬP BÌNH QUÂN"


@pytest.mark.parametrize("plain", ["bao nhieu", "phuong Quang Trung co bao nhieu chi tieu"])
def test_restores_the_commonest_question_phrase(restorer, plain):
    assert "bao nhiêu" in restorer.restore(plain)


def test_a_saved_restorer_restores_the_same(restorer, tmp_path):
    path = tmp_path / "tones.json"
    restorer.save(path)
    loaded = ToneRestorer.load(path)
    for plain in ("thu nhap binh quan", "ty le ho ngheo", "bao nhieu"):
        assert loaded.restore(plain) == restorer.restore(plain)


def test_a_restorer_from_another_version_is_refused(restorer, tmp_path):
    path = tmp_path / "tones.json"
    restorer.save(path)
    data = json.loads(path.read_text())
    data["version"] = "unigram/0"
    path.write_text(json.dumps(data, ensure_ascii=False))
    with pytest.raises(ValueError):
        ToneRestorer.load(path)


def test_words_the_corpus_never_uses_come_from_the_dictionary():
    # trained on one sentence without "gợi ý" or "giám sát": the word list supplies them
    with_words = ToneRestorer.train(["Lãnh đạo tỉnh làm việc tại phường."])
    assert with_words.restore("lanh dao tinh goi y giam sat") == "lãnh đạo tỉnh gợi ý giám sát"
    without = ToneRestorer.train(["Lãnh đạo tỉnh làm việc tại phường."], lexicon=[])
    assert without.restore("goi y") == "goi y"


def test_the_corpus_outweighs_the_dictionary():
    # "tại" is what the corpus says; the dictionary's many "tai" (ear) compounds must not win
    r = ToneRestorer.train(["Đoàn làm việc tại phường.", "Hội nghị tổ chức tại xã."] * 3)
    assert r.restore("lam viec tai phuong") == "làm việc tại phường"
