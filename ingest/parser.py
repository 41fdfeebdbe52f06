"""Split an article's text into typed paragraphs with exact offsets, and find its wards.

Seed format: the first non-blank line is `` date YYYY-MM-DD <title>`` or just the title; the
body is blocks separated by blank lines. Every non-empty block after the title is numbered
1, 2, ... (captions and the byline included) so "đoạn 7" can be found by counting blocks.

Block kinds are decided by general heuristics about how Vietnamese news is laid out, not by
lists of known strings:

* BYLINE: the last block, short, made of capitalised names ("Quốc Hương",
  "Mạnh Cường- Hương Giang", "Thu Hương (CTV)"), optionally followed by a role after a dash
  ("Phạm Xuân Hiệp - Bí thư Đảng ủy, ..."). With a role it states a fact.
* HEADING: a short line without final punctuation that is not the last block.
* CAPTION: a short single sentence that reads like a photo description: no clause
  separators (";" ":" quotes), no tense or modal markers ("đã", "đang", "sẽ", "cần", "là"),
  not opening with a discourse connective ("Với", "Theo đó", "Tuy nhiên", ...); or any short
  block that is repeated verbatim elsewhere in the article. It states a fact when it names a
  person together with a role, or when it says much the body does not ("HĐND phường giám sát …
  tại nhà văn hóa tổ dân phố 1 Bắc Sơn để sắp xếp lại tổ dân phố sau sáp nhập."), unlike
  "Quang cảnh buổi làm việc tại phường Bỉm Sơn.".
* BODY: everything else.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

from ingest.decode import IngestError
from ingest.models import Article, Paragraph, ParagraphKind
from ingest.text import match_key, nfc, normalize_for_match, split_sentences, syllables

__all__ = ["parse_article", "article_from_blocks", "extract_wards"]

_DATE_PREFIX = re.compile(r"^\s*date\s+(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+|$)", re.IGNORECASE)

HEADING_MAX_CHARS = 100
HEADING_MAX_WORDS = 15
# bump when the split into paragraphs or their kinds change, so indexes built before are rebuilt
PARSER_VERSION = "2"
CAPTION_MAX_CHARS = 200
# a caption with at least this many syllable pairs found nowhere in the body tells its own facts
CAPTION_NEW_PAIRS = 12
CAPTION_MAX_WORDS = 45
BYLINE_MAX_CHARS = 160
REPEAT_MAX_CHARS = 300

# --- blocks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    text: str


def _lines(text: str, pos: int) -> list[tuple[int, int]]:
    """(start, end) of each line from ``pos``, newline excluded."""
    out = []
    while pos <= len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        out.append((pos, end))
        if nl < 0:
            break
        pos = nl + 1
    return out


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _blocks(text: str, pos: int) -> list[_Block]:
    """Runs of non-blank lines from ``pos``, trimmed of surrounding white space."""
    blocks: list[_Block] = []
    run: list[tuple[int, int]] = []

    def flush() -> None:
        if run:
            s, e = _trimmed(text, run[0][0], run[-1][1])
            blocks.append(_Block(s, e, text[s:e]))
            run.clear()

    for start, end in _lines(text, pos):
        if text[start:end].strip():
            run.append((start, end))
        else:
            flush()
    flush()
    return blocks


def _title_and_date(line: str) -> tuple[str, dt.date | None]:
    m = _DATE_PREFIX.match(line)
    if not m:
        return line.strip(), None
    try:
        date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        date = None
    return line[m.end():].strip(), date


# --- block kinds ------------------------------------------------------------------------------

_FINAL_PUNCT = tuple(".!?…:;,")
_CLAUSE_MARKS = re.compile(r"[;:“”\"]")
# tense, aspect and modal markers and the copula: narrative or argument, not a photo description
_NARRATIVE_WORDS = frozenset({"đã", "đang", "sẽ", "vừa", "cần", "là"})
_CONNECTIVES_1 = frozenset({
    "với", "theo", "tuy", "để", "nhằm", "qua", "do", "vì", "nhờ", "nếu", "khi", "bởi", "cùng",
    "việc", "song", "nhưng", "còn", "thế",
})
_CONNECTIVES_2 = frozenset({
    "đồng thời", "sau khi", "trước khi", "tuy nhiên", "hiện nay", "ngoài ra", "bên cạnh",
    "mặc dù", "như vậy", "cụ thể", "đặc biệt", "nhìn chung", "tiếp đó", "sau đó", "trong đó",
    "theo đó", "kết quả", "nhờ đó", "từ đó", "do đó", "vì vậy", "bởi vậy", "trong khi",
    "mặt khác", "đến nay", "tính đến",
})
_CAPTION_CUES = ("ảnh:", "trong ảnh", "ảnh minh họa", "ảnh tư liệu")

# titles of office: with a personal name they make a caption or byline state a fact
_ROLE_WORDS = (
    "bí thư", "chủ tịch", "giám đốc", "trưởng ban", "trưởng phòng", "bộ trưởng", "thứ trưởng",
    "ủy viên", "thủ tướng", "chánh văn phòng", "chánh án", "viện trưởng", "hiệu trưởng",
    "chỉ huy trưởng", "trưởng công an", "đại biểu quốc hội", "phó ", "tổng thư ký",
    "chủ nhiệm", "trưởng thôn", "tổ trưởng", "trưởng khu", "giáo sư", "tiến sĩ", "bác sĩ",
    "đại tá", "thượng tá", "trung tá", "thiếu tá", "thiếu tướng", "trung tướng", "đại sứ",
    "tổng biên tập", "kiểm sát trưởng", "trưởng đoàn", "chủ tịch hđnd", "chủ tịch ubnd",
)
_SURNAMES = frozenset(normalize_for_match(s) for s in (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương "
    "Trịnh Trương Đinh Lâm Phùng Mai Tô Tạ Quách Lương Lưu Cao Hà Thái Cầm Lò Chu Kiều Đàm "
    "Lại Triệu Mạc Khổng Hứa Tăng Thân Nông Doãn Khúc Âu Tống Lã Mẫn Phí Diệp Hàn"
).split())
_HONORIFICS = ("đồng chí", "ông", "bà", "đ/c")
# nouns that make the capitalised words after them a place, not a person ("cầu Hà Lan")
_PLACE_NOUNS = frozenset({
    "cầu", "đường", "phố", "phường", "xã", "thôn", "tỉnh", "huyện", "quận", "sông", "núi", "đền",
    "chùa", "đình", "hồ", "thành", "thị", "khu", "làng", "bản", "ấp", "tổ", "nước", "trường",
    "ở", "tại",
})
_WORD = re.compile(r"[^\W_]+(?:/[^\W_]+)?")


def _words(text: str) -> list[str]:
    return _WORD.findall(nfc(text))


def _is_capitalised(word: str) -> bool:
    return word[0].isupper()


def _capitalised_runs(words: list[str]) -> list[tuple[int, int]]:
    runs, i = [], 0
    while i < len(words):
        if _is_capitalised(words[i]):
            j = i
            while j < len(words) and _is_capitalised(words[j]):
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _has_role(text: str) -> bool:
    key = f" {normalize_for_match(text)} "
    return any(f" {role}" in key for role in _ROLE_WORDS)


def _starts_with_role(words: list[str]) -> bool:
    return f"{normalize_for_match(' '.join(words))} ".startswith(_ROLE_WORDS)


def _names_person(text: str) -> bool:
    """A personal name: 2+ capitalised words after an honorific ("đồng chí Nguyễn Hồng Phong",
    "ông Lê Văn A"), or 2-4 capitalised words from a Vietnamese surname, not after a place
    noun ("cầu Hà Lan" is a bridge)."""
    words = _words(text)
    low = [normalize_for_match(w) for w in words]
    for i, j in _capitalised_runs(words):
        honorific = (i >= 1 and low[i - 1] in _HONORIFICS) or (i >= 2 and " ".join(low[i - 2:i]) in _HONORIFICS)
        if honorific and j - i >= 2 and not _starts_with_role(words[i:j]):
            return True
        for k in range(i, j - 1):
            before = low[k - 1] if k else ""
            if low[k] in _SURNAMES and 2 <= j - k <= 4 and before not in _PLACE_NOUNS:
                return True
    return False


def _states_person_role(text: str) -> bool:
    return _has_role(text) and _names_person(text)


def _strip_parens(text: str) -> str:
    return re.sub(r"\([^()]*\)", " ", text)


_DASH = re.compile(r"\s*[-–—]\s*")
# "Bài và ảnh: Lê Hà", "Tin, ảnh: Minh Anh", "Theo Báo Thanh Hóa"
_BYLINE_PREFIX = re.compile(
    r"^(?:(?:(?:bài|tin)(?:\s*(?:,|và)\s*ảnh)?|ảnh|nhóm phóng viên)\s*:\s*|theo\s+)",
    re.IGNORECASE,
)


def _is_name_list(segment: str) -> bool:
    """"Quốc Hương", "Thu Hương, Minh Anh", "Lê Hà và Ngọc Lan": 1-5 capitalised words each."""
    parts = [p for p in re.split(r"\s*,\s*|\s+và\s+|\s*&\s*", segment.strip()) if p]
    if not parts:
        return False
    for part in parts:
        words = part.split()
        if not 1 <= len(words) <= 5:
            return False
        if not all(w[0].isupper() and w.replace(".", "").isalpha() for w in words):
            return False
    return True


def _byline_role(text: str) -> bool | None:
    """None if ``text`` is not a byline, else whether it carries a role (a stated fact)."""
    if len(text) > BYLINE_MAX_CHARS or "\n" in text:
        return None
    body = text.strip().rstrip(".").strip()
    body = _BYLINE_PREFIX.sub("", body, count=1)
    if any(c in body for c in ".!?;:“”\""):
        return None
    segments = [s for s in _DASH.split(_strip_parens(body)) if s.strip()]
    if not segments or not _is_name_list(segments[0]):
        return None
    role = False
    for seg in segments[1:]:
        if not role and _is_name_list(seg):
            continue
        role = True
    return role


def _is_heading(text: str) -> bool:
    return (
        "\n" not in text
        and len(text) <= HEADING_MAX_CHARS
        and len(text.split()) <= HEADING_MAX_WORDS
        and not text.endswith(_FINAL_PUNCT)
        and (text[0].isupper() or text[0].isdigit())
        and ";" not in text
    )


def _looks_like_caption(text: str) -> bool:
    key = normalize_for_match(text)
    if key.startswith(_CAPTION_CUES):
        return True
    if "\n" in text or len(text) > CAPTION_MAX_CHARS or _CLAUSE_MARKS.search(text):
        return False
    sylls = syllables(text)
    if not sylls or len(sylls) > CAPTION_MAX_WORDS or not text[0].isupper():
        return False
    if len(split_sentences(text)) != 1:
        return False
    if sylls[0] in _CONNECTIVES_1 or " ".join(sylls[:2]) in _CONNECTIVES_2:
        return False
    return not any(s in _NARRATIVE_WORDS for s in sylls)


def _repeat_key(text: str) -> str:
    return match_key(text).rstrip("".join(_FINAL_PUNCT) + " ")


def _classify(texts: list[str], captions: bool = True) -> list[tuple[ParagraphKind, bool]]:
    """(kind, states_fact) for each block of the body, in order. Without ``captions`` (documents
    that carry no photos: resolutions, reports) a caption-like block is body text."""
    n = len(texts)
    repeats: dict[str, int] = {}
    for t in texts:
        if len(t) <= REPEAT_MAX_CHARS:
            repeats[_repeat_key(t)] = repeats.get(_repeat_key(t), 0) + 1
    out: list[tuple[ParagraphKind, bool]] = []
    for i, t in enumerate(texts):
        last = i == n - 1
        if last and n > 1:
            role = _byline_role(t)
            if role is not None:
                out.append((ParagraphKind.BYLINE, role))
                continue
        if not last and _is_heading(t):
            out.append((ParagraphKind.HEADING, False))
        elif captions and (_looks_like_caption(t)
                           or (len(t) <= REPEAT_MAX_CHARS and repeats.get(_repeat_key(t), 0) > 1)):
            out.append((ParagraphKind.CAPTION, _states_person_role(t)))
        else:
            out.append((ParagraphKind.BODY, True))
    if not any(kind is ParagraphKind.BODY for kind, _ in out):
        # an article of only short lines: they are its content, not decoration
        out = [(k, r) if k is ParagraphKind.BYLINE else (ParagraphKind.BODY, True) for k, r in out]
    body_pairs = {pair for t, (kind, _) in zip(texts, out) if kind is ParagraphKind.BODY
                  for pair in _syllable_pairs(t)}
    return [(kind, True) if kind is ParagraphKind.CAPTION and not fact
            and len(_syllable_pairs(t) - body_pairs) >= CAPTION_NEW_PAIRS else (kind, fact)
            for t, (kind, fact) in zip(texts, out)]


def _syllable_pairs(text: str) -> set[str]:
    s = syllables(text)
    return {f"{a} {b}" for a, b in zip(s, s[1:])}


# --- wards ------------------------------------------------------------------------------------

_UPPER = "".join(
    c for c in map(chr, range(0x41, 0x1F00))
    if c.isupper() and unicodedata.name(c, "").startswith("LATIN")
)
_LETTER = r"[^\W\d_]"
_PREFIX = r"(?:[Pp]hường|PHƯỜNG|[Xx]ã|XÃ)"
_CAP_WORD = rf"[{_UPPER}]{_LETTER}*"
_NAME = rf"(?:{_CAP_WORD}(?:[ \t]+{_CAP_WORD}){{0,4}}|\d+(?!\d|[.,/]\d))"
_WARD_HEAD = re.compile(
    rf"(?<!{_LETTER})({_PREFIX})((?:\s*(?:,|/|\s+và)\s*{_PREFIX})*)(?!{_LETTER})[ \t]*(:?)[ \t]*({_NAME})"
)
_WARD_NEXT = re.compile(
    rf"([ \t]*,[ \t]*(?:và[ \t]+)?|[ \t]+và[ \t]+)(?:({_PREFIX})[ \t]+)?({_NAME})"
)
# words before "phường"/"xã" that announce several of them ("hai phường", "các xã", "5 phường")
_PLURAL_BEFORE = re.compile(
    r"(?:các|những|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|nhiều|mấy|\d+)[ \t]+$", re.IGNORECASE
)


def extract_wards(text: str) -> list[str]:
    """Wards and communes mentioned as "phường X" / "xã Y", in order of first mention.

    The prefix is lower-cased, the name kept as written (in NFC). Lists are followed when they
    are announced as lists ("hai phường Bỉm Sơn, Quang Trung", "5 phường, xã: Thanh Miếu,
    Tiên Cát, ...") or closed with "và" ("phường Nông Trang, Minh Phương và xã Thuỵ Vân"), so
    "phường Đông Sơn, Thanh Hóa" does not make a ward of the province. A listed name without
    its own prefix takes the list's first prefix ("phường" for "phường, xã: ..."). Spellings
    that differ only in tone placement ("Thuỵ Vân"/"Thụy Vân") are one ward; the first
    spelling is kept.
    """
    text = nfc(text)
    found: list[str] = []
    seen: set[str] = set()

    def add(prefix: str, name: str) -> None:
        ward = f"{prefix.lower()} {name}"
        key = match_key(ward)
        if key not in seen:
            seen.add(key)
            found.append(ward)

    for m in _WARD_HEAD.finditer(text):
        prefix = m.group(1)
        add(prefix, m.group(4))
        announced = bool(m.group(2) or m.group(3)) or bool(_PLURAL_BEFORE.search(text, 0, m.start()))
        chain: list[tuple[str, str | None, str]] = []
        pos = m.end()
        while (nxt := _WARD_NEXT.match(text, pos)) is not None:
            sep, own_prefix, name = nxt.groups()
            if own_prefix is None and (len(name.split()) < 2 or name.isdigit()):
                break
            chain.append((sep, own_prefix, name))
            pos = nxt.end()
        is_list = announced or any("và" in sep for sep, _, _ in chain)
        for _sep, own_prefix, name in chain:
            if own_prefix is not None or is_list:
                add(own_prefix or prefix, name)
    return found


# --- articles ---------------------------------------------------------------------------------


def parse_article(text: str, article_id: str, source: str = "") -> Article:
    """The article in ``text`` (decoded file text); offsets of paragraphs index ``text``.

    Raises ``IngestError`` when there is no title or no body block.
    """
    where = source or article_id
    title_line = next(((s, e) for s, e in _lines(text, 0) if text[s:e].strip()), None)
    if title_line is None:
        raise IngestError(where, f"Tệp {where}: tệp trống, không có nội dung.")
    title, date = _title_and_date(text[title_line[0]:title_line[1]])
    if not title:
        raise IngestError(where, f"Tệp {where}: dòng đầu không có tiêu đề bài viết.")
    blocks = _blocks(text, min(title_line[1] + 1, len(text)))
    if not blocks:
        raise IngestError(where, f"Tệp {where}: chỉ có tiêu đề, không có đoạn nội dung nào.")
    return _assemble(text, article_id, source, title, date, blocks, None)


def article_from_blocks(article_id: str, title: str, date: dt.date | None, blocks: Sequence[str],
                        source: str = "", pages: Sequence[int | None] | None = None, *,
                        captions: bool = True, body: Sequence[bool] | None = None) -> Article:
    """An article whose title, date and body blocks were read by a format library (HTML, DOCX,
    PDF), classified and numbered exactly like a text file.

    ``Article.text`` is composed from them: the title line, then the blocks, each separated by
    a blank line, so paragraph offsets index that text (``text[p.start:p.end] == p.text``) and
    "đoạn N" is the N-th block. The text is NFC (Word and PDF files made on some systems store
    tone marks apart); inside a block, runs of white space become one space, blank lines are
    dropped and lines trimmed;
    empty blocks are skipped. ``pages`` (one per block) become ``Paragraph.page``.
    ``captions=False``: the document has no photo captions (see ``_classify``); ``body`` (one
    flag per block) marks blocks known to be content whatever they look like (table rows).
    Raises ``IngestError`` when there is no title or no non-empty block.
    """
    where = source or article_id
    title = " ".join(nfc(title).split())
    if not title:
        raise IngestError(where, f"Tệp {where}: không tìm thấy tiêu đề bài viết.")
    kept: list[tuple[str, int | None, bool]] = []
    for i, block in enumerate(blocks):
        lines = [" ".join(line.split()) for line in nfc(block).split("\n")]
        clean = "\n".join(line for line in lines if line)
        if clean:
            kept.append((clean, pages[i] if pages is not None else None, bool(body and body[i])))
    if not kept:
        raise IngestError(where, f"Tệp {where}: không có đoạn nội dung nào ngoài tiêu đề.")
    parts, spans, pos = [title, "\n\n"], [], len(title) + 2
    for clean, _, _ in kept:
        spans.append(_Block(pos, pos + len(clean), clean))
        parts += [clean, "\n\n"]
        pos += len(clean) + 2
    text = "".join(parts[:-1]) + "\n"
    return _assemble(text, article_id, source, title, date, spans, [page for _, page, _ in kept],
                     captions=captions, body=[forced for _, _, forced in kept])


def _assemble(text: str, article_id: str, source: str, title: str, date: dt.date | None,
              blocks: list[_Block], pages: list[int | None] | None, *, captions: bool = True,
              body: list[bool] | None = None) -> Article:
    kinds = _classify([b.text for b in blocks], captions)
    if body:
        kinds = [(ParagraphKind.BODY, True) if forced else kf for kf, forced in zip(kinds, body)]
    wards = tuple(extract_wards(title + "\n" + "\n".join(b.text for b in blocks)))
    paragraphs = tuple(
        Paragraph(
            article_id=article_id, number=i, text=b.text, start=b.start, end=b.end, kind=kind,
            title=title, date=date, wards=wards, states_fact=fact,
            page=pages[i - 1] if pages is not None else None,
        )
        for i, (b, (kind, fact)) in enumerate(zip(blocks, kinds), start=1)
    )
    byline = next((p.text for p in paragraphs if p.kind is ParagraphKind.BYLINE), None)
    return Article(
        article_id=article_id, title=title, date=date, source=source, text=text,
        paragraphs=paragraphs, wards=wards, byline=byline,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
