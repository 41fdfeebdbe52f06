"""The extractive answerer: pick the sentence that answers, pull the short answer out of it,
and say so plainly when the articles do not answer.

Sentence scoring reuses what the index already holds: sentence spans and vectors computed at
indexing time, the query vector of the retrieval, and the BM25 vocabulary's document
frequencies for term weights.
"""
from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from chatbot.entities import find_people
from chatbot.models import written_date
from chatbot.numbers import SINGLE_YEAR, YEAR_RANGE, Quantity, find_quantities
from chatbot.qtype import QType, QuestionShape, question_shape, role_body
from index.hybrid import HybridIndex, Retrieval
from index.models import Hit
from index.lexical import syllable_terms
from index.query import find_wards, ward_key
from ingest.models import Paragraph, ParagraphKind
from ingest.text import canonical_tones, has_diacritics, match_key, nfc, spellings

if TYPE_CHECKING:
    from chatbot.reader import Reader, ReaderSpan

# folded function words and question words: they say what is asked, not what about
# how a figure is asked for, not what about: "bao nhiêu phần trăm", "bao nhiêu héc-ta"
_UNIT_CUE_TERMS = frozenset({"phan", "tram", "phan_tram", "hec", "ta", "hec_ta", "hecta"})
# said of every percentage ("tỷ lệ"): the indicator is what follows it ("tỷ lệ hộ nghèo")
_PERCENT_CUE_TERMS = frozenset({"ty", "le", "ty_le"})
# units a counted noun can be ("dài bao nhiêu km"): the figure must carry that unit
_MEASURE_UNITS = frozenset({"km", "m", "tan", "kg", "lit", "ha", "m2", "km2", "nguoi", "ho"})

STOP_TERMS = frozenset("""
la bao nhieu gi ai nao o dau khi cua va co khong the nhu duoc da se trong cac nhung mot cho voi tai ve
den thi sao con hay hoac nay do ay kia may muc nguoi nam den luc ngay thang bang theo tu tren duoi ra vao
gom bao gom ke ten cho biet hien nay dat la gi vay nhi a u oi
""".split())
# the words those stand for, as written: typed with tone marks, "đất" (land) is a word of the
# question although "dat" folded is also "đạt" (reaches), and "Nam" (south) although "năm" (year)
_STOP_TYPED = frozenset(canonical_tones(w) for w in """
là bao nhiêu gì ai nào ở đâu khi của và có không thể thế như được đã sẽ trong các những một cho với tại
về đến thì sao còn hay hoặc này nay đó ấy kia mấy mức người năm đến lúc ngày tháng bằng theo từ trên dưới
ra vào gồm kể tên biết hiện đạt vậy nhỉ à ạ ư ơi
""".split())


class QueryTerms(dict):
    """A question's folded terms and their weights, and the syllables it was typed with tone marks.

    Folded, "đất" (land) is "đạt" (reaches), "lương" (pay) "lượng" and "viện" "viên": a question
    typed with tone marks finds its words only where they are written with the same marks, so an
    out-of-scope question gathers no support from look-alike words. A syllable typed without
    marks, or a question whose marks were restored, matches any spelling.
    """

    def __init__(self, weights: dict[str, float] | None = None, typed: frozenset[tuple[str, str]] = frozenset()):
        super().__init__(weights or {})
        self.typed = typed   # (folded, as typed) of each syllable that carries a mark


# number words whose folded form is not also a common other word ("tám"/"tâm", "sáu"/"sau")
_NUMBER_WORDS = {"hai": "2", "bon": "4", "chin": "9", "muoi": "10"}
_CLAUSE_SPLIT = re.compile(r"[;:]|,\s|(?<!\d)\s[-–]\s(?!\d)")  # "2020 - 2025" is one span
_DATE_LEAD = re.compile(r"(?:(?:Sáng|Chiều|Tối|Trưa|Ngày|ngày|sáng|chiều|tối|trưa)\s)$")
_WARD_MENTION = re.compile(r"\b(phường|xã|thị trấn|phuong|xa|thi tran)\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)",
                           re.IGNORECASE)
# "lần lượt", "mỗi phường", "từng xã", "so với", "cao hơn": each ward's own figure is asked for
_PER_WARD = re.compile(r"\b(?:lan luot|moi (?:phuong|xa|dia phuong|noi|ben)|tung (?:phuong|xa|dia phuong)|so voi|"
                       r"khac nhau|hon|cao hon|thap hon|rieng)\b")
_NOT_A_NAME = {"nao", "do", "nay", "ay", "kia", "minh", "moi", "cu", "la", "co", "da", "duoc", "se", "va",
               "ta", "toi", "em", "thi", "con", "dang", "trong", "tren", "theo", "thuoc", "nhung", "cac"}


# capitalised words that are titles, bodies and ranks, not names of a particular thing; compared
# as written (lower case, tone marks kept): "Trần Phú" is a name, "Mặt trận" is not
_GENERIC_CAPITALISED = frozenset(canonical_tones(w) for w in """
đảng ủy uỷ bí thư phó chủ tịch thường trực tỉnh hđnd ubnd mttq ban sở đại hội nghị quyết nhân dân nhà
nước chính phủ trung ương thành phố phường xã huyện tổ chức tuyên giáo vận động kiểm tra mặt trận quốc
công an quân sự đoàn thanh niên phụ nữ cựu chiến binh nhiệm kỳ lần thứ nhất hội đồng
khu văn hóa hoá ông bà đồng chí
""".split())
_CAP_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"[^\W_]+")


def question_names(question: str) -> list[str]:
    """Folded names of particular things the question asks about ("Nam Bỉm Sơn", "Cuba",
    "Trần Phú"): runs of capitalised words past the first word, leading titles and bodies
    stripped. An answer about something else, however similar, does not answer it."""
    text = nfc(question)
    # "5G", "COVID-19": a term with digits is no name, and it ends a run of capitalised words
    words = list(_TOKEN.finditer(text))
    runs: list[list[str]] = []
    last_end = -1
    for i, m in enumerate(words):
        w = m.group(0)
        if i == 0 or not w[:1].isupper() or (w.isupper() and len(w) > 1) or any(c.isdigit() for c in w):
            # "BHYT" is a term, not a name
            last_end = m.end()
            continue
        prev = words[i - 1].group(0)
        if runs and runs[-1] and text[last_end:m.start()].strip() == "" and last_end >= 0 and \
                prev[:1].isupper() and not (prev.isupper() and len(prev) > 1) and i - 1 > 0:
            runs[-1].append(w)
        else:
            runs.append([w])
        last_end = m.end()
    names = []
    for run in runs:
        while run and canonical_tones(run[0].lower()) in _GENERIC_CAPITALISED:
            run = run[1:]
        if run:
            names.append(match_key(" ".join(run)))
    return names


@dataclass(frozen=True)
class Pick:
    """One answered part: the sentence chosen and the short answer inside it."""

    paragraph: Paragraph
    row: int
    sentence_span: tuple[int, int]       # inside paragraph.text
    short: str | None
    short_span: tuple[int, int] | None   # inside paragraph.text
    score: float
    support: float                       # share of the question's weighted terms the source covers
    part: str | None = None              # what this part is about ("phường Đông Sơn", "năm 2021"), for multi-part questions
    reader: ReaderSpan | None = None     # what the trained reader read in the candidate windows, when it ran


@dataclass
class Decision:
    picks: list[Pick] = field(default_factory=list)
    abstained: bool = False
    reason: str = ""
    related: list[tuple[Paragraph, float]] = field(default_factory=list)
    candidate: Pick | None = None        # the best pick even when abstaining (for calibration)
    missing: list[str] = field(default_factory=list)  # parts (wards) of a multi-part question not answered


@dataclass(frozen=True)
class AnswerSettings:
    paragraphs: int = 6          # top paragraphs whose sentences compete
    min_support: float = 0.35    # below this share of the question's terms: not answered here
    min_typed_support: float = 0.3
    # sentence score: a weighted sum of the sentence's and its paragraph's share of the question's
    # terms, the paragraph's retrieval score, the sentence vector's cosine above a floor, and how
    # well a short answer of the asked type fits
    w_sentence_terms: float = 0.40
    w_paragraph_terms: float = 0.20
    w_retrieval: float = 0.25
    w_dense: float = 0.6
    dense_floor: float = 0.75
    w_fit: float = 0.25
    # the trained reader: how many candidate windows it reads, and how many tokens of each
    reader_windows: int = 3
    reader_window_tokens: int = 192
    # an answering reader stands in for a typed answer the extractors did not find, so the
    # question is answered where it abstained before; off until measured (a reader whose
    # no-answer threshold was fitted on other text answered 7 of the 10 seeds out-of-scope questions)
    reader_rescues: bool = False


