"""The news corpus (``eval/data/news``): reading it and checking that it stays valid.

Standard library only, so the writers of the corpus can run the check on its own:
``python3 eval/news_corpus.py`` prints every problem found (exit status 1 if any).
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

NEWS_DIR = Path(__file__).resolve().parent / "data" / "news"

KINDS = {"fact", "target", "person", "date", "list", "name", "place", "count", "multipart",
         "followup", "paraphrase", "unaccented", "out_of_scope"}
TYPES = {"number", "count", "person", "post", "date", "list", "name", "place", "text", "none"}
SPLITS = {"dev", "heldout"}
VERDICTS = {"supported", "refuted", "not_found"}
CHANGES = {"figure", "unit", "year", "date", "time_of_day", "person", "post", "ward", "list_member",
           "list_size", "negation", "none"}
SEED_WARDS = ("quang trung", "nong trang", "bim son", "thanh mieu", "dong son")
_TITLE = re.compile(r"^ date (\d{4})-(\d{2})-(\d{2}) \S")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def article_text(article_id: str, news_dir: Path = NEWS_DIR) -> str:
    return nfc((news_dir / "articles" / f"{article_id}.txt").read_text(encoding="utf-8"))


def paragraphs(text: str) -> list[str]:
    """The body's blocks, numbered from 1 as ``ingest`` numbers them (title line dropped)."""
    _title, _, body = text.partition("\n")
    return [b.strip() for b in re.split(r"\n\s*\n", body) if b.strip()]


def paragraph_of(text: str, quote: str) -> int | None:
    """1-based number of the paragraph holding ``quote`` (None when no single one does)."""
    for n, para in enumerate(paragraphs(text), 1):
        if nfc(quote) in para:
            return n
    return None


def read_rows(name: str, news_dir: Path = NEWS_DIR) -> list[dict]:
    """``questions.jsonl`` or ``claims.jsonl``, plus any writer's part files not merged yet."""
    rows = []
    paths = [news_dir / f"{name}.jsonl"] + sorted((news_dir / "parts").glob(f"{name}_*.jsonl"))
    for path in paths:
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                rows += [json.loads(line) for line in fh if line.strip()]
    return rows


def article_ids(news_dir: Path = NEWS_DIR) -> list[str]:
    return sorted(p.stem for p in (news_dir / "articles").glob("*.txt"))


def _check_sources(row: dict, texts: dict[str, str], where: str, problems: list[str]) -> list[str]:
    quotes = []
    for src in row.get("source", []):
        aid, quote = src.get("article"), src.get("quote", "")
        if aid not in texts:
            problems.append(f"{where}: source article {aid!r} does not exist")
        elif not quote or paragraph_of(texts[aid], quote) is None:
            problems.append(f"{where}: quote is not a substring of one paragraph of {aid}: {quote[:80]!r}")
        else:
            quotes.append(nfc(quote))
    return quotes


