"""Which wards a question names: a ward, not a street, a temple or an urban area named after it."""
from __future__ import annotations

import pytest

from index.query import find_wards

WARDS = {"dong son": "phường Đông Sơn", "quang trung": "phường Quang Trung", "bim son": "phường Bỉm Sơn"}


@pytest.mark.parametrize("text, expected", [
    ("Mức tăng trưởng Đông Sơn nhắm tới mỗi năm là bao nhiêu?", ("phường Đông Sơn",)),   # trưởng, not trường
    ("Đoàn công tác đến Quang Trung khi nào?", ("phường Quang Trung",)),                 # đến, not đền
    ("Kinh phí cho Bỉm Sơn là bao nhiêu?", ("phường Bỉm Sơn",)),                         # cho, not chợ
    ("Trường THCS ở phường Đông Sơn", ("phường Đông Sơn",)),
    ("Khu đô thị Nam Bỉm Sơn rộng bao nhiêu?", ()),
    ("Đường Quang Trung dài bao nhiêu?", ()),
    ("Đền Quang Trung ở đâu?", ()),
    ("khu do thi Nam Bim Son rong bao nhieu", ()),                                       # no tone marks
    ("thu nhap binh quan quang trung", ("phường Quang Trung",)),
    ("Quang Trung và Đông Sơn", ("phường Quang Trung", "phường Đông Sơn")),
])
def test_find_wards_tells_a_ward_from_a_place_named_after_it(text, expected):
    assert set(find_wards(text, WARDS)) == set(expected)