class ExtractiveAnswerer:
    def __init__(self, index: HybridIndex, settings: AnswerSettings | None = None, reader: Reader | None = None):
        self.index = index
        self.settings = settings or AnswerSettings()
        self.reader = reader
        df: Counter = Counter()
        for p in index.paragraphs:
            df.update(set(syllable_terms(p.text)))
        self._df = df
        self._n = max(len(index.paragraphs), 1)
        self._ward_syllables = {s for key in index.ward_names for s in key.split()} | {"phuong", "xa"}
        # the distinct sets of wards articles are about (a few, whatever the number of articles)
        self._article_wards = {frozenset(ward_key(w) for w in a.wards) for a in index.articles.values()}
        # the same paragraphs and sentences come back question after question: their terms, figures,
        # people and the wards they name are computed once (bounded, so a large corpus does not grow it forever)
        thesaurus = index.thesaurus  # the one retrieval widens its queries with
        self._equivalents = functools.lru_cache(maxsize=50_000)(thesaurus.equivalents)
        self._terms_of = functools.lru_cache(maxsize=50_000)(
            lambda text: frozenset(syllable_terms(text)) | self._equivalents(text))
        self._forms_of = functools.lru_cache(maxsize=50_000)(spellings)
        self._quantities = functools.lru_cache(maxsize=50_000)(lambda text: tuple(find_quantities(text)))
        self._people = functools.lru_cache(maxsize=50_000)(lambda text: tuple(find_people(text)))
        self._name_key = functools.lru_cache(maxsize=50_000)(
            lambda text: f" {re.sub(r'[^a-z0-9]+', ' ', match_key(text))} ")
        self._wards_in = functools.lru_cache(maxsize=50_000)(
            lambda text: frozenset(ward_key(w) for w in find_wards(text, index.ward_names)))

    # -- term weights -------------------------------------------------------------------------
    def _idf(self, term: str) -> float:
        return math.log((self._n + 1) / (self._df.get(term, 0) + 0.5))

    def _query_terms(self, text: str, marks_typed: bool = True) -> QueryTerms:
        # each syllable typed with marks, with the spellings the question gives it
        marked = {(f, w) for f, ws in spellings(text).items() for w in ws if w != f} if marks_typed else set()
        # a folded stop word typed as another word ("đất", not "đạt") is part of what is asked
        content_words = {f for f, w in marked if f in STOP_TERMS and w not in _STOP_TYPED}
        terms = {}
        for t in syllable_terms(text):
            if t in _NUMBER_WORDS:  # "hai khâu đột phá" is written "2 khâu đột phá" too
                terms[_NUMBER_WORDS[t]] = self._idf(_NUMBER_WORDS[t])
        for t in syllable_terms(text):
            parts = t.split("_")
            if t in _UNIT_CUE_TERMS:
                continue
            stop = [p in STOP_TERMS and p not in content_words for p in parts]
            if len(parts) == 1 and stop[0]:
                continue
            if len(parts) == 2 and all(stop):
                continue
            if t in self._df or len(parts) == 1:
                terms[t] = self._idf(t) * (0.6 if len(parts) == 2 else 1.0)
        return QueryTerms(terms, frozenset(marked))

    def _terms_for(self, text: str, terms: dict[str, float]) -> frozenset[str]:
        """The text's terms that can match the question's: not a syllable the question typed
        with other tone marks than the text writes it with (thesaurus equivalents kept)."""
        found = self._terms_of(text)
        typed = getattr(terms, "typed", None)
        if not typed:
            return found
        forms = self._forms_of(text)
        # written in the text, but with none of the spellings the question gives it
        clash = {f for f, _ in typed if f in forms} - {f for f, w in typed if w in forms.get(f, ())}
        if not clash:
            return found
        kept = self._equivalents(text)
        return frozenset(x for x in found if x in kept or not any(p in clash for p in x.split("_")))

    @staticmethod
    def _coverage(terms: dict[str, float], text_terms: set[str]) -> float:
        total = sum(terms.values())
        if total <= 0:
            return 0.0
        return sum(w for t, w in terms.items() if t in text_terms) / total

    # -- main ---------------------------------------------------------------------------------
    def decide(self, question: str, retrieval: Retrieval) -> Decision:
        analysis = retrieval.analysis
        related = [(h.paragraph, h.score) for h in retrieval.hits[:3]]
        if not retrieval.hits:
            return Decision(abstained=True, reason="no hits", related=related)
        unknown = self._unknown_ward(analysis.text)
        if unknown:
            return Decision(abstained=True, reason=f"unknown ward {unknown}", related=related)
        # the shape is read from the words as typed: restored tone marks may be wrong exactly where
        # it matters ("co may khau" restored as "có máy khâu", machines, not "có mấy khâu")
        shape = question_shape(analysis.text if analysis.restored else analysis.accented)
        wards = list(analysis.wards)
        typed = not analysis.restored   # restored tone marks are a guess: words then match any spelling
        if shape.qtype is QType.ARTICLE:
            return self._articles(question, retrieval, shape, wards, typed)
        if len(wards) >= 2 and self._joint_article(wards) and not _PER_WARD.search(match_key(analysis.text)):
            # one article is about all of them ("hai phường Bỉm Sơn, Quang Trung"): the question is
            # asked of them together, unless it asks for each one's own figure
            pick = self._best(question, retrieval, shape, wards, typed)
            if pick is not None and pick.support >= self.settings.min_support:
                return Decision([pick], related=related)
        if len(wards) >= 2:
            picks, missing = [], []
            for ward in wards:
                # each part is looked up on its own: one ward's paragraphs may all outrank the other's
                sub = _drop_other_wards(analysis.accented, ward, wards)
                # the question's vector stands for each part: the topic is the same, the ward filter differs
                sub_retrieval = self.index.retrieve(sub, k=max(len(retrieval.hits), self.settings.paragraphs),
                                                    query_vector=retrieval.query_vector)
                pick = self._best(sub, sub_retrieval, shape, [ward], typed)
                if pick is not None and pick.support >= self.settings.min_support:
                    picks.append(_with_part(pick, ward))
                else:
                    missing.append(ward)
            picks = _dedupe(picks)
            if picks and (not missing or len(picks) >= 1 and self._parts_distinct(picks)):
                return Decision(picks, related=related, missing=missing)
            # the wards may appear together in one source: answer the whole question at once
        # several figures asked at once, each answered on its own: "… năm 2021 và năm 2025?" (each
        # labelled with its year), "mấy nhiệm vụ … và mấy khâu đột phá?", "thu nhập bình quân và tỷ
        # lệ BHYT của Quang Trung?" (labelled with the indicator, read from the accented text so the
        # label has its tone marks; mid-line, so a capital would read as a name)
        indicators = _indicator_parts(analysis.accented if question == analysis.text else question,
                                      self.index.ward_names) if shape.qtype is QType.NUMBER else []
        for parts, distinct in (([(f"năm {y}", part, shape) for y, part in _year_parts(question)], False),
                                ([(None, part, question_shape(part)) for part in _count_parts(question)], False),
                                ([(label[:1].lower() + label[1:] if label[1:2].islower() else label, part,
                                   question_shape(part)) for label, part in indicators], True)):
            answered = self._answer_parts(parts, retrieval, wards, typed, distinct)
            if answered:
                return Decision(_dedupe(answered), related=related)
        pool: list[Pick] | None = [] if self.reader is not None else None
        pick = self._best(question, retrieval, shape, wards, typed, pool=pool)
        if pick is not None and pool and pick.short is None:
            pick = self._with_reader(question, pick, pool)
        if pick is None or pick.support < self.settings.min_support:
            return Decision(abstained=True, reason="low support", related=related, candidate=pick)
        return Decision([pick], related=related)

    # -- the trained reader ---------------------------------------------------------------------
    def _with_reader(self, question: str, pick: Pick, pool: list[Pick]) -> Pick:
        """The typed extractors found no short answer in the best sentence: the reader reads the
        candidate windows (only then: it costs tens of milliseconds). Where it answers, its span
        is the short answer; with ``reader_rescues`` it also stands in for the typed answer's
        fit (the support the sentence's terms give is no longer capped). Where it does not, the
        pick keeps its evidence only."""
        own = next((c for c in pool if c.paragraph.key == pick.paragraph.key
                    and c.sentence_span == pick.sentence_span), pick)
        rescue = self.settings.reader_rescues and own.support >= self.settings.min_support
        if pick.support < self.settings.min_support and not rescue:
            return pick   # abstaining, and the reader may not change that
        read = self.read(question, own if rescue else pick, pool)
        if read.reader is not None and read.reader.answered:
            return read
        return replace(pick, reader=read.reader)

    def reader_windows(self, pick: Pick, pool: list[Pick]) -> list:
        """The reader's passages: the pick's sentence and the next best distinct candidate
        sentences (three in all), each with the sentences before and after it."""
        from chatbot.reader import Passage

        chosen: list[Pick] = []
        seen: set[tuple[str, tuple[int, int]]] = set()
        for c in [pick] + sorted(pool, key=lambda c: -c.score):
            key = (c.paragraph.key, c.sentence_span)
            if key not in seen:
                seen.add(key)
                chosen.append(c)
            if len(chosen) == self.settings.reader_windows:
                break
        out = []
        for c in chosen:
            spans = [(a, b) for _, a, b in self.index.sentences_of(c.row)]
            i = spans.index(c.sentence_span) if c.sentence_span in spans else -1
            lo = spans[i - 1][0] if i > 0 else c.sentence_span[0]
            hi = spans[i + 1][1] if 0 <= i < len(spans) - 1 else c.sentence_span[1]
            out.append(Passage(c.paragraph.text, lo, hi, c.sentence_span, c.paragraph.key))
        return out

    def read(self, question: str, pick: Pick, pool: list[Pick]) -> Pick:
        """The pick with the reader's evidence on it; where the reader answers, its span is the
        short answer and the quote is the sentence (or sentences) holding it."""
        assert self.reader is not None
        span = self.reader.read(question, self.reader_windows(pick, pool), self.settings.reader_window_tokens)
        if span is None:
            return pick
        if not span.answered:
            return replace(pick, reader=span)
        row = self.index.row_of[span.key]
        spans = [(a, b) for _, a, b in self.index.sentences_of(row)]
        first = next(((a, b) for a, b in spans if a <= span.start < b), None)
        last = next(((a, b) for a, b in spans if a < span.end <= b), None)
        if first is None or last is None:
            return replace(pick, reader=span)
        sentence = (first[0], last[1])
        base = next((c for c in pool if c.paragraph.key == span.key and c.sentence_span == first), pick)
        # the window was read for the pick's sentence: a neighbour holding the span keeps its support
        return replace(base, paragraph=self.index.paragraphs[row], row=row, sentence_span=sentence,
                       short=span.text, short_span=(span.start, span.end), reader=span,
                       support=max(base.support, pick.support))

    def _answer_parts(self, parts: list[tuple[str | None, str, QuestionShape]], retrieval: Retrieval,
                      wards: list[str], typed: bool, distinct: bool) -> list[Pick]:
        """One pick per part (label, question, shape), or none unless every part gets a typed
        short answer (``distinct``: each its own)."""
        if len(parts) < 2:
            return []
        picks = [self._best(question, retrieval, shape, wards, typed) for _, question, shape in parts]
        if not all(p is not None and p.support >= self.settings.min_support and p.short for p in picks) or \
                distinct and len({(p.paragraph.key, p.short_span) for p in picks}) < len(picks):
            return []
        return [_with_part(p, label) if label else p for (label, _, _), p in zip(parts, picks)]

    def _articles(self, question: str, retrieval: Retrieval, shape: QuestionShape, wards: list[str],
                  typed: bool) -> Decision:
        """"Bài viết nào nói về …?" / "Bài … đăng ngày nào?": the articles the best paragraphs
        belong to (at most three, about the wards named), each cited by its best paragraph."""
        related = [(h.paragraph, h.score) for h in retrieval.hits[:3]]
        asked = retrieval.analysis.accented if question == retrieval.analysis.text else question
        ward_keys = {ward_key(w) for w in wards}
        # what the articles must be about: the question without its article words and wards
        topic = _subset(self._query_terms(_drop_other_wards(_ARTICLE_WORDS.sub(" ", asked), None, wards), typed),
                        lambda t: not any(p in self._ward_syllables for p in t.split("_")))
        best: dict[str, tuple[Hit, float]] = {}
        for h in retrieval.hits:
            p = h.paragraph
            if p.article_id in best or (ward_keys and not self._about_wards(p, ward_keys)):
                continue
            if not ward_keys and not topic:
                continue
            found = set(self._terms_for(p.text, topic)) | self._title_terms(p, topic)
            cov = self._coverage(topic, found) if topic else 1.0
            phrases = {t for t in topic if "_" in t}
            # "giá đất" is not found in "giá trị … đất đai": one of the topic's phrases must be there
            if cov >= self.settings.min_support and (not phrases or phrases & found):
                best[p.article_id] = (h, cov)
        if not best:
            return Decision(abstained=True, reason="no article about it", related=related)
        top = max(h.score for h, _ in best.values())
        picks = []
        for h, cov in sorted(best.values(), key=lambda x: -x[0].score)[:3]:
            if h.score < 0.6 * top:
                break
            # only the ward was asked: the article's lead says what it is about
            p = h.paragraph if topic else self._body_from(h.paragraph.article_id, 1) or h.paragraph
            row = self.index.row_of[p.key]
            sentences = self.index.sentences_of(row)
            _, a, b = max(sentences, key=lambda x: self._coverage(topic, self._terms_for(p.text[x[1]:x[2]], topic))) \
                if topic else sentences[0]
            picks.append(Pick(p, row, (a, b), _article_line(p, shape.when == "published"), None, h.score, cov))
        return Decision(picks, related=related)

    def _body_from(self, article_id: str, number: int) -> Paragraph | None:
        """The article's first body paragraph numbered ``number`` or later (captions, headings
        and bylines skipped)."""
        while (key := f"{article_id}#{number}") in self.index.row_of:
            p = self.index.paragraphs[self.index.row_of[key]]
            if p.kind is ParagraphKind.BODY:
                return p
            number += 1
        return None

    def _joint_article(self, wards: list[str]) -> bool:
        keys = {ward_key(w) for w in wards}
        return any(keys <= article_wards for article_wards in self._article_wards)

    @staticmethod
    def _parts_distinct(picks: list[Pick]) -> bool:
        """Answered parts that each stand on their own sentence (not one sentence for all)."""
        return len({(p.paragraph.key, p.sentence_span) for p in picks}) == len(picks)

    def _unknown_ward(self, question: str) -> str | None:
        """A ward or commune the question names that no article is about ("phường Hàm Rồng").
        A name must be capitalised after "phường"/"xã", or follow "phường" in a question typed
        all in lower case ("xã" alone is too common a word: "xã hội")."""
        lower_typed = question == question.lower()
        for m in _WARD_MENTION.finditer(nfc(question)):
            prefix, name = m.group(1), m.group(2)
            words = match_key(name).split()
            if not words or words[0] in _NOT_A_NAME:
                continue
            capitalised = name[:1].isupper()
            if not capitalised and not (lower_typed and match_key(prefix) == "phuong"):
                continue
            key = " ".join(words[:2])
            if not any(k == key or k == words[0] or k.startswith(key) for k in self.index.ward_names):
                return name
        return None

    def _best(self, question: str, retrieval: Retrieval, shape: QuestionShape, wards: list[str],
              marks_typed: bool = True, pool: list[Pick] | None = None) -> Pick | None:
        """``marks_typed``: the question's tone marks are the user's (not restored), so a word
        is only found where it is written with them."""
        idx = self.index
        terms = self._query_terms(retrieval.analysis.accented if question == retrieval.analysis.text
                                  else question, marks_typed)
        ward_keys = {ward_key(w) for w in wards}
        asked = retrieval.analysis.accented if question == retrieval.analysis.text else question
        # what the figure must be about: the question without the wards it names ("tập trung"
        # stays although "Quang Trung" goes)
        content = self._query_terms(_drop_other_wards(asked, None, list(retrieval.analysis.wards) + wards),
                                    marks_typed)
        # (unless the question is mostly about the wards themselves: "Xã Thụy Vân cũ giờ thuộc phường nào?")
        sentence_terms = content if ward_keys and sum(content.values()) >= 0.6 * sum(terms.values()) else terms
        qvec = retrieval.query_vector
        # a list may sit in a short paragraph of names that ranks low: lists look further down
        hits = retrieval.hits[: self.settings.paragraphs + (2 if shape.qtype is QType.LIST or shape.listed else 0)]
        if not hits:
            return None
        # a paragraph that goes on with the one before ("Cùng tham gia có đại diện …") shares
        # little wording with a question about that one: it joins its antecedent's place
        carried = self._continuations(hits)
        hits = list(hits) + [h for h, _ in carried]
        antecedent = {h.paragraph.key: lead for h, lead in carried}
        top_score = max(h.score for h in hits) or 1.0
        cfg = self.settings
        names = [n for n in question_names(question) if n not in idx.ward_names]
        best: Pick | None = None
        best_key = -1e9
        for h in hits:
            p = h.paragraph
            row = idx.row_of[p.key]
            if ward_keys and not self._about_wards(p, ward_keys):
                continue
            if names and not self._names_in(p, names):
                continue
            para_terms = set(self._terms_for(p.text, terms))
            if p.kind is ParagraphKind.BYLINE:
                para_terms |= self._terms_for(f"tác giả bài viết người viết {p.title}", terms)
            para_terms |= self._title_terms(p, terms)
            if p.key in antecedent:
                para_terms |= self._terms_for(antecedent[p.key].text, terms)
            para_cov = self._coverage(terms, para_terms)
            prev_start = None
            for s_idx, start, end in idx.sentences_of(row):
                sentence = p.text[start:end]
                lead_start, prev_start = prev_start, start
                if ward_keys and not self._sentence_ward_ok(sentence, ward_keys):
                    continue
                s_terms = self._terms_for(sentence, sentence_terms)
                # the wards asked about are the article's business (checked above): a sentence is
                # measured on what the question asks of them
                s_cov = self._coverage(sentence_terms, s_terms)
                if lead_start is not None and (_CONTINUES.match(sentence) or _REFERS_BACK.match(sentence)):
                    # "Trong đó, …" / "Đặc biệt là …": the sentence goes on with what the one before
                    # it said, and answers a question about that
                    s_cov = max(s_cov, 0.9 * self._coverage(sentence_terms, self._terms_for(p.text[lead_start:end], sentence_terms)))
                elif lead_start is None and p.key in antecedent:
                    # the opening of a paragraph that goes on with its antecedent
                    s_cov = max(s_cov, 0.9 * self._coverage(
                        sentence_terms, self._terms_for(f"{antecedent[p.key].text} {sentence}", sentence_terms)))
                dense = float(idx.sentence_vectors[s_idx] @ qvec) if qvec is not None else 0.0
                short, short_span, fit = self._short_answer(p, start, end, shape, content)
                support = 0.5 * s_cov + 0.5 * para_cov
                if shape.author and p.kind is ParagraphKind.BYLINE and fit > 0:
                    support = max(support, para_cov)  # a byline matches the question through its article
                score = (cfg.w_sentence_terms * s_cov + cfg.w_paragraph_terms * para_cov
                         + cfg.w_retrieval * (h.score / top_score)
                         + cfg.w_dense * max(dense - cfg.dense_floor, 0.0) + cfg.w_fit * fit)
                if shape.qtype is not QType.OTHER and fit <= 0:
                    # "đào tạo ai" asks for a group of people as often as for a named person
                    score -= 0.15 if shape.qtype is QType.PERSON else 0.3
                if pool is not None:   # the reader's candidates, support not capped by a missing typed answer
                    pool.append(Pick(p, row, (start, end), short, short_span, score, support))
                if score > best_key:
                    best_key = score
                    best = Pick(p, row, (start, end), short, short_span, score,
                                support if (fit > 0 or shape.qtype is QType.OTHER) else
                                min(support, self.settings.min_typed_support))
        return best

    def _continuations(self, hits: list[Hit]) -> list[tuple[Hit, Paragraph]]:
        """Body paragraphs that open by going on with what comes before them, when the body
        paragraph or caption right before them (captions between skipped) is among the top hits
        and they are not."""
        seen = {h.paragraph.key for h in hits}
        out = []
        for h in hits[:3]:
            p = h.paragraph
            if p.kind not in (ParagraphKind.BODY, ParagraphKind.CAPTION):
                continue
            nxt = self._body_from(p.article_id, p.number + 1)
            if nxt is not None and nxt.key not in seen and _GOES_ON.match(nxt.text):
                seen.add(nxt.key)
                out.append((Hit(nxt, h.score * 0.95, h.rank), p))
        return out

    def _names_in(self, p: Paragraph, names: list[str]) -> bool:
        padded = self._name_key(p.text + " " + self.index.articles[p.article_id].title)
        found = sum(1 for n in names if f" {n} " in padded or f" {n}s " in padded)  # "Bronco"/"Broncos"
        # one name must be there; of several (a text about foreign things spells some differently),
        # most of them
        return found == len(names) if len(names) == 1 else 2 * found >= len(names)

    def _title_terms(self, p: Paragraph, terms: dict[str, float]) -> frozenset[str]:
        article = self.index.articles[p.article_id]
        return self._terms_for(" ".join((article.title, *article.wards)), terms)

    def _about_wards(self, p: Paragraph, ward_keys: set[str]) -> bool:
        article = self.index.articles[p.article_id]
        return bool({ward_key(w) for w in article.wards} & ward_keys)

    def _sentence_ward_ok(self, sentence: str, ward_keys: set[str]) -> bool:
        """A sentence that names wards must name one the question asks about."""
        named = self._wards_in(sentence)
        return not named or bool(named & ward_keys)

    # -- short answers ------------------------------------------------------------------------
    def _short_answer(self, p: Paragraph, start: int, end: int, shape: QuestionShape,
                      terms: dict[str, float]) -> tuple[str | None, tuple[int, int] | None, float]:
        text = p.text
        sentence = text[start:end]
        q = shape.qtype
        if q is QType.NUMBER:
            return self._number(text, start, sentence, shape, terms)
        if q is QType.DATE:
            dates = [x for x in self._quantities(sentence) if _date_fits(x, shape)]
            if not dates:
                return None, None, 0.0
            exact = [x for x in dates if x.kind == "date"]
            d, _ = self._closest(sentence, exact or dates, terms)
            s0 = d.start
            lead = _DATE_LEAD.search(sentence[:s0])
            if lead:
                s0 = lead.start()
            return sentence[s0:d.end], (start + s0, start + d.end), 1.0
        if q in (QType.PERSON, QType.ROLE):
            if shape.author:
                if p.kind is ParagraphKind.BYLINE:
                    return p.text, (0, len(p.text)), 1.0
                return None, None, 0.0
            if p.kind is ParagraphKind.BYLINE and not p.states_fact:
                return None, None, 0.0
            everyone = self._people(sentence)
            people = [x for x in everyone if _role_fits(x.role, shape.role, shape.role_body)]
            if not people:
                if q is QType.PERSON and shape.role and not everyone:
                    # "Noble bổ nhiệm Robert Kintner làm chủ tịch": a name the Vietnamese patterns
                    # do not know, next to the post asked about (never when the sentence's known
                    # people hold other posts)
                    name = _proper_name(sentence, terms, self.index.ward_names)
                    if name and _near_role(sentence, name, shape.role):
                        return sentence[name[0]:name[1]], (start + name[0], start + name[1]), 0.6
                if q is QType.PERSON and not shape.role:
                    # "ai đứng ra phát động …?" is answered by a body as often as by a person
                    org = _organisation(sentence)
                    if org:
                        return sentence[org[0]:org[1]], (start + org[0], start + org[1]), 0.7
                    # a name the Vietnamese patterns do not know ("Jean Ribault", "Edison")
                    name = _proper_name(sentence, terms, self.index.ward_names)
                    if name:
                        return sentence[name[0]:name[1]], (start + name[0], start + name[1]), 0.6
                return None, None, 0.0
            person = max(people, key=lambda x: (x.role is not None, -x.span[0]))
            if q is QType.ROLE and person.role_span:
                a, b = person.role_span
            else:
                a, b = person.span
            return sentence[a:b], (start + a, start + b), 1.0 if (q is QType.PERSON or person.role) else 0.5
        if q is QType.LIST:
            listed = self._listed_fit(sentence, shape.listed)
            colon = sentence.find(":")
            if colon != -1 and colon < len(sentence) - 3:
                a = colon + 1
                while a < len(sentence) and sentence[a] == " ":
                    a += 1
                b = len(sentence.rstrip(" .…"))
                return sentence[a:b], (start + a, start + b), max(0.5, listed)
            items = _named_items(sentence, shape.listed) or _enumeration(sentence)
            if items:   # "Sở Tài chính, Sở Công Thương"; "hợp nhất từ phường A, B và xã C (cũ)"
                a, b = items
                return sentence[a:b], (start + a, start + b), max(0.5, listed)
            fit = 0.4 if sentence.count(",") + sentence.count(";") >= 2 else 0.0
            return None, None, max(fit, listed)
        if q is QType.NAME:
            found = _name_after(sentence, shape.named)
            if found:
                a, b = found
                return sentence[a:b], (start + a, start + b), 1.0
            if shape.named and _mentions(sentence, shape.named):
                # the thing is in the sentence but its name is written elsewhere in it
                # ("… đã chơi tại sân vận động StubHub Center")
                name = _proper_name(sentence, terms, self.index.ward_names)
                if name:
                    return sentence[name[0]:name[1]], (start + name[0], start + name[1]), 0.5
            return None, None, 0.0
        if q is QType.PLACE:
            found = self._place(sentence, terms, shape.ward_asked)
            if found:
                a, b, fit = found
                return sentence[a:b], (start + a, start + b), fit
            return None, None, 0.3
        if shape.listed and self._listed_fit(sentence, shape.listed) >= 0.6:
            # "Di tích nào ở Thanh Miếu?" of a sentence listing them: the items
            items = _named_items(sentence, shape.listed) or _enumeration(sentence)
            if items:
                a, b = items
                return sentence[a:b], (start + a, start + b), 0.5
        return None, None, 0.0

    def _place(self, sentence: str, terms: dict[str, float], ward_asked: bool = False) -> tuple[int, int, float] | None:
        """Where: the words after "tại"/"ở" (or "trên", "đến", "đi" … before a place noun or a
        name), never an occasion ("tại buổi làm việc") nor a place the question itself names;
        failing that, the wards the sentence names ("làm việc với … hai phường Bỉm Sơn, Quang Trung")."""
        best = None
        if ward_asked:   # "ở phường nào": a ward the question does not name already
            for m in _WARDS_NAMED.finditer(sentence):
                if not self._asked_already(m.group(0), terms):
                    return m.start(), m.end(), 1.0
            return None
        for m in _PLACE_LEAD.finditer(sentence):
            a = m.end()
            b = a + len(re.match(r"[^,;.:(]*", sentence[a:]).group(0).rstrip())
            cut = _PLACE_STOP.search(sentence, a, b)
            b = cut.start() if cut else b
            phrase = sentence[a:b]
            head = canonical_tones(phrase.lower())
            if not phrase or head.startswith(_OCCASIONS):
                continue
            strong = m.group(1).lower() in ("tại", "ở")
            place_like = head.startswith(_PLACE_NOUNS) or phrase[:1].isupper()
            if not strong and not place_like:
                continue
            if self._asked_already(phrase, terms):
                continue   # "ở phường Quang Trung": the question's own place, not its answer
            fit = (1.0 if strong else 0.8) + (0.1 if place_like else 0.0)
            if best is None or fit > best[2]:
                best = (a, b, min(fit, 1.0))
        if best is None:
            m = _WARDS_NAMED.search(sentence)
            if m and not self._asked_already(m.group(0), terms):
                return m.start(), m.end(), 0.6
        return best

    def _asked_already(self, phrase: str, terms: dict[str, float]) -> bool:
        """Every word of the phrase (bar "phường"/"xã"/"các"…) is the question's own."""
        own = [t for t in self._terms_for(phrase, terms) if "_" not in t and t not in _PLACE_PREFIX]
        return bool(terms) and bool(own) and all(t in terms for t in own)

    @staticmethod
    def _listed_fit(sentence: str, listed: str | None) -> float:
        """How plainly the sentence lists what was asked for: the noun repeated before each item
        ("Sở Tài chính, Sở Công Thương") or the noun followed by an enumeration ("lễ hội bơi
        chải, rước nước, giã bánh dày")."""
        if not listed:
            return 0.0
        if listed in _BODY_NOUNS and len(_ORG_HEAD.findall(sentence)) >= 2:
            return 1.0  # "những cơ quan nào": "UBND phường, Ban xây dựng Đảng"
        key = f" {re.sub(r'[^a-z0-9]+', ' ', match_key(sentence))} "
        n = key.count(f" {listed} ")
        if n >= 2:
            return 1.0
        if n == 1:
            # the items follow the noun: count the separators after it, not anywhere in the sentence
            after = key[key.find(f" {listed} "):]
            at = match_key(sentence).find(listed)
            tail = sentence[at:] if at >= 0 else sentence
            separators = tail.count(",") + tail.count(";") + len(re.findall(r"\svà\s", tail))
            return 0.9 if separators >= 2 and len(after) > 20 else 0.6 if separators == 1 else 0.4
        return 0.0

    def _number(self, text: str, start: int, sentence: str, shape: QuestionShape,
                terms: dict[str, float]) -> tuple[str | None, tuple[int, int] | None, float]:
        # a figure the question itself states ("đường Nam Bỉm Sơn 6") is not its answer
        asked = shape_numbers(terms)
        qs = [x for x in self._quantities(sentence) if _figure_of(x) not in asked and
              (_unit_fits(x, shape) or _counts_the_noun(sentence, x, shape))]
        if shape.ordinal:   # "đứng thứ mấy": a rank, not a figure
            ranks = list(_ORDINAL.finditer(sentence))
            if not ranks:
                return None, None, 0.0
            # each rank with the words up to the next one ("thứ hai theo lượng hành khách và thứ
            # ba theo lượng hành khách quốc tế")
            own = {m.start(): self._coverage(terms, self._terms_for(
                sentence[m.start():ranks[i + 1].start() if i + 1 < len(ranks) else len(sentence)], terms))
                for i, m in enumerate(ranks)}
            best = max(ranks, key=lambda m: (own[m.start()], -m.start()))
            cov = self._clause_coverage(sentence, best.start(), terms)
            return best.group(0), (start + best.start(), start + best.end()), 0.7 if cov >= 0.2 else 0.3
        if not qs:
            spelled = _spelled_count(sentence, shape)
            if spelled:   # "bao nhiêu lần" → "hai lần": a count written in words
                a, b = spelled
                return sentence[a:b], (start + a, start + b), 0.7
            return None, None, 0.0
        if shape.unit == "percent":
            terms = _subset(terms, lambda t: t not in _PERCENT_CUE_TERMS)
        x, clause_cov = self._closest(sentence, qs, terms)
        # "… năm 2025?" of "giảm từ 0,55% năm 2021 xuống còn 0,27% năm 2025": of the figures of
        # one clause, the one written for the year asked; none when all are for other years
        years = {t for t in asked if _YEAR.fullmatch(t)}
        same = [y for y in qs if _clause_of(sentence, y.start) == _clause_of(sentence, x.start)]
        tied = {y: _tied_year(sentence, y) for y in same}
        mine = [y for y in same if tied[y] in years]
        if mine:
            x = mine[0]
        elif years and len(same) > 1 and all(tied.values()):
            return x.text, (start + x.start, start + x.end), 0.0
        elif not shape.start_asked:
            # "giảm từ 0,56% xuống 0,35%": the figure reached, unless the start is asked for
            to = _CHANGE_TO.match(sentence, x.end)
            reached = [y for y in same if to and y.start >= to.end()]
            if reached:
                x = reached[0]
        # the figure must sit in a clause about what was asked, not merely in the same sentence;
        # a count of exactly the thing asked for ("mấy khâu đột phá" → "2 khâu đột phá") is about it
        fit = min(1.0, 0.4 + clause_cov) if clause_cov >= 0.3 else 0.0
        if fit and not self._phrase_near(sentence, x, terms):
            fit = 0.0
        if shape.unit == "count" and shape.counted and len(shape.counted.split()) >= 2 and \
                match_key(x.unit or "").startswith(shape.counted):
            fit = max(fit, 0.7)
        return x.text, (start + x.start, start + x.end), fit

    def _phrase_near(self, sentence: str, x: Quantity, terms: dict[str, float]) -> bool:
        """Whether the figure's clause (or the one before it) holds one of the question's
        two-syllable phrases, when it has any: "giá" alone in "đánh giá cao … hai phường" is not
        "giá đất"."""
        phrases = {t for t in terms if "_" in t and not any(p in ("phuong", "xa") for p in t.split("_"))}
        if not phrases:
            return True
        clauses = _clauses(sentence)
        for i, (a, b) in enumerate(clauses):
            if a <= x.start < b:
                lead = clauses[i - 1][0] if i > 0 else a
                return bool(phrases & self._terms_for(sentence[lead:b], terms))
        return True

    def _clause_coverage(self, sentence: str, at: int, terms: dict[str, float]) -> float:
        """Share of the question's terms in the clause around position ``at``."""
        for a, b in _clauses(sentence):
            if a <= at < b:
                return self._coverage(terms, self._terms_for(sentence[a:b], terms))
        return 0.0

    def _closest(self, sentence: str, quantities: list[Quantity], terms: dict[str, float]) -> tuple[Quantity, float]:
        """The quantity whose clause shares most of the question's terms (ward names aside)."""
        clauses = _clauses(sentence)
        content = _subset(terms, lambda t: not any(p in ("phuong", "xa") for p in t.split("_")))

        def clause_score(x: Quantity) -> tuple[float, int]:
            for i, (a, b) in enumerate(clauses):
                if a <= x.start < b:
                    own = self._coverage(content, self._terms_for(sentence[a:b], content))
                    # "Tích tụ, tập trung đất đai 152ha": the subject may sit one comma back
                    lead = clauses[i - 1][0] if i > 0 else a
                    joined = 0.9 * self._coverage(content, self._terms_for(sentence[lead:b], content))
                    return max(own, joined), -x.start
            return 0.0, -x.start

        best = max(quantities, key=clause_score)
        return best, clause_score(best)[0]


