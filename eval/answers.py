"""Answer-level evaluation and the stable runner contract.

* ``answer``: ``--input Q.jsonl --output A.jsonl`` (one output line per input line).
* ``answers``: accuracy, citation precision, abstention precision/recall, unsupported numbers,
  overall and per question kind; on XQuAD-vi also quoted-sentence hit rate and SQuAD EM/F1.
"""
from __future__ import annotations

import collections
import json
import re
import string
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from chatbot.chain import guard
from chatbot.models import Answer, Turn
from eval.datasets import Question
from ingest.text import nfc


def answer_to_json(qid, answer: Answer, verdict=None) -> dict:
    return {
        "id": qid,
        "answer": answer.text,
        "short_answer": answer.short_answer,
        "abstained": answer.abstained,
        "verdict": verdict,
        "citations": [
            {"article_id": c.article_id, "title": c.title, "date": c.date.isoformat() if c.date else None,
             "paragraph": c.paragraph, "text": c.text}
            for c in answer.citations
        ],
    }


def run_file(service, input_path: Path, output_path: Path) -> int:
    """The runner contract; bad lines get an error object instead of stopping the run."""
    rows = []
    with input_path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            item = None
            try:
                item = json.loads(line)
                question = str(item.get("question", "")).strip()
                if not question:
                    raise ValueError("câu hỏi trống")
                mode = item.get("mode", "ask") or "ask"
                history = [Turn(h["role"], h["content"]) for h in item.get("history") or []]
                if mode == "check":
                    report = service.check(question)
                    cites = tuple(c for s in report.sentences for c in s.citations)
                    text = "\n".join(f"{s.sentence} → {s.verdict}: {s.explanation}" for s in report.sentences)
                    ans = Answer(question, question, text, None, report.verdict == "not_found", cites)
                    rows.append(answer_to_json(item.get("id"), ans, report.verdict))
                else:
                    rows.append(answer_to_json(item.get("id"), service.ask(question, history)))
            except Exception as exc:  # one bad line never stops the run
                rows.append({"id": item.get("id") if isinstance(item, dict) else None,
                             "error": f"dòng {n}: {exc}", "answer": "", "short_answer": None,
                             "abstained": True, "verdict": None, "citations": []})
    with output_path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


# -- metrics ------------------------------------------------------------------------------------
def _normalize_squad(s: str) -> str:
    s = nfc(s).lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation) | {"“", "”", "…"})
    return " ".join(s.split())


def f1(pred: str, gold: str) -> float:
    p, g = _normalize_squad(pred).split(), _normalize_squad(gold).split()
    common = collections.Counter(p) & collections.Counter(g)
    same = sum(common.values())
    if not p or not g or same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def _contains(text: str, answers: Sequence[str], all_of: bool) -> bool:
    text = nfc(text)
    hits = [nfc(a) in text for a in answers]
    return all(hits) if all_of else any(hits)


def short_answer_right(short: str | None, gold: Sequence[str], needed: Sequence[str], all_of: bool) -> bool:
    """Whether a short answer gives the gold one, not a sentence around it: it holds what a right
    reply must hold (``needed``) and is at most twice as long as the gold answer, plus a label
    or a unit's worth (40 characters)."""
    if not short or not gold:
        return False
    short = nfc(short).lower()
    if not all(nfc(n).lower() in short for n in needed):
        return False
    size = sum(len(g) for g in gold) if all_of else max(len(g) for g in gold)
    return len(short) <= 2 * size + 40


def evaluate(service, questions: Sequence[Question], *, xquad: bool = False, keep_rows: bool = False) -> dict:
    """The figures over ``questions``; ``keep_rows`` adds each question's outcome (``rows``), for
    reading a development split's misses (never a held-out one's)."""
    rows = []
    times = []
    for q in questions:
        started = time.perf_counter()
        ans = service.ask(q.question, q.history)
        times.append((time.perf_counter() - started) * 1000)
        cited = {f"{c.article_id}#{c.paragraph}" for c in ans.citations}
        numbers_bad = [u for u in guard(ans) if u.kind == "number"]
        row = {
            "id": q.id,
            "kind": q.kind,
            "answerable": q.answerable,
            "abstained": ans.abstained,
            "question": q.question,
            "reply": ans.text,
            "short_answer": ans.short_answer,
            "correct": (not ans.abstained and _contains(ans.text + "\n" + (ans.short_answer or ""), q.answers,
                                                          q.is_list)) if q.answerable else ans.abstained,
            "cit_precision": (len(cited & set(q.gold)) / len(cited)) if (cited and q.answerable) else None,
            "unsupported_numbers": len(numbers_bad),
        }
        if q.short_answers:
            row["short_correct"] = (q.answerable and not ans.abstained
                                    and short_answer_right(ans.short_answer, q.short_answers, q.answers,
                                                           bool(q.extra.get("all"))))
        if xquad:
            first = ans.citations[0] if ans.citations else None
            quote = first.text[first.span[0]:first.span[1]] if first and first.span else ""
            row["quote_has_answer"] = any(nfc(a) in nfc(quote) for a in q.answers)
            short = ans.short_answer or ""
            row["em"] = float(any(_normalize_squad(short) == _normalize_squad(a) for a in q.answers))
            row["f1"] = max(f1(short, a) for a in q.answers)
        rows.append(row)
    result = summarize(rows, times)
    if keep_rows:
        result["rows"] = rows
    return result


def summarize(rows: list[dict], times: list[float]) -> dict:
    def block(rs: list[dict]) -> dict:
        answerable = [r for r in rs if r["answerable"]]
        oos = [r for r in rs if not r["answerable"]]
        abst = [r for r in rs if r["abstained"]]
        cps = [r["cit_precision"] for r in rs if r["cit_precision"] is not None]
        out = {
            "n": len(rs),
            "answer_accuracy": round(sum(r["correct"] for r in answerable) / len(answerable), 4) if answerable else None,
            "citation_precision": round(float(np.mean(cps)), 4) if cps else None,
            "abstention_precision": round(sum(not r["answerable"] for r in abst) / len(abst), 4) if abst else None,
            "abstention_recall": round(sum(r["abstained"] for r in oos) / len(oos), 4) if oos else None,
            "false_abstention_rate": round(sum(r["abstained"] for r in answerable) / len(answerable), 4) if answerable else None,
            "false_answer_rate": round(sum(not r["abstained"] for r in oos) / len(oos), 4) if oos else None,
            "unsupported_number_replies": sum(1 for r in rs if r["unsupported_numbers"]),
        }
        shorts = [r["short_correct"] for r in answerable if "short_correct" in r]
        if shorts:
            out["short_answer_accuracy"] = round(sum(shorts) / len(shorts), 4)
        if rs and "quote_has_answer" in rs[0]:
            out["quote_has_answer"] = round(float(np.mean([r["quote_has_answer"] for r in rs])), 4)
            out["em"] = round(100 * float(np.mean([r["em"] for r in rs])), 2)
            out["f1"] = round(100 * float(np.mean([r["f1"] for r in rs])), 2)
        return out

    result = {"overall": block(rows)}
    result["overall"]["p50_ms"] = round(float(np.percentile(times, 50)), 2) if times else None
    result["overall"]["p95_ms"] = round(float(np.percentile(times, 95)), 2) if times else None
    kinds = sorted({r["kind"] for r in rows})
    if len(kinds) > 1:
        result["by_kind"] = {k: block([r for r in rows if r["kind"] == k]) for k in kinds}
    return result
