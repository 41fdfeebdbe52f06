"""What kind of answer a question wants, from its (folded) wording.

Works on the diacritic-folded question so "bao nhieu" and "bao nhiêu" are the same cue.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from ingest.text import canonical_tones, has_diacritics, match_key, spellings


class QType(str, Enum):
    NUMBER = "number"      # bao nhiêu / mấy / tỷ lệ ... → the number with its unit
    PERSON = "person"      # ai / người nào / đồng chí nào → the person and role
    ROLE = "role"          # giữ chức gì / chức vụ → the role
    DATE = "date"          # khi nào / ngày nào / năm nào → the date
    LIST = "list"          # những ... nào / gồm những gì → every item
    PLACE = "place"        # ở đâu → the place
    NAME = "name"          # (tuyến phố, dự án …) tên là gì / mang tên gì → the thing's proper name
    ARTICLE = "article"    # bài viết nào … / bài … đăng ngày nào → the articles themselves (title, date)
    OTHER = "other"        # anything else: the supporting sentence


@dataclass(frozen=True)
class QuestionShape:
    qtype: QType
    unit: str | None        # "percent" | "money" | "area" | "count" | "level" | None: the unit a figure must have
    counted: str | None     # folded noun after "bao nhiêu"/"mấy" ("doanh nghiep"), for "220 doanh nghiệp"
    role: str | None = None # folded role the question names ("bi thu", "pho chu tich"), for people
    author: bool = False    # asks who wrote the article
    when: str | None = None # "day" for "ngày nào"; None for any date
    listed: str | None = None  # folded noun of a list question ("so" in "những sở nào")
    named: str | None = None   # noun whose name is asked, lower case as typed ("tuyến phố ẩm thực")
    ordinal: bool = False      # a rank is asked ("đứng thứ mấy"), answered by "thứ ba"
    role_body: str | None = None  # the body the asked post belongs to ("ubnd" in "Chủ tịch UBND")
    ward_asked: bool = False   # the place asked for is a ward ("ở phường nào", "thuộc phường nào")
    start_asked: bool = False  # the value a change started from ("giảm từ bao nhiêu", "ban đầu")


def _has(folded: str, *cues: str) -> bool:
    padded = f" {folded} "
    return any(f" {c} " in padded for c in cues)


_NUMBER_CUES = ("bao nhieu", "may", "ty le", "muc", "so luong", "thu nhap", "toc do", "dien tich",
                "tong von", "tong thu", "tang truong")
_NUMBER_WORDS = ("bao nhieu", "may")
# another question word: an indicator named in the question ("thu nhập", "mục tiêu", "tốc độ") is
# then the topic, not the figure asked for ("Dạng oxi nào … số lượng lớn hơn", "Mục tiêu … là gì?")
_OTHER_ASKED = re.compile(r"\b\w+ nao\b|\b(?:gi|ai|sao)\b")
# "phường nào có thu nhập cao hơn?": the places' figures, compared, are what answers it
_COMPARES = re.compile(r"\b(?:phuong|xa|dia phuong|don vi|noi|ben|tinh|thanh pho)\s+nao\b.*"
                       r"\b(?:cao|thap|nhieu|it|lon|nho)\s+hon\b")
_A_COUNT = re.compile(r"so (?!sanh|voi)\w")  # "Số hộ nghèo của phường …?": a number of things
_LEVEL_ASKED = re.compile(r"\bmuc(?: do)? nao\b")  # "đạt mức nào": the figure itself
_PERSON_CUES = ("ai", "ten la gi", "nguoi nao", "dong chi nao", "nhung ai", "ong nao", "ba nao", "ten la gi", "ho ten")
_ROLE_CUES = ("chuc gi", "chuc vu", "chuc danh", "giu chuc", "cuong vi", "la chuc")
# "vai trò gì" is a person's post only when a person is asked about ("ông ấy giữ vai trò gì"); a
# place's or a body's role ("Thanh Miếu muốn giữ vai trò gì đối với tỉnh") is an ordinary answer
_PERSON_WORDS = ("ong", "ba", "dong chi", "nguoi", "anh", "chi", "ong ay", "ba ay")
_DATE_CUES = ("khi nao", "ngay nao", "nam nao", "thang nao", "luc nao", "bao gio", "thoi gian nao",
              "thoi diem nao", "quy nao", "ngay bao nhieu", "hom nao", "dip nao")
_LIST_CUES = ("nhung gi", "gom nhung", "bao gom nhung", "nhung nao", "ke ten", "liet ke", "cac nao",
              "gom gi", "nhung don vi", "nhung phuong", "nhung nhiem vu", "nhung du an", "nhung linh vuc",
              "nhung san pham", "nhung nganh", "nhung chi tieu", "nhung khau", "cac khau", "cac du an nao",
              "cac nhiem vu nao", "tu nhung", "tu dau", "hop nhat tu", "sap nhap tu", "gom cac")
# "ở phường nào", "thuộc xã nào", "nhập vào phường nào": a ward is the answer ("phường nào có
# thu nhập cao hơn" asks for a figure and is not matched)
_WARD_ASKED = re.compile(r"\b(?:o|tai|thuoc|vao|ve|cua)\s+(?:phuong|xa)\s+nao\b")
_ARTICLE_NOUN = r"(?:bai viet|bai bao|bai|tin bai)"
_PUBLISHED = re.compile(r"\b(?:dang|xuat ban|phat hanh)\s+(?:vao\s+)?(?:ngay nao|khi nao|luc nao|bao gio|nam nao|thang nao)|"
                        r"\bngay dang\b")
_ARTICLE_ASKED = re.compile(rf"\b(?:{_ARTICLE_NOUN}\s+nao|(?:nhung|cac|co bao nhieu)\s+{_ARTICLE_NOUN}\b)|"
                            rf"^\W*{_ARTICLE_NOUN}\b.*?(?:{_PUBLISHED.pattern})")
_WORK_WRITTEN = re.compile(r"\bviet\s+(?:(?:bai|ban|cuon|tac pham|quyen)\s+)?(?:tho|hat|ca|sach|truyen|tieu thuyet|"
                           r"kich|nhac|luan van|luan an|hien phap|tac pham)\b")
_PLACE_CUES = ("o dau", "tai dau", "noi nao", "dia diem nao", "cho nao", "dia ban nao", "khu vuc nao",
               "di toi dau", "di den dau", "di dau", "noi voi dau", "noi toi dau", "noi den dau")
_PERCENT_CUES = ("ty le", "phan tram", "%", "bao nhieu phan tram", "toc do", "ty trong", "chiem", "tang truong")
_MONEY_CUES = ("bao nhieu tien", "kinh phi", "von", "ngan sach", "thu nhap", "tong thu", "ty dong",
               "trieu dong", "gia tri", "dau tu")
_AREA_CUES = ("dien tich", "bao nhieu ha", "hecta", "hec ta", "ha dat", "quy mo", "rong bao nhieu", "m2",
              "met vuong", "km2")

# longest first, so "pho bi thu" wins over "bi thu"
_ROLES = ("pho chu tich", "pho bi thu", "pho giam doc", "chu tich", "bi thu", "giam doc", "truong ban")
_COUNTED = re.compile(r"\b(?:bao nhieu|may)\s+([a-z]+(?:\s+[a-z]+)?)")
_LISTED = re.compile(r"\b(?:nhung|cac)\s+((?:\w+\s+){0,5}?\w+)\s+(?:nao|gi)\b")
_NAME_ASKED = re.compile(r"\b(?:ten la gi|ten gi|co ten la gi|mang ten gi|ten goi la gi|ten goi gi|ten cua)\b")
# the noun before "tên" ends where the question names a place or an owner
_NAMED_ENDS = {"o", "tai", "cua", "thuoc", "co", "mang", "duoc", "nay", "phuong", "xa", "ten", "la", "hien",
               "da", "ma", "trong", "voi", "khi", "vao", "de", "dang", "se"}
_NAMED_LEAD = ("cho biet ", "xin hoi ", "hoi ")
_PERSON_NOUNS = {"ong", "ba", "nguoi", "dong chi", "anh", "chi", "tac gia", "lanh dao", "can bo", "bi thu",
                 "chu tich", "giam doc"}
# "loại dự án nào", "các hình thức nào": a kind of thing is asked for, often several
_KIND_OF = re.compile(r"\b(?:loai hinh|loai|hinh thuc|nhom|linh vuc)\s+((?:\w+\s+){0,2}?\w+)\s+nao\b")
# "hai khâu đột phá … là gì": a number of items, then what they are ("năm" is also "year": left out)
_N_ITEMS = re.compile(r"\b(?:hai|ba|bon|sau|bay|tam|chin|muoi|[2-9]|1\d)\s+([a-z]+(?:\s+[a-z]+){0,2})\b.*\b(?:la gi|la nhung gi|gom gi)\b")
# "Di tích nào ở Thanh Miếu?", "Sở nào tham gia …?": a noun and "nào" opening the question ask
# which ones (not "phường nào" — a ward —, "năm nào", "lúc nào" … asked elsewhere)
_WHICH_FIRST = re.compile(r"^(\w+(?:\s+\w+)?)\s+nao\b")
_NOT_WHICH = {"phuong", "xa", "nam", "ngay", "thang", "luc", "khi", "bao", "noi", "cho", "dia", "ai", "gi", "the",
              "ra", "vi", "tai", "o", "hom", "quy", "thoi", "dip", "khu", "muc", "con"}
_CLASSIFIERS = {"cai", "con", "chiec", "loai", "cac", "nhung"}
_NOT_LISTED = {"gi", "ai", "noi dung", "viec", "dieu"}
_NOT_NOUNS = {"phan", "la", "nam", "thi", "con", "va", "duoc", "da", "se", "o", "tai", "khi", "trong",
              "cua", "de", "vao", "cho", "voi", "nay", "do", "nua", "roi", "ve", "tu", "so", "den", "toi",
              "khoang"}


# question words, and where a word typed with other tone marks would pass for one: "máy móc"
# (machines) anywhere for "mấy"; "chủ lực" (main) before "nào" for "lúc nào"; "ở đầu" (at the
# head of) for "ở đâu" — only there, so "đầu tư" stays "dau tu"
_QUESTION_WORDS = {"may": ("mấy", None, None), "luc": ("lúc", None, "nao"), "dau": ("đâu", ("o", "tai", "tu"), None)}


_NOT_NOUNS_TYPED = frozenset(canonical_tones(w) for w in """phần là năm thì còn và được đã sẽ ở tại khi trong của
để vào cho với này đó nữa rồi về từ số đến tới khoảng con""".split())


def _folded(question: str) -> str:
    """The question folded, except that a word typed with tone marks that folds onto a question
    word, where that word would be read, but is not it cannot pass for the question word."""
    if has_diacritics(question):
        words = list(re.finditer(r"[^\W\d_]+", question))
        keys = [match_key(w.group(0)) for w in words]
        out, last = [], 0
        for i, (w, key) in enumerate(zip(words, keys)):
            rule = _QUESTION_WORDS.get(key)
            if rule is None or canonical_tones(w.group(0).lower()) == rule[0]:
                continue
            _, before, after = rule
            if (before is None or (i > 0 and keys[i - 1] in before)) and \
                    (after is None or (i + 1 < len(keys) and keys[i + 1] == after)):
                out.append(question[last:w.start()] + f"{key}x")
                last = w.end()
        question = "".join(out) + question[last:]
    return re.sub(r"[^\w%]+", " ", match_key(question)).strip()


def question_shape(question: str) -> QuestionShape:
    folded = _folded(question)
    counted = None
    m = _COUNTED.search(folded)
    if m:
        words = m.group(1).split()
        if words[:2] == ["phan", "tram"]:   # "bao nhiêu phần trăm" asks for a share, not a count
            words = []
        # "bao nhiêu năm quan hệ": years are counted; otherwise skip words that are no noun
        # ("trạm y tế" is counted: only "phần trăm" is a share)
        # typed with marks, "tứ giác" is a noun although "tu" folded is also "từ"
        typed = spellings(question) if has_diacritics(question) else {}
        words = words[:1] if words[:1] == ["nam"] else [
            w for w in words if w not in _NOT_NOUNS or (typed.get(w) and not typed[w] & _NOT_NOUNS_TYPED)]
        # "bao nhiêu một người một năm" asks for a rate, not for a count of people
        counted = None if words[:1] in (["mot"], ["moi"]) else (" ".join(words) or None)
    # "những ngành sản xuất chủ lực nào" typed without marks ends in "luc nao" (when): after
    # "những …" it closes the list instead
    # "Bài viết nào nói về Đông Sơn?", "Bài về Nông Trang đăng ngày nào?": the articles themselves
    if _ARTICLE_ASKED.search(folded) and not _has(folded, "ai", "do ai", "tac gia"):
        return QuestionShape(QType.ARTICLE, None, None, when="published" if _PUBLISHED.search(folded) else None)
    dated = _has(folded, *(c for c in _DATE_CUES if c != "luc nao")) or (
        _has(folded, "luc nao") and not re.search(r"\bnhung\b.*\bluc nao\b", folded))
    if dated:
        return QuestionShape(QType.DATE, None, None, when="day" if _has(folded, "ngay nao", "hom nao") else None)
    # who wrote the article — not who wrote a poem, a book or a song ("ai đã viết bài thơ …")
    author = not _WORK_WRITTEN.search(folded) and (
        _has(folded, "ai viet", "tac gia", "viet bai", "nguoi viet", "but danh") or (
            _has(folded, "bai viet", "bai bao") and _has(folded, "ai", "do ai")))
    role = next((r for r in _ROLES if _has(folded, r)), None)
    if _has(folded, *_ROLE_CUES) or (_has(folded, "vai tro gi") and _has(folded, *_PERSON_WORDS)):
        return QuestionShape(QType.ROLE, None, None, None, author)
    if _has(folded, *_PLACE_CUES):
        return QuestionShape(QType.PLACE, None, None)
    if _WARD_ASKED.search(folded):
        return QuestionShape(QType.PLACE, None, None, ward_asked=True)
    kind = _KIND_OF.search(folded)
    which = _WHICH_FIRST.match(folded)
    if which and (which.group(1).split()[0] in _NOT_WHICH or which.group(1) in _NOT_LISTED):
        which = None
    if _has(folded, *_LIST_CUES) or re.search(r"\bnhung\b(?:\s+\w+){1,6}\s+nao\b", folded) or kind:
        m = _LISTED.search(folded)
        words = m.group(1).split() if m else (kind.group(1).split() if kind else [])
        while words and words[0] in _CLASSIFIERS:   # "những cái “rõ” nào": the noun is "rõ"
            words = words[1:]
        listed = " ".join(words[:2]) or None
        return QuestionShape(QType.LIST, None, None, listed=listed if listed not in _NOT_LISTED else None)
    if which and not _has(folded, *_PERSON_CUES):
        # one or several: the items are the short answer when the sentence lists the noun
        # asked for, and a sentence without a list still answers
        return QuestionShape(QType.OTHER, None, None, listed=which.group(1))
    asked = _NAME_ASKED.search(folded)
    if asked and not role and not author and not _has(folded, "ai"):
        named = _named_noun(folded[:asked.start()])
        if named is None and asked.group(0) == "ten cua":   # "tên của tuyến phố … là gì"
            named = _named_noun(folded[asked.end():])
        named = _as_typed(question, folded, named)
        if named and not any(f"{match_key(named)} ".startswith(p + " ") for p in _PERSON_NOUNS):
            return QuestionShape(QType.NAME, None, None, named=named)
    if _has(folded, *_PERSON_CUES) or author or (role and _has(folded, "ten la gi", "la ai", "ten gi")):
        return QuestionShape(QType.PERSON, None, None, role, author, role_body=role_body(folded, role))
    # a figure written in the question ("… BHYT 99%?") is asked about, not asked for, when
    # another question word says what is wanted ("Phường nào …")
    if _has(folded, *_NUMBER_WORDS) or (
            (_has(folded, *_NUMBER_CUES) or "%" in folded or _A_COUNT.match(folded))
            and (not _OTHER_ASKED.search(_LEVEL_ASKED.sub(" ", folded)) or _COMPARES.search(folded))):
        if _has(folded, "thu may", "thu bao nhieu", "hang thu may", "hang may"):
            return QuestionShape(QType.NUMBER, None, None, ordinal=True)
        unit = None
        if _has(folded, *_PERCENT_CUES) or "%" in folded:
            unit = "percent"
        elif counted and not _has(counted, "ty", "trieu", "tien", "dong", "ha", "hec", "hecta", "hec ta", "m2", "km",
                                  "km2", "m", "tan", "kg", "lit"):   # "bao nhiêu tấn" is a measure, not a count
            unit = "count"
        elif _has(folded, "dan so", "so luong", "so dan", "so nguoi", "so ho") or _A_COUNT.match(folded):
            unit = "count"  # a population or a number of things is a count, never a percentage
        elif _has(folded, *_AREA_CUES):
            unit = "area"
        elif _has(folded, *_MONEY_CUES):
            unit = "money"
        elif _has(folded, "muc nao", "o muc", "toi muc", "muc bao nhieu", "muc do nao", "chi tieu"):
            unit = "level"  # "đạt tới mức nào": a percentage is as good an answer as a count
        start_asked = _has(folded, "tu bao nhieu", "tu muc nao", "ban dau", "luc dau", "truoc day", "khoi diem")
        return QuestionShape(QType.NUMBER, unit, counted, start_asked=start_asked)
    counted_items = _N_ITEMS.search(folded)
    if counted_items and counted_items.group(1).split()[0] not in _NOT_NOUNS:
        # "Hai khâu đột phá của phường … là gì?": as many items as the question says
        return QuestionShape(QType.LIST, None, None, listed=" ".join(counted_items.group(1).split()[:2]))
    return QuestionShape(QType.OTHER, None, None)


# the bodies a post belongs to, full names folded onto their abbreviations
_BODIES = (("uy ban nhan dan", "ubnd"), ("hoi dong nhan dan", "hdnd"), ("uy ban mat tran to quoc", "mttq"),
           ("uy ban mttq", "mttq"), ("mat tran to quoc", "mttq"), ("ubnd", "ubnd"), ("hdnd", "hdnd"),
           ("mttq", "mttq"), ("dang uy", "dang uy"), ("tinh uy", "tinh uy"))


def role_body(folded: str, role: str | None) -> str | None:
    """The body written right after the post in ``folded`` text ("chu tich hdnd phuong …" →
    "hdnd"), so a Chủ tịch HĐND is not taken for the Chủ tịch UBND asked about."""
    if not role:
        return None
    m = re.search(rf"\b{re.escape(role)}\s+(.*)", folded)
    if not m:
        return None
    rest = m.group(1)
    return next((abbr for full, abbr in _BODIES if rest.startswith(full)), None)


def _named_noun(before: str) -> str | None:
    """"tuyen pho am thuc o phuong thanh mieu" -> "tuyen pho am thuc" (at most four words)."""
    for lead in _NAMED_LEAD:
        if before.startswith(lead):
            before = before[len(lead):]
    words = []
    for w in before.split():
        if w in _NAMED_ENDS or w[:1].isdigit():
            break
        words.append(w)
    return " ".join(words[:4]) or None


def _as_typed(question: str, folded: str, words: str | None) -> str | None:
    """The folded ``words`` as the question typed them (tone marks kept: "chợ" is not "cho")."""
    if not words:
        return None
    typed = re.sub(r"[^\w%]+", " ", canonical_tones(question).lower()).split()
    keys = folded.split()
    n = len(words.split())
    if len(typed) == len(keys):
        for i in range(len(keys) - n + 1):
            if " ".join(keys[i:i + n]) == words:
                return " ".join(typed[i:i + n])
    return words