# words that put a place after them: "tại"/"ở" always; the others when a place noun or a name follows
_PLACE_LEAD = re.compile(r"(?<!\w)(tại|ở|trên|đến|tới|đi|về|vào)[ \t]+", re.IGNORECASE)
_PLACE_NOUNS = tuple(canonical_tones(w) + " " for w in (
    "phường", "xã", "khu", "đường", "quốc lộ", "tỉnh lộ", "cầu", "đê", "trang", "cổng", "nhà", "trụ sở", "thôn",
    "tổ dân phố", "huyện", "tỉnh", "thành phố", "thị xã", "thị trấn", "địa bàn", "vùng", "cụm", "tuyến", "phố",
    "chợ", "trường", "đền", "chùa", "đình", "sông", "hồ", "núi", "bến", "sân", "trung tâm", "hội trường",
    "các khu", "các phường", "các xã", "hai phường", "các tổ", "các thôn", "website", "ga", "cảng", "nơi"))
# an occasion or a time is not where: "tại buổi làm việc", "tại hội nghị", "vào năm 2025"
_OCCASIONS = tuple(canonical_tones(w) for w in (
    "buổi", "hội nghị", "đại hội", "cuộc", "lễ ", "dịp", "kỳ", "phiên", "thời", "giai đoạn", "quá trình",
    "năm", "ngày", "tháng", "quý", "nhiệm kỳ", "sáng", "chiều", "tối", "đây", "đó", "nay", "cuối", "đầu",
    "mức", "công tác", "việc", "nhu cầu", "mục tiêu", "cuộc sống"))
