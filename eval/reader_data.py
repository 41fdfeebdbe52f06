"""The reader's question–passage examples, read from their sources into one form.

Training: vi-qa ``train.json`` (hand-written, Wikipedia and university regulations), the SQuAD 2.0
pairs ``squad-v2.0-mailong25.json`` (news and Wikipedia, two thirds unanswerable; its text was
tokenised with spaces around punctuation, which no article is, so it is detokenised here with the
answer offsets carried along), the ``dev`` half of XQuAD-vi and the ``dev`` split of the news
corpus when it exists. Validation: vi-qa ``test.json`` plus one mailong25 question in ten (the
no-answer threshold needs unanswerable passages, which vi-qa's test has none of). Test, never trained or tuned on: the XQuAD-vi
``test`` half. Every answer is checked to be the text at its offset (a few vi-qa offsets are off:
the nearest occurrence of the text is taken, else the answer is dropped), and training contexts
that share wording with an XQuAD context are refused (:func:`xquad_overlap`).

Standard library only: the pack step, the tests and the evaluation read it.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

ROOT = Path(__file__).resolve().parent.parent
XQUAD_JSON = ROOT / "eval" / "data" / "xquad-vi" / "xquad.vi.json"
NEWS_DIR = ROOT / "eval" / "data" / "news"
XQUAD_DEV_ARTICLES = 24   # the first 24 articles of xquad.vi.json in file order; the rest are test
VIQA_FILES = ("train.json", "test.json", "squad-v2.0-mailong25.json")


@dataclass(frozen=True)
class Example:
    """One question about one passage. ``answers`` are (start, text) with ``context[start:start +
    len(text)] == text``; none means the passage does not answer (SQuAD 2.0 ``is_impossible``)."""

    id: str
    source: str
    question: str
    context: str
    answers: tuple[tuple[int, str], ...]

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def viqa_dir() -> Path:
    """``../shared/data/vi-qa`` beside the checkout (or beside the folder holding it, for a git
    worktree kept one level deeper)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        path = base / "shared" / "data" / "vi-qa"
        if path.is_dir():
            return path
    raise FileNotFoundError("không tìm thấy ../shared/data/vi-qa (dùng --data-dir)")


# --------------------------------------------------------------------------- reading SQuAD JSON

def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _located(context: str, start: int, text: str) -> int | None:
    """``start`` if the answer is there, else the start of its nearest occurrence, else None."""
    if not text.strip():
        return None
    if context[start:start + len(text)] == text:
        return start
    found = [m.start() for m in re.finditer(re.escape(text), context)]
    return min(found, key=lambda s: abs(s - start)) if found else None


def _squad(path: Path, source: str, articles: slice = slice(None)) -> Iterator[Example]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    for doc in data[articles]:
        for para in doc["paragraphs"]:
            context = _nfc(para["context"])
            for qa in para["qas"]:
                answers = []
                for a in [] if qa.get("is_impossible") else qa.get("answers", []):
                    raw = _nfc(a["text"])
                    text = raw.strip()
                    start = _located(context, int(a["answer_start"]) + len(raw) - len(raw.lstrip()), text)
                    if start is not None and (start, text) not in answers:
                        answers.append((start, text))
                if answers or qa.get("is_impossible"):
                    # an answerable question whose every answer was lost is dropped, not made unanswerable
                    yield Example(str(qa["id"]), source, _nfc(qa["question"]).strip(), context, tuple(answers))


# spaces the tokeniser put around punctuation: none before these, none after the openers
_NO_SPACE_BEFORE = set(".,;:!?%)]}”…")
_NO_SPACE_AFTER = set("([{“")


def detokenise(text: str) -> tuple[str, list[int]]:
    """Undo "Pháp . Cuộc" / "( năm 1885 )" / "“ Ông … ”" spacing. Returns the text and, for
    each of its characters, the index of the character it came from (for moving answer offsets)."""
    out: list[str] = []
    origin: list[int] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch == " ":
            nxt = text[i + 1] if i + 1 < n else ""
            prev = out[-1] if out else ""
            if nxt in _NO_SPACE_BEFORE or prev in _NO_SPACE_AFTER or prev == " " or not prev:
                continue
        out.append(ch)
        origin.append(i)
    return "".join(out).rstrip(), origin


def _detokenised(examples: Iterable[Example]) -> Iterator[Example]:
    for ex in examples:
        context, origin = detokenise(ex.context)
        where = {o: k for k, o in enumerate(origin)}
        answers = []
        for start, text in ex.answers:
            end = start + len(text)
            kept = [where[i] for i in range(start, end) if i in where]
            if not kept:
                continue
            a, b = kept[0], kept[-1] + 1
            answers.append((a, context[a:b].strip()))
        answers = [(a, t) for a, t in answers if t]
        if ex.answers and not answers:
            continue
        yield Example(ex.id, ex.source, detokenise(ex.question)[0], context, tuple(answers))


