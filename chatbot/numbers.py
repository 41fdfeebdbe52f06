"""Quantities as Vietnamese news text writes them, with exact spans.

Shared by the fact checker and the answerer. Conventions of the articles:

* decimal comma, thousands dot: "13,5%", "0,27%", "438,608 tỷ", "8.981 tỷ đồng", "15.200";
  a dot followed by exactly three digits groups thousands, any other single dot or comma is
  the decimal mark ("13.5%" typed the English way still reads 13.5);
* scales and units, with or without a space: "90 triệu đồng", "129ha", "98,6 ha", "12 km²";
* qualifiers before or after the number: "trên 85%", "80% trở lên", "gần 800", "từ 90 triệu";
* fractions and dates: "20/20", "27/11", "17/9/2025", "ngày 27 tháng 11", "quý IV/2025",
  "tháng 6/2026"; years and year ranges: "năm 2025", "2025-2030", "2025- 2030";
* counts name what they count: "220 doanh nghiệp", "hai phường", "4 sản phẩm".

Values are normalised so that two spellings of one quantity compare equal: money in đồng
("8.981 tỷ đồng" -> 8.981e12), areas in hectares ("12 km²" -> 1200), percentages as written
(13.5), fractions as a ratio (20/20 -> 1.0). Dates, months and quarters are packed into one
number (see :class:`Quantity`). A number glued to letters that are not a unit ("217B", "5G",
"1A") is an identifier, not a quantity.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from ingest.text import fold_diacritics

__all__ = [
    "Quantity", "Kind", "find_quantities", "parse_quantity", "parse_number", "comparable",
    "same_value", "QUALIFIER_WORDS",
]

Kind = Literal["number", "percent", "money", "area", "date", "fraction", "count", "year", "period"]


@dataclass(frozen=True)
class Quantity:
    """One quantity found in a text.

    ``text == original[start:end]`` and includes the qualifier and unit words ("trên 85%",
    "220 doanh nghiệp", "90 triệu đồng/người/năm").

    ``qualifier``: None (exact), ">" (trên, hơn), ">=" (trở lên, ít nhất, tối thiểu),
    "<" (dưới, chưa đến), "<=" (tối đa, không quá, trở xuống), "~" (gần, khoảng, xấp xỉ),
    "from" (từ X, a lower bound as targets write it), "range" (X-Y, từ X đến Y; ``upper`` is Y).

    ``unit``: "%", "đồng"/"USD" (money, value in that currency), "ha" (area), the counted noun
    for counts ("doanh nghiệp", "phường"), "năm"/"tháng"/"quý" for periods, None otherwise.

    Packed values: date = year*10000 + month*100 + day (year 0 when not written, so "27/11" is
    1127); period "quý" = year*10 + quarter; period "tháng" = year*100 + month; period "năm" =
    first year with ``upper`` the last ("2025-2030"); year = the year.
    """

    value: float
    unit: str | None
    qualifier: str | None
    text: str
    start: int
    end: int
    kind: Kind
    upper: float | None = None


# --- tables -----------------------------------------------------------------------------------

# prefix qualifiers, longest first so "trên dưới" wins over "trên"
QUALIFIER_WORDS: dict[str, str] = {
    "trên dưới": "~", "xấp xỉ": "~", "khoảng": "~", "chừng": "~", "gần": "~", "ngót": "~",
    "ít nhất": ">=", "tối thiểu": ">=", "không dưới": ">=", "không ít hơn": ">=",
    "tối đa": "<=", "không quá": "<=", "không vượt quá": "<=",
    "chưa đến": "<", "chưa tới": "<", "không đến": "<", "dưới": "<", "ít hơn": "<",
    "nhiều hơn": ">", "trên": ">", "hơn": ">", "từ": "from",
}
_POSTFIX_QUALIFIERS = {"trở lên": ">=", "trở xuống": "<=", "trở lại": "<="}

_SCALES = {"tỷ": 1e9, "tỉ": 1e9, "triệu": 1e6, "nghìn": 1e3, "ngàn": 1e3, "vạn": 1e4}
# unit spelling -> (kind, unit, factor to the normal unit)
_UNITS: dict[str, tuple[str, str, float]] = {
    "%": ("percent", "%", 1.0), "phần trăm": ("percent", "%", 1.0),
    "đồng": ("money", "đồng", 1.0), "vnđ": ("money", "đồng", 1.0), "vnd": ("money", "đồng", 1.0),
    "đ": ("money", "đồng", 1.0), "usd": ("money", "USD", 1.0), "đô la": ("money", "USD", 1.0),
    "ha": ("area", "ha", 1.0), "héc-ta": ("area", "ha", 1.0), "hécta": ("area", "ha", 1.0),
    "hecta": ("area", "ha", 1.0), "km²": ("area", "ha", 100.0), "km2": ("area", "ha", 100.0),
    "m²": ("area", "ha", 1e-4), "m2": ("area", "ha", 1e-4),
    "km": ("number", "km", 1.0), "kg": ("number", "kg", 1.0), "tấn": ("number", "tấn", 1.0),
    "lít": ("number", "lít", 1.0),
}
# nouns that are counted, several syllables long; anything else counted is one word
_COUNT_NOUNS = (
    "doanh nghiệp", "hộ kinh doanh", "hộ nghèo", "hộ cận nghèo", "hộ gia đình", "đảng viên",
    "sản phẩm", "chỉ tiêu", "nhiệm vụ trọng tâm", "nhiệm vụ", "khâu đột phá", "dự án",
    "công trình", "trường học", "trạm y tế", "tổ dân phố", "thôn", "khu phố", "cán bộ",
    "lao động", "nghị quyết", "địa phương", "đơn vị", "lượt khách", "lượt", "cụm công nghiệp",
    "khu công nghiệp", "khu đô thị", "tuyến đường", "hồ sơ", "thủ tục", "giải pháp",
    "đại biểu", "đoàn viên", "hội viên", "học sinh", "giáo viên", "tiêu chí", "phường", "xã",
)
_NUMBER_WORDS = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
    "mười": 10,
}
# words after a number that are not what it counts
_NOT_COUNTED = frozenset({
    "và", "hoặc", "là", "của", "cho", "trong", "với", "tại", "ở", "đến", "tới", "từ", "so",
    "được", "đã", "đang", "sẽ", "thì", "mà", "như", "theo", "trên", "dưới", "hơn", "gần",
    "còn", "xuống", "lên", "đạt", "vào", "ra", "về", "nay", "này", "đó", "ấy", "trở",
    "giảm", "tăng", "bình", "mỗi", "hằng", "hàng", "số", "thứ", "nhằm", "để", "khi", "sau",
    "trước", "rồi", "cũng", "vẫn", "chỉ", "đều", "có", "không", "chưa", "nữa", "ước", "khoảng",
})
# "5 năm" is a duration, "năm 2025" a year: a time noun counts unless a number follows it
_TIME_NOUNS = frozenset({"năm", "tháng", "ngày", "tuần", "giờ", "quý"})
_NOT_COUNTED_FOLDED = frozenset(fold_diacritics(w) for w in _NOT_COUNTED) - {"nam", "ha", "tram"}
_TIME_NOUNS_ALL = _TIME_NOUNS | {fold_diacritics(w) for w in _TIME_NOUNS}
_DIGIT_NEXT = re.compile(r"[ \t\u00a0]*\d")
_TIME_WORDS = ("ngày", "sáng", "chiều", "tối", "trưa", "đêm", "hôm", "rạng sáng", "sáng ngày")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}

_L = r"[^\W\d_]"                      # a letter
_NUM = r"\d+(?:[.,]\d+)*"
_NUM_AT = re.compile(rf"(?<![\w.,/])({_NUM})")
_SPACE = r"[ \t\u00a0]*"


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))




def _with_folded(table: dict) -> dict:
    """The table plus its keys typed without diacritics ("tren" for "trên"), same values."""
    out = dict(table)
    for k, v in table.items():
        out.setdefault(fold_diacritics(k), v)
    return out


# every spelling (accented or not, any case) -> canonical spelling
_QUALIFIER_KEYS = _with_folded({k: k for k in QUALIFIER_WORDS})
_POSTFIX_KEYS = _with_folded({k: k for k in _POSTFIX_QUALIFIERS})
_SCALE_KEYS = _with_folded({k: k for k in _SCALES})
_UNIT_KEYS = _with_folded({k: k for k in _UNITS})
_COUNT_KEYS = _with_folded({k: k for k in _COUNT_NOUNS})
_NUMBER_WORD_KEYS = {k: k for k in _NUMBER_WORDS} | {
    fold_diacritics(k): k for k in _NUMBER_WORDS if fold_diacritics(k) not in ("nam", "ba", "bay", "tam")}

_QUAL_BEFORE = re.compile(rf"(?<!{_L})({_alt(_QUALIFIER_KEYS)}){_SPACE}$", re.IGNORECASE)
_QUAL_AFTER = re.compile(rf"{_SPACE}({_alt(_POSTFIX_KEYS)})(?!{_L})", re.IGNORECASE)
_SCALE = re.compile(rf"{_SPACE}({_alt(_SCALE_KEYS)})(?!{_L})", re.IGNORECASE)
_UNIT = re.compile(rf"{_SPACE}({_alt(_UNIT_KEYS)})(?!{_L}|\d)", re.IGNORECASE)
_PER = re.compile(rf"(?:/{_L}+)+")
_COUNT = re.compile(rf"[ \t\u00a0]+({_alt(_COUNT_KEYS)})(?!{_L})", re.IGNORECASE)
_NEXT_WORD = re.compile(rf"[ \t\u00a0]+({_L}+)")
_RANGE_SEP = re.compile(rf"{_SPACE}(?:-|–|—|đến|tới|den|toi){_SPACE}({_NUM})(?![\w/])", re.IGNORECASE)
# verbs after which "từ" says where something comes from ("hợp nhất từ 3 xã"), not a lower bound
_ORIGIN_BEFORE = re.compile(
    r"(?<!\w)(?:sáp nhập|sáp nhâp|hợp nhất|hình thành|thành lập|tách|chuyển|xuất phát|đến|tới|"
    r"sap nhap|hop nhat|hinh thanh|thanh lap|tach|chuyen|xuat phat|den|toi)[ \t\u00a0]*$", re.IGNORECASE)
_CHANGE_AFTER = re.compile(
    rf"{_SPACE}(?:\(?(?:năm|nam){_SPACE}\d{{4}}\)?{_SPACE})?,?{_SPACE}(?:xuống|lên|giảm|tăng|xuong|len|giam|tang)(?!{_L})",
    re.IGNORECASE)
# a year on its own, not part of a range, a date or a decimal ("năm 2021", not "2020-2025", "27/11/2025")
SINGLE_YEAR = re.compile(r"(?<![\d/.,–-])(?:19|20)\d\d(?![\d/.,–-])")
YEAR_RANGE = re.compile(r"((?:19|20)\d{2})[ \t\u00a0]*[-–—][ \t\u00a0]*((?:19|20)\d{2})(?![\w/.,]\d|\d)")
_ISO_DATE = re.compile(r"((?:19|20)\d{2})-(\d{2})-(\d{2})(?![\w/])")
_SLASH = re.compile(r"(\d+)/(\d+)(?:/(\d{4}))?(?![\w/]|[.,]\d)")
_DAY_MONTH_WORDS = re.compile(
    rf"(?<!{_L})(?:ngày|ngay){_SPACE}(\d{{1,2}}){_SPACE}(?:tháng|thang){_SPACE}(\d{{1,2}})"
    rf"(?:{_SPACE}(?:năm|nam){_SPACE}(\d{{4}}))?(?![\w/])",
    re.IGNORECASE)
_MONTH = re.compile(
    rf"(?<!{_L})(?:tháng|thang){_SPACE}(\d{{1,2}})(?:{_SPACE}(?:/|năm|nam){_SPACE}(\d{{4}}))?(?![\w/]|[.,]\d)",
    re.IGNORECASE)
_QUARTER = re.compile(
    rf"(?<!{_L})(?:quý|quy){_SPACE}(IV|III|II|I|[1-4])(?:{_SPACE}(?:/|năm|nam){_SPACE}(\d{{4}}))?(?!{_L}|\d)",
    re.IGNORECASE)
_WORD_NUMBER = re.compile(rf"(?<!{_L})({_alt(_NUMBER_WORD_KEYS)})(?={_COUNT.pattern})", re.IGNORECASE)
_TIME_BEFORE = re.compile(rf"(?<!{_L})(?:{_alt(_with_folded({w: w for w in _TIME_WORDS}))}){_SPACE}$", re.IGNORECASE)


# --- numbers ----------------------------------------------------------------------------------

def parse_number(s: str) -> float | None:
    """A number as Vietnamese writes it: "8.981" -> 8981, "13,5" -> 13.5, "1.234,5" -> 1234.5.

    A dot before exactly three digits groups thousands; otherwise a single dot or comma is the
    decimal mark ("13.5" -> 13.5, "438,608" -> 438.608). Returns None for malformed strings
    ("1.2.3").
    """
    s = s.strip()
    if not re.fullmatch(_NUM, s):
        return None
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        thou = "." if dec == "," else ","
        if s.count(dec) > 1:
            return None
        int_part, frac = s.split(dec)
        groups = int_part.split(thou)
        if any(len(g) != 3 for g in groups[1:]) or not 1 <= len(groups[0]) <= 3:
            return None
        return float("".join(groups) + "." + frac)
    sep = "." if dots else ("," if commas else None)
    if sep is None:
        return float(s)
    parts = s.split(sep)
    if len(parts) == 2:
        if sep == "." and len(parts[1]) == 3 and 1 <= len(parts[0]) <= 3 and parts[0] != "0":
            return float(parts[0] + parts[1])
        return float(parts[0] + "." + parts[1])
    if all(len(p) == 3 for p in parts[1:]) and 1 <= len(parts[0]) <= 3:
        return float("".join(parts))
    return None


# --- NFC with offsets back into the original --------------------------------------------------

def _nfc_with_map(text: str) -> tuple[str, list[int]]:
    """NFC text and, for each of its positions (plus the end), the offset in ``text``."""
    if unicodedata.is_normalized("NFC", text):
        return text, list(range(len(text) + 1))
    out: list[str] = []
    offsets: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        offsets.extend([i] * len(piece))
        i = j
    offsets.append(len(text))
    return "".join(out), offsets


# --- the scanner ------------------------------------------------------------------------------

@dataclass
class _Found:
    start: int
    end: int
    value: float
    unit: str | None
    qualifier: str | None
    kind: str
    upper: float | None = None


def _prefix_qualifier(text: str, start: int) -> tuple[str | None, int]:
    m = _QUAL_BEFORE.search(text, max(0, start - 20), start)
    if not m:
        return None, start
    qualifier = QUALIFIER_WORDS[_QUALIFIER_KEYS[m.group(1).lower()]]
    if qualifier == "from" and _ORIGIN_BEFORE.search(text, max(0, m.start() - 30), m.start()):
        return None, start   # "sáp nhập từ 5 phường, xã": where from, not "at least 5"
    return qualifier, m.start()


def _is_change_start(text: str, end: int) -> bool:
    """ "giảm từ 0,55% năm 2021 xuống 0,27%": "từ" marks a starting value, not a bound."""
    return _CHANGE_AFTER.match(text, end) is not None


def _postfix(text: str, end: int) -> tuple[str | None, int]:
    m = _QUAL_AFTER.match(text, end)
    if m:
        return _POSTFIX_QUALIFIERS[_POSTFIX_KEYS[m.group(1).lower()]], m.end()
    return None, end


def _counted_noun(text: str, end: int) -> tuple[str | None, int]:
    m = _COUNT.match(text, end)
    if m:
        return _COUNT_KEYS[m.group(1).lower()], m.end()
    m = _NEXT_WORD.match(text, end)
    if m:
        word = m.group(1)
        if word.islower() and word not in _NOT_COUNTED and word not in _NOT_COUNTED_FOLDED and len(word) > 1:
            if word in _TIME_NOUNS_ALL and _DIGIT_NEXT.match(text, m.end()):
                return None, end
            return word, m.end()
    return None, end


def _scan_words(text: str, taken: list[tuple[int, int]]) -> list[_Found]:
    found: list[_Found] = []
    for m in _DAY_MONTH_WORDS.finditer(text):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if 1 <= day <= 31 and 1 <= month <= 12:
            found.append(_Found(m.start(), m.end(), year * 10000 + month * 100 + day, None, None, "date"))
    for m in _QUARTER.finditer(text):
        q = _ROMAN[m.group(1).lower()]
        year = int(m.group(2) or 0)
        found.append(_Found(m.start(), m.end(), year * 10 + q, "quý", None, "period"))
    for m in _MONTH.finditer(text):
        month, year = int(m.group(1)), int(m.group(2) or 0)
        if 1 <= month <= 12 and not _overlaps(m.start(), m.end(), [(f.start, f.end) for f in found]):
            found.append(_Found(m.start(), m.end(), year * 100 + month, "tháng", None, "period"))
    for f in found:
        taken.append((f.start, f.end))
    return found


def _overlaps(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < b and a < e for a, b in spans)


def _scan_numbers(text: str, taken: list[tuple[int, int]]) -> list[_Found]:
    found: list[_Found] = []
    for m in _NUM_AT.finditer(text):
        s = m.start()
        if _overlaps(s, m.end(), taken) or _overlaps(s, m.end(), [(f.start, f.end) for f in found]):
            continue
        f = _one_number(text, m)
        if f is not None:
            found.append(f)
    return found


_YEAR_WORD = re.compile(r"(?:^|\s)(?:năm|Năm|NĂM)\s+$")


def _one_number(text: str, m: re.Match[str]) -> _Found | None:
    s, e = m.start(), m.end()
    iso = _ISO_DATE.match(text, s)
    if iso and 1 <= int(iso.group(2)) <= 12 and 1 <= int(iso.group(3)) <= 31:
        value = int(iso.group(1)) * 10000 + int(iso.group(2)) * 100 + int(iso.group(3))
        return _Found(s, iso.end(), value, None, None, "date")
    # years and year ranges
    yr = YEAR_RANGE.match(text, s)
    if yr and int(yr.group(2)) > int(yr.group(1)):
        return _Found(s, yr.end(), float(yr.group(1)), "năm", None, "period", float(yr.group(2)))
    # slashes: dates, months of a year, fractions
    sl = _SLASH.match(text, s)
    if sl:
        return _slash(text, sl)
    if e < len(text) and text[e] == "/":
        return None
    value = parse_number(m.group(1))
    if value is None:
        return None
    # glued to letters that are no unit: an identifier ("217B", "5G")
    glued = e < len(text) and (text[e].isalpha() or text[e] == "_")
    if glued and not (_UNIT.match(text, e) or _SCALE.match(text, e)):
        return None
    qualifier, start = _prefix_qualifier(text, s)
    end = e
    upper = None
    rng = _RANGE_SEP.match(text, end)
    if rng and (qualifier in (None, "from")):
        v2 = parse_number(rng.group(1))
        sep = text[end:rng.start(1)].strip().lower()
        if v2 is not None and v2 > value and (sep in "-–—" or qualifier == "from"):
            upper, end = v2, rng.end()
            qualifier = "range"
    factor = 1.0
    sc = _SCALE.match(text, end)
    if sc:
        factor = _SCALES[_SCALE_KEYS[sc.group(1).lower()]]
        end = sc.end()
    kind, unit = "number", None
    un = _UNIT.match(text, end)
    if un:
        kind, unit, conv = _UNITS[_UNIT_KEYS[un.group(1).lower()]]
        factor *= conv
        end = un.end()
    elif sc:
        noun, noun_end = _counted_noun(text, end)
        if noun and _COUNT.match(text, end):
            kind, unit, end = "count", noun, noun_end
        else:
            kind, unit = "money", "đồng"      # "15.200 tỷ": the articles' amounts are in đồng
    # "2025", or any year the word "năm" announces ("năm 1279", "Năm 938")
    is_year = (kind == "number" and not sc and upper is None
               and (re.fullmatch(r"(?:19|20)\d{2}", m.group(1)) is not None
                    or (re.fullmatch(r"\d{3,4}", m.group(1)) is not None and _YEAR_WORD.search(text[:s]) is not None
                        and not _counted_noun(text, end)[0])))
    if kind == "number" and not sc:
        noun, noun_end = _counted_noun(text, end)
        if noun and (not is_year or _COUNT.match(text, end)):
            kind, unit, end = "count", noun, noun_end
        elif is_year:
            kind = "year"
    if kind in ("percent", "money") or unit in ("đồng", "%"):
        per = _PER.match(text, end)
        if per:
            end = per.end()
    post, post_end = _postfix(text, end)
    if post and qualifier is None:
        qualifier, end = post, post_end
    if qualifier == "from" and _is_change_start(text, end):
        qualifier, start = None, s
    val = value * factor
    up = upper * factor if upper is not None else None
    if kind == "year":
        qualifier = None if qualifier in ("from", "~") else qualifier
        start = s if qualifier is None else start
    return _Found(start, end, val, unit, qualifier, kind, up)


def _slash(text: str, sl: re.Match[str]) -> _Found | None:
    a, b = int(sl.group(1)), int(sl.group(2))
    year = int(sl.group(3) or 0)
    s, e = sl.start(), sl.end()
    valid_date = 1 <= a <= 31 and 1 <= b <= 12
    if sl.group(3):
        if not valid_date:
            return None
        return _Found(s, e, year * 10000 + b * 100 + a, None, None, "date")
    if len(sl.group(2)) == 4 and 1 <= a <= 12:
        return _Found(s, e, b * 100 + a, "tháng", None, "period")
    timed = _TIME_BEFORE.search(text, max(0, s - 12), s) is not None
    if valid_date and (timed or a > b):
        return _Found(s, e, b * 100 + a, None, None, "date")
    if b == 0:
        return None
    qualifier, start = _prefix_qualifier(text, s)
    end = e
    noun, noun_end = _counted_noun(text, e)
    if noun:
        end = noun_end
    if qualifier == "from" and _is_change_start(text, end):
        qualifier, start = None, s
    return _Found(start, end, a / b, noun, qualifier, "fraction")


def _scan_number_words(text: str, taken: list[tuple[int, int]]) -> list[_Found]:
    found = []
    for m in _WORD_NUMBER.finditer(text):
        if _overlaps(m.start(), m.end(), taken):
            continue
        cm = _COUNT.match(text, m.end())
        if cm is None:
            continue
        value = _NUMBER_WORDS[_NUMBER_WORD_KEYS[m.group(1).lower()]]
        qualifier, start = _prefix_qualifier(text, m.start())
        if qualifier == "from" and _is_change_start(text, cm.end()):
            qualifier, start = None, m.start()
        found.append(_Found(start, cm.end(), float(value), _COUNT_KEYS[cm.group(1).lower()], qualifier, "count"))
    return found


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text``, in order, with ``text[q.start:q.end] == q.text``.

    Works on any Unicode normalisation of the input (offsets index the text as given).
    """
    norm, offsets = _nfc_with_map(text)
    taken: list[tuple[int, int]] = []
    found = _scan_words(norm, taken)
    found += _scan_numbers(norm, taken)
    taken += [(f.start, f.end) for f in found]
    found += _scan_number_words(norm, taken)
    found.sort(key=lambda f: f.start)
    out: list[Quantity] = []
    last_end = -1
    for f in found:
        if f.start < last_end:
            continue
        start, end = offsets[f.start], offsets[f.end]
        out.append(Quantity(f.value, f.unit, f.qualifier, text[start:end], start, end, f.kind, f.upper))  # type: ignore[arg-type]
        last_end = f.end
    return out