_PLACE_PREFIX = frozenset({"phuong", "xa", "hai", "ba", "cac", "va"})
# where a place phrase ends: a purpose or a new action
_PLACE_STOP = re.compile(r"\s(?:để|nhằm|nhưng|thì|và\s+(?:đã|sẽ|đang))\s", re.IGNORECASE)
_WARDS_NAMED = re.compile(r"(?:(?:hai|ba|các)\s+)?(?:[Pp]hường|[Xx]ã)\s+[A-ZĐ][^\W\d_]*(?:\s+[A-ZĐ][^\W\d_]*)*"
                          r"(?:(?:,\s*|\s+và\s+)(?:(?:[Pp]hường|[Xx]ã)\s+)?[A-ZĐ][^\W\d_]*(?:\s+[A-ZĐ][^\W\d_]*)*)*")


# words a list follows: "như A, B, C", "gồm A và B", "hợp nhất từ A, B và C"
_LIST_LEAD = re.compile(r"(?<!\w)(?:như|gồm có|bao gồm|gồm|từ|là)[ \t]+", re.IGNORECASE)
_LIST_END = re.compile(r"[;.…]")


def _named_items(sentence: str, listed: str | None) -> tuple[int, int] | None:
    """"Những sở nào": from the first "Sở …" to the end of the last, when the noun asked for
    opens at least two names ("Sở Tài chính, Sở Công Thương, Sở Khoa học và Công nghệ")."""
    if not listed:
        return None
    n = len(listed.split())
    words = list(re.finditer(r"[^\W\d_]+", sentence))
    starts = [words[i].start() for i in range(len(words) - n + 1)
              if words[i].group(0)[:1].isupper()
              and match_key(" ".join(w.group(0) for w in words[i:i + n])) == listed]
    if len(starts) < 2:
        return None
    end = re.search(r"[,;.]|$", sentence[starts[-1]:])
    b = starts[-1] + end.start()
    return starts[0], len(sentence[:b].rstrip(" ."))


