"""Restore tone marks on questions typed without them, from the corpus's own syllable n-grams.

Citizens often type "thu nhap binh quan"; the dense encoder sees that as a different language.
A bigram model over the corpus's accented syllables picks, for each folded syllable, the accented
form that best fits its neighbours (Viterbi), so "thu nhap binh quan" -> "thu nhập bình quân".
A Vietnamese word list (underthesea's Viet74K dictionary, shipped inside the package) adds the
words a small corpus never uses ("sổ đỏ", "gợi ý") as a weak prior: an entry counts for less than
one use in the corpus, and its syllables are candidates only where the corpus has none. Syllables
neither knows are left as typed.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable

from ingest.text import fold_diacritics, has_diacritics, normalize_for_match

VERSION = "bigram-viterbi/3+viet74k"

_SYLLABLE = re.compile(r"[^\W\d_]+", re.UNICODE)

# Everyday question vocabulary: the articles never ask questions, so their statistics alone
# cannot restore "bao nhieu" or "o dau". Generic Vietnamese, not tied to any eval question.
QUESTION_PHRASES = (
    "bao nhiêu", "là bao nhiêu", "là gì", "là ai", "ai là", "ở đâu", "khi nào", "lúc nào",
    "ngày nào", "năm nào", "tháng nào", "mấy", "những gì", "gồm những gì", "gồm những", "những nào",
    "như thế nào", "thế nào", "tại sao", "vì sao", "có không", "có phải", "được không", "bao lâu",
    "của phường", "của xã", "phường nào", "xã nào", "đơn vị nào", "dự án nào", "chỉ tiêu",
    "đạt bao nhiêu", "mục tiêu", "hiện nay", "giữ chức gì", "chức vụ", "người nào", "cho biết",
    "thì sao", "còn", "và", "hay", "hoặc", "được", "đã", "sẽ", "trong", "đến năm", "nhiệm kỳ",
)

_LAMBDA = 0.99  # measured: restored-syllable accuracy on seeds and XQuAD questions (README)
_LEXICON_WEIGHT = 0.3  # a dictionary entry counts for less than one use in the corpus
_QUESTION_WEIGHT = 20  # each question phrase counts as if the corpus said it this many times


def vietnamese_words() -> list[str]:
    """underthesea's Viet74K word list (73,901 entries, lower-cased words of one or more syllables)."""
    from index.segmenter import viet74k_path

    path = viet74k_path()  # located, not imported: the package's __init__ imports torch
    return [line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class ToneRestorer:
    def __init__(self, unigram: dict[str, dict[str, int]], bigram: dict[str, int]):
        self._unigram = unigram          # folded syllable -> {accented form: count}
        self._bigram = bigram            # "prev cur" (accented) -> count
        self._count = Counter()          # accented form -> count
        for forms in unigram.values():
            for form, c in forms.items():
                self._count[form] += c

    @classmethod
    def train(cls, texts: Iterable[str], lexicon: Iterable[str] | None = None) -> "ToneRestorer":
        """``lexicon``: Vietnamese words, one entry each (default: :func:`vietnamese_words`)."""
        unigram: dict[str, Counter] = defaultdict(Counter)
        lex_unigram: dict[str, Counter] = defaultdict(Counter)
        bigram: Counter = Counter()
        for word in vietnamese_words() if lexicon is None else lexicon:
            sylls = _SYLLABLE.findall(normalize_for_match(word))
            if not sylls or not all(has_diacritics(x) or x.isascii() for x in sylls):
                continue
            for x in sylls:
                lex_unigram[fold_diacritics(x)][x] += 1
            for a, b in zip(sylls, sylls[1:]):
                bigram[f"{a} {b}"] += _LEXICON_WEIGHT
        # question phrases count as if seen often: a news corpus says "bảo đảm" far more than it
        # asks "bao nhiêu", and questions are what gets restored
        for text in list(texts) + list(QUESTION_PHRASES) * _QUESTION_WEIGHT:
            sylls = _SYLLABLE.findall(normalize_for_match(text))
            for s in sylls:
                unigram[fold_diacritics(s)][s] += 1
            for a, b in zip(sylls, sylls[1:]):
                bigram[f"{a} {b}"] += 1
        for folded, forms in lex_unigram.items():  # syllables the corpus never uses
            if folded not in unigram:
                unigram[folded] = Counter({f: _LEXICON_WEIGHT * c for f, c in forms.items()})
        return cls({k: dict(v) for k, v in unigram.items()}, dict(bigram))

    def restore(self, text: str) -> str:
        """The text with tone marks restored on unaccented syllables; other characters kept."""
        matches = list(_SYLLABLE.finditer(text))
        if not matches:
            return text
        options: list[list[tuple[str, float]]] = []
        for m in matches:
            token = m.group(0).lower()
            if has_diacritics(token):
                options.append([(normalize_for_match(token), 0.0)])
                continue
            forms = self._unigram.get(token)
            if not forms:
                options.append([(token, 0.0)])
                continue
            total = sum(forms.values())
            options.append([(f, c / total) for f, c in forms.items()])
        best = self._viterbi(options)
        out, last = [], 0
        for m, form in zip(matches, best):
            original = m.group(0)
            if original.isupper() and len(original) > 1:
                form = form.upper()
            elif original[:1].isupper():
                form = form[:1].upper() + form[1:]
            out.append(text[last:m.start()])
            out.append(form)
            last = m.end()
        out.append(text[last:])
        return "".join(out)

    def _viterbi(self, options: list[list[tuple[str, float]]]) -> list[str]:
        # each state: form -> (log prob, back pointer path)
        prev = {form: (math.log(p) if p > 0 else 0.0, [form]) for form, p in options[0]}
        for opts in options[1:]:
            cur = {}
            for form, p_uni in opts:
                best_score, best_path = -math.inf, None
                for pform, (score, path) in prev.items():
                    c_prev = self._count.get(pform, 0)
                    p_bi = self._bigram.get(f"{pform} {form}", 0) / c_prev if c_prev else 0.0
                    p = _LAMBDA * p_bi + (1 - _LAMBDA) * p_uni if p_uni > 0 else 1.0
                    s = score + math.log(max(p, 1e-9))
                    if s > best_score:
                        best_score, best_path = s, path
                cur[form] = (best_score, best_path + [form])
            prev = cur
        return max(prev.values(), key=lambda v: v[0])[1]

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"version": VERSION, "unigram": self._unigram, "bigram": self._bigram},
                                   ensure_ascii=False))

    @classmethod
    def load(cls, path: Path) -> "ToneRestorer":
        data = json.loads(path.read_text())
        if data.get("version") != VERSION:
            raise ValueError("tone restorer version changed")
        return cls(data["unigram"], data["bigram"])