def parse_quantity(text: str) -> Quantity | None:
    """The first quantity in ``text`` ("trên 85%", "8.981 tỷ đồng", "quý IV/2025"), or None."""
    found = find_quantities(text)
    return found[0] if found else None


# --- comparing --------------------------------------------------------------------------------

def _unit_key(unit: str | None) -> str:
    """Units compare without case or diacritics ("lang" typed for "làng")."""
    return fold_diacritics(unicodedata.normalize("NFC", unit or "").lower())


def _count_units_match(a: str | None, b: str | None) -> bool:
    ka, kb = _unit_key(a).split(), _unit_key(b).split()
    if not ka or not kb:
        return False
    short, long_ = (ka, kb) if len(ka) <= len(kb) else (kb, ka)
    return long_[:len(short)] == short


def comparable(a: Quantity, b: Quantity) -> bool:
    """Whether ``a`` and ``b`` measure the same kind of thing, so a different value conflicts.

    Percentages compare with fractions (100% and 20/20); counts only when they count the same
    noun ("1.600 hộ" and "1.600 hộ kinh doanh"); money in the same currency; periods of the
    same length (a quarter is not a month).
    """
    kinds = {a.kind, b.kind}
    if kinds <= {"percent", "fraction"}:
        if a.kind == b.kind == "fraction" and a.unit and b.unit:
            return _count_units_match(a.unit, b.unit)
        return True
    if a.kind != b.kind:
        return False
    if a.kind == "count":
        return _count_units_match(a.unit, b.unit)
    if a.kind in ("money", "period", "number"):
        return _unit_key(a.unit) == _unit_key(b.unit)
    return True