def _enumeration(sentence: str) -> tuple[int, int] | None:
    """The span of a list of at least three short items (or two joined by "và") after a word
    that introduces one; it ends at the item after "và" or where the clause does."""
    for m in _LIST_LEAD.finditer(sentence):
        a = m.end()
        if re.match(r"(?:đó|đây|này|nay)\b", sentence[a:], re.IGNORECASE):
            continue   # "Từ đó, …" goes on, it lists nothing
        stop = _LIST_END.search(sentence, a)
        segment = sentence[a:stop.start() if stop else len(sentence)]
        last = re.search(r"\svà\s", segment)
        if last:
            after = segment.find(", ", last.end())
            segment = segment[:after] if after != -1 else segment
        items = [x for x in re.split(r",\s|\svà\s", segment) if x.strip()]
        if len(items) < (2 if last else 3) or any(len(x.split()) > 8 for x in items):
            continue
        segment = segment.rstrip(" ,")
        return a, a + len(segment)
    return None


_HOW_MANY = re.compile(r"\b(?:mấy|bao nhiêu|may|bao nhieu)\b", re.IGNORECASE)


def _year_parts(question: str) -> list[tuple[str, str]]:
    """"… năm 2021 và năm 2025?" -> [("2021", "… năm 2021?"), ("2025", "… năm 2025?")]: one
    question per year asked; empty when it names fewer than two (a range "2020-2025" is one
    period, not two years)."""
    text = nfc(question)
    if YEAR_RANGE.search(text):
        return []
    years = list(dict.fromkeys(SINGLE_YEAR.findall(text)))
    if len(years) < 2:
        return []
    parts = []
    for year in years:
        part = text
        for other in years:
            if other == year:
                continue
            # "A năm 2021 và năm 2025": the other year and the word joining it go
            joined = re.compile(rf"\s*(?:,|\bvà\b|\bva\b)\s*(?:năm\s+|nam\s+)?{other}")
            part = joined.sub("", part) if joined.search(part) else \
                re.sub(rf"(?:năm\s+|nam\s+)?{other}\s*(?:,|\bvà\b|\bva\b)\s*", "", part)
        parts.append((year, re.sub(r"\s+", " ", part).strip()))
    return parts


