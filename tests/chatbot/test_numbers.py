"""Vietnamese numbers, units, qualifiers and dates, on the seed articles' own spellings."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatbot.numbers import comparable, find_quantities, parse_number, parse_quantity, same_value


def one(text: str):
    found = find_quantities(text)
    assert len(found) == 1, found
    return found[0]


# --- plain numbers ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("8.981", 8981), ("15.200", 15200), ("1.600", 1600), ("13,5", 13.5), ("0,27", 0.27),
    ("438,608", 438.608), ("1.234,5", 1234.5), ("1.234.567", 1234567), ("13.5", 13.5),
    ("0.27", 0.27), ("2025", 2025), ("1,234,567", 1234567), ("0.500", 0.5),
])
def test_parse_number_reads_the_vietnamese_separators(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["1.2.3", "12.34.567", "abc", "", "1,2,3"])
def test_parse_number_rejects_malformed_strings(text):
    assert parse_number(text) is None


# --- the formats the articles use -------------------------------------------------------------

@pytest.mark.parametrize("text, value, unit, kind", [
    ("tốc độ tăng bình quân 13,5%/năm", 13.5, "%", "percent"),
    ("tỷ lệ hộ nghèo còn 0,27%", 0.27, "%", "percent"),
    ("vốn đầu tư đạt 8.981 tỷ đồng", 8.981e12, "đồng", "money"),
    ("ước đạt 438,608 tỷ đồng", 438.608e9, "đồng", "money"),
    ("thu nhập 90 triệu đồng/người/năm", 90e6, "đồng", "money"),
    ("tổng vốn 15.200 tỷ", 15.2e12, "đồng", "money"),
    ("khu đô thị Nam Bỉm Sơn (129ha)", 129, "ha", "area"),
    ("chuyển đổi 98,6ha diện tích", 98.6, "ha", "area"),
    ("chuyển đổi 98,6 ha diện tích", 98.6, "ha", "area"),
    ("diện tích 12 km²", 1200, "ha", "area"),
    ("thu hút 220 doanh nghiệp mới", 220, "doanh nghiệp", "count"),
    ("hai phường Bỉm Sơn, Quang Trung", 2, "phường", "count"),
    ("4 sản phẩm được công nhận", 4, "sản phẩm", "count"),
    ("kỷ niệm 65 năm thiết lập", 65, "năm", "count"),
])
def test_each_format_of_the_articles(text, value, unit, kind):
    q = one(text)
    assert (q.value, q.unit, q.kind) == (pytest.approx(value), unit, kind)
    assert text[q.start:q.end] == q.text


@pytest.mark.parametrize("text, qualifier, quoted", [
    ("tỷ lệ đạt trên 85%", ">", "trên 85%"),
    ("kinh tế số chiếm 35% trở lên", ">=", "35% trở lên"),
    ("xử lý trực tuyến đạt 80% trở lên", ">=", "80% trở lên"),
    ("gần 800 doanh nghiệp", "~", "gần 800 doanh nghiệp"),
    ("khoảng 45.000 người", "~", "khoảng 45.000 người"),
    ("thu nhập đạt từ 90 triệu đồng", "from", "từ 90 triệu đồng"),
    ("hơn 15.200 tỷ đồng", ">", "hơn 15.200 tỷ đồng"),
    ("dưới 90 triệu đồng", "<", "dưới 90 triệu đồng"),
    ("chiếm tối đa 35%", "<=", "tối đa 35%"),
    ("đạt 96%", None, "96%"),
    # after a verb of origin "từ" says where from, not "at least"
    ("được sáp nhập từ 5 phường, xã", None, "5 phường"),
    ("hop nhat tu 3 xa", None, "3 xa"),
])
def test_qualifiers_are_read_and_quoted_with_the_number(text, qualifier, quoted):
    q = one(text)
    assert q.qualifier == qualifier
    assert q.text == quoted


def test_from_in_a_change_is_a_starting_value_not_a_bound():
    found = find_quantities("tỷ lệ hộ nghèo giảm từ 0,55% năm 2021 xuống còn 0,27% năm 2025")
    assert [(q.text, q.kind, q.qualifier) for q in found] == [
        ("0,55%", "percent", None), ("2021", "year", None), ("0,27%", "percent", None), ("2025", "year", None)]


def test_a_range_keeps_both_ends():
    q = one("thu nhập từ 90 đến 95 triệu đồng")
    assert (q.value, q.upper, q.qualifier, q.unit) == (90e6, 95e6, "range", "đồng")


# --- dates, periods, fractions ----------------------------------------------------------------

@pytest.mark.parametrize("text, kind, value, unit", [
    ("Sáng 27/11, đồng chí", "date", 1127, None),
    ("Sáng 17/9, Đảng ủy phường", "date", 917, None),
    ("ngày 1/5 tới", "date", 501, None),
    ("ngày 27/11/2025", "date", 20251127, None),
    ("ngày 27 tháng 11 năm 2025", "date", 20251127, None),
    ("trong quý IV/2025", "period", 20254, "quý"),
    ("trong quý 2 năm 2026", "period", 20262, "quý"),
    ("hoàn thành vào tháng 6/2026", "period", 202606, "tháng"),
    ("trong năm 2026", "year", 2026, None),
    ("20/20 trường học đạt chuẩn", "fraction", 1.0, "trường học"),
    ("1/5 số hộ", "fraction", 0.2, None),
])
def test_dates_periods_and_fractions(text, kind, value, unit):
    q = one(text)
    assert (q.kind, q.value, q.unit) == (kind, pytest.approx(value), unit)


@pytest.mark.parametrize("text", ["nhiệm kỳ 2025-2030", "nhiệm kỳ 2025- 2030", "giai đoạn 2025 - 2030",
                                  "nhiệm kỳ 2025–2030"])
def test_year_ranges_in_every_spacing(text):
    q = one(text)
    assert (q.kind, q.value, q.upper, q.unit) == ("period", 2025, 2030, "năm")


@pytest.mark.parametrize("text", ["đi Quốc lộ 217B", "tỷ lệ phủ sóng 5G", "Quốc lộ 1A", "F0"])
def test_identifiers_are_not_quantities(text):
    assert find_quantities(text) == []


def test_a_list_of_numbers_gives_each_number():
    found = find_quantities("4 nghị quyết “trụ cột” số 57, 59, 66, 68 của Bộ Chính trị")
    assert [q.value for q in found] == [4, 57, 59, 66, 68]
    assert found[0].unit == "nghị quyết"


def test_text_typed_without_diacritics():
    found = find_quantities("co tren 1.700 ho kinh doanh, thu nhap tu 90 trieu dong, 80% tro len")
    assert [(q.value, q.unit, q.qualifier) for q in found] == [
        (1700, "hộ kinh doanh", ">"), (90e6, "đồng", "from"), (80, "%", ">=")]


def test_spans_index_decomposed_input():
    text = unicodedata.normalize("NFD", "tỷ lệ đạt trên 85%, thu hút 220 doanh nghiệp")
    found = find_quantities(text)
    assert [q.value for q in found] == [85, 220]
    for q in found:
        assert text[q.start:q.end] == q.text


def test_parse_quantity_gives_the_first_or_none():
    assert parse_quantity("đạt trên 85%").qualifier == ">"
    assert parse_quantity("không có con số nào") is None


# --- comparing --------------------------------------------------------------------------------

def test_comparable_and_same_value():
    hộ = one("trên 1.600 hộ kinh doanh cá thể")
    assert same_value(one("hơn 1.600 hộ"), hộ)
    assert not comparable(one("1.600 người"), hộ)
    assert same_value(one("100%"), one("20/20 trường học"))
    assert not same_value(one("19/20 trường học"), one("20/20 trường học"))
    assert same_value(one("8.981 tỷ đồng"), one("8981 tỷ đồng"))
    assert same_value(one("438.608 triệu đồng"), one("438,608 tỷ đồng"))
    assert same_value(one("1.200 ha"), one("12 km²"))
    assert not comparable(one("quý IV/2025"), one("tháng 6/2025"))
    assert same_value(one("ngày 27/11"), one("27/11/2025"))
    assert not same_value(one("ngày 27/10"), one("27/11"))
    assert not comparable(one("90 triệu đồng"), one("90%"))


# --- properties -------------------------------------------------------------------------------

def vietnamese(value: float, decimals: int) -> str:
    """Format the Vietnamese way: thousands dot, decimal comma."""
    whole, _, frac = f"{value:.{decimals}f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ".".join(groups) + ("," + frac if decimals else "")


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=3))
def test_formatting_the_vietnamese_way_parses_back(n, decimals):
    value = n / 10**decimals
    text = vietnamese(value, decimals)
    assert parse_number(text) == pytest.approx(value)
    q = one(f"tỷ lệ đạt {text}% năm nay")
    assert q.value == pytest.approx(value) and q.unit == "%"


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=2),
       st.sampled_from(["tỷ đồng", "triệu đồng", "ha", "doanh nghiệp", "%"]),
       st.sampled_from(["", "trên ", "gần ", "từ "]))
def test_quantities_in_a_sentence_keep_value_unit_and_span(n, decimals, unit, qualifier):
    number = vietnamese(n / 10**decimals, decimals)
    text = f"Phường đặt mục tiêu {qualifier}{number} {unit} trong nhiệm kỳ."
    q = one(text)
    scale = {"tỷ đồng": 1e9, "triệu đồng": 1e6}.get(unit, 1)
    assert q.value == pytest.approx(n / 10**decimals * scale)
    assert q.text == f"{qualifier}{number} {unit}"
    assert text[q.start:q.end] == q.text


_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạếềểễệốồổỗộớờởỡợúùủũụứừửữựíìỉĩịýỳỷỹỵ " \
            "ÁĐƯ0123456789.,/%-–:;()"


@settings(max_examples=300)
@given(st.text(alphabet=_ALPHABET, max_size=80))
def test_spans_always_index_the_text_in_order(text):
    found = find_quantities(text)
    last = -1
    for q in found:
        assert text[q.start:q.end] == q.text
        assert q.start >= last
        last = q.end


@given(st.text(alphabet=_ALPHABET, max_size=60))
def test_decomposed_text_gives_the_same_quantities(text):
    composed = unicodedata.normalize("NFC", text)
    decomposed = unicodedata.normalize("NFD", text)
    a, b = find_quantities(composed), find_quantities(decomposed)
    assert [(q.value, q.kind, q.qualifier) for q in a] == [(q.value, q.kind, q.qualifier) for q in b]
    for q in b:
        assert decomposed[q.start:q.end] == q.text


@pytest.mark.parametrize("text, year", [
    ("cuộc chiến kéo dài đến năm 1279 và kết thúc", "1279"),
    ("Năm 938, Ngô Quyền đánh tan quân Nam Hán", "938"),
])
def test_a_year_the_word_nam_announces_is_a_year_whatever_its_century(text, year):
    assert [(x.text, x.kind) for x in find_quantities(text)] == [(year, "year")]


def test_a_number_after_nam_that_counts_something_is_a_count():
    assert [(x.text, x.kind) for x in find_quantities("năm 300 người")] == [("300 người", "count")]