def viqa(data_dir: Path, name: str) -> list[Example]:
    """``train``, ``test`` or ``mailong25`` (detokenised) from the vi-qa folder."""
    if name == "mailong25":
        return list(_detokenised(_squad(Path(data_dir) / "squad-v2.0-mailong25.json", "mailong25")))
    return list(_squad(Path(data_dir) / f"{name}.json", f"viqa-{name}"))


def xquad(split: str) -> list[Example]:
    """XQuAD-vi ``dev`` (first 24 articles in file order) or ``test`` (the last 24)."""
    part = slice(None, XQUAD_DEV_ARTICLES) if split == "dev" else slice(XQUAD_DEV_ARTICLES, None)
    return list(_squad(XQUAD_JSON, f"xquad-{split}", part))


def news_dev(news_dir: Path = NEWS_DIR) -> list[Example]:
    """The news corpus ``dev`` questions with an answer (the article text is the passage, each
    answer located inside its ``source`` quote). Never ``heldout``. Empty until the corpus exists."""
    rows = []
    for path in [news_dir / "questions.jsonl", *sorted((news_dir / "parts").glob("questions_*.jsonl"))]:
        if path.is_file():
            rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for row in rows:
        if row.get("split") != "dev" or row.get("history"):
            continue
        article = news_dir / "articles" / f"{row['article']}.txt"
        if not article.is_file():
            continue
        lines = _nfc(article.read_text(encoding="utf-8")).split("\n")
        # the first line is " date YYYY-MM-DD Title"; the passage is the article's body paragraphs
        context = "\n".join(line for line in lines[1:] if line.strip())
        answers = []
        for quote in (_nfc(s["quote"]) for s in row.get("source", []) if s.get("article") == row["article"]):
            q_at = context.find(quote)
            for ans in map(_nfc, row.get("answers", [])):
                at = quote.find(ans) if q_at >= 0 else -1
                if at >= 0 and (q_at + at, ans) not in answers:
                    answers.append((q_at + at, ans))
        if row.get("type") == "none":
            out.append(Example(f"news-{row['id']}", "news-dev", _nfc(row["question"]), context, ()))
        elif answers:
            out.append(Example(f"news-{row['id']}", "news-dev", _nfc(row["question"]), context, tuple(answers)))
    return out


# --------------------------------------------------------------------------- overlap with XQuAD

def _shingles(text: str, n: int = 8) -> set[str]:
    words = re.findall(r"\w+", _nfc(text).lower())
    return {" ".join(words[i:i + n]) for i in range(max(len(words) - n + 1, 0))}


def xquad_overlap(examples: Iterable[Example], split: str = "test", min_shared: int = 2) -> set[str]:
    """Contexts (as written) that share at least ``min_shared`` eight-word runs with an XQuAD-vi
    context of ``split``: such a context is a copy of that passage, not other training data."""
    xq: set[str] = set()
    for ex in xquad(split):
        xq |= _shingles(ex.context)
    return {ex.context for ex in examples if len(_shingles(ex.context) & xq) >= min_shared}


def file_hashes(data_dir: Path) -> dict[str, str]:
    """sha256 of every data file training reads, for the shipped model's stamp."""
    paths = [Path(data_dir) / f for f in VIQA_FILES] + [XQUAD_JSON]
    news = [NEWS_DIR / "questions.jsonl", *sorted((NEWS_DIR / "parts").glob("questions_*.jsonl"))]
    paths += [p for p in news if p.is_file()]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@dataclass(frozen=True)
class Splits:
    train: list[Example]
    valid: list[Example]     # vi-qa test, then the held-out mailong25 questions
    dropped_overlap: int


def _held_out(ex: Example) -> bool:
    """One mailong25 question in ten (by its wording, so all its passages go together) is kept
    for validation: vi-qa's test questions are all answerable, and the no-answer threshold
    needs passages that do not answer."""
    return int(hashlib.sha1(ex.question.encode("utf-8")).hexdigest(), 16) % 10 == 0


def training_splits(data_dir: Path, *, news: bool = True) -> Splits:
    """Training examples (contexts copied from an XQuAD-vi ``test`` passage dropped) and the
    validation split."""
    mailong = viqa(data_dir, "mailong25")
    train = viqa(data_dir, "train") + [ex for ex in mailong if not _held_out(ex)] + xquad("dev")
    if news:
        train += news_dev()
    leaked = xquad_overlap(train, "test")
    kept = [ex for ex in train if ex.context not in leaked]
    valid = viqa(data_dir, "test") + [ex for ex in mailong if _held_out(ex)]
    return Splits(kept, valid, len(train) - len(kept))