# where what is asked of both indicators begins: "… của Quang Trung?", "… năm 2025 là bao nhiêu?"
_SHARED_TAIL = re.compile(r"(?:^|\s)(?:của|cua|ở|o|tại|tai|trong|năm|nam|là|la|đạt|dat|đến|den|bao nhiêu|"
                          r"bao nhieu|mấy|may|hiện nay|hien nay)(?=\s|\?|$)|\s*\?|$")
# an indicator's head word(s), which "và" may leave unsaid before the second ("tỷ lệ hộ nghèo và hộ cận nghèo")
_INDICATOR_HEAD = re.compile(r"^(?:(?:cho biết|cho biet)\s+)?(tỷ lệ|ty le|tổng|tong|số|so|tốc độ|toc do|"
                             r"thu nhập|thu nhap|diện tích|dien tich|mức|muc)\b", re.IGNORECASE)


def _indicator_parts(question: str, ward_names: dict[str, str]) -> list[tuple[str, str]]:
    """"Thu nhập bình quân và tỷ lệ BHYT của Quang Trung?" -> [("Thu nhập bình quân", "Thu nhập
    bình quân của Quang Trung?"), ("tỷ lệ BHYT", "tỷ lệ BHYT của Quang Trung?")]: one question per
    indicator, sharing what is asked of both. Empty for one indicator, for wards or names joined
    by "và" ("Sở Khoa học và Công nghệ"), or when the second has no indicator to share."""
    text = nfc(question).strip()
    joins = list(re.finditer(r"\s(?:và|va)\s", text))
    if len(joins) != 1:
        return []
    left, right = text[:joins[0].start()].strip(" ,"), text[joins[0].end():]
    tail_at = _SHARED_TAIL.search(right)
    second, tail = right[:tail_at.start()].strip(" ,"), right[tail_at.start():].strip()
    # typed without "của": "… hộ cận nghèo thanh miếu" — the ward closing the second is shared too
    key = match_key(second)
    for ward in ward_names:
        if key.endswith(f" {ward}") and len(key) == len(second):
            cut = re.sub(r"(?:\s(?:phuong|xa))?\s*$", "", key[:-len(ward)].rstrip())
            second, tail = second[:len(cut)].strip(), f"{second[len(cut):].strip()} {tail}".strip()
            break
    if not second or not left or second[:1].isupper() or re.search(r"\d", second):
        return []
    if match_key(second) in ward_names:
        return []
    head = _INDICATOR_HEAD.match(left)
    if _INDICATOR_HEAD.match(second):
        second_asked = second
    elif head:
        second_asked = f"{head.group(1)} {second}"
    else:
        return []
    glue = " " if tail and tail[:1] != "?" else ""
    return [(left, f"{left}{glue}{tail}".strip()), (second_asked, f"{second_asked}{glue}{tail}".strip())]


