"""The reader's examples: answers stay verbatim at their offsets through detokenising and offset
repair, XQuAD-vi splits by article, the news corpus dev split is read and heldout never is."""
from __future__ import annotations

import json

from eval import reader_data
from eval.reader_data import Example, detokenise


def _squad(tmp_path, context, qas):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"data": [{"paragraphs": [{"context": context, "qas": qas}]}]}), encoding="utf-8")
    return path


def test_detokenise_moves_answer_offsets(tmp_path):
    context = "Khởi nghĩa do Nguyễn Thiện Thuật lãnh đạo ( năm 1885 ) . Sau đó , tan rã ."
    start = context.index("năm 1885")
    path = _squad(tmp_path, context, [{"id": "1", "question": "Khi nào ?", "is_impossible": False,
                                       "answers": [{"text": "năm 1885", "answer_start": start}]},
                                      {"id": "2", "question": "Ai ?", "is_impossible": True, "answers": []}])
    examples = list(reader_data._detokenised(reader_data._squad(path, "x")))
    ex = examples[0]
    assert ex.context == "Khởi nghĩa do Nguyễn Thiện Thuật lãnh đạo (năm 1885). Sau đó, tan rã."
    (a, text), = ex.answers
    assert text == "năm 1885" and ex.context[a:a + len(text)] == text
    assert ex.question == "Khi nào?"
    assert not examples[1].answerable


def test_detokenise_keeps_map_to_the_original():
    text, origin = detokenise("“ Ông A ” nói , rồi .")
    assert text == "“Ông A” nói, rồi."
    assert all(text[i] == "“ Ông A ” nói , rồi ."[o] for i, o in enumerate(origin))


def test_wrong_offset_takes_the_nearest_occurrence_or_drops(tmp_path):
    context = "Học phần có từ 1 – 3 tín chỉ, học trong một học kỳ."
    path = _squad(tmp_path, context, [
        {"id": "1", "question": "q", "answers": [{"text": "trong một học kỳ", "answer_start": 0}]},
        {"id": "2", "question": "q", "answers": [{"text": "không có ở đây", "answer_start": 3}]},
    ])
    examples = list(reader_data._squad(path, "x"))
    assert len(examples) == 1    # a question whose every answer was lost is dropped, not made unanswerable
    (a, text), = examples[0].answers
    assert context[a:a + len(text)] == text


def test_xquad_split_by_article():
    dev, test = reader_data.xquad("dev"), reader_data.xquad("test")
    assert (len(dev), len(test)) == (632, 558)
    assert not {ex.context for ex in dev} & {ex.context for ex in test}


def test_overlap_with_xquad_test_is_found():
    test = reader_data.xquad("test")[0]
    copy = Example("c", "other", "q", "Mở đầu. " + test.context, ())
    other = Example("o", "other", "q", "Phường Quang Trung đề ra 28 chỉ tiêu chủ yếu cho nhiệm kỳ.", ())
    assert reader_data.xquad_overlap([copy, other], "test") == {copy.context}


def test_news_dev_only(tmp_path):
    (tmp_path / "articles").mkdir()
    body = "Sáng 14-8, xã Ia Hrú khởi công đường liên thôn dài 3,5 km.\n\nCông trình do UBND xã làm chủ đầu tư."
    for aid in ("nA01", "nB01"):
        (tmp_path / "articles" / f"{aid}.txt").write_text(f" date 2025-08-14 Khởi công\n\n{body}\n", encoding="utf-8")
    rows = [
        {"id": "q1", "article": "nA01", "split": "dev", "type": "number", "question": "Đường dài bao nhiêu?",
         "answers": ["3,5 km"], "source": [{"article": "nA01", "quote": "dài 3,5 km"}]},
        {"id": "q2", "article": "nB01", "split": "heldout", "type": "number", "question": "Đường dài bao nhiêu?",
         "answers": ["3,5 km"], "source": [{"article": "nB01", "quote": "dài 3,5 km"}]},
        {"id": "q3", "article": "nA01", "split": "dev", "type": "none", "question": "Tốn bao nhiêu tiền?",
         "answers": [], "source": []},
    ]
    (tmp_path / "questions.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    examples = reader_data.news_dev(tmp_path)
    assert [ex.id for ex in examples] == ["news-q1", "news-q3"]
    (a, text), = examples[0].answers
    assert examples[0].context[a:a + len(text)] == "3,5 km" and not examples[1].answerable
