"""Records the answering layer hands to the web app, the Zalo bot and the eval runner."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["user", "assistant"]
Verdict = Literal["supported", "refuted", "not_found"]


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str


def written_date(day: dt.date) -> str:
    """A date as replies write it ("17/9/2025"): the guard accepts a cited article's date only so."""
    return f"{day.day}/{day.month}/{day.year}"


@dataclass(frozen=True)
class Citation:
    """A paragraph a reply relies on. ``id`` is the number of its ``[n]`` marker in the reply;
    ``span`` is the quoted sentence's character range inside ``text``."""

    id: int
    article_id: str
    title: str
    date: dt.date | None
    paragraph: int
    text: str
    span: tuple[int, int] | None
    score: float

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "article_id": self.article_id,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "paragraph": self.paragraph,
            "text": self.text,
            "span": list(self.span) if self.span else None,
            "score": round(float(self.score), 4),
        }


@dataclass(frozen=True)
class Answer:
    """A reply. When ``abstained``, ``citations`` is empty and ``related`` holds at most three
    paragraphs that may be related."""

    question: str
    standalone_question: str
    text: str
    short_answer: str | None
    abstained: bool
    citations: tuple[Citation, ...] = ()
    related: tuple[Citation, ...] = ()
    verdict: Verdict | None = None
    generator: str = "extractive"


@dataclass(frozen=True)
class SentenceVerdict:
    """Fact-check result for one sentence of a claim."""

    sentence: str
    verdict: Verdict
    explanation: str
    citations: tuple[Citation, ...] = ()
    evidence_span: tuple[int, int] | None = None


@dataclass(frozen=True)
class CheckReport:
    claim: str
    sentences: tuple[SentenceVerdict, ...] = field(default_factory=tuple)

    @property
    def verdict(self) -> Verdict:
        """The claim's overall verdict: refuted beats not_found beats supported."""
        verdicts = [s.verdict for s in self.sentences]
        if not verdicts:
            return "not_found"
        if "refuted" in verdicts:
            return "refuted"
        if "not_found" in verdicts:
            return "not_found"
        return "supported"
