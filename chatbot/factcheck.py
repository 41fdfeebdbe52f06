"""Fact-check mode: each sentence of a pasted statement gets supported / refuted / not_found,
with the paragraph that decides it.

How a sentence is checked
-------------------------
1. Its checkable facts are extracted: quantities (:mod:`chatbot.numbers`), people with their
   roles, named places and projects ("cầu Hà Lan", "Quốc lộ 217B"), and "X được hợp nhất từ
   A, B, C" lists. The wards it is about are the wards it names, else those of the sentence
   before it ("Phường cũng đặt mục tiêu...").
2. Candidate paragraphs: the index's lexical retrievers' best for the sentence (not limited to
   the claim's ward, so another ward's figure is seen too) plus the articles about its wards.
3. Each quantity is aligned with the quantities of the candidates that measure the same kind of
   thing: the claim's indicator words (and word pairs) are weighted by IDF and looked up around
   the candidate: its comma part, its clause (between ";" / ":"), sentence and paragraph,
   nearer counting more, and enough of them must be in its own part (a neighbour in a list of
   indicators does not count). Among aligned
   quantities for the same ward, the same value with the same qualifier and a compatible
   period gives *supported*; the same value with another qualifier ("trên 85%" vs "85%") or
   another period ("2026-2030" vs "2021-2025"), or another value, gives *refuted*, quoting the
   article; a value the claim's ward does not have but another ward has is *refuted* as a
   ward swap. Anything else is *not_found*: topical similarity alone never supports.
4. People: a named person's roles must match the roles the articles give them (title, organ and
   ward); a role the articles give to someone else refutes. Places and projects: a name the
   articles do not have where the aligned sentence names another of the same kind ("cầu Hà Lan"
   vs "cầu Bỉm Sơn") refutes. Merger lists are compared as sets.
5. The sentence's verdict: refuted if any fact is refuted, else not_found if any is not found,
   else supported. A sentence with no checkable fact at all is reported as not_found with
   :data:`NO_FACT` (it is kept in the report so the press officer sees every sentence); it is
   still supported if an article states it nearly word for word.

Nothing here is keyed to particular articles or claims; the tables are general Vietnamese
administrative vocabulary.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

from chatbot.models import CheckReport, Citation, SentenceVerdict
from chatbot.numbers import Quantity, comparable, find_quantities, same_value
from index.query import ward_key
from ingest.models import Paragraph
from ingest.parser import extract_wards
from ingest.text import fold_diacritics, has_diacritics, match_key, normalize_for_match, split_sentences

__all__ = ["FactChecker", "NO_FACT", "NOT_FOUND"]

NO_FACT = "Câu này không nêu dữ kiện có thể kiểm chứng."
NOT_FOUND = "Không tìm thấy bài viết nào nêu dữ kiện này."

# How strongly a candidate clause must share the claim's indicator words (IDF-weighted share).
ALIGN_SUPPORT = 0.55     # same value here -> supported
ALIGN_REFUTE = 0.6       # a different value here -> refuted
LOCAL_MIN = 0.35         # ...and this share must be in the candidate's own clause (not a neighbour in a list)
SAME_VALUE_SLACK = 0.2   # a same-value candidate may align this much worse than the best one
VERBATIM = 0.9           # a fact-free sentence is supported only when stated almost verbatim
CANDIDATES = 12          # paragraphs per retrieval pass

# presence weights of a claim word near a candidate: its comma part / clause / sentence / paragraph
_W_CLAUSE, _W_SEGMENT, _W_SENTENCE, _W_PARAGRAPH = 1.0, 0.75, 0.5, 0.25
# counts of administrative units name the sentence's subject ("hai phường Bỉm Sơn, Quang Trung"),
# so, like dates and periods, they are aligned with the whole clause, not their comma part
_SUBJECT_UNITS = frozenset({"phường", "xã", "địa phương", "đơn vị", "tỉnh", "huyện"})
_BIGRAM_WEIGHT = 0.5

# --- vocabulary -----------------------------------------------------------------------------

_STOPWORDS = frozenset("""
và hoặc là của các những cho trong với tại ở đến tới từ đã đang sẽ được bị có không này đó thì
mà như theo trên dưới hơn gần còn xuống vào ra về cũng vẫn đều nữa ước khoảng một hai ba bốn
năm sáu bảy tám chín mười mỗi hằng hàng nhất nhiều ít rất quá đạt đặt nhằm việc sự ông bà cũ
mới sáng chiều tối ngày tháng quý phường xã
""".split())
# framing phrases that say how a figure is set, not what it measures
_STOP_PHRASES = frozenset(tuple(p.split()) for p in (
    "mục tiêu", "phấn đấu", "đề ra", "xác định", "giai đoạn", "nhiệm kỳ", "đồng chí", "trở lên",
    "chỉ tiêu", "đặt ra", "dự kiến", "bình quân",
))
_FOLDED_STOPWORDS = frozenset(fold_diacritics(w) for w in _STOPWORDS) - {"nam", "dat"}
_FOLDED_STOP_PHRASES = frozenset(tuple(fold_diacritics(w) for w in p) for p in _STOP_PHRASES)
# abbreviations spelled out, so "BHYT" matches "bảo hiểm y tế" (keys folded)
_ABBREVIATIONS = {
    "bhyt": "bảo hiểm y tế", "bhxh": "bảo hiểm xã hội", "hdnd": "hội đồng nhân dân",
    "ubnd": "ủy ban nhân dân", "mttq": "mặt trận tổ quốc", "kt": "kinh tế", "xh": "xã hội",
    "ktxh": "kinh tế xã hội", "tp": "thành phố", "thcs": "trung học cơ sở",
    "thpt": "trung học phổ thông", "cntt": "công nghệ thông tin", "dvc": "dịch vụ công",
    "kcn": "khu công nghiệp", "ccn": "cụm công nghiệp", "cnh": "công nghiệp hóa",
    "hdh": "hiện đại hóa", "tthc": "thủ tục hành chính", "cchc": "cải cách hành chính",
}
# common Vietnamese family names: a capitalised run starting with one is a person
_SURNAMES = frozenset(match_key(s) for s in """
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Cầm Mai Trịnh Đinh Lâm
Tạ Lương Đoàn Vương Trương Cao Chu Tô Quách Thái Lưu Kiều Nông Triệu Lò Lục Mạc Tống Khổng
Đào Hứa Thân Doãn Phùng Nghiêm Giang Lại Lã Quan Âu Hà Văn Tăng Khúc Ninh Bạch Viên Hầu
""".split())
# what comes before a proper name of a place or work ("cầu Hà Lan", "Quốc lộ 217B")
_HEADS = (
    "tuyến phố ẩm thực", "khu công nghiệp", "cụm công nghiệp", "khu đô thị", "khu dân cư",
    "khu di tích", "cụm di tích", "di tích", "tuyến phố", "tuyến đường", "quốc lộ", "tỉnh lộ",
    "nhà văn hóa", "công viên", "bệnh viện", "tổ dân phố", "khu phố", "lễ hội", "dự án",
    "đường", "phố", "cầu", "đê", "đền", "chùa", "đình", "miếu", "chợ", "sông", "hồ", "núi",
    "thôn", "làng", "trường", "khu", "cụm",
)
# capitalised words that may stand right before a ward name without being part of it
_BEFORE_WARD = frozenset({
    "o", "tai", "va", "tu", "hai", "ba", "cac", "cho", "cua", "voi", "theo", "trong", "den",
    "phuong", "xa", "ubnd", "hdnd", "mttq", "dang", "thi", "tran", "nhu", "gom",
})
_MERGE_CUE = re.compile(r"(?<![a-z])(?:sap nhap|sat nhap|hop nhat)(?![a-z])")



# --- text helpers -----------------------------------------------------------------------------

def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _fold(text: str) -> str:
    """Lower-cased, diacritic-free copy of NFC ``text`` with the same length (offsets agree)."""
    key = match_key(text)
    if len(key) == len(text):
        return key
    return "".join(fold_diacritics(c).lower()[:1] or c for c in text)


def _is_cap(word: str) -> bool:
    return bool(word) and word[0].isupper()


@dataclass(frozen=True)
class _Tok:
    text: str      # lower case, accents kept (canonical tone placement)
    folded: str    # without diacritics
    start: int
    end: int


_WORD_TOKEN = re.compile(r"[^\W_]+")


def _tokens(text: str) -> list[_Tok]:
    low = normalize_for_match(text)
    if len(low) != len(text):
        low = text.lower() if len(text.lower()) == len(text) else text
    out: list[_Tok] = []
    for m in _WORD_TOKEN.finditer(low):
        word = m.group(0)
        folded = fold_diacritics(word)
        if folded in _ABBREVIATIONS:
            out.extend(_Tok(w, fold_diacritics(w), m.start(), m.end()) for w in _ABBREVIATIONS[folded].split())
        else:
            out.append(_Tok(word, folded, m.start(), m.end()))
    return out


def _features(tokens: Iterable[_Tok], folded: bool = False, skip: Iterable[tuple[int, int]] = ()) -> frozenset[str]:
    """Content words and adjacent content-word pairs ("bảo hiểm", "hiểm y"); ``folded`` compares
    without diacritics (for a claim typed without them)."""
    stop, phrases = (_FOLDED_STOPWORDS, _FOLDED_STOP_PHRASES) if folded else (_STOPWORDS, _STOP_PHRASES)
    skip = list(skip)
    toks = list(tokens)
    words = [t.folded if folded else t.text for t in toks]
    dropped = [any(a <= t.start < b for a, b in skip) or any(c.isdigit() for c in w) or w in stop
               for t, w in zip(toks, words)]
    for i in range(len(words) - 1):
        if (words[i], words[i + 1]) in phrases:
            dropped[i] = dropped[i + 1] = True
    feats: set[str] = set()
    prev: str | None = None
    for word, drop in zip(words, dropped):
        if drop:
            prev = None
            continue
        feats.add(word)
        if prev is not None:
            feats.add(prev + " " + word)
        prev = word
    return frozenset(feats)


def _clauses(text: str, tokens: list[_Tok], start: int, end: int) -> list[tuple[int, int]]:
    """Comma parts of a clause, each with at least two words: the phrase a figure belongs to
    ("..., cung cấp dịch vụ công trực tuyến, ..., phấn đấu 100% thủ tục hành chính được đưa lên
    môi trường số"). A comma between numbers ("số 57, 59, 66") does not cut."""
    cuts = [m.start() for m in re.finditer(r",(?=\s*[^\W\d_])", text[start:end])]
    bounds = [start] + [start + c for c in cuts] + [end]
    parts = [[a, b] for a, b in zip(bounds[:-1], bounds[1:])]

    def words(a: int, b: int) -> int:
        return sum(1 for t in tokens if a <= t.start < b and not t.text.isdigit() and t.text not in _STOPWORDS)

    i = 0
    while len(parts) > 1 and i < len(parts):
        if words(*parts[i]) < 2:
            j = i + 1 if i + 1 < len(parts) else i - 1
            lo, hi = min(parts[i][0], parts[j][0]), max(parts[i][1], parts[j][1])
            parts[min(i, j)] = [lo, hi]
            del parts[max(i, j)]
            i = 0
            continue
        i += 1
    return [(a, b) for a, b in parts]


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clauses of one sentence: split on ";" and ":" (lists of indicators)."""
    out, s = [], start
    for i in range(start, end):
        if text[i] in ";:":
            out.append((s, i))
            s = i + 1
    out.append((s, end))
    return [(a, b) for a, b in out if text[a:b].strip()]


# --- things named in a text -------------------------------------------------------------------

@dataclass(frozen=True)
class _Entity:
    head: str          # folded head ("cau", "quoc lo")
    name: str          # name as written ("Hà Lan", "217B")
    start: int         # of the head
    name_start: int
    end: int

    @property
    def key(self) -> str:
        return self.head + " " + match_key(self.name)


@dataclass(frozen=True)
class _Person:
    key: str
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class _Role:
    title: str             # folded ("pho bi thu thuong truc")
    organ: str             # "dang uy", "tinh uy", "hdnd", "ubnd", "mttq", ""
    scope: str | None      # ward key, "tinh", or None when the text leaves it to context
    text: str
    start: int
    end: int

    def matches(self, other: "_Role") -> bool:
        if self.title != other.title or self.organ != other.organ:
            return False
        return self.scope is None or other.scope is None or self.scope == other.scope


@dataclass(frozen=True)
class _Merger:
    new: str                       # ward key of the ward formed
    members: frozenset[str]        # ward keys merged into it
    into: bool                     # "X sáp nhập vào Y": members are a subset
    text: str
    start: int
    end: int


_UPPER = "".join(c for c in map(chr, range(0x41, 0x1F00))
                 if c.isupper() and unicodedata.name(c, "").startswith("LATIN"))
_CAP_WORD = rf"[{_UPPER}][^\W\d_]*"
_CAP_RUN = re.compile(rf"(?<![^\W\d_]){_CAP_WORD}(?:[ \t]+{_CAP_WORD})*")
_IDENT = r"\d+[A-Za-z]?(?![\w/]|[.,]\d)"
_NAME = re.compile(rf"[ \t]+((?:{_CAP_WORD}(?:[ \t]+{_CAP_WORD})*)(?:[ \t]+{_IDENT})?|{_IDENT}(?:[ \t]+{_CAP_WORD}(?:[ \t]+{_CAP_WORD})*)?)")
_HEAD_RE = re.compile(
    r"(?<![^\W\d_])(" + "|".join(re.escape(h) for h in sorted(_HEADS, key=len, reverse=True)) + r")(?![^\W\d_])",
    re.IGNORECASE)
# for text typed without diacritics ("cau Ha Lan"); never used on accented text, where
# folding would turn "để" into "đê"
_FOLDED_HEAD_RE = re.compile(
    r"(?<![^\W\d_])(" + "|".join(re.escape(fold_diacritics(h)) for h in sorted(_HEADS, key=len, reverse=True)
                                  if " " in h) + r")(?![^\W\d_])", re.IGNORECASE)   # "ho" may be hồ, hộ, họ

_TITLE = (r"(?:pho\s+)?(?:tong\s+bi\s+thu|bi\s+thu|chu\s+tich|chu\s+nhiem|truong\s+ban|giam\s+doc|"
          r"chanh\s+van\s+phong|truong\s+phong|bo\s+truong|thu\s+tuong|truong\s+cong\s+an|"
          r"chi\s+huy\s+truong)(?:\s+thuong\s+truc)?")
_ORGANS = {
    r"dang\s+uy": "dang uy", r"tinh\s+uy": "tinh uy", r"thanh\s+uy": "thanh uy",
    r"huyen\s+uy": "huyen uy", r"thi\s+uy": "thi uy", r"hdnd": "hdnd",
    r"hoi\s+dong\s+nhan\s+dan": "hdnd", r"ubnd": "ubnd", r"uy\s+ban\s+nhan\s+dan": "ubnd",
    r"uy\s+ban\s+mttq": "mttq", r"uy\s+ban\s+mat\s+tran\s+to\s+quoc": "mttq", r"mttq": "mttq",
    r"mat\s+tran\s+to\s+quoc": "mttq",
}
_ROLE = re.compile(
    rf"(?<![a-z])({_TITLE})(?:\s+({'|'.join(sorted(_ORGANS, key=len, reverse=True))}))?"
    r"(?:\s+(phuong|xa|tinh|huyen|thi\s+xa|thanh\s+pho)(?![a-z]))?")
_ROLE_LIST_SEP = re.compile(r"\s*(?:,|va|kiem)\s*")
_PROVINCE_ORGANS = {"tinh uy": "tinh"}
_GAP_BEFORE_NAME = re.compile(r"[\s,:\-–]*(?:la\s+)?(?:(?:dong chi|d/c|ong|ba)\s+)?")
_GAP_AFTER_NAME = re.compile(r"\s*(?:[,:\-–]|la(?![a-z]))?\s*")


@dataclass
class _Text:
    """One analysed text (a claim sentence or an indexed paragraph)."""

    text: str
    folded: str
    sentences: list[tuple[int, int]]
    segments: list[tuple[int, int]]
    clauses: list[tuple[int, int]]
    quantities: list[Quantity]
    entities: list[_Entity]
    wards: list[tuple[int, int, str]]        # (start, end, ward key)
    persons: list[_Person]
    roles: list[tuple[_Role, ...]]           # role lists, each as written
    runs: list[tuple[int, int]]              # capitalised runs (proper-name candidates)
    tokens: list[_Tok] = field(default_factory=list)
    _feats: dict = field(default_factory=dict, repr=False)

    def features(self, start: int, end: int, folded: bool) -> frozenset[str]:
        """Features of the words in [start, end), ward names left out (wards are compared apart)."""
        key = (start, end, folded)
        got = self._feats.get(key)
        if got is None:
            skip = [(s, e) for s, e, _ in self.wards]
            got = _features((t for t in self.tokens if start <= t.start < end), folded, skip)
            self._feats[key] = got
        return got

    def sentence_of(self, pos: int) -> tuple[int, int]:
        for s, e in self.sentences:
            if s <= pos < e:
                return s, e
        return (0, len(self.text))

    def clause_of(self, pos: int) -> tuple[int, int]:
        for s, e in self.clauses:
            if s <= pos < e:
                return s, e
        return self.segment_of(pos)

    def segment_of(self, pos: int) -> tuple[int, int]:
        for s, e in self.segments:
            if s <= pos < e:
                return s, e
        return self.sentence_of(pos)

    def wards_in(self, start: int, end: int) -> set[str]:
        return {k for s, e, k in self.wards if start <= s < end}

    def in_entity(self, start: int, end: int) -> bool:
        return any(e.name_start <= start and end <= e.end for e in self.entities)


def _sentence_starts(text: str, sentences: list[tuple[int, int]]) -> set[int]:
    starts = {s for s, _ in sentences}
    # a clause after ":" or a dash also starts with a capital
    for m in re.finditer(r"[:–\-]\s+", text):
        starts.add(m.end())
    return starts


def _entities(text: str, starts: set[int]) -> list[_Entity]:
    """Named places and works: a head noun and a capitalised name or a number ("cầu Hà Lan",
    "Quốc lộ 217B", "đường Nam Bỉm Sơn 6")."""
    heads = _HEAD_RE if has_diacritics(text) else _FOLDED_HEAD_RE
    out: list[_Entity] = []
    for m in heads.finditer(text):
        head_text = m.group(1)
        multi = " " in head_text
        if not multi and head_text[0].isupper() and m.start() not in starts:
            continue        # "Sông Lô" is a name, not "sông" + "Lô"
        if not head_text[0].isupper() and head_text != head_text.lower():
            continue
        nm = _NAME.match(text, m.end())
        if not nm:
            continue
        name = nm.group(1)
        inner = heads.match(text, nm.start(1))
        if inner and " " in inner.group(1):
            continue        # "đường Khu Công nghiệp Bỉm Sơn": the inner "khu công nghiệp ..." is the name
        out.append(_Entity(_fold(head_text.lower()), name, m.start(), nm.start(1), nm.end(1)))
    return out


def _persons(text: str, folded: str, entities: list[_Entity]) -> list[_Person]:
    out = []
    for m in _CAP_RUN.finditer(text):
        words = m.group(0).split()
        if not 2 <= len(words) <= 4:
            continue
        if any(e.name_start <= m.start() < e.end for e in entities):
            continue
        # a role word may lead the run ("Tỉnh ủy Nguyễn Hồng Phong" has no run; "Ông Phạm..." has)
        offset = 0
        while words and match_key(words[0]) not in _SURNAMES:
            offset += len(words[0]) + 1
            words = words[1:]
            if len(words) < 2:
                break
        if len(words) < 2 or len(words) > 4:
            continue
        start = m.start() + offset
        name = text[start:m.end()]
        out.append(_Person(match_key(name), name, start, m.end()))
    return out


def _roles(text: str, folded: str, context_ward: str | None) -> list[tuple[_Role, ...]]:
    """Role lists ("Bí thư Đảng ủy, Chủ tịch HĐND phường Thanh Miếu") with scopes resolved."""
    lists: list[list[_Role]] = []
    pos = 0
    while True:
        m = _ROLE.search(folded, pos)
        if not m:
            break
        group = [_role(text, folded, m)]
        end = group[-1].end
        while True:
            sep = _ROLE_LIST_SEP.match(folded, end)
            nxt = _ROLE.match(folded, sep.end()) if sep else None
            if not nxt:
                break
            group.append(_role(text, folded, nxt))
            end = group[-1].end
        explicit = next((r.scope for r in group if r.scope and r.scope != "tinh"), None)
        resolved = []
        for r in group:
            scope = r.scope
            if scope is None and r.organ in _PROVINCE_ORGANS:
                scope = _PROVINCE_ORGANS[r.organ]
            if scope is None and r.organ and r.organ not in _PROVINCE_ORGANS:
                scope = explicit or context_ward
            resolved.append(_Role(r.title, r.organ, scope, r.text, r.start, r.end))
        lists.append(resolved)
        pos = end
    return [tuple(g) for g in lists]


def _role(text: str, folded: str, m: re.Match[str]) -> _Role:
    title = re.sub(r"\s+", " ", m.group(1))
    organ = ""
    if m.group(2):
        raw = re.sub(r"\s+", " ", m.group(2))
        organ = next(v for k, v in _ORGANS.items() if re.fullmatch(k, raw))
    end = m.end()
    scope = None
    if m.group(3):
        kind = re.sub(r"\s+", " ", m.group(3))
        nm = re.match(rf"[ \t]+({_CAP_WORD}(?:[ \t]+{_CAP_WORD})*)", text[m.end():])
        if nm:
            scope = ward_key(nm.group(1))
            end = m.end() + nm.end()
        elif kind == "tinh":
            scope = "tinh"
        else:
            end = m.end()
    return _Role(title, organ, scope, text[m.start():end], m.start(), end)


def _runs(text: str, starts: set[int]) -> list[tuple[int, int]]:
    """Proper-name candidates: capitalised runs of two or more words, or acronyms."""
    out = []
    for m in _CAP_RUN.finditer(text):
        words = m.group(0).split()
        s = m.start()
        if s in starts:
            # the sentence's first word is capitalised anyway
            if len(words) == 1:
                continue
            s += len(words[0]) + 1
            words = words[1:]
        if len(words) >= 2 or (len(words[0]) >= 2 and words[0].isupper()):
            out.append((s, m.end()))
    return out


# --- the checker ------------------------------------------------------------------------------

@dataclass
class _Fact:
    verdict: str
    explanation: str
    evidence: list[tuple[int, tuple[int, int], tuple[int, int], float]] = field(default_factory=list)
    # (row, sentence span, evidence span, score)


@dataclass
class _Cand:
    """A quantity of a candidate paragraph, as aligned with a claim's quantity."""

    row: int
    q: Quantity
    align: float                   # share of the claim's indicator words around it
    local: float                   # the share found in its own clause
    ward_ok: bool                  # it is about one of the claim's wards
    scope: set[str]                # the wards it is about
    periods: list[Quantity]        # years/periods attached to it in its clause
    levels: list[list[Quantity]]   # years/periods of its sentence, paragraph, article


class FactChecker:
    """Checks statements against the indexed articles. ``index`` is a ``HybridIndex``."""

    def __init__(self, index) -> None:
        self.index = index
        self.ward_names: dict[str, str] = dict(getattr(index, "ward_names", {}))
        self._paragraphs: list[Paragraph] = list(index.paragraphs)
        self._row_of = {p.key: i for i, p in enumerate(self._paragraphs)}
        self._texts: dict[int, _Text] = {}
        self._main_wards = self._article_wards()
        self._idf = self._document_frequencies()
        self._people: list[tuple[int, _Person, tuple[_Role, ...]]] | None = None
        self._mergers: list[tuple[int, _Merger]] | None = None
        self._article_periods: dict[str, list[Quantity]] = {}

    # -- public ---------------------------------------------------------------------------
    def check(self, claim: str) -> CheckReport:
        """Verdict for every sentence of ``claim`` (a statement or a draft paragraph)."""
        claim = _nfc(claim or "")
        verdicts = []
        inherited: set[str] = set()
        for s, e in split_sentences(claim):
            sentence = claim[s:e]
            verdict, named = self._check_sentence(sentence, inherited)
            if named:
                inherited = named
            verdicts.append(verdict)
        return CheckReport(claim=claim, sentences=tuple(verdicts))

    # -- corpus-side analysis ---------------------------------------------------------------
    def _article_wards(self) -> dict[str, set[str]]:
        """The wards each article is about: named in its title, else named most often."""
        counts: dict[str, dict[str, int]] = {}
        titles: dict[str, str] = {}
        for p in self._paragraphs:
            titles[p.article_id] = p.title
        for aid, article in getattr(self.index, "articles", {}).items():
            titles[aid] = article.title
            c = counts.setdefault(aid, {})
            for para in article.paragraphs:
                for _, _, k in self._ward_mentions(para.text, _fold(para.text), []):
                    c[k] = c.get(k, 0) + 1
        out: dict[str, set[str]] = {}
        for aid, title in titles.items():
            in_title = {k for _, _, k in self._ward_mentions(title, _fold(title), [])}
            c = counts.get(aid, {})
            if in_title:
                out[aid] = in_title
            elif c:
                top = max(c.values())
                out[aid] = {k for k, n in c.items() if n * 2 >= top}
            else:
                out[aid] = set()
        return out

    def _document_frequencies(self) -> dict[bool, dict[str, float]]:
        """IDF of every feature, accented and folded, over the indexed paragraphs."""
        df: dict[bool, dict[str, int]] = {False: {}, True: {}}
        for p in self._paragraphs:
            toks = _tokens(_nfc(p.text))
            for folded in (False, True):
                for f in _features(toks, folded):
                    df[folded][f] = df[folded].get(f, 0) + 1
        n = len(self._paragraphs)
        self._unseen_idf = math.log((n + 1) / 0.5)
        return {k: {f: math.log((n + 1) / (d + 0.5)) for f, d in v.items()} for k, v in df.items()}

    def _weight(self, feature: str, folded: bool) -> float:
        w = self._idf[folded].get(feature, self._unseen_idf)
        return w * _BIGRAM_WEIGHT if " " in feature else w

    def _text(self, row: int) -> _Text:
        t = self._texts.get(row)
        if t is None:
            p = self._paragraphs[row]
            main = self._main_wards.get(p.article_id, set())
            context = next(iter(main)) if len(main) == 1 else None
            t = self._analyse(_nfc(p.text), context)
            self._texts[row] = t
        return t

    def _analyse(self, text: str, context_ward: str | None, sentences=None) -> _Text:
        folded = _fold(text)
        sentences = sentences or split_sentences(text) or [(0, len(text))]
        starts = _sentence_starts(text, sentences)
        segments = [seg for s, e in sentences for seg in _segments(text, s, e)]
        tokens = _tokens(text)
        clauses = [c for s, e in segments for c in _clauses(text, tokens, s, e)]
        entities = _entities(text, starts)
        wards = self._ward_mentions(text, folded, entities)
        quantities = [q for q in find_quantities(text)
                      if not any(en.name_start <= q.start and q.end <= en.end for en in entities)]
        persons = _persons(text, folded, entities)
        roles = _roles(text, folded, context_ward)
        role_spans = [(r.start, r.end) for g in roles for r in g]
        person_spans = [(p.start, p.end) for p in persons]
        runs = [(s, e) for s, e in _runs(text, starts)
                if not any(a <= s < b for a, b in role_spans + person_spans)
                and not any(en.start <= s < en.end for en in entities)
                and not any(a <= s < b for a, b, _ in wards)]
        return _Text(text, folded, sentences, segments, clauses, quantities, entities, wards, persons, roles,
                     runs, tokens)

    def _ward_mentions(self, text: str, folded: str, entities: list[_Entity]) -> list[tuple[int, int, str]]:
        out = []
        for key in self.ward_names:
            for m in re.finditer(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", folded):
                s, e = m.span()
                if any(en.name_start <= s < en.end for en in entities):
                    continue
                if re.search(r"(?<![a-z])(?:phuong|xa|thi tran)\s+$", folded[max(0, s - 12):s]):
                    out.append((s, e, key))     # "phường Đông Sơn", also typed in lower case
                    continue
                if not text[s:s + 1].isupper():
                    continue
                prev = re.search(r"([^\s,;:.()“”\"]+)[ \t]+$", text[max(0, s - 30):s])
                if prev and _is_cap(prev.group(1)) and _fold(prev.group(1).lower()) not in _BEFORE_WARD:
                    continue        # "Nam Bỉm Sơn" is not the ward Bỉm Sơn
                out.append((s, e, key))
        return sorted(out)

    def _people_index(self) -> list[tuple[int, _Person, tuple[_Role, ...]]]:
        """Every person the articles name, with the roles written next to the name."""
        if self._people is None:
            self._people = []
            for row in range(len(self._paragraphs)):
                t = self._text(row)
                for person in t.persons:
                    self._people.append((row, person, _roles_of(t, person)))
        return self._people

    def _merger_index(self) -> list[tuple[int, _Merger]]:
        if self._mergers is None:
            self._mergers = []
            for row in range(len(self._paragraphs)):
                t = self._text(row)
                context = self._main_wards.get(self._paragraphs[row].article_id, set())
                for mg in self._merge_facts(t, next(iter(context)) if len(context) == 1 else None):
                    self._mergers.append((row, mg))
        return self._mergers

    def _periods_of_article(self, article_id: str) -> list[Quantity]:
        if article_id not in self._article_periods:
            out = []
            for row, p in enumerate(self._paragraphs):
                if p.article_id == article_id:
                    out += [q for q in self._text(row).quantities if q.kind in ("year", "period", "date")]
            self._article_periods[article_id] = out
        return self._article_periods[article_id]

    # -- candidates -------------------------------------------------------------------------
    def _candidate_rows(self, sentence: str, wards: set[str]) -> list[int]:
        """Paragraphs worth aligning: the lexical retrievers' best (alignment is lexical, so a
        paragraph only the dense retriever finds could not decide anyway, and embedding the
        query would cost more than the whole check), plus every paragraph of the articles
        about the claim's wards."""
        rows: list[int] = []
        for retriever in ("bm25_syllables", "bm25_words"):
            for h in self.index.search(sentence, CANDIDATES, retriever=retriever, ward_aware=False):
                row = self._row_of.get(h.paragraph.key)
                if row is not None and row not in rows:
                    rows.append(row)
        if wards:
            extra = [row for row, p in enumerate(self._paragraphs)
                     if row not in rows and wards & self._main_wards.get(p.article_id, set())]
            rows += extra[:4 * CANDIDATES]
        return rows

    def _scope(self, row: int, t: _Text, pos: int) -> set[str]:
        s, e = t.sentence_of(pos)
        named = t.wards_in(s, e)
        return named or self._main_wards.get(self._paragraphs[row].article_id, set())

    # -- one sentence -----------------------------------------------------------------------
    def _check_sentence(self, sentence: str, inherited: set[str]) -> tuple[SentenceVerdict, set[str]]:
        claim = self._analyse(sentence, None, [(0, len(sentence))])
        named = {k for _, _, k in claim.wards}
        named |= {ward_key(w) for w in extract_wards(sentence)}
        wards = named or set(inherited)
        context = next(iter(wards)) if len(wards) == 1 else None
        if context:
            claim.roles = _roles(claim.text, claim.folded, context)
        rows = self._candidate_rows(sentence, wards)
        facts: list[_Fact] = []
        facts += self._check_quantities(claim, wards, rows)
        facts += self._check_people(claim, wards)
        facts += self._check_entities(claim, wards, rows)
        facts += self._check_mergers(claim, context)
        facts += self._check_names(claim, wards, rows)
        if not facts:
            facts.append(self._check_verbatim(claim, wards, rows))
        return self._combine(sentence, facts), named

    def _combine(self, sentence: str, facts: list[_Fact]) -> SentenceVerdict:
        for verdict in ("refuted", "not_found", "supported"):
            chosen = [f for f in facts if f.verdict == verdict]
            if chosen:
                break
        explanation = " ".join(dict.fromkeys(f.explanation for f in chosen))
        evidence = [ev for f in chosen for ev in f.evidence]
        if verdict == "supported":
            evidence = [ev for f in facts for ev in f.evidence]
        citations: list[Citation] = []
        seen: set[tuple[int, tuple[int, int]]] = set()
        evidence_span = None
        for row, sent_span, ev_span, score in evidence:
            if (row, sent_span) in seen:
                continue
            seen.add((row, sent_span))
            p = self._paragraphs[row]
            citations.append(Citation(
                id=len(citations) + 1, article_id=p.article_id, title=p.title, date=p.date,
                paragraph=p.number, text=p.text, span=sent_span, score=float(score)))
            if evidence_span is None:
                evidence_span = ev_span
        return SentenceVerdict(sentence=sentence, verdict=verdict, explanation=explanation,  # type: ignore[arg-type]
                               citations=tuple(citations), evidence_span=evidence_span)

    # -- alignment --------------------------------------------------------------------------
    def _claim_features(self, claim: _Text, start: int, end: int) -> frozenset[str]:
        return claim.features(start, end, _folded(claim))

    def _coverage(self, feats: frozenset[str], t: _Text, clause: tuple[int, int], seg: tuple[int, int],
                  sent: tuple[int, int], given: frozenset[str] = frozenset(), folded: bool = False,
                  local_level: float = _W_CLAUSE) -> tuple[float, float]:
        """IDF-weighted share of the claim's features found near a candidate: in its comma part
        (full weight), its clause, its sentence, its paragraph (less and less); and the share
        found at ``local_level`` or nearer. ``given`` features count as found in the comma part
        (the counted noun both sides share)."""
        feats = feats | given
        if not feats:
            return 0.0, 0.0
        levels = [(t.features(*clause, folded) | given, _W_CLAUSE), (t.features(*seg, folded), _W_SEGMENT),
                  (t.features(*sent, folded), _W_SENTENCE), (t.features(0, len(t.text), folded), _W_PARAGRAPH)]
        total = got = local = 0.0
        for f in feats:
            w = self._weight(f, folded)
            total += w
            lw = next((lw for fs, lw in levels if f in fs), 0.0)
            got += w * lw
            local += w * (lw >= local_level)
        return (got / total, local / total) if total else (0.0, 0.0)

    # -- quantities -------------------------------------------------------------------------
    def _check_quantities(self, claim: _Text, wards: set[str], rows: list[int]) -> list[_Fact]:
        qs = claim.quantities
        mains = [q for q in qs if q.kind not in _WHEN]
        contexts = [q for q in qs if q.kind in _WHEN]
        if not mains:           # "quý IV/2025", "ngày 17/9" are then the facts themselves
            mains, contexts = contexts, []
        facts = []
        for q in mains:
            seg = _claim_segment(claim, q, mains)
            feats = self._claim_features(claim, *seg)
            periods = _attached(q, mains, [c for c in contexts if seg[0] <= c.start < seg[1]])
            fact = self._check_quantity(q, feats, _folded(claim), periods, wards, rows, mains)
            if fact.verdict == "supported" and q.kind == "date" and fact.evidence:
                fact = self._part_of_day(claim.text, q, fact) or fact
            facts.append(fact)
        return facts

    def _part_of_day(self, claim: str, q: Quantity, fact: _Fact) -> _Fact | None:
        """"chiều 17/9" where the article writes "Sáng 17/9": the same day, another time of it."""
        said = _DAY_PART.search(claim[max(0, q.start - 12):q.start])
        row, sent_span, ev_span, score = fact.evidence[0]
        text = self._paragraphs[row].text
        at = text.find(q.text, sent_span[0], sent_span[1])
        written = _DAY_PART.search(text[max(0, at - 12):at]) if at != -1 else None
        if not said or not written or _fold(said.group(1)) == _fold(written.group(1)):
            return None
        return _Fact("refuted", f"Bài viết ghi {written.group(1)} {q.text}, không phải {said.group(1)} {q.text}.",
                     fact.evidence)

    def _candidates(self, q: Quantity, feats: frozenset[str], folded: bool, wards: set[str],
                    rows: list[int]) -> list[_Cand]:
        """Every quantity of the candidate paragraphs that measures what ``q`` measures."""
        out = []
        for row in rows:
            t = self._text(row)
            mains = [x for x in t.quantities if x.kind not in _WHEN]
            for s in t.quantities:
                if not comparable(q, s) or (q.kind == "fraction" and s.kind == "percent"):
                    continue        # "20/20 trường" states a count that "100%" does not
                clause, seg, sent = t.clause_of(s.start), t.segment_of(s.start), t.sentence_of(s.start)
                given = _unit_features(q, s, folded)
                whole = q.kind in _WHEN or (q.kind == "count" and q.unit in _SUBJECT_UNITS)
                align, local = self._coverage(feats, t, clause, seg, sent, given, folded,
                                              _W_SEGMENT if whole else _W_CLAUSE)
                scope = self._scope(row, t, s.start)
                when = [x for x in t.quantities if x.kind in _WHEN and x is not s]
                attached = (_attached(s, mains, [x for x in when if seg[0] <= x.start < seg[1]])
                            if s.kind not in _WHEN else [])
                levels = [[x for x in when if sent[0] <= x.start < sent[1]], when,
                          self._periods_of_article(self._paragraphs[row].article_id)]
                out.append(_Cand(row, s, align, local, not wards or bool(wards & scope), scope, attached, levels))
        return out

    def _check_quantity(self, q: Quantity, feats: frozenset[str], folded: bool, periods: list[Quantity],
                        wards: set[str], rows: list[int], claim_values: list[Quantity]) -> _Fact:
        cands = self._candidates(q, feats, folded, wards, rows)
        aligned = [c for c in cands if c.ward_ok and c.align >= ALIGN_SUPPORT and c.local >= LOCAL_MIN]
        if aligned:
            best = max(c.align for c in aligned)
            same = [c for c in aligned if same_value(q, c.q) and c.align >= best - SAME_VALUE_SLACK]
            if same:
                same.sort(key=lambda c: (_period_score(periods, c), _qualifier_ok(q, c.q), c.align), reverse=True)
                c = same[0]
                if not _qualifier_ok(q, c.q):
                    return self._fact("refuted", c, f"Bài viết ghi {c.q.text}, không phải {_exact(q)}.")
                if not _period_ok(periods, c):
                    when = ", ".join(_when(p) for p in (c.periods or c.levels[0])) or "thời điểm khác"
                    claimed = ", ".join(_when(p) for p in periods)
                    return self._fact("refuted", c, f"Bài viết ghi {c.q.text} cho {when}, không phải {claimed}.")
                return self._fact("supported", c, f"Bài viết ghi {c.q.text}{self._for_ward(c, wards)}.")
            # prefer the figure for the claim's period, then one the claim does not already state
            # ("số 57, 59, 66, 69": the article's 68 is the one that differs)
            claimed = {x.value for x in claim_values}
            aligned.sort(key=lambda c: (_period_score(periods, c), c.q.value not in claimed, c.align), reverse=True)
            c = aligned[0]
            if c.align >= ALIGN_REFUTE:
                return self._fact("refuted", c, f"Bài viết ghi {c.q.text}{self._for_ward(c, wards)}, "
                                                f"không phải {q.text}.{self._swap_note(q, cands)}")
        elif wards and self._has_articles(wards):
            # the claim's ward has no such figure, another ward has exactly this one
            swapped = [c for c in cands if not c.ward_ok and c.align >= ALIGN_REFUTE and c.local >= LOCAL_MIN
                       and same_value(q, c.q)]
            if swapped:
                c = max(swapped, key=lambda c: c.align)
                return self._fact("refuted", c, f"Bài viết ghi {c.q.text} cho {self._ward_label(c.scope)}, "
                                                f"không phải cho {self._ward_label(wards)}.")
        where = f" cho {self._ward_label(wards)}" if wards else ""
        return _Fact("not_found", f"Không tìm thấy bài viết nào nêu {q.text}{where}.")

    def _has_articles(self, wards: set[str]) -> bool:
        """Whether some article is about each of ``wards`` (else their silence proves nothing)."""
        return all(any(w in ws for ws in self._main_wards.values()) for w in wards)

    def _swap_note(self, q: Quantity, cands: list[_Cand]) -> str:
        other = [c for c in cands if not c.ward_ok and c.align >= ALIGN_REFUTE and c.local >= LOCAL_MIN
                 and same_value(q, c.q)]
        if not other:
            return ""
        c = max(other, key=lambda c: c.align)
        return f" Con số {q.text} là của {self._ward_label(c.scope)}."

    def _fact(self, verdict: str, c: _Cand, explanation: str) -> _Fact:
        t = self._text(c.row)
        seg = t.segment_of(c.q.start)
        quote = t.text[seg[0]:seg[1]].strip(" ,;:")
        if len(quote) > 220:
            a = max(seg[0], c.q.start - 110)
            quote = "…" + t.text[a:min(seg[1], c.q.end + 110)].strip() + "…"
        return _Fact(verdict, f"{explanation} (“{quote}”)",
                     [(c.row, t.sentence_of(c.q.start), _trim(t.text, seg), c.align)])

    def _for_ward(self, c: _Cand, wards: set[str]) -> str:
        if not c.scope:
            return ""
        return f" cho {self._ward_label(c.scope & wards or c.scope)}"

    def _ward_label(self, keys: Iterable[str]) -> str:
        names = [self.ward_names.get(k, k) for k in sorted(keys)]
        if len(names) > 1 and all(n.startswith("phường ") for n in names):
            return "phường " + ", ".join(n[len("phường "):] for n in names)
        return ", ".join(names)

    # -- people -----------------------------------------------------------------------------
    def _check_people(self, claim: _Text, wards: set[str]) -> list[_Fact]:
        facts = []
        people = self._people_index()
        for person in claim.persons:
            claimed = _roles_of(claim, person)
            known = [(row, p, roles) for row, p, roles in people if p.key == person.key]
            # a ward the claim names beside the person, not as the ward of the post it gives them
            if known and wards and not any(r.scope in wards for r in claimed) and not any(self._main_wards.get(self._paragraphs[row].article_id, set()) & wards
                                           for row, _, _ in known):
                # "Nguyễn Hồng Phong làm việc tại phường Đông Sơn": no article about that ward names him
                facts.append(_Fact("not_found", f"Không tìm thấy bài viết nào về {self._ward_label(wards)} "
                                                f"nêu {person.name}."))
                continue
            if known:
                if not claimed:
                    continue
                source_roles = [(row, p, r) for row, p, roles in known for r in roles]
                for role in claimed:
                    hit = next(((row, p, r) for row, p, r in source_roles if role.matches(r)), None)
                    if hit:
                        facts.append(self._person_fact("supported", hit[0], hit[1], hit[2],
                                                       f"Bài viết ghi {person.name} là {self._role_label(hit[2])}."))
                        continue
                    if not source_roles:
                        facts.append(_Fact("not_found", f"Bài viết không nêu chức vụ của {person.name}."))
                        continue
                    row, p, r = source_roles[0]
                    labels = dict.fromkeys(self._role_label(x) for _, _, x in source_roles)
                    fact = self._person_fact("refuted", row, p, r,
                                             f"Bài viết ghi {person.name} là {', '.join(labels)}, "
                                             f"không phải {self._role_label(role)}.")
                    holder = self._holder(role, exclude=person.key)
                    if holder:
                        hrow, hp, hr = holder
                        fact.explanation += f" {_cap(self._role_label(hr))} là {hp.name}."
                        fact.evidence = self._person_fact("refuted", hrow, hp, hr, "").evidence + fact.evidence
                    facts.append(fact)
            elif claimed:
                for role in claimed:
                    holder = self._holder(role, exclude=person.key)
                    if holder and role.scope is not None:
                        row, p, r = holder
                        facts.append(self._person_fact(
                            "refuted", row, p, r, f"Bài viết ghi {_cap(self._role_label(r))} là {p.name}, không phải {person.name}."))
                    else:
                        facts.append(_Fact("not_found", f"Không tìm thấy {person.name} trong các bài viết."))
            else:
                facts.append(_Fact("not_found", f"Không tìm thấy {person.name} trong các bài viết."))
        return facts

    def _role_label(self, role: _Role) -> str:
        """The role as written, with the ward it was resolved to when the text leaves it out
        ("Bí thư Đảng uỷ Phường (phường Nông Trang)")."""
        if role.scope and role.scope != "tinh" and role.scope not in match_key(role.text):
            return f"{role.text} ({self._ward_label([role.scope])})"
        return role.text

    def _holder(self, role: _Role, exclude: str):
        for row, p, roles in self._people_index():
            if p.key == exclude:
                continue
            for r in roles:
                if r.title == role.title and r.organ == role.organ and r.scope == role.scope:
                    return row, p, r
        return None

    def _person_fact(self, verdict: str, row: int, person: _Person, role: _Role, explanation: str) -> _Fact:
        t = self._text(row)
        span = (min(person.start, role.start), max(person.end, role.end))
        return _Fact(verdict, explanation, [(row, t.sentence_of(person.start), span, 1.0)])

    # -- named places and projects ----------------------------------------------------------
    def _check_entities(self, claim: _Text, wards: set[str], rows: list[int]) -> list[_Fact]:
        facts = []
        claim_names = {match_key(e.name) for e in claim.entities}
        for ent in claim.entities:
            found = self._find_entity(ent, wards)
            if found:
                row, span = found
                t = self._text(row)
                facts.append(_Fact("supported", f"Bài viết có nhắc {_mention(claim, ent)}.",
                                   [(row, t.sentence_of(span[0]), span, 1.0)]))
                continue
            conflict = self._conflicting_entity(claim, ent, wards, rows, claim_names)
            if conflict:
                row, other = conflict
                t = self._text(row)
                facts.append(_Fact(
                    "refuted",
                    f"Bài viết ghi {_mention(t, other)}, không phải {_mention(claim, ent)}.",
                    [(row, t.sentence_of(other.start), (other.start, other.end), 1.0)]))
            else:
                facts.append(_Fact("not_found",
                                   f"Không tìm thấy {_mention(claim, ent)} trong các bài viết."))
        return facts

    def _find_entity(self, ent: _Entity, wards: set[str]) -> tuple[int, tuple[int, int]] | None:
        name_key = match_key(ent.name)
        for row in range(len(self._paragraphs)):
            t = self._text(row)
            if name_key not in t.folded:
                continue
            for other in t.entities:
                if other.key == ent.key and self._ward_fits(row, t, other.start, wards):
                    return row, (other.start, other.end)
            # "khu đô thị lớn như Nam Bỉm Sơn": the name a few words after the head
            for s, e in t.runs + [(x.name_start, x.end) for x in t.entities]:
                if match_key(t.text[s:e]) != name_key or not self._ward_fits(row, t, s, wards):
                    continue
                before = t.folded[max(0, s - 40):s]
                hm = list(re.finditer(rf"(?<![a-z]){re.escape(ent.head)}(?![a-z])", before))
                if hm and len(before[hm[-1].end():].split()) <= 3 and not re.search(r"[,;:.]", before[hm[-1].end():]):
                    return row, (s - len(before) + hm[-1].start(), e)
        return None

    def _ward_fits(self, row: int, t: _Text, pos: int, wards: set[str]) -> bool:
        return not wards or bool(wards & self._scope(row, t, pos))

    def _conflicting_entity(self, claim: _Text, ent: _Entity, wards: set[str], rows: list[int],
                            claim_names: set[str]):
        """The best-aligned sentence that names another place of the same kind (same head)."""
        folded = _folded(claim)
        skip = [(x.name_start, x.end) for x in claim.entities] + [(s, e) for s, e, _ in claim.wards]
        feats = _features(claim.tokens, folded, skip)      # the names are what may differ
        best = None
        for row in rows:
            t = self._text(row)
            for s, e in t.sentences:
                if not self._ward_fits(row, t, s, wards):
                    continue
                others = [o for o in t.entities if s <= o.start < e and o.head == ent.head
                          and match_key(o.name) not in claim_names]
                if not others:
                    continue
                score = self._coverage(feats, t, (s, e), (s, e), (s, e), folded=folded)[0]
                if score >= ALIGN_SUPPORT and (best is None or score > best[0]):
                    best = (score, row, others[0])
        return (best[1], best[2]) if best else None

    def _check_names(self, claim: _Text, wards: set[str], rows: list[int]) -> list[_Fact]:
        """Other proper names ("Việt Nam - Cuba", "GRDP") must appear in the articles."""
        facts = []
        for s, e in claim.runs:
            key = match_key(claim.text[s:e])
            if key in self.ward_names or any(key == match_key(x.name) for x in claim.entities):
                continue
            pattern = re.compile(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])")
            if not any(pattern.search(self._text(r).folded) for r in rows):
                facts.append(_Fact("not_found", f"Không tìm thấy “{claim.text[s:e]}” trong các bài viết."))
        return facts

    # -- mergers ----------------------------------------------------------------------------
    def _merge_facts(self, t: _Text, context: str | None) -> list[_Merger]:
        out = []
        for m in _MERGE_CUE.finditer(t.folded):
            s, e = t.sentence_of(m.start())
            members, list_end, into_ward = _merge_list(t, m.end(), e)
            before = [k for ws, _, k in t.wards if s <= ws < m.start()]
            if into_ward:
                if not before:
                    continue
                out.append(_Merger(into_ward, frozenset(before), True, t.text[s:list_end], s, list_end))
            elif members:
                new = before[-1] if before else context
                if new:
                    out.append(_Merger(new, frozenset(members), False, t.text[m.start():list_end], s, list_end))
        return out

    def _check_mergers(self, claim: _Text, context: str | None) -> list[_Fact]:
        facts = []
        for mg in self._merge_facts(claim, context):
            known = [(row, x) for row, x in self._merger_index() if x.new == mg.new and not x.into]
            if known:
                row, x = known[0]
                ok = mg.members <= x.members if mg.into else mg.members == x.members
                t = self._text(row)
                ev = [(row, t.sentence_of(x.start), (x.start, x.end), 1.0)]
                new = self.ward_names.get(mg.new, mg.new)
                if ok:
                    facts.append(_Fact("supported", f"Bài viết ghi {new} {x.text}.", ev))
                else:
                    facts.append(_Fact("refuted", f"Bài viết ghi {new} {x.text}, không phải như câu nêu.", ev))
                continue
            elsewhere = [(row, x) for row, x in self._merger_index() if mg.members & x.members]
            if elsewhere:
                row, x = elsewhere[0]
                t = self._text(row)
                facts.append(_Fact("refuted", f"Bài viết ghi {self.ward_names.get(x.new, x.new)} {x.text}.",
                                   [(row, t.sentence_of(x.start), (x.start, x.end), 1.0)]))
            else:
                facts.append(_Fact("not_found", NOT_FOUND))
        return facts

    # -- sentences without a checkable fact -------------------------------------------------
    def _check_verbatim(self, claim: _Text, wards: set[str], rows: list[int]) -> _Fact:
        """A sentence with no fact this module can read is supported only when one sentence of
        an article says the same, word for word or nearly, numbers included."""
        folded = _folded(claim)
        feats = self._claim_features(claim, 0, len(claim.text))
        digits = {t.text for t in claim.tokens if any(c.isdigit() for c in t.text)}
        # names, wards included, must be in the very sentence (conservative: a claim that adds
        # a ward the sentence leaves implicit is not "stated")
        names = ([match_key(claim.text[a:b]) for a, b in claim.runs] + [p.key for p in claim.persons]
                 + [k for _, _, k in claim.wards])
        total = sum(self._weight(f, folded) for f in feats)
        best = None
        for row in rows:
            t = self._text(row)
            for s, e in t.sentences:
                if not self._ward_fits(row, t, s, wards):
                    continue
                if digits - {x.text for x in t.tokens if s <= x.start < e}:
                    continue
                present = ({match_key(m.group(0)) for m in _CAP_RUN.finditer(t.text, s, e)}
                           | {p.key for p in t.persons if s <= p.start < e} | t.wards_in(s, e))
                if any(n not in present for n in names):
                    continue
                have = t.features(s, e, folded)
                score = sum(self._weight(f, folded) for f in feats if f in have) / total if total else 0.0
                if best is None or score > best[0]:
                    best = (score, row, (s, e))
        if best and best[0] >= VERBATIM:
            score, row, span = best
            return _Fact("supported", "Bài viết nêu đúng nội dung này.", [(row, span, span, score)])
        has_subject = bool(wards) or bool(claim.runs) or bool(claim.persons)
        return _Fact("not_found", NOT_FOUND if has_subject else NO_FACT)


# --- small helpers ----------------------------------------------------------------------------

_WHEN = ("year", "period", "date")


# the time of day written right before a date ("Sáng 17/9", "chiều ngày 27/11")
_DAY_PART = re.compile(r"(?i)\b(sáng|chiều|tối|trưa|đêm|sang|chieu|toi|trua|dem)(?:\s+(?:ngày|ngay))?\s*$")


def _folded(claim: _Text) -> bool:
    """A claim typed without diacritics is compared without them."""
    return not has_diacritics(claim.text)


def _unit_features(q: Quantity, s: Quantity, folded: bool) -> frozenset[str]:
    """The counted noun both quantities share ("chỉ tiêu", "doanh nghiệp") aligns by itself."""
    if q.kind != "count" or s.kind != "count" or not q.unit or not s.unit:
        return frozenset()
    unit = q.unit if len(q.unit) <= len(s.unit) else s.unit
    words = [fold_diacritics(w) if folded else w for w in normalize_for_match(unit).split()]
    return frozenset(words + [a + " " + b for a, b in zip(words, words[1:])])

def _mention(t: _Text, ent: _Entity) -> str:
    text = t.text[ent.start:ent.end]
    if ent.start in {s for s, _ in t.sentences} and " " in text and not text.split()[1][:1].isupper():
        text = text[:1].lower() + text[1:]      # "Tuyến phố ẩm thực Tiên Cát" opened the sentence
    return text


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    s, e = span
    while s < e and text[s] in " ,;:":
        s += 1
    while e > s and text[e - 1] in " ,;:":
        e -= 1
    return s, e


def _exact(q: Quantity) -> str:
    return q.text if q.qualifier else f"đúng {q.text}"


_EQUIVALENT = {">=": "from", "from": "from", ">": ">", "<": "<", "<=": "<=", "~": "~", None: None,
               "range": "range"}


def _qualifier_ok(claim: Quantity, source: Quantity) -> bool:
    return _EQUIVALENT.get(claim.qualifier) == _EQUIVALENT.get(source.qualifier)


def _when(q: Quantity) -> str:
    """A time as a sentence would say it: "năm 2021", "giai đoạn 2026-2030", "quý IV/2025"."""
    if q.kind == "year":
        return f"năm {q.text}"
    if q.kind == "period" and q.unit == "năm":
        return f"giai đoạn {q.text}"
    if q.kind == "date":
        return f"ngày {q.text}" if q.text[:1].isdigit() else q.text
    return q.text


def _period_range(q: Quantity) -> tuple[float, float] | None:
    if q.kind == "year":
        return q.value, q.value
    if q.kind == "period" and q.unit == "năm":
        return q.value, q.upper if q.upper is not None else q.value
    return None


def _period_match(claim: Quantity, source: Quantity, strict: bool) -> bool | None:
    """None when the two are not comparable (a date and a year range)."""
    a, b = _period_range(claim), _period_range(source)
    if a and b:
        if a == b:
            return True
        if strict:
            return claim.kind == "year" and source.kind == "period" and a[0] == b[1]
        return a[0] <= b[1] and b[0] <= a[1]
    if comparable(claim, source):
        return same_value(claim, source)
    return None


def _period_score(periods: list[Quantity], c: _Cand) -> int:
    """How well the candidate's time fits the claim's: 0 conflicts, 1 fits (or nothing to
    compare), 2 fits in the candidate's own clause or sentence.

    A year or period written in the candidate's clause must match exactly ("giai đoạn
    2026-2030" is not "2021-2025"; "đến năm 2030" is the end of "2025-2030"); further away (its
    sentence, paragraph, article) overlapping is enough, and only a time that fits nowhere
    conflicts."""
    score = 2
    for p in periods:
        strict = [m for m in (_period_match(p, s, True) for s in c.periods) if m is not None]
        if strict:
            if not any(strict):
                return 0
            continue
        seen = matched = False
        for depth, level in enumerate(c.levels):
            results = [m for m in (_period_match(p, s, False) for s in level) if m is not None]
            if results:
                seen = True
                if any(results):
                    matched = True
                    score = min(score, 2 if depth == 0 else 1)
                    break
        if seen and not matched:
            return 0
        if not seen:
            score = min(score, 1)
    return score


def _period_ok(periods: list[Quantity], c: _Cand) -> bool:
    return _period_score(periods, c) > 0


def _attached(q: Quantity, mains: list[Quantity], contexts: list[Quantity]) -> list[Quantity]:
    """Years/periods/dates of the clause that belong to ``q``: each goes to the nearest main
    quantity, a tie to the one before it ("0,55% năm 2021 xuống 0,27% năm 2025")."""
    out = []
    for c in contexts:
        def dist(m: Quantity) -> tuple[int, int]:
            gap = c.start - m.end if c.start >= m.end else m.start - c.end
            return (gap, 0 if c.start >= m.end else 1)
        nearest = min(mains, key=dist)
        if nearest is q:
            out.append(c)
    return out


def _claim_segment(claim: _Text, q: Quantity, mains: list[Quantity]) -> tuple[int, int]:
    """The part of the claim sentence that describes ``q``: its clause, cut at a comma or "và"
    that separates two quantities each with words of their own."""
    seg = claim.segment_of(q.start)
    cuts = [m.start() for m in re.finditer(r",|\s+và\s+", claim.text[seg[0]:seg[1]])]
    cuts = [seg[0] + c for c in cuts]
    bounds = [seg[0]] + cuts + [seg[1]]
    parts = list(zip(bounds[:-1], bounds[1:]))

    def whole(a: int, b: int) -> bool:
        words = [w for w in claim.features(a, b, True) if " " not in w]
        return any(a <= m.start < b for m in mains) and len(words) >= 2

    # a part without a quantity of its own or without two words joins its neighbour
    changed = True
    while changed and len(parts) > 1:
        changed = False
        for i, (a, b) in enumerate(parts):
            if not whole(a, b):
                j = i - 1 if i > 0 else i + 1
                lo, hi = min(parts[i][0], parts[j][0]), max(parts[i][1], parts[j][1])
                parts[min(i, j)] = (lo, hi)
                del parts[max(i, j)]
                changed = True
                break
    for a, b in parts:
        if a <= q.start < b:
            return a, b
    return seg


def _roles_of(t: _Text, person: _Person) -> tuple[_Role, ...]:
    """The roles written right before or after a person's name."""
    out: list[_Role] = []
    for group in t.roles:
        first, last = group[0], group[-1]
        if last.end <= person.start:
            gap = t.folded[last.end:person.start]
            if _GAP_BEFORE_NAME.fullmatch(gap):
                out.extend(group)
        elif first.start >= person.end:
            gap = t.folded[person.end:first.start]
            if _GAP_AFTER_NAME.fullmatch(gap):
                out.extend(group)
    return tuple(out)


def _merge_list(t: _Text, pos: int, end: int) -> tuple[list[str], int, str | None]:
    """Ward keys listed after a merger cue, where the list ends, and the ward of "vào X"."""
    text = t.text
    m = re.match(r"\s*(?:vào|với|vao|voi)\s+(?:(?:phường|xã|thị trấn|phuong|xa|thi tran)\s+)", text[pos:end],
                 re.IGNORECASE)
    if m:
        nm = re.match(rf"{_CAP_WORD}(?:[ \t]+{_CAP_WORD})*", text[pos + m.end():end])
        if nm:
            return [], pos + m.end() + nm.end(), ward_key(nm.group(0))
    m = re.match(r"\s*(?:từ|gồm|của|tu|gom|cua)?\s*(?:việc\s+|viec\s+)?", text[pos:end], re.IGNORECASE)
    i = pos + (m.end() if m else 0)
    colon = re.match(r"[^.;:]{0,40}:", text[i:end])
    if colon:
        i += colon.end()
    members: list[str] = []
    list_end = i
    item = re.compile(rf"\s*(?:(?:[Pp]hường|[Xx]ã|[Tt]hị trấn|[Pp]huong|[Xx]a|[Tt]hi tran)\s+)?({_CAP_WORD}(?:[ \t]+{_CAP_WORD})*)(?:\s*\([Cc]ũ\))?")
    while i < end:
        im = item.match(text, i, end)
        if not im or not im.group(1)[0].isupper():
            break
        members.append(ward_key(im.group(1)))
        list_end = i = im.end()
        sep = re.match(r"\s*(?:,|và|va)\s*", text[i:end])
        if not sep:
            break
        i += sep.end()
    return members, list_end, None
