"""The faithfulness guard: every number, percentage, date and proper name in a reply must appear
verbatim in one of the paragraphs the reply cites. It runs on every reply, whoever wrote it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from ingest.text import canonical_tones

# numbers as Vietnamese writes them: 13,5 | 8.981 | 2025-2030 | 27/11 | 20/20 | 0,27%
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")
_MARKER = re.compile(r"\[\d+\]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n“\"(]\s*|^\s*[-•*]\s*)$")

# Capitalised words that are ordinary vocabulary at the start of a reply sentence, and the fixed
# wording of reply templates; they are not names.
TEMPLATE_PHRASES: tuple[str, ...] = (
    "Theo bài viết", "Các bài viết hiện có không đề cập", "Có thể liên quan", "Nguồn",
)


_NOT_COVERED_LINE = re.compile(r"^- [^\n:]{1,80}: các bài viết hiện có không đề cập\.$", re.MULTILINE)


@dataclass(frozen=True)
class Unsupported:
    kind: str   # "number" | "name"
    text: str


def _in_sources(fragment: str, sources: Sequence[str], *, number: bool) -> bool:
    frag = canonical_tones(fragment)
    if number:
        pattern = re.compile(r"(?<![\d.,])(?<!\d/)" + re.escape(frag) + r"(?![\d]|[.,/]\d)")
        return any(pattern.search(s) for s in sources)
    return any(frag in s for s in sources)


def _names(text: str) -> Iterable[str]:
    """Runs of capitalised words; a lone capitalised word at a sentence start is not a name."""
    words = list(_WORD.finditer(text))
    i = 0
    while i < len(words):
        w = words[i]
        if not w.group(0)[0].isupper():
            i += 1
            continue
        j = i
        while (j + 1 < len(words) and words[j + 1].group(0)[0].isupper()
               and text[words[j].end():words[j + 1].start()] in (" ", "")):
            j += 1
        run = text[w.start():words[j].end()]
        at_start = bool(_SENTENCE_START.search(text[:w.start()]))
        if j > i or not at_start:
            # drop a sentence-initial ordinary word in front of a name ("Theo Nguyễn Hồng Phong")
            yield run
        i = j + 1


def unsupported_facts(reply: str, sources: Sequence[str]) -> list[Unsupported]:
    """What in ``reply`` no source states verbatim (tone-mark placement aside)."""
    norm_sources = [canonical_tones(s) for s in sources]
    # a part of the question the articles do not answer names it as the user asked it
    text = _NOT_COVERED_LINE.sub(" ", _MARKER.sub(" ", reply))
    for phrase in TEMPLATE_PHRASES:
        text = text.replace(phrase, " ")
    problems: list[Unsupported] = []
    for m in _NUMBER.finditer(text):
        if not _in_sources(m.group(0), norm_sources, number=True):
            problems.append(Unsupported("number", m.group(0)))
    for name in _names(text):
        if _in_sources(name, norm_sources, number=False):
            continue
        # a sentence-initial word glued to a real name: accept if the rest is sourced
        parts = name.split(" ", 1)
        if len(parts) == 2 and _SENTENCE_START.search(text[:text.find(name)]) and \
                _in_sources(parts[1], norm_sources, number=False):
            continue
        problems.append(Unsupported("name", name))
    return problems


def is_faithful(reply: str, sources: Sequence[str]) -> bool:
    return not unsupported_facts(reply, sources)
