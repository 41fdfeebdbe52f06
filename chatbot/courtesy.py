"""The polite wrapping citizens put around a question ("Cho mình hỏi là …", "… vậy ạ?") and
messages that are only courtesy ("xin chào", "cảm ơn bạn").

The wrapping carries no content: left in, its words count against every sentence's coverage of
the question ("mình", "hỏi") and a final particle reads as the counted noun ("bao nhiêu vậy ạ").
Matching is on the folded text, so it works with or without tone marks; the cut is made on the
question as typed (folding keeps the length of NFC text).
"""
from __future__ import annotations

import re

from ingest.text import match_key, nfc

_PERSON = r"(?:minh|toi|em|to|chau|con|anh|chi|tui)"
# "Cho mình hỏi (chút) (là)", "Xin hỏi", "Bạn ơi,", "Mình muốn biết", "Dạ,": at the start only
_LEAD = re.compile(
    rf"^\W*(?:(?:da|vang|a|alo)\b\W*)?"
    rf"(?:(?:ban|ad|admin|anh|chi|em|bot)\s+oi\b\W*)?"
    rf"(?:(?:(?:cho|xin phep cho|lam on cho)\s+{_PERSON}\s+(?:duoc\s+)?hoi|xin hoi|cho hoi|hoi chut"
    rf"|{_PERSON}\s+(?:muon|can|dang can)\s+(?:hoi|biet|tim hieu)(?:\s+(?:ve|la))?)"
    rf"(?:\s+(?:chut|mot chut|xiu|voi|thong tin))*(?:\s+(?:la|ve))?\b\W*)?"
)
# "… vậy ạ?", "… nhỉ?", "… nhé": sentence-final particles before the question mark
# ("ha" is left alone: "bao nhiêu ha?" asks for hectares)
_TAIL = re.compile(r"(?:\s+(?:vay|nhi|nhe|a|the|voi a|voi|day))+\s*([?.!]*)\s*$")
_GREETING = re.compile(
    r"^\W*(?:(?:xin\s+)?chao|hello|hi|alo|cam on|cam on nhieu|thank(?:s| you)?|ok|oke|vang|da|tot qua|hay qua)"
    r"(?:\s+(?:ban|ad|admin|anh|chi|em|bot|nhe|nha|nhieu|a|ca nha|moi nguoi))*\W*$"
)
_THANKS = re.compile(r"^\W*(?:cam on|thank|ok|oke|vang|da|tot qua|hay qua)")
_ONLY_PARTICLES = re.compile(r"^(?:\W|\b(?:a|ah|vay|nhi|nhe|ha|the|voi|day|chut|xiu)\b)*$")


# emoji and pictographs ("🤔", "🙏", "👍"), their joiners and variation selectors: tone, not content
_PICTOGRAPHS = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0E\uFE0F\u200D]+")


def strip_courtesy(question: str) -> str:
    """The question without its polite wrapping and emoji; unchanged when nothing would be left."""
    bare = re.sub(r"\s{2,}", " ", _PICTOGRAPHS.sub(" ", nfc(question))).strip()
    text = bare if any(c.isalnum() for c in bare) else nfc(question).strip()
    key = match_key(text)
    if len(key) != len(text):
        return text
    start = 0
    lead = _LEAD.match(key)
    if lead and lead.end() < len(key):
        start = lead.end()
    end = len(text)
    tail = _TAIL.search(key, start)
    # a capital is a name or a label ("trường loại A"), never a particle
    if tail and tail.start() > start and not any(c.isupper() for c in text[tail.start():tail.end()]):
        end = tail.start()
        mark = tail.group(1)
        core = text[start:end].strip()
        if not core or _ONLY_PARTICLES.match(match_key(core)):
            return text
        return core[:1].upper() + core[1:] + mark
    core = text[start:end].strip()
    if not core or _ONLY_PARTICLES.match(match_key(core)):
        return text
    return core[:1].upper() + core[1:] if start else core


def small_talk_reply(message: str) -> str | None:
    """A reply to a message that is only a greeting or thanks; None for anything else."""
    if not any(c.isalnum() for c in message):   # "👍", "???": nothing asked yet
        return _INVITATION
    key = match_key(_PICTOGRAPHS.sub(" ", nfc(message))).strip()
    if not key or not _GREETING.match(key):
        return None
    if _THANKS.search(key):
        return "Rất vui được giúp bạn! Bạn cứ hỏi thêm về các bài viết nếu cần."
    return "Xin chào! " + _INVITATION


_INVITATION = ("Bạn có thể hỏi về các bài viết tin tức phường: nghị quyết đại hội, chỉ tiêu nhiệm kỳ mới, "
               "dự án, lãnh đạo phường. Mỗi câu trả lời đều kèm đoạn văn nguồn.")
