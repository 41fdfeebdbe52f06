"""Helpers shared by the readers of formats whose text comes from a library (HTML, DOCX, PDF):
finding the document's date in its first blocks and dropping what is not article text."""
from __future__ import annotations

import datetime as dt
import re
from typing import Sequence

from ingest.text import match_key

__all__ = ["document_date", "is_timestamp", "without_title"]

# "ngày 20 tháng 11 năm 2025", "Thanh Hóa, ngày 20/11/2025", "20/11/2025 08:30", "20-11-2025"
_WORDS_DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_NUM_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d/.-])")
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_TIMESTAMP = re.compile(
    r"^(?:(?:thứ\s+\w+|chủ\s+nhật)\s*[,-]?\s*)?(?:cập nhật:?\s*)?"
    r"(?:\d{1,2}:\d{2}(?:\s*(?:sa|ch|am|pm))?\s*[,|-]?\s*)?"
    r"(?:ngày\s+)?\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    r"(?:\s*[,|-]?\s*\d{1,2}[:h]\d{2}(?:\s*(?:sa|ch|am|pm))?)?(?:\s*\(?(?:gmt|utc)\s*[+-]\s*\d{1,2}\)?)?$",
    re.IGNORECASE,
)


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def document_date(blocks: Sequence[str], first: int = 15) -> dt.date | None:
    """The first date written in the document's first ``first`` blocks: "ngày 20 tháng 11 năm
    2025" (how resolutions and reports are dated), else day/month/year or ISO. None if none."""
    head = blocks[:first]
    for pattern, order in ((_WORDS_DATE, (3, 2, 1)), (_NUM_DATE, (3, 2, 1)), (_ISO_DATE, (1, 2, 3))):
        for block in head:
            for m in pattern.finditer(block):
                date = _date(*(m.group(i) for i in order))
                if date is not None:
                    return date
    return None


def is_timestamp(block: str) -> bool:
    """A block that is only a publication date/time ("05/12/2025 08:30", "Thứ sáu, 05/12/2025")."""
    return bool(_TIMESTAMP.match(" ".join(block.split())))


def without_title(blocks: list[str], title: str) -> list[str]:
    """The blocks after the title when the body repeats it first (an <h1>, a title paragraph)."""
    key = match_key(" ".join(title.split()))
    i = 0
    while i < len(blocks) and match_key(" ".join(blocks[i].split())) == key:
        i += 1
    return blocks[i:]
