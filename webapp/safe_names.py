"""Untrusted names: article ids in URLs and the file names of uploads.

An article id is the stem of its file in the corpus folder, and what a safe one is is decided
in one place, ``index.update.check_article_id`` (letters of any script, digits, "_", "-", ".",
starting with a letter or digit, at most 120 characters, no ".."). Ids from a request are only
ever looked up in the loaded index, but one that is not safe is refused before anything else
happens, so no code path (today's or a later one) can turn ``../../etc`` into a path. Uploaded
file names are reduced to the same alphabet before they touch the disk.
"""
from __future__ import annotations

import re
import unicodedata

from index.update import check_article_id

__all__ = ["MAX_ID_CHARS", "is_safe_article_id", "safe_upload_name", "invalid_id_message"]

MAX_ID_CHARS = 120
_UNSAFE = re.compile(r"[^\w.\-]+")


def is_safe_article_id(article_id: str) -> bool:
    return check_article_id(article_id) is None


def invalid_id_message(article_id: str) -> str:
    shown = article_id if len(article_id) <= 60 else article_id[:60] + "…"
    shown = "".join(ch if ch.isprintable() else "�" for ch in shown)
    return (f"Mã bài viết «{shown}» không hợp lệ: mã chỉ gồm chữ, số và các dấu _ - . "
            f"(bắt đầu bằng chữ hoặc số, không có «..»), tối đa {MAX_ID_CHARS} ký tự.")


def safe_upload_name(filename: str) -> str | None:
    """The base name of ``filename`` made safe: its stem a valid article id (anything else
    becomes "_"), its suffix kept in lower case; ``None`` when nothing usable is left.

    Both separators count ("C:\\\\x\\\\a.txt" from a Windows browser is "a.txt"); runs of dots
    collapse, so no ``..`` survives."""
    base = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = re.sub(r"[^a-z0-9]", "", suffix.lower())[:10]
    stem = _UNSAFE.sub("_", stem)
    stem = re.sub(r"\.{2,}", ".", stem)
    stem = re.sub(r"_{2,}", "_", stem)
    stem = re.sub(r"^[\W_]+", "", stem)[:MAX_ID_CHARS]
    stem = stem.rstrip("._-")
    if not is_safe_article_id(stem):
        return None
    return f"{stem}.{suffix}" if suffix else stem
