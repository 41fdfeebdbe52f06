"""Phrases that mean the same in Vietnamese local-government news, so that a question in everyday
words still matches the sentence in official ones: a citizen asks how the ward "mời gọi" (invites)
investors where the article says it "thu hút" (attracts) them, or about "sổ đỏ" where the article
writes "giấy chứng nhận quyền sử dụng đất".

Used when the answerer measures how much of a question a sentence covers: a sentence that
contains one phrase of a group is taken to contain every phrase of the group. General language of
the domain, not tied to any question; a group is added only when its phrases are interchangeable
in this kind of text.
"""
from __future__ import annotations

from index.lexical import syllable_terms
from ingest.text import match_key, syllables

GROUPS: tuple[tuple[str, ...], ...] = (
    ("thu hút", "mời gọi", "kêu gọi đầu tư", "hút vốn"),
    ("chú trọng", "ưu tiên", "coi trọng", "quan tâm"),
    ("mục tiêu", "chỉ tiêu", "phấn đấu", "nhắm tới", "hướng tới", "đặt ra"),
    ("hằng năm", "hàng năm", "mỗi năm", "bình quân năm"),
    ("tăng trưởng", "tốc độ tăng"),
    ("sổ đỏ", "giấy chứng nhận quyền sử dụng đất", "cấp giấy chứng nhận"),
    ("giải phóng mặt bằng", "giải phóng đất", "giải tỏa", "thu hồi đất", "mặt bằng sạch"),
    ("chuyển đổi số", "số hóa", "số hoá", "công nghệ số"),
    ("cơ giới hóa", "cơ giới hoá", "máy móc", "thiết bị cơ giới"),
    ("người dân", "nhân dân", "cư dân"),
    ("doanh nghiệp", "công ty", "nhà đầu tư"),
    ("chậm", "chưa đảm bảo tiến độ", "chậm tiến độ", "chưa kịp thời", "kéo dài"),
    ("dàn trải", "rải vốn", "phân tán"),
    ("du lịch tâm linh", "đền chùa", "di tích tâm linh"),
    ("tham quan", "du lịch", "du khách"),
    ("sáp nhập", "hợp nhất", "nhập"),
    ("việc làm", "giải quyết việc làm", "tạo việc làm"),
    ("đào tạo", "dạy nghề", "bồi dưỡng"),
    ("nhân lực", "nguồn nhân lực", "người lao động", "lao động"),
    ("lâu dài", "dài hạn", "tầm nhìn"),
    ("gần dân", "sát dân", "gắn bó với nhân dân", "gắn bó với người dân"),
    ("vốn đầu tư", "tổng vốn", "nguồn vốn", "kinh phí"),
    ("trường học", "cơ sở giáo dục"),
    ("trạm y tế", "trạm xá"),   # not "bệnh viện": a hospital is not a ward's health station
    ("thông minh", "hiện đại"),
    ("vướng mắc", "khó khăn", "bất cập", "điểm nghẽn"),
    ("đất đai", "sử dụng đất", "quyền sử dụng đất"),
    ("khu vực", "vùng", "cả vùng"),
)


class Thesaurus:
    def __init__(self, groups: tuple[tuple[str, ...], ...] = GROUPS):
        self._by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        self._phrases: list[list[tuple[str, ...]]] = []      # each group's phrases as folded syllables
        for g, group in enumerate(groups):
            self._phrases.append([tuple(syllables(match_key(p))) for p in group])
            for sylls in self._phrases[g]:
                self._by_first.setdefault(sylls[0], []).append((sylls, g))
        self._groups = groups
        self._terms = [frozenset().union(*(syllable_terms(p) for p in group)) for group in groups]

    def _groups_in(self, sylls: list[str]) -> set[int]:
        """The groups one of whose phrases the folded syllables contain."""
        return {g for i, s in enumerate(sylls) for phrase, g in self._by_first.get(s, ())
                if tuple(sylls[i:i + len(phrase)]) == phrase}

    def expansion(self, text: str) -> str:
        """The phrases equivalent to those the text contains and not already in it, as text (to
        widen a lexical query)."""
        sylls = syllables(match_key(text))
        key = f" {' '.join(sylls)} "
        return " ".join(phrase for g in sorted(self._groups_in(sylls))
                        for phrase, folded in zip(self._groups[g], self._phrases[g])
                        if f" {' '.join(folded)} " not in key)

    def equivalents(self, text: str) -> frozenset[str]:
        """Syllable terms of every phrase equivalent to one the text contains."""
        found = self._groups_in(syllables(match_key(text)))
        return frozenset().union(*(self._terms[g] for g in found)) if found else frozenset()
