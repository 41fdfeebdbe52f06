"""The runner contract: ``python -m eval answer --input Q.jsonl --output A.jsonl`` writes one
JSON object per question, in input order, with exactly the agreed keys; a bad line yields an
error object instead of stopping the run."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from settings import ROOT

KEYS = {"id", "answer", "short_answer", "abstained", "verdict", "citations"}
CITATION_KEYS = {"article_id", "title", "date", "paragraph", "text"}
INCOME_QT = "Thu nhập bình quân của phường Quang Trung là bao nhiêu?"

# id, raw input line
LINES = [
    ("a1", {"id": "a1", "question": "Tỷ lệ tham gia bảo hiểm y tế của phường Đông Sơn là bao nhiêu?"}),
    ("a2", {"id": "a2", "question": "Dân số phường Đông Sơn là bao nhiêu người?"}),
    ("c1", {"id": "c1", "mode": "check",
            "question": "Phường Đông Sơn đặt chỉ tiêu tỷ lệ dân số tham gia bảo hiểm y tế đạt 99%."}),
    ("c2", {"id": "c2", "mode": "check",
            "question": "Phường Quang Trung thu hút 220 doanh nghiệp mới giai đoạn 2026-2030."}),
    ("h1", {"id": "h1", "question": "còn phường Đông Sơn thì sao?",
            "history": [{"role": "user", "content": INCOME_QT},
                        {"role": "assistant", "content": "Từ 90 triệu đồng/người/năm [1]"}]}),
    ("bad", '{"id": "bad1", "question": "Ai là Bí thư'),            # cut-off JSON
    ("e1", {"id": "e1", "question": "   "}),                        # empty question
    (42, {"id": 42, "question": "Ai là Bí thư Đảng ủy phường Nông Trang?"}),   # ids are echoed as given
]


def seed_paragraphs() -> dict[str, tuple[str, str | None, list[str]]]:
    """article id → (title, date, paragraphs) read straight from the seed files."""
    out = {}
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        first, date = lines[0], None
        if first.startswith(" date "):
            date, first = first[6:16], first[17:]
        blocks, cur = [], []
        for line in lines[1:] + [""]:
            if line.strip():
                cur.append(line.strip())
            elif cur:
                blocks.append("\n".join(cur))
                cur = []
        out[path.stem] = (first.strip(), date, blocks)
    return out


@pytest.fixture(scope="module")
def run(seeds_index, tmp_path_factory):
    """One run of the CLI over LINES; the index dir starts as a copy of the suite's seed index."""
    tmp = tmp_path_factory.mktemp("runner")
    shutil.copytree(seeds_index.generation.parent, tmp / "index", symlinks=True)
    q = tmp / "Q.jsonl"
    q.write_text("".join((raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)) + "\n"
                         for _, raw in LINES), encoding="utf-8")
    out = tmp / "A.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOIDAP_LLM_")}
    env.update(HOIDAP_INDEX_DIR=str(tmp / "index"), HOIDAP_CORPUS_DIR=str(ROOT / "seeds"),
               HOIDAP_DATA_DIR=str(tmp / "data"))
    proc = subprocess.run([sys.executable, "-m", "eval", "answer", "--input", str(q), "--output", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    raw = out.read_bytes()
    rows = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    return {"rows": rows, "raw": raw, "stderr": proc.stderr, "index_dir": tmp / "index"}


def row(run, qid):
    return next(r for r in run["rows"] if r.get("id") == qid)


def test_one_output_line_per_input_line_in_the_same_order(run):
    assert len(run["rows"]) == len(LINES)
    expected_ids = [qid if qid != "bad" else None for qid, _ in LINES]
    got = [r.get("id") for r in run["rows"]]
    for i, (want, have) in enumerate(zip(expected_ids, got)):
        if want is not None:
            assert have == want, f"line {i + 1}: id {have!r}, expected {want!r}"


def test_answered_lines_have_exactly_the_contract_keys_and_types(run):
    for r in run["rows"]:
        if "error" in r:
            continue
        assert set(r) == KEYS, set(r) ^ KEYS
        assert isinstance(r["answer"], str) and r["answer"]
        assert r["short_answer"] is None or isinstance(r["short_answer"], str)
        assert isinstance(r["abstained"], bool)
        assert r["verdict"] in (None, "supported", "refuted", "not_found")
        assert isinstance(r["citations"], list)
        for c in r["citations"]:
            assert set(c) == CITATION_KEYS, set(c) ^ CITATION_KEYS
            assert isinstance(c["paragraph"], int) and c["paragraph"] >= 1


def test_citations_quote_the_paragraph_exactly_as_in_the_seed_file(run):
    seeds = seed_paragraphs()
    cited = 0
    for r in run["rows"]:
        for c in r.get("citations", []):
            title, date, paragraphs = seeds[c["article_id"]]
            assert c["text"] == paragraphs[c["paragraph"] - 1]
            assert c["title"] == title
            assert c["date"] == date
            cited += 1
    assert cited >= 4


def test_output_is_utf8_without_escapes(run):
    assert "Đông Sơn".encode() in run["raw"]
    assert b"\\u" not in run["raw"]


def test_ask_line_answers_with_the_wards_figure(run):
    r = row(run, "a1")
    assert r["abstained"] is False and r["verdict"] is None
    assert "96%" in r["short_answer"]
    assert "99%" not in r["answer"]
    assert [(c["article_id"], c["paragraph"]) for c in r["citations"]] == [("004_bbba2ad5a4ca9edc", 3)]


def test_unanswerable_line_abstains_without_citations(run):
    r = row(run, "a2")
    assert r["abstained"] is True
    assert r["answer"].startswith("Các bài viết hiện có không đề cập")
    assert r["citations"] == [] and r["short_answer"] is None


def test_check_lines_carry_a_verdict_and_the_evidence(run):
    refuted, supported = row(run, "c1"), row(run, "c2")
    assert "error" not in refuted and "error" not in supported, (refuted, supported)
    assert refuted["verdict"] == "refuted"
    assert "96%" in refuted["answer"]
    assert any(c["article_id"] == "004_bbba2ad5a4ca9edc" for c in refuted["citations"])
    assert supported["verdict"] == "supported"
    assert any(c["article_id"] == "000_979beda71dc56cf9" and c["paragraph"] == 1 for c in supported["citations"])
    assert refuted["abstained"] is False and supported["abstained"] is False


def test_history_line_is_answered_as_a_follow_up(run):
    r = row(run, "h1")
    assert r["abstained"] is False
    assert "95 triệu" in r["short_answer"]
    assert "90 triệu" not in r["answer"]


def test_numeric_ids_are_echoed_unchanged(run):
    r = row(run, 42)
    assert "Cầm Hà Chung" in r["short_answer"]


def test_bad_lines_give_an_error_object_and_the_run_goes_on(run):
    bad = run["rows"][[qid for qid, _ in LINES].index("bad")]
    empty = row(run, "e1")
    for r in (bad, empty):
        assert set(r) == KEYS | {"error"}
        assert isinstance(r["error"], str) and r["error"]
        assert r["abstained"] is True and r["citations"] == [] and r["verdict"] is None
    assert "dòng 6" in bad["error"]
    assert "dòng 7" in empty["error"]
    assert run["rows"][-1]["id"] == 42        # lines after the bad ones are still answered


def test_an_unparseable_line_does_not_borrow_the_previous_lines_id(run):
    bad = run["rows"][[qid for qid, _ in LINES].index("bad")]
    assert bad["id"] is None


def test_the_service_used_the_index_dir_it_was_given(run):
    assert (run["index_dir"] / "current").exists()
    assert "câu trả lời" in run["stderr"]
