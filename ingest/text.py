"""Vietnamese text helpers for matching: normalisation keys, syllables and sentence spans.

Everything here is a pure function that runs on every query and every paragraph, so it is built
on precomputed tables and compiled regexes. None of it is for display: articles are shown and
quoted exactly as written, these keys only decide what matches what.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = [
    "nfc", "canonical_tones", "fold_diacritics", "normalize_for_match", "match_key",
    "has_diacritics", "syllables", "split_sentences",
]

# --- tone marks -------------------------------------------------------------------------------

_TONE_MARKS = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng


def _with_tone(base: str, mark: str) -> str:
    return unicodedata.normalize("NFC", base + mark)


# Old ("hoà", "khoẻ", "Thuỵ") and new ("hòa", "khỏe", "Thụy") placements differ only in the open
# syllables ending in oa / oe / uy: the mark sits on the second or on the first vowel. The
# canonical form puts it on the first vowel. With a final consonant or glide ("hoàng", "thuyền",
# "hoài") both styles agree, and after "q" the "u" belongs to the consonant ("quý"), so those
# are left alone.
def _build_moves() -> dict[str, str]:
    moves = {}
    for first, seconds in (("o", "ae"), ("u", "y")):
        for second in seconds:
            for mark in _TONE_MARKS:
                for f in (first, first.upper()):
                    for s in (second, second.upper()):
                        moves[f + _with_tone(s, mark)] = _with_tone(f, mark) + s
    return moves


_MOVE = _build_moves()
_LETTER = r"[^\W\d_]"
_OLD_TONES = re.compile(
    r"(?<![qQ])(?:" + "|".join(sorted(_MOVE)) + r")(?!" + _LETTER + r")"
)
# the toned second vowels: without one of them there is nothing to move (fast path)
_NEEDS_MOVE_HINT = frozenset(k[1] for k in _MOVE)


def nfc(text: str) -> str:
    """Unicode NFC: one code point per accented letter, as most Vietnamese text is typed."""
    return unicodedata.normalize("NFC", text)


def canonical_tones(text: str) -> str:
    """NFC with one tone-mark placement: "Thuỵ"->"Thụy", "uỷ"->"ủy", "hoà"->"hòa", "khoẻ"->"khỏe".

    Case is kept and nothing else changes (length is that of the NFC text).
    """
    text = nfc(text)
    if not any(c in _NEEDS_MOVE_HINT for c in text):
        return text
    return _OLD_TONES.sub(lambda m: _MOVE[m.group(0)], text)


# --- folding ----------------------------------------------------------------------------------

def _build_fold_table() -> dict[int, int | None]:
    table: dict[int, int | None] = {ord("đ"): ord("d"), ord("Đ"): ord("D")}
    for cp in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        if (
            len(decomposed) > 1
            and base.isascii()
            and base.isalpha()
            and all(unicodedata.combining(c) for c in decomposed[1:])
        ):
            table[cp] = ord(base)
    # combining diacritics NFC could not attach to a letter: diacritics too, dropped
    for cp in range(0x0300, 0x0370):
        table[cp] = None
    return table


_FOLD = _build_fold_table()
_FOLDABLE = frozenset(chr(cp) for cp, to in _FOLD.items() if to is not None)


def fold_diacritics(text: str) -> str:
    """Remove every Vietnamese diacritic (tone marks and ă â ê ô ơ ư), đ/Đ -> d/D.

    Case and every other character are kept, so for any text whose NFC form has no stray
    combining mark (all real Vietnamese text) ``len(fold_diacritics(t)) == len(nfc(t))`` and
    offsets in the folded text are offsets in the NFC text. A stray combining mark (one NFC
    cannot attach to a letter, U+0300-U+036F) is a diacritic too and is dropped, which keeps
    the function idempotent.
    """
    return nfc(text).translate(_FOLD)


def normalize_for_match(text: str) -> str:
    """Accented match key: canonical tone placement, lower case."""
    return canonical_tones(text).lower()


def match_key(text: str) -> str:
    """Folded match key: lower case, no diacritics ("Đảng uỷ" -> "dang uy")."""
    return fold_diacritics(normalize_for_match(text))


def has_diacritics(text: str) -> bool:
    """Whether the text carries any Vietnamese diacritic (a question typed with tone marks)."""
    if any(unicodedata.combining(c) for c in text):
        return True
    return any(c in _FOLDABLE for c in text)


# --- syllables --------------------------------------------------------------------------------

# A number keeps its internal "." "," "/" ("13,5", "8.981", "438,608", "27/11"); a range
# "2025-2030" (also written "2025- 2030", "2025 – 2030") gives "2025" and "2030", so all the
# spellings of a range match each other. Everything else is a run of letters/digits.
_SYLLABLE = re.compile(r"\d+(?:[.,/]\d+)+|[^\W_]+")


def syllables(text: str) -> list[str]:
    """Lower-cased tokens of letters/digits of ``normalize_for_match(text)``.

    Folding is the caller's choice: ``syllables(match_key(t))`` gives folded syllables.
    """
    return _SYLLABLE.findall(normalize_for_match(text))


def spellings(text: str) -> dict[str, frozenset[str]]:
    """Each folded syllable of the text, with the spellings (tone marks kept) it has there:
    folded, "đất" and "đạt" are one syllable, and this tells which one was written."""
    forms: dict[str, set[str]] = {}
    for written in syllables(text):
        forms.setdefault(fold_diacritics(written), set()).add(written)
    return {folded: frozenset(written) for folded, written in forms.items()}


# --- sentences --------------------------------------------------------------------------------

# Abbreviations that end with a dot without ending a sentence (compared lower-cased).
_ABBREVIATIONS = frozenset({
    "tp", "tx", "tt", "ts", "ths", "pgs", "gs", "bs", "ks", "v.v", "vv", "đ/c", "nxb", "vd",
    "mr", "mrs", "dr", "st",
})
_CLOSERS = "”\"’'»)]"
_TERMINATOR = re.compile(r"(?:\.{3}|…|[.!?])+[" + re.escape(_CLOSERS) + r"]*")
_WORD_BEFORE = re.compile(r"([^\s(\[“\"]+)$")


def _is_boundary(text: str, m: re.Match[str]) -> bool:
    end = m.end()
    # a terminator only ends a sentence at the end of the text or before white space
    if end < len(text) and not text[end].isspace():
        return False
    rest = text[end:].lstrip()
    if not rest:
        return True
    marks = m.group(0).rstrip(_CLOSERS)
    nxt = rest[0]
    if "!" in marks or "?" in marks:
        return True
    if marks != ".":
        # an ellipsis inside a list goes on in lower case ("toàn diện... cung cấp")
        return not nxt.islower()
    word = _WORD_BEFORE.search(text, 0, m.start())
    if word:
        token = word.group(1).lower()
        if token in _ABBREVIATIONS:
            return False
        # an initial before a name goes on ("Nguyễn V. An")
        if len(token) == 1 and token.isalpha() and nxt.isupper():
            return False
    return True


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` indexing ``text`` itself, white space trimmed.

    A sentence ends at "." "!" "?" "…"/"..." (with any closing quote or bracket) followed by
    white space, or at a line break. Not an end: a dot or comma inside a number ("13,5%",
    "8.981"), a known abbreviation or an initial before the dot ("TP. Thanh Hóa"), and an
    ellipsis followed by a lower-case word ("chuyển đổi số toàn diện... cung cấp").
    A single "." before a lower-case word still ends a sentence (the articles have typos such
    as "chuyển đổi số. hực tế").
    """
    cuts: list[int] = []
    for m in _TERMINATOR.finditer(text):
        if _is_boundary(text, m):
            cuts.append(m.end())
    for i, c in enumerate(text):
        if c == "\n":
            cuts.append(i)
    cuts = sorted(set(cuts))
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in cuts + [len(text)]:
        s, e = start, cut
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
        start = max(start, cut)
    return spans
