"""Properties of the normaliser and the article parser on generated text: keys do not depend on
Unicode normalisation or tone placement; offsets always index the text; numbering is 1..n;
no input crashes the parser (it returns an article or raises IngestError)."""
from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.decode import IngestError
from ingest.models import ParagraphKind, article_from_dict, article_to_dict
from ingest.parser import article_from_blocks, extract_wards, parse_article
from ingest.text import (
    canonical_tones,
    fold_diacritics,
    has_diacritics,
    match_key,
    nfc,
    normalize_for_match,
    syllables,
)

from .test_text import VIET_LETTERS, viet_text

few = settings(max_examples=80, deadline=None)

_MARKS = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_ONSETS = ("", "h", "kh", "th", "l", "t", "x", "ng", "nh", "tr", "Th", "H", "Kh", "TH")


@st.composite
def old_new_syllable(draw) -> tuple[str, str]:
    """An open syllable in oa/oe/uy with its tone on the second vowel (old style, "hoà") and
    on the first (new style, "hòa")."""
    onset = draw(st.sampled_from(_ONSETS))
    first, second = draw(st.sampled_from([("o", "a"), ("o", "e"), ("u", "y")]))
    if onset.isupper() and len(onset) > 1 or onset == "H" and draw(st.booleans()):
        first, second = first.upper(), second.upper()
    mark = draw(st.sampled_from(_MARKS))
    old = nfc(onset + first + second + mark)
    new = nfc(onset + first + mark + second)
    return old, new


@few
@given(st.lists(old_new_syllable(), min_size=1, max_size=5), st.sampled_from([" ", ", ", " và "]))
def test_old_and_new_tone_placement_give_the_same_keys(pairs, sep):
    old = sep.join(o for o, _ in pairs)
    new = sep.join(n for _, n in pairs)
    assert canonical_tones(old) == canonical_tones(new)
    assert normalize_for_match(old) == normalize_for_match(new)
    assert match_key(old) == match_key(new)
    assert syllables(old) == syllables(new)


@few
@given(viet_text | st.text(max_size=60))
def test_keys_do_not_depend_on_unicode_normalisation(text):
    for form in ("NFD", "NFC"):
        other = unicodedata.normalize(form, text)
        assert fold_diacritics(other) == fold_diacritics(text)
        assert match_key(other) == match_key(text)
        assert normalize_for_match(other) == normalize_for_match(text)
        assert syllables(other) == syllables(text)


@few
@given(viet_text)
def test_folding_removes_every_diacritic_and_nothing_else(text):
    folded = fold_diacritics(text)
    assert not has_diacritics(folded)
    assert fold_diacritics(folded) == folded
    assert match_key(match_key(text)) == match_key(text)
    assert [c for c in folded if not c.isalpha()] == [c for c in nfc(text) if not c.isalpha()]


@few
@given(viet_text)
def test_folded_syllables_are_the_syllables_folded(text):
    assert syllables(match_key(text)) == [fold_diacritics(s) for s in syllables(text)]


# --- the article parser -------------------------------------------------------------------------

_WORD = st.text(alphabet=VIET_LETTERS, min_size=1, max_size=8)
_SENTENCE = st.builds(lambda ws, end: " ".join(ws) + end, st.lists(_WORD, min_size=1, max_size=12),
                      st.sampled_from(["", ".", "!", "?", ":", "…"]))
_BLOCK = st.builds(lambda ss, joiner: joiner.join(ss), st.lists(_SENTENCE, min_size=1, max_size=4),
                   st.sampled_from([" ", "\n", "  ", " \t"]))
_GAP = st.sampled_from(["\n\n", "\n \n", "\n\n\n", "\n\t\n", "\n  \n\n"])


@st.composite
def articles(draw) -> tuple[str, str, list[str]]:
    """(file text, title, blocks) in the seed layout, with random white space around."""
    title = draw(_SENTENCE).replace("\n", " ")
    blocks = draw(st.lists(_BLOCK, min_size=1, max_size=8))
    dated = draw(st.booleans())
    head = f" date 2025-11-{draw(st.integers(1, 30)):02d} {title}" if dated else title
    parts = [draw(st.sampled_from(["", "\n", " \n\n"])) + head]
    for block in blocks:
        parts += [draw(_GAP), block]
    return "".join(parts) + draw(st.sampled_from(["", "\n", "\n\n  "])), title, blocks


def _check(article, text: str) -> None:
    assert article.text == text
    assert [p.number for p in article.paragraphs] == list(range(1, len(article.paragraphs) + 1))
    last = -1
    for p in article.paragraphs:
        assert text[p.start:p.end] == p.text and p.text == p.text.strip() and p.text
        assert p.start > last
        last = p.end
        assert p.kind in ParagraphKind
    assert sum(p.kind is ParagraphKind.BYLINE for p in article.paragraphs) <= 1
    assert article_from_dict(article_to_dict(article)) == article


@few
@given(articles())
def test_generated_articles_parse_with_exact_offsets(case):
    text, title, blocks = case
    article = parse_article(text, "bai")
    _check(article, text)
    assert article.title == title.strip()
    assert [" ".join(p.text.split()) for p in article.paragraphs] == [" ".join(b.split()) for b in blocks]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300) | st.text(alphabet=VIET_LETTERS + " \n\t.,:;-–()\"“”0123456789/%", max_size=300))
def test_any_text_parses_or_is_refused_with_a_message(text):
    try:
        article = parse_article(text, "bai", source="bai.txt")
    except IngestError as err:
        assert "bai.txt" in err.message
        return
    _check(article, text)
    assert article.paragraphs


@few
@given(_SENTENCE, st.lists(_BLOCK | st.just("  \n "), min_size=1, max_size=8),
       st.lists(st.integers(1, 9), min_size=8, max_size=8))
def test_blocks_from_other_formats_get_offsets_into_the_composed_text(title, blocks, pages):
    try:
        article = article_from_blocks("bai", title, None, blocks, source="bai.pdf", pages=pages[:len(blocks)])
    except IngestError as err:
        assert "bai.pdf" in err.message
        return
    _check(article, article.text)
    kept = [(b, pages[i]) for i, b in enumerate(blocks) if b.strip()]
    assert [p.page for p in article.paragraphs] == [page for _, page in kept]
    assert article.text.startswith(article.title + "\n\n")


@few
@given(st.lists(st.sampled_from(["Đông Sơn", "Quang Trung", "Hàm Rồng", "Thuỵ Vân", "Nông Trang", "12"]),
                min_size=1, max_size=4, unique=True),
       st.sampled_from(["phường", "xã", "Phường"]), viet_text)
def test_named_wards_are_found_and_come_from_the_text(names, prefix, noise):
    text = f"{noise}. Hôm nay {prefix} {names[0]} tổ chức hội nghị. " + " ".join(
        f"Tại {prefix} {n}, người dân phấn khởi." for n in names[1:])
    wards = extract_wards(text)
    keys = [match_key(w) for w in wards]
    for n in names:
        assert match_key(f"{prefix} {n}") in keys
    for w in wards:
        assert match_key(w.split(" ", 1)[1]) in match_key(text)
    assert len(set(keys)) == len(keys)
