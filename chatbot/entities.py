"""People and roles as Vietnamese news writes them: "đồng chí Cầm Hà Chung- Bí thư Đảng uỷ
Phường", "Phó Bí thư Thường trực Tỉnh ủy Nguyễn Hồng Phong", "Phạm Xuân Hiệp - Bí thư Đảng ủy"."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import match_key

# The common Vietnamese family names (they cover the great majority of people); a run of 2-4
# capitalised syllables led by one of them is taken as a person's name.
SURNAMES = frozenset(match_key(s) for s in """
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Cầm Mai Đinh Trịnh Lương Hà
Tạ Đào Lâm Chu Quách Đoàn Vương Trương Tô Thái Cao Lại Kiều Khổng Lò Lục Mạc Nông Phùng Quan Thân
Tăng Triệu Từ Văn Viên Vi La Lưu Giang Hứa Kim Mạnh Tống Ông Diệp Hoàng Âu Bạch Bế Châu Đàm Hầu
""".split())

ROLE_HEADS = ("bí thư", "phó bí thư", "chủ tịch", "phó chủ tịch", "giám đốc", "phó giám đốc", "trưởng ban",
              "phó trưởng ban", "trưởng phòng", "bộ trưởng", "thứ trưởng", "tổng bí thư", "thủ tướng",
              "đại biểu", "ủy viên", "uỷ viên", "trưởng", "phó")

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ROLE_AFTER = re.compile(r"\s*[-–,]\s*")


@dataclass(frozen=True)
class Person:
    name: str
    name_span: tuple[int, int]
    role: str | None
    role_span: tuple[int, int] | None
    span: tuple[int, int]        # name and role together, as written


# a capitalised run after these names a place, not a person ("phường Nông Trang", "đường Trần Phú")
_PLACE_NOUNS = ("phường", "xã", "thị trấn", "đường", "phố", "đình", "đền", "chùa", "cầu", "đê", "sông", "núi",
                "khu", "tỉnh", "huyện", "thành phố", "quận", "làng", "thôn", "bản", "hồ", "chợ", "trường")


def _after_place_noun(text: str, start: int) -> bool:
    before = text[max(0, start - 12):start].lower().rstrip()
    return any(before.endswith(n) for n in _PLACE_NOUNS)


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


def find_people(text: str) -> list[Person]:
    words = list(_WORD.finditer(text))
    people: list[Person] = []
    i = 0
    while i < len(words):
        w = words[i]
        if not (_is_cap(w.group(0)) and match_key(w.group(0)) in SURNAMES) or _after_place_noun(text, w.start()):
            i += 1
            continue
        j = i
        while j + 1 < len(words) and j - i < 3 and _is_cap(words[j + 1].group(0)) \
                and text[words[j].end():words[j + 1].start()] == " ":
            j += 1
        if j == i:
            i += 1
            continue
        name_span = (w.start(), words[j].end())
        role_span = _role_after(text, name_span[1]) or _role_before(text, name_span[0])
        role = text[role_span[0]:role_span[1]] if role_span else None
        span = (min(name_span[0], role_span[0]) if role_span else name_span[0],
                max(name_span[1], role_span[1]) if role_span else name_span[1])
        people.append(Person(text[name_span[0]:name_span[1]], name_span, role, role_span, span))
        i = j + 1
    return people


def _starts_with_role(fragment: str) -> bool:
    low = fragment.lower()
    return any(low.startswith(h) for h in ROLE_HEADS)


def _role_after(text: str, end: int) -> tuple[int, int] | None:
    m = _ROLE_AFTER.match(text, end)
    if not m or not _starts_with_role(text[m.end():]):
        return None
    start = m.end()
    stop = len(text)
    for ch in (":", ";", "."):
        k = text.find(ch, start)
        if k != -1:
            stop = min(stop, k)
    # a role ends where ordinary lower-case prose begins after a comma ("..., cùng đoàn công tác")
    k = start
    while True:
        c = text.find(",", k, stop)
        if c == -1:
            break
        if not _starts_with_role(text[c + 1:].lstrip()):
            stop = c
            break
        k = c + 1
    verb = re.search(r"\s(?:cho biết|phát biểu|cùng|đã|nhấn mạnh|khẳng định|chỉ đạo|kiểm tra|đi|thăm)\b",
                     text[start:stop])
    if verb:
        stop = start + verb.start()
    return (start, stop) if stop > start else None


def _role_before(text: str, start: int) -> tuple[int, int] | None:
    """A role written right before the name: "Phó Bí thư Thường trực Tỉnh ủy Nguyễn Hồng Phong"."""
    head = text[:start]
    best = None
    for h in ROLE_HEADS:
        for m in re.finditer(re.escape(h), head, flags=re.IGNORECASE):
            between = head[m.start():]
            if re.search(r"[,;:.]", between):
                continue
            if best is None or m.start() < best:
                best = m.start()
    if best is None:
        return None
    return (best, start - 1) if start - 1 > best else None
