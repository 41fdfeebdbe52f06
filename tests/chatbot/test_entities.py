"""People and their roles as the seed articles write them."""
from __future__ import annotations

import pytest

from chatbot.entities import find_people


def only(text: str):
    people = find_people(text)
    assert len(people) == 1, people
    return people[0]


def test_name_then_role_after_a_hyphen():
    text = "Với các khâu đột phá đã đề ra, đồng chí Cầm Hà Chung- Bí thư Đảng uỷ Phường cho biết: Phường sẽ"
    p = only(text)
    assert p.name == "Cầm Hà Chung"
    assert p.role == "Bí thư Đảng uỷ Phường"
    assert text[p.name_span[0]:p.name_span[1]] == p.name
    assert text[p.role_span[0]:p.role_span[1]] == p.role
    assert text[p.span[0]:p.span[1]] == "Cầm Hà Chung- Bí thư Đảng uỷ Phường"


def test_role_before_the_name():
    text = "Phó Bí thư Thường trực Tỉnh ủy Nguyễn Hồng Phong ghi nhận, đánh giá cao sự nỗ lực"
    p = only(text)
    assert p.name == "Nguyễn Hồng Phong"
    assert p.role == "Phó Bí thư Thường trực Tỉnh ủy"
    assert p.span == (0, p.name_span[1])


def test_name_then_role_after_a_comma_stops_at_the_verb():
    text = ("Sáng 27/11, đồng chí Nguyễn Hồng Phong, Phó Bí thư Thường trực Tỉnh ủy đã đi thăm, kiểm tra tình "
            "hình sản xuất")
    p = only(text)
    assert p.name == "Nguyễn Hồng Phong"
    assert p.role == "Phó Bí thư Thường trực Tỉnh ủy"


def test_several_roles_in_a_byline():
    p = only("Phạm Xuân Hiệp - Bí thư Đảng ủy, Chủ tịch HĐND phường Thanh Miếu")
    assert p.name == "Phạm Xuân Hiệp"
    assert p.role == "Bí thư Đảng ủy, Chủ tịch HĐND phường Thanh Miếu"


def test_role_ends_where_ordinary_prose_begins():
    text = "Đồng chí Nguyễn Hồng Phong, Phó Bí thư Thường trực Tỉnh ủy, cùng đoàn công tác kiểm tra thực địa"
    assert only(text).role == "Phó Bí thư Thường trực Tỉnh ủy"


def test_a_name_without_role():
    p = only("Bài viết của Mạnh Cường")
    assert p.name == "Mạnh Cường" and p.role is None and p.role_span is None


def test_text_without_people():
    assert find_people("tỷ lệ dân số tham gia bảo hiểm y tế đạt 96%; 100% trạm y tế đạt chuẩn quốc gia") == []
    assert find_people("") == []


@pytest.mark.parametrize("text, not_a_person", [
    ("Phường Nông Trang được hợp nhất từ phường Nông Trang, Minh Phương và xã Thuỵ Vân (cũ)", "Nông Trang"),
    ("các cụm di tích lịch sử và lễ hội như đền Tam Giang, chùa Đại Bi, đình Bạch Hạc", "Bạch Hạc"),
    ("dự án đường giao thông nối đường Trần Phú và đường Nam Bỉm Sơn 6", "Trần Phú"),
    ("Đại hội Đảng bộ phường Quang Trung lần thứ nhất", "Quang Trung"),
])
def test_places_named_after_people_are_not_people(text, not_a_person):
    """Wards, streets and temples carry people's names; after 'phường', 'đường', 'đình' they are
    places (answering "ai?" with one is wrong)."""
    assert not_a_person not in [p.name for p in find_people(text)]
