"""What a question asks for, as far as retrieval cares: its text for each analyzer, whether tone
marks had to be restored, which wards it names, and whether it asks for a figure."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import canonical_tones, fold_diacritics, has_diacritics, match_key, nfc

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
# Sơn", "Khu Công nghiệp Bỉm Sơn", "đường Quang Trung"), not the ward itself. Matched on the
# words as written, tone marks included: folded, "trưởng" (chief) would be "trường" (school),
# "đến" (to) "đền" (temple), "cho" (for) "chợ" (market).
_PLACE_WORDS = ("nam", "bắc", "đông", "tây", "khu", "công nghiệp", "kcn", "đường", "phố", "cầu", "đê",
                "sông", "núi", "đền", "chùa", "đình", "chợ", "hồ", "trường", "bệnh viện", "xi măng",
                "nhà máy", "ga", "quốc lộ", "tuyến")
# the same words when the text carries no tone marks at all: only those that cannot be read
# as an ordinary word ("den", "cho", "ho", "de", "dinh", "song", "truong" can)
_PLACE_WORDS_FOLDED = ("nam", "bac", "dong", "tay", "khu", "cong nghiep", "kcn", "duong", "pho", "cau",
                       "nui", "chua", "benh vien", "xi mang", "nha may", "ga", "quoc lo", "tuyen")
_WORDS = re.compile(r"[^\W_]+")


def find_wards(text: str, ward_names: dict[str, str]) -> tuple[str, ...]:
    """Corpus wards named in ``text`` (``ward_names``: ward key -> display name).

    ``text`` is the question or sentence as written (a folded key works too, with fewer
    place words to tell a ward from a street or a temple)."""
    words = [canonical_tones(w) for w in _WORDS.findall(nfc(text).lower())]
    folded = [fold_diacritics(w) for w in words]
    accented = has_diacritics(text)
    place_words = _PLACE_WORDS if accented else _PLACE_WORDS_FOLDED
    padded = f" {' '.join(folded)} "
    found = []
    for key, name in ward_names.items():
        start = padded.find(f" {key} ")
        while start >= 0:
            i = padded[:start + 1].count(" ") - 1        # index of the ward's first word
            before = " ".join((words if accented else folded)[max(0, i - 2):i])
            prefixed = f" {' '.join(folded[max(0, i - 2):i])} ".endswith((" phuong ", " xa ", " thi tran "))
            if prefixed or not f" {before} ".endswith(tuple(f" {canonical_tones(w)} " for w in place_words)):
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