def _count_parts(question: str) -> list[str]:
    """"A tập trung vào mấy X và mấy Y?" -> ["A tập trung vào mấy X", "A tập trung vào mấy Y?"]:
    one question per figure asked, sharing what comes before the first. Empty when the question
    asks for one figure."""
    text = nfc(question)
    cues = list(_HOW_MANY.finditer(text))
    if len(cues) < 2:
        return []
    prefix = text[:cues[0].start()]
    parts = []
    for i, m in enumerate(cues):
        end = cues[i + 1].start() if i + 1 < len(cues) else len(text)
        segment = text[m.start():end]
        # the next figure must follow "và" or a comma: "bao nhiêu người ... bao nhiêu phần trăm" is one
        if i + 1 < len(cues):
            tail = re.search(r"(?:,|\s(?:và|va|cùng)\s)\s*$", segment)
            if not tail:
                return []
            segment = segment[:tail.start()]
        parts.append((prefix + segment).strip())
    return parts


# ordinary words that open a sentence with a capital letter
_SENTENCE_OPENERS = frozenset("""ca cac nhung mot theo trong tai voi khi sau truoc tu den nhu do vi neu
nam ngay thang hien ngoai tuy va nhung con ong ba""".split())


def _proper_name(sentence: str, terms: dict[str, float], ward_names: dict[str, str]) -> tuple[int, int] | None:
    """The first run of capitalised words that the question does not already say, that is not a
    ward and not only titles ("Tổng thống", "Đảng ủy"); a lone word opening the sentence is
    just a capital letter."""
    words = list(_CAP_WORD.finditer(sentence))
    runs: list[tuple[int, int, int]] = []   # start, end, words
    i = 0
    while i < len(words):
        if not words[i].group(0)[:1].isupper():
            i += 1
            continue
        j = i + 1
        while j < len(words) and words[j].group(0)[:1].isupper() and \
                sentence[words[j - 1].end():words[j].start()] in (" ", "-", " - "):
            j += 1
        run = [w.group(0) for w in words[i:j]]
        if i == 0 and len(run) > 1 and match_key(run[0]) in _SENTENCE_OPENERS:
            run, i = run[1:], i + 1          # "Cả Tesla …": capitalised only to open the sentence
        run_words = [w for w in run if canonical_tones(w.lower()) not in _GENERIC_CAPITALISED]
        key = match_key(" ".join(run_words))
        asked = all(k in terms for k in key.split())
        if run_words and not asked and key not in ward_names and not (i == 0 and len(run) == 1):
            runs.append((words[i + run.index(run_words[0])].start(), words[j - 1].end(), len(run_words)))
        i = j
    # a full name ("Jean Ribault") before a lone capitalised word ("Tin lành")
    best = max(runs, key=lambda r: (min(r[2], 2), -r[0]), default=None)
    return (best[0], best[1]) if best else None


_NEAR_ROLE = 60  # characters between a name and the post it holds ("X, Phó Giám đốc …", "… làm chủ tịch")


def _near_role(sentence: str, name: tuple[int, int], role: str) -> bool:
    """The asked post (folded, "chu tich") is written within a few words of the name, and not as
    part of a deputy's post ("phó chủ tịch") unless a deputy was asked for."""
    key = match_key(sentence)
    for m in re.finditer(rf"\b{re.escape(role)}\b", key):
        if not role.startswith("pho ") and key[max(0, m.start() - 4):m.start()] == "pho ":
            continue
        gap = name[0] - m.end() if m.end() <= name[0] else m.start() - name[1]
        if gap <= _NEAR_ROLE:
            return True
    return False


def _mentions(sentence: str, noun: str) -> bool:
    """The noun is in the sentence: compared with its tone marks when it was typed with them."""
    if has_diacritics(noun):
        typed = " ".join(canonical_tones(w.group(0).lower()) for w in _CAP_WORD.finditer(sentence))
        return f" {noun} " in f" {typed} "
    return f" {noun} " in f" {' '.join(match_key(w.group(0)) for w in _CAP_WORD.finditer(sentence))} "


def _name_after(sentence: str, named: str | None) -> tuple[int, int] | None:
    """The span of "<named noun> <Capitalised Name>" in the sentence ("tuyến phố ẩm thực Tiên
    Dung"), or of the capitalised words after "mang tên"/"có tên"/"tên là"."""
    words = list(_CAP_WORD.finditer(sentence))
    folded = [match_key(w.group(0)) for w in words]
    typed = [canonical_tones(w.group(0).lower()) for w in words]

    def capitalised_run(i: int) -> int:
        j = i
        while j < len(words) and words[j].group(0)[:1].isupper():
            if j > i and sentence[words[j - 1].end():words[j].start()].strip() not in ("", "-"):
                break
            j += 1
        return j

    # the noun is compared as typed when it carries tone marks ("chợ" is not "cho")
    as_typed = bool(named) and has_diacritics(named)
    targets = [named.split()] if named else []
    targets += [["mang", "tên"], ["có", "tên"], ["tên", "là"], ["tên", "gọi", "là"]]
    for k, target in enumerate(targets):
        n = len(target)
        seq = typed if (k > 0 or as_typed) else folded
        for i in range(len(words) - n + 1):
            if seq[i:i + n] != target:
                continue
            j = capitalised_run(i + n)
            if j > i + n and not all(typed[x] in _GENERIC_CAPITALISED for x in range(i + n, j)):
                a = words[i].start() if k == 0 and named else words[i + n].start()
                return a, words[j - 1].end()
    # "thầy tâm linh được gọi là guru": a name need not be capitalised after a naming verb
    m = _CALLED.search(sentence)
    if m and (not named or _mentions(sentence[:m.start()], named)):
        return m.start(1), m.start(1) + len(m.group(1).rstrip(" .,;:"))
    return None


# "được gọi là guru", "có tên là chia thử": the name runs to the end of the clause (six words at most)
_CALLED = re.compile(r"(?:gọi|đặt tên)\s+là\s+((?:[^\W\d_][\w\-–.]*(?:\s+|(?=[,.;:()]|$))){1,6}?)(?=\s*[,.;:()]|\s*$)",
                     re.IGNORECASE)


# nouns a list of bodies is asked by ("những cơ quan nào", "đơn vị nào")
_BODY_NOUNS = frozenset({"co quan", "don vi", "to chuc", "ban nganh", "nganh", "ban", "so nganh", "doan the"})

# openings of a sentence that carries on the previous one's subject
# a sentence whose first words point back at the one before ("Trong bài viết của mình, ông …",
# "Hầu hết các trường này …"): it is about what that one named
_REFERS_BACK = re.compile(r"^(?:[^\s.;:]+\s+){0,5}?(?:ông|bà|họ|nó|chúng|này|ấy)\b", re.IGNORECASE)
# a paragraph opening like this goes on with the one before it
_GOES_ON = re.compile(r"(?:Cùng (?:tham gia|tham dự|dự|đi|làm việc)|Tham gia (?:đoàn|cùng)|Trong đó|Cụ thể|"
                      r"Bên cạnh đó|Ngoài ra|Đồng thời|Theo đó)\b")
_CONTINUES = re.compile(r"(?:Trong đó|Cụ thể|Đặc biệt|Đó là|Gồm|Bao gồm|Nhất là|Theo đó|Tức là|Trong số đó)\b")

_ORG_HEAD = re.compile(r"\b(?:Ủy ban|Uỷ ban|UBND|HĐND|Đảng ủy|Đảng uỷ|Đảng bộ|Chi bộ|Ban Thường vụ|Ban|Hội|Đoàn|Sở|Mặt trận)\b")
_ORG_LEVEL = re.compile(r"\s+(?:phường|xã|tỉnh)\b")
_ORG_TAIL = re.compile(r"\s+(?:(?:phường|xã|tỉnh)\s+)?([^\s,.;:]+)")


def _organisation(sentence: str) -> tuple[int, int] | None:
    """The first body named in the sentence ("Ủy ban MTTQ phường Đông Sơn"): a head word and
    the capitalised words (or "phường X") that follow it."""
    m = _ORG_HEAD.search(sentence)
    if not m:
        return None
    end = m.end()
    while True:
        t = _ORG_TAIL.match(sentence, end)
        party = t and t.group(1).lower() in ("ủy", "uỷ", "bộ") and sentence[:t.start(1)].rstrip().endswith("Đảng")
        if not t or not (t.group(1)[:1].isupper() or party):
            # "Đảng bộ phường cam kết …": the body of the ward the article is about
            level = _ORG_LEVEL.match(sentence, end)
            if level:
                end = level.end()
            break
        end = t.end()
    return (m.start(), end) if end > m.end() else None