def _close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)


def _fraction_parts(q: Quantity) -> tuple[int, int] | None:
    m = re.search(r"(\d+)/(\d+)", q.text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def same_value(a: Quantity, b: Quantity) -> bool:
    """Whether two comparable quantities state the same value (qualifiers aside).

    A date or period without a year matches the same day/quarter/month of any year; "20/20"
    equals 100%; two fractions must have the same numerator and denominator.
    """
    if not comparable(a, b):
        return False
    if {a.kind, b.kind} == {"percent", "fraction"}:
        pct, frac = (a, b) if a.kind == "percent" else (b, a)
        return _close(pct.value, frac.value * 100)
    if a.kind == b.kind == "fraction":
        return _fraction_parts(a) == _fraction_parts(b)
    if a.kind == "date":
        ya, yb = int(a.value) // 10000, int(b.value) // 10000
        return int(a.value) % 10000 == int(b.value) % 10000 and (not ya or not yb or ya == yb)
    if a.kind == "period" and a.unit in ("quý", "tháng"):
        base = 10 if a.unit == "quý" else 100
        ya, yb = int(a.value) // base, int(b.value) // base
        return int(a.value) % base == int(b.value) % base and (not ya or not yb or ya == yb)
    if not _close(a.value, b.value):
        return False
    if (a.upper is None) != (b.upper is None):
        return False
    return a.upper is None or _close(a.upper, b.upper)  # type: ignore[arg-type]
