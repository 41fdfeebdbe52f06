"""Match keys, syllables and sentence spans on real article text."""
from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.text import (
    canonical_tones,
    fold_diacritics,
    has_diacritics,
    match_key,
    nfc,
    normalize_for_match,
    split_sentences,
    syllables,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

_BASES = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
VIET_LETTERS = "".join(sorted({nfc(b + t) for b in _BASES for t in _TONES} | set("bcdđghklmnpqrstvx")))
VIET_LETTERS += VIET_LETTERS.upper()
viet_text = st.text(alphabet=VIET_LETTERS + " ,.;:-?!0123456789\n", max_size=80)


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- normalisation ----------------------------------------------------------------------------

def test_old_and_new_tone_placements_share_both_keys():
    pairs = [("Thuỵ Vân", "Thụy Vân"), ("Đảng uỷ", "Đảng ủy"), ("hoà", "hòa"), ("khoẻ", "khỏe"),
             ("Thuý", "Thúy"), ("HOÀ BÌNH", "Hòa Bình")]
    for old, new in pairs:
        assert normalize_for_match(old) == normalize_for_match(new), (old, new)
        assert match_key(old) == match_key(new), (old, new)


def test_canonical_tones_moves_the_mark_to_the_first_vowel_and_keeps_case():
    assert canonical_tones("xã Thuỵ Vân") == "xã Thụy Vân"
    assert canonical_tones("Đảng uỷ") == "Đảng ủy"
    assert canonical_tones("hoà") == "hòa"
    assert canonical_tones("khoẻ") == "khỏe"
    assert canonical_tones("HOÀ") == "HÒA"


def test_canonical_tones_leaves_syllables_where_both_styles_agree():
    for word in ("quý", "Quỳnh", "hoàng", "thuyền", "hoài", "khuya", "khoảng", "quyết", "toán",
                 "văn hóa", "thủy"):
        assert canonical_tones(word) == nfc(word), word


def test_fold_removes_tones_and_vowel_marks():
    assert match_key("Đảng ủy phường Đông Sơn") == "dang uy phuong dong son"
    assert fold_diacritics("Đảng ủy phường Đông Sơn") == "Dang uy phuong Dong Son"
    assert fold_diacritics("ăâêôơưđ ĂÂÊÔƠƯĐ") == "aaeooud AAEOOUD"
    assert fold_diacritics("13,5%/năm; “trụ cột”") == "13,5%/nam; “tru cot”"


def test_nfd_input_gives_the_same_keys_as_nfc():
    text = (SEEDS / "001_fedeaab69c93254a.txt").read_text(encoding="utf-8")
    decomposed = _nfd(text)
    assert decomposed != text
    assert normalize_for_match(decomposed) == normalize_for_match(text)
    assert match_key(decomposed) == match_key(text)
    assert syllables(decomposed) == syllables(text)


def test_has_diacritics_tells_typed_without_tones_apart():
    assert has_diacritics("phường Đông Sơn có bao nhiêu doanh nghiệp")
    assert has_diacritics(_nfd("hoà"))
    assert has_diacritics("đ")
    assert not has_diacritics("phuong Dong Son co bao nhieu doanh nghiep?")
    assert not has_diacritics("")


# --- syllables --------------------------------------------------------------------------------

def test_syllables_keep_numbers_whole_and_split_ranges():
    sylls = syllables("Tốc độ 13,5%/năm; 8.981 tỷ đồng, nhiệm kỳ 2025-2030, Sáng 27/11, 5G")
    assert sylls == ["tốc", "độ", "13,5", "năm", "8.981", "tỷ", "đồng", "nhiệm", "kỳ", "2025",
                     "2030", "sáng", "27/11", "5g"]


def test_syllables_of_every_spelling_of_a_range_agree():
    forms = ["2025-2030", "2025- 2030", "2025 - 2030", "2025–2030"]
    assert {tuple(syllables(f)) for f in forms} == {("2025", "2030")}


def test_syllables_canonicalise_tone_placement():
    assert syllables("Đảng uỷ") == syllables("Đảng ủy") == ["đảng", "ủy"]
    assert syllables(match_key("Thuỵ Vân")) == ["thuy", "van"]


# --- sentences --------------------------------------------------------------------------------

def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_split_sentences_keeps_numbers_and_list_ellipsis_together():
    text = ("Tổng thu ngân sách ước đạt 438,608 tỷ đồng; tổng vốn đạt 8.981 tỷ đồng, tỷ lệ ước đạt "
            "75%.... Diện mạo đô thị có sự khởi sắc. Đẩy mạnh chuyển đổi số toàn diện... cung cấp "
            "dịch vụ công. Tốc độ tăng 13,5%/năm.")
    assert _sentences(text) == [
        "Tổng thu ngân sách ước đạt 438,608 tỷ đồng; tổng vốn đạt 8.981 tỷ đồng, tỷ lệ ước đạt 75%....",
        "Diện mạo đô thị có sự khởi sắc.",
        "Đẩy mạnh chuyển đổi số toàn diện... cung cấp dịch vụ công.",
        "Tốc độ tăng 13,5%/năm.",
    ]


def test_split_sentences_abbreviations_quotes_and_typos():
    text = "Làm việc tại TP. Thanh Hóa. Mục tiêu “bền vững”. Chuyển đổi số. hực tế là vậy"
    assert _sentences(text) == [
        "Làm việc tại TP. Thanh Hóa.", "Mục tiêu “bền vững”.", "Chuyển đổi số.", "hực tế là vậy",
    ]


def test_split_sentences_offsets_index_the_original_seed_text():
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        spans = split_sentences(text)
        assert len(spans) > 10
        for s, e in spans:
            piece = text[s:e]
            assert piece == piece.strip() and piece


# --- properties -------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_fold_is_idempotent(text):
    once = fold_diacritics(text)
    assert fold_diacritics(once) == once


@settings(max_examples=200, deadline=None)
@given(viet_text)
def test_fold_outputs_ascii_for_vietnamese_letters_and_keeps_length(text):
    folded = fold_diacritics(text)
    assert folded.isascii()
    assert len(folded) == len(nfc(text))
    assert fold_diacritics(_nfd(text)) == folded
    assert not has_diacritics(folded)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60) | viet_text)
def test_match_key_ignores_tone_placement(text):
    assert match_key(canonical_tones(text)) == match_key(text)
    assert canonical_tones(canonical_tones(text)) == canonical_tones(text)


@settings(max_examples=200, deadline=None)
@given(viet_text)
def test_canonical_tones_only_moves_marks(text):
    moved = canonical_tones(text)
    assert len(moved) == len(nfc(text))
    assert fold_diacritics(moved) == fold_diacritics(text)
    assert normalize_for_match(_nfd(text)) == normalize_for_match(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=VIET_LETTERS[:20] + " .…!?,\n”“%0123456789", max_size=80) | st.text(max_size=40))
def test_split_sentences_spans_are_ordered_disjoint_and_cover_the_text(text):
    spans = split_sentences(text)
    previous_end = 0
    for s, e in spans:
        assert previous_end <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        previous_end = e
    covered = {i for s, e in spans for i in range(s, e)}
    assert all(i in covered for i, c in enumerate(text) if not c.isspace())


def test_spellings_tell_which_toned_syllable_a_folded_one_was():
    from ingest.text import spellings

    forms = spellings("Giá đất đạt 20 triệu; Thuỵ Vân")
    assert forms["dat"] == {"đất", "đạt"}
    assert forms["gia"] == {"giá"}
    assert forms["thuy"] == {"thụy"}          # one tone-mark placement
    assert forms["20"] == {"20"}
