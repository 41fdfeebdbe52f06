"""What a question asks for, as far as retrieval cares: its text for each analyzer, whether tone
marks had to be restored, which wards it names, and whether it asks for a figure."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import fold_diacritics, has_diacritics, match_key

_NUMERIC_CUES = (
    "bao nhieu", "may ", "ty le", "bao lau", "muc bao", "so luong", "chi tieu", "dat bao",
    "toc do", "thu nhap", "tong von", "tong thu", "dien tich", "%",
)
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class QueryAnalysis:
    text: str                 # as typed
    accented: str             # tone marks restored when the question had none
    restored: bool            # True when tone marks were restored
    folded: str               # match key (lower, no diacritics)
    wards: tuple[str, ...]    # corpus wards the question names ("phường Quang Trung")
    numeric: bool             # asks for or states a figure


def ward_key(ward: str) -> str:
    """Folded ward name without its "phường"/"xã" prefix: "phường Đông Sơn" -> "dong son"."""
    key = match_key(ward)
    for prefix in ("phuong ", "xa ", "thi tran "):
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


# A ward name right after one of these is part of another place's name ("khu đô thị Nam Bỉm
# Sơn", "Khu Công nghiệp Bỉm Sơn", "đường Quang Trung"), not the ward itself.
_PLACE_WORDS = ("nam", "bac", "dong", "tay", "khu", "cong nghiep", "kcn", "duong", "pho", "cau", "de",
                "song", "nui", "den", "chua", "dinh", "cho", "ho", "truong", "benh vien", "xi mang", "nha may",
                "ga", "quoc lo", "tuyen")


def find_wards(folded_query: str, ward_names: dict[str, str]) -> tuple[str, ...]:
    """Corpus wards named in the question (``ward_names``: ward key -> display name)."""
    padded = f" {re.sub(r'[^a-z0-9]+', ' ', folded_query)} "
    found = []
    for key, name in ward_names.items():
        start = padded.find(f" {key} ")
        while start >= 0:
            before = padded[:start + 1]
            prefixed = before.endswith((" phuong ", " xa ", " thi tran "))
            if prefixed or not before.endswith(tuple(f" {w} " for w in _PLACE_WORDS)):
                if name not in found:
                    found.append(name)
                break
            start = padded.find(f" {key} ", start + 1)
    return tuple(found)


def is_numeric(folded_query: str) -> bool:
    padded = f" {folded_query} "
    return bool(_DIGIT.search(folded_query)) or any(cue in padded for cue in _NUMERIC_CUES)


def needs_tone_restoration(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and not has_diacritics(text) and fold_diacritics(text) == text
