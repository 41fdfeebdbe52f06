"""The shorthand citizens type in chat ("bn" for "bao nhiêu", "j" for "gì", "ko" for "không",
"dn" for "doanh nghiệp"), spelled out before the question is read.

Left as typed, "co bn chi tieu" asks nothing the question-type rules know (no "bao nhiêu"), and
"dn" matches no word of the articles. Only whole words are replaced, and only those that are not
also ordinary words; the spelling follows the question's: with tone marks when it has any, folded
when it has none (so tone restoration still sees a question typed without marks).
"""
from __future__ import annotations

import re

from ingest.text import fold_diacritics, has_diacritics, nfc

# lower-case shorthand -> the words it stands for
_SHORTHAND = {
    "bn": "bao nhiêu", "bnh": "bao nhiêu", "bnhieu": "bao nhiêu", "bnhiu": "bao nhiêu", "baonhieu": "bao nhiêu",
    "j": "gì", "ko": "không", "k": "không", "kh": "không", "khum": "không", "hok": "không",
    "dc": "được", "đc": "được", "vs": "với", "ntn": "như thế nào", "sp": "sản phẩm", "dn": "doanh nghiệp",
}
# "dn"/"DN" is written in capitals in the news too; the others only count typed in lower case
_ANY_CASE = frozenset({"dn"})
# "z"/"v" closing a question is "vậy" ("bí thư là ai z"); elsewhere a letter is left alone
_FINAL_VAY = re.compile(r"(?<=\s)[zv](?=\s*[?.!]*\s*$)")
_WORD = re.compile(r"(?<![\w/.,-])[^\W\d_]+(?![\w/.,-]?\d)")


def expand_shorthand(question: str) -> str:
    """The question with chat shorthand spelled out; unchanged when it has none."""
    text = nfc(question)
    folded = not has_diacritics(text)

    def spell(m: re.Match[str]) -> str:
        word = m.group(0)
        key = word.lower()
        if key not in _SHORTHAND or (word != key and key not in _ANY_CASE):
            return word
        full = _SHORTHAND[key]
        return fold_diacritics(full) if folded else full

    text = _WORD.sub(spell, text)
    return _FINAL_VAY.sub("vay" if folded else "vậy", text)
