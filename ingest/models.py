"""Records that cross module boundaries: what an article and its paragraphs are."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum


class ParagraphKind(str, Enum):
    """Why a block of an article exists; only some kinds are answer text."""

    BODY = "body"          # ordinary article text
    HEADING = "heading"    # a short section heading ("Thành quả một chặng đường")
    CAPTION = "caption"    # a photo caption ("Quang cảnh buổi làm việc tại phường Bỉm Sơn.")
    BYLINE = "byline"      # the author line at the end ("Quốc Hương", "Thu Hương (CTV)")


@dataclass(frozen=True)
class Paragraph:
    """One block of an article, exactly as written, with where it sits in the file.

    ``number`` is 1-based over every block of the body (captions and byline included),
    so a citation "đoạn 7" can be found by counting blocks in the original article.
    ``start``/``end`` are character offsets into ``Article.text``: the decoded file for .txt/.md,
    the extracted text for .html/.docx/.pdf (see ``ingest.parser.article_from_blocks``).
    ``page`` is the 1-based PDF page the paragraph starts on (None for other formats).
    """

    article_id: str
    number: int
    text: str
    start: int
    end: int
    kind: ParagraphKind
    title: str
    date: dt.date | None
    wards: tuple[str, ...] = ()
    states_fact: bool = True
    page: int | None = None

    @property
    def answerable(self) -> bool:
        """Body text, and bylines/captions that state a fact (a person with a role)."""
        return self.kind is ParagraphKind.BODY or self.states_fact

    @property
    def key(self) -> str:
        """Stable id of the paragraph across rebuilds: ``<article_id>#<number>``."""
        return f"{self.article_id}#{self.number}"


@dataclass(frozen=True)
class Article:
    """A parsed article: metadata plus its paragraphs in order."""

    article_id: str
    title: str
    date: dt.date | None
    source: str
    text: str
    paragraphs: tuple[Paragraph, ...]
    wards: tuple[str, ...] = ()
    byline: str | None = None
    content_hash: str = ""

    def paragraph(self, number: int) -> Paragraph:
        for p in self.paragraphs:
            if p.number == number:
                return p
        raise KeyError(f"{self.article_id} has no paragraph {number}")


@dataclass(frozen=True)
class FileProblem:
    """A file that could not be ingested, with a message a person can act on."""

    path: str
    message: str


@dataclass
class CorpusLoad:
    """Outcome of reading a folder: the articles that parsed and the files that did not.
    ``notices`` are files that were read but deserve a word (e.g. "read as Windows-1258")."""

    articles: list[Article] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    notices: list[FileProblem] = field(default_factory=list)


def paragraph_to_dict(p: Paragraph) -> dict:
    d = {
        "article_id": p.article_id, "number": p.number, "text": p.text, "start": p.start, "end": p.end,
        "kind": p.kind.value, "title": p.title, "date": p.date.isoformat() if p.date else None,
        "wards": list(p.wards), "states_fact": p.states_fact,
    }
    if p.page is not None:  # only PDFs have pages; older readers never see the key
        d["page"] = p.page
    return d


def paragraph_from_dict(d: dict) -> Paragraph:
    return Paragraph(
        article_id=d["article_id"], number=int(d["number"]), text=d["text"], start=int(d["start"]),
        end=int(d["end"]), kind=ParagraphKind(d["kind"]), title=d["title"],
        date=dt.date.fromisoformat(d["date"]) if d.get("date") else None,
        wards=tuple(d.get("wards", ())), states_fact=bool(d.get("states_fact", True)),
        page=int(d["page"]) if d.get("page") is not None else None,  # absent in older articles.json
    )


def article_to_dict(a: Article) -> dict:
    return {
        "article_id": a.article_id, "title": a.title, "date": a.date.isoformat() if a.date else None,
        "source": a.source, "text": a.text, "wards": list(a.wards), "byline": a.byline,
        "content_hash": a.content_hash, "paragraphs": [paragraph_to_dict(p) for p in a.paragraphs],
    }


def article_from_dict(d: dict) -> Article:
    return Article(
        article_id=d["article_id"], title=d["title"],
        date=dt.date.fromisoformat(d["date"]) if d.get("date") else None,
        source=d.get("source", ""), text=d["text"], wards=tuple(d.get("wards", ())),
        byline=d.get("byline"), content_hash=d.get("content_hash", ""),
        paragraphs=tuple(paragraph_from_dict(p) for p in d["paragraphs"]),
    )