def _figure_of(x: Quantity) -> str:
    """The digits of a quantity as a question would write them ("99" of "trên 99%")."""
    m = re.search(r"\d+(?:[.,]\d+)*", x.text)
    return m.group(0) if m else x.text


_YEAR = re.compile(r"(?:19|20)\d\d")
_YEAR_AFTER = re.compile(r"[ \t]*(?:\((?:năm[ \t]+)?|(?:vào[ \t]+|trong[ \t]+)?năm[ \t]+)?((?:19|20)\d\d)(?!\d)", re.IGNORECASE)


# "từ A (năm 2021) xuống (còn) B": A is where a change started; B where it got to
_CHANGE_TO = re.compile(r"[ \t]*(?:\(?(?:năm[ \t]+)?(?:19|20)\d\d\)?[ \t]*)?,?[ \t]*(?:xuống|lên|giảm|tăng)"
                        r"(?:[ \t]+(?:còn|đến|tới|lên))?[ \t]*", re.IGNORECASE)


def _clause_of(sentence: str, at: int) -> int:
    return next((i for i, (a, b) in enumerate(_clauses(sentence)) if a <= at < b), -1)


def _tied_year(sentence: str, x: Quantity) -> str | None:
    """The year written right after a figure ("0,27% năm 2025", "438,608 tỷ đồng (năm 2025)")."""
    m = _YEAR_AFTER.match(sentence, x.end)
    return m.group(1) if m else None


def shape_numbers(terms: dict[str, float]) -> set[str]:
    """The figures written in the question (its digit terms)."""
    return {t for t in terms if t[:1].isdigit()}


def _date_fits(x: Quantity, shape: QuestionShape) -> bool:
    """"Ngày nào" wants a day; "năm nào" a year; "khi nào" a day, month, quarter or year, but
    never a span like a term of office ("2025-2030")."""
    if x.kind == "date":
        return True
    if x.kind not in ("period", "year") or x.upper is not None or x.qualifier == "range":
        return False
    return shape.when != "day"


def _role_fits(role: str | None, asked: str | None, body: str | None = None) -> bool:
    """The question's role ("bí thư") must be the person's role, not a deputy's ("phó bí thư")."""
    if not asked:
        return True
    if not role:
        return False
    # one person may hold several posts: "Bí thư Đảng ủy, Chủ tịch HĐND phường"; the one asked
    # must be of the body asked about, when the question and the post both name one
    for post in re.split(r",|;|\bkiem\b", re.sub(r"[^\w,;]+", " ", match_key(role))):
        post = post.strip()
        if post.startswith(asked):
            written = role_body(post, asked)
            if body is None or written is None or written == body:
                return True
    return False


def _clauses(sentence: str) -> list[tuple[int, int]]:
    out, last = [], 0
    for m in _CLAUSE_SPLIT.finditer(sentence):
        out.append((last, m.start()))
        last = m.end()
    out.append((last, len(sentence)))
    return out


def _counts_the_noun(sentence: str, x: Quantity, shape: QuestionShape) -> bool:
    """"bao nhiêu bác sĩ" is answered by "10 phần trăm bác sĩ" and "bao nhiêu cổ phần" by "230
    triệu USD cổ phần": any figure the counted noun directly follows (or directly precedes)."""
    if not shape.counted or x.kind in ("date", "period", "year"):
        return False
    after = match_key(sentence[x.end:x.end + 40]).lstrip(" ,")
    before = match_key(sentence[max(0, x.start - 40):x.start]).rstrip()
    # or right before it, as in "ở tuổi 39", "lần thứ 2"
    return f"{after} ".startswith(shape.counted + " ") or f" {before}".endswith(" " + shape.counted)


_SPELLED_NUMBER = re.compile(r"(?<!\w)(?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)(?=[ \t]+\w)", re.IGNORECASE)


_ORDINAL = re.compile(r"(?<!\w)(?:(?:lần|khóa|khoá|kỳ|đợt|hạng)[ \t]+)?thứ[ \t]+(?:nhất|nhì|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười|\d+|(?-i:[IVXL]+))(?!\w)",
                      re.IGNORECASE)   # "lần thứ I": congresses are numbered in Roman figures


def _spelled_count(sentence: str, shape: QuestionShape) -> tuple[int, int] | None:
    """A number written in words directly before the counted noun ("giành được cúp hai lần"), or
    directly after it ("giải Grammy sáu lần")."""
    if not shape.counted:
        return None
    n = len(shape.counted.split())
    for m in _SPELLED_NUMBER.finditer(sentence):
        noun = re.match(rf"(?:[ \t]+[^\W\d_]+){{{n}}}", sentence[m.end():])
        if noun and match_key(noun.group(0)).split() == shape.counted.split():
            return m.start(), m.end() + noun.end()
        before = re.search(rf"(?:[^\W\d_]+[ \t]+){{{n}}}$", sentence[:m.start()])
        # after its noun "năm" is a year ("đến năm 2030") and "một" an article far more often
        if before and m.group(0).lower() not in ("năm", "một") and \
                match_key(before.group(0)).split() == shape.counted.split():
            return m.start(), m.end()
    return None


def _unit_fits(x: Quantity, shape: QuestionShape) -> bool:
    kind = x.kind
    if kind in ("date", "period", "year") and shape.unit != "count":
        return False
    if shape.unit == "percent":
        return kind == "percent" or kind == "fraction"
    if shape.unit is None and shape.counted and shape.counted.split()[0] in _MEASURE_UNITS:
        return kind != "percent" and match_key(x.unit or "").startswith(shape.counted.split()[0])
    if kind == "percent":
        return shape.unit in (None, "level")
    if shape.unit == "money":
        return kind == "money"
    if shape.unit == "area":
        return kind == "area"
    if shape.unit == "count":
        first = shape.counted.split()[0] if shape.counted else ""
        if kind in ("period", "year") and first == "nam":
            return bool(re.fullmatch(r"\d+ năm", x.text))
        if kind == "fraction":
            return True
        if kind != "count" or not shape.counted:
            # "dân số … là bao nhiêu?": a bare figure is a count when no noun was asked for
            return kind == "count" or (kind == "number" and not shape.counted)
        return match_key(x.unit or "").startswith(first)
    return kind in ("count", "number", "money", "area", "fraction")


# the words that ask for articles, not what they are about
_ARTICLE_WORDS = re.compile(r"(?i)\b(?:những|các|có|bài viết|bài báo|tin bài|bài|nào|nói về|viết về|đề cập|nhắc tới|"
                            r"nhắc đến|về|đăng|ngày|khi nào|lúc nào|bao giờ|nhung|cac|co|bai viet|bai bao|tin bai|"
                            r"bai|nao|noi ve|viet ve|de cap|nhac toi|nhac den|ve|dang|ngay|khi nao|luc nao|bao gio)\b")


def _article_line(p: Paragraph, published: bool) -> str:
    """"bài “<title>” (ngày 17/9/2025)" — or the date first, when that is what was asked."""
    title = f"bài “{p.title}”"
    if p.date is None:
        return f"{title} (bài không ghi ngày đăng)" if published else title
    day = written_date(p.date)
    return f"ngày {day}: {title}" if published else f"{title} (ngày {day})"


def _subset(terms: dict[str, float], keep: Callable[[str], bool]) -> dict[str, float]:
    """The terms ``keep`` accepts, still knowing how the question was typed."""
    return QueryTerms({t: w for t, w in terms.items() if keep(t)}, getattr(terms, "typed", frozenset()))


def _drop_other_wards(question: str, keep: str | None, wards: list[str]) -> str:
    """The question asked about one ward only: other wards' names are cut out (all of them
    when ``keep`` is None)."""
    key = match_key(question)
    spans = []
    for w in wards:
        if w == keep:
            continue
        k = ward_key(w)
        for m in re.finditer(r"(?:(?:phuong|xa)\s+)?" + re.escape(k), key):
            spans.append((m.start(), m.end()))
    out = question
    for a, b in sorted(_outermost(spans), reverse=True):
        out = out[:a] + out[b:]
    return out


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans without repeats or overlaps (the same ward may be listed twice)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(set(spans)):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _with_part(pick: Pick, part: str) -> Pick:
    return Pick(pick.paragraph, pick.row, pick.sentence_span, pick.short, pick.short_span, pick.score,
                pick.support, part)


def _dedupe(picks: list[Pick]) -> list[Pick]:
    seen, out = set(), []
    for p in picks:
        key = (p.paragraph.key, p.sentence_span, p.short_span)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
