"""Properties of the number reader beyond tests/chatbot/test_numbers.py: every spelling the
articles use for one value reads as that value (dotted or plain thousands, decimal comma or
dot, scale words), dates and year ranges round-trip, and the comparison is an equivalence."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatbot.numbers import comparable, find_quantities, parse_number, parse_quantity, same_value

from .test_numbers import vietnamese

pytestmark = pytest.mark.filterwarnings("ignore")
few = settings(max_examples=80, deadline=None)


@few
@given(st.integers(min_value=1000, max_value=10**12))
def test_thousands_with_or_without_dots_are_one_value(n):
    dotted, plain = vietnamese(n, 0), str(n)
    assert parse_number(dotted) == parse_number(plain) == n
    a = parse_quantity(f"tổng vốn {dotted} tỷ đồng")
    b = parse_quantity(f"tổng vốn {plain} tỷ đồng")
    assert a is not None and b is not None
    assert a.value == b.value == n * 1e9 and same_value(a, b) and same_value(b, a)


@few
@given(st.integers(min_value=0, max_value=999), st.integers(min_value=1, max_value=99))
def test_a_decimal_comma_and_a_decimal_dot_read_alike_unless_the_dot_groups_thousands(whole, frac):
    frac_text = f"{frac:02d}"
    comma, dot = f"{whole},{frac_text}", f"{whole}.{frac_text}"
    assert parse_number(comma) == parse_number(dot) == pytest.approx(whole + frac / 100)
    # three digits after a dot group thousands ("8.981"), after a comma they are decimals
    if whole:
        assert parse_number(f"{whole}.{frac:03d}") == whole * 1000 + frac
    assert parse_number(f"{whole},{frac:03d}") == pytest.approx(whole + frac / 1000)


@few
@given(st.integers(min_value=1, max_value=999), st.sampled_from([("tỷ", 1e9), ("triệu", 1e6), ("nghìn", 1e3)]))
def test_scale_words_multiply_money(n, scale):
    word, factor = scale
    q = parse_quantity(f"đạt {n} {word} đồng")
    assert q is not None and q.kind == "money" and q.unit == "đồng"
    assert q.value == pytest.approx(n * factor)


@few
@given(st.dates(min_value=__import__("datetime").date(1990, 1, 1), max_value=__import__("datetime").date(2099, 12, 31)))
def test_dates_written_three_ways_are_the_same_date(day):
    slash = parse_quantity(f"Ngày {day.day}/{day.month}/{day.year}, phường tổ chức hội nghị")
    words = parse_quantity(f"vào ngày {day.day} tháng {day.month} năm {day.year} phường tổ chức")
    iso = parse_quantity(f"cập nhật {day.isoformat()} lúc sáng")
    packed = day.year * 10000 + day.month * 100 + day.day
    for q in (slash, words, iso):
        assert q is not None and q.kind == "date" and q.value == packed
    assert same_value(slash, words) and same_value(words, iso)


@few
@given(st.integers(min_value=1990, max_value=2089), st.integers(min_value=1, max_value=10),  # years 19xx-20xx
       st.sampled_from(["-", "–", "- ", " - "]))
def test_year_ranges_in_any_spacing(start, length, dash):
    q = parse_quantity(f"nhiệm kỳ {start}{dash}{start + length} đề ra")
    assert q is not None and q.kind == "period" and (q.value, q.upper) == (start, start + length)


quantities = st.builds(
    lambda n, d, unit: f"{vietnamese(n / 10**d, d)} {unit}",
    st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=2),
    st.sampled_from(["tỷ đồng", "triệu đồng", "ha", "%", "doanh nghiệp", "hộ"]),
)


@few
@given(quantities, quantities, quantities)
def test_comparison_is_reflexive_symmetric_and_transitive(x, y, z):
    a, b, c = (find_quantities(f"đạt {t} trong năm")[0] for t in (x, y, z))
    assert same_value(a, a) and comparable(a, a)
    assert same_value(a, b) == same_value(b, a)
    assert comparable(a, b) == comparable(b, a)
    if same_value(a, b) and same_value(b, c):
        assert same_value(a, c)


@few
@given(st.integers(min_value=2, max_value=10),
       st.sampled_from(["phường", "xã", "doanh nghiệp", "đảng viên", "dự án"]))
def test_number_words_count_like_digits(n, noun):
    words = {2: "hai", 3: "ba", 4: "bốn", 5: "năm", 6: "sáu", 7: "bảy", 8: "tám", 9: "chín", 10: "mười"}
    spelled = find_quantities(f"Sáp nhập {words[n]} {noun} thành một")
    digits = find_quantities(f"Sáp nhập {n} {noun} thành một")
    assert [(q.value, q.unit, q.kind) for q in spelled] == [(q.value, q.unit, q.kind) for q in digits] \
        == [(n, noun, "count")]