def validate(news_dir: Path = NEWS_DIR) -> list[str]:
    """Every problem with the corpus, as readable lines (empty when it is valid)."""
    problems: list[str] = []
    ids = article_ids(news_dir)
    texts = {aid: article_text(aid, news_dir) for aid in ids}
    for aid, text in texts.items():
        first = text.split("\n", 1)[0]
        if not _TITLE.match(first):
            problems.append(f"{aid}: first line is not ' date YYYY-MM-DD Title'")
        words = len(text.split("\n", 1)[1].split()) if "\n" in text else 0
        if not 350 <= words <= 1200:
            problems.append(f"{aid}: body has {words} words (350-1,200 wanted)")
        if "\r" in text:
            problems.append(f"{aid}: carriage returns in the file")
    questions, claims = read_rows("questions", news_dir), read_rows("claims", news_dir)
    split_of: dict[str, set[str]] = {}
    seen: Counter = Counter(r.get("id") for r in questions + claims)
    for dup in [i for i, n in seen.items() if n > 1]:
        problems.append(f"id {dup!r} is used {seen[dup]} times")
    for q in questions:
        where = f"question {q.get('id')}"
        missing = {"id", "article", "split", "kind", "type", "question", "answers", "must_contain", "source"} - set(q)
        if missing:
            problems.append(f"{where}: missing fields {sorted(missing)}")
            continue
        if q["article"] not in texts:
            problems.append(f"{where}: article {q['article']!r} does not exist")
            continue
        split_of.setdefault(q["article"], set()).add(q["split"])
        if q["kind"] not in KINDS:
            problems.append(f"{where}: kind {q['kind']!r} not in {sorted(KINDS)}")
        if q["type"] not in TYPES:
            problems.append(f"{where}: type {q['type']!r} not in {sorted(TYPES)}")
        if q["split"] not in SPLITS:
            problems.append(f"{where}: split {q['split']!r}")
        quotes = _check_sources(q, texts, where, problems)
        scope_out = q["kind"] == "out_of_scope"
        if scope_out:
            if q["answers"] or q["must_contain"] or q["source"] or q["type"] != "none":
                problems.append(f"{where}: out_of_scope takes empty answers, must_contain, source and type none")
        else:
            if not q["answers"] or not 1 <= len(q["must_contain"]) <= 3 or not q["source"]:
                problems.append(f"{where}: needs answers, 1-3 must_contain and a source")
            for ans in q["answers"]:
                if not any(nfc(ans) in quote for quote in quotes):
                    problems.append(f"{where}: answer {ans!r} is not in its quotes")
            for needle in q["must_contain"]:
                if not any(nfc(needle) in nfc(t) for t in quotes + list(q["answers"])):
                    problems.append(f"{where}: must_contain {needle!r} is neither in an answer nor a quote")
        if q["kind"] == "unaccented" and fold(q["question"]) != q["question"].lower():
            problems.append(f"{where}: unaccented question has tone marks")
        if q["kind"] == "followup" and not q.get("history"):
            problems.append(f"{where}: followup without history")
        for turn in q.get("history") or []:
            if turn.get("role") not in {"user", "assistant"} or not turn.get("content"):
                problems.append(f"{where}: bad history turn {turn!r}")
    for c in claims:
        where = f"claim {c.get('id')}"
        missing = {"id", "article", "split", "claim", "verdict", "change", "source"} - set(c)
        if missing:
            problems.append(f"{where}: missing fields {sorted(missing)}")
            continue
        if c["article"] not in texts:
            problems.append(f"{where}: article {c['article']!r} does not exist")
            continue
        split_of.setdefault(c["article"], set()).add(c["split"])
        if c["verdict"] not in VERDICTS:
            problems.append(f"{where}: verdict {c['verdict']!r}")
        if c["change"] not in CHANGES or (c["verdict"] == "refuted") == (c["change"] == "none"):
            problems.append(f"{where}: change {c['change']!r} does not fit verdict {c['verdict']!r}")
        quotes = _check_sources(c, texts, where, problems)
        if (c["verdict"] == "not_found") != (not quotes):
            problems.append(f"{where}: a source quote is needed exactly when the verdict is not not_found")
    for aid in ids:
        splits = split_of.get(aid, set())
        if len(splits) != 1:
            problems.append(f"{aid}: its questions and claims have splits {sorted(splits) or 'none'}")
    return problems


def summary(news_dir: Path = NEWS_DIR) -> dict:
    questions, claims = read_rows("questions", news_dir), read_rows("claims", news_dir)
    held = {r["article"] for r in questions + claims if r.get("split") == "heldout"}
    return {
        "articles": len(article_ids(news_dir)), "heldout_articles": len(held),
        "questions": len(questions), "claims": len(claims),
        "questions_by_kind_split": dict(sorted(Counter(f"{q['kind']}/{q['split']}" for q in questions).items())),
        "claims_by_verdict_split": dict(sorted(Counter(f"{c['verdict']}/{c['split']}" for c in claims).items())),
    }


if __name__ == "__main__":
    found = validate()
    for line in found:
        print(line)
    print(json.dumps(summary(), ensure_ascii=False, indent=1))
    sys.exit(1 if found else 0)
