"""Turn a file's bytes into article text, or say in Vietnamese why the file cannot be read.

Accepted: UTF-8 (with or without BOM), UTF-16 LE/BE with a BOM, and Windows-1258 when the
bytes are unmistakably Vietnamese in that code page (see ``_looks_cp1258``). Everything else
(empty files, binaries, TCVN3/VNI and other legacy encodings, Latin-1) is rejected with a
message that names the file and the problem, so one bad file never stops the others loading.

The returned text is exactly as written except for two things, and all character offsets in
``ingest`` refer to this decoded text: the BOM is removed and line endings become "\\n"
("\\r\\n" and a lone "\\r" alike). No Unicode normalisation is applied, except to
Windows-1258 text, which stores tone marks as separate characters and is NFC-composed.
"""
from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

__all__ = ["IngestError", "Decoded", "decode_bytes", "decode_text"]


class IngestError(Exception):
    """A file that cannot be ingested; ``message`` is in Vietnamese and names the file."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return self.message


# Signatures of common non-text files someone may drop into the corpus folder.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "tệp PDF"),
    (b"PK\x03\x04", "tệp nén ZIP (hoặc DOCX/XLSX)"),
    (b"PK\x05\x06", "tệp nén ZIP rỗng"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "tệp Microsoft Office cũ (DOC/XLS)"),
    (b"{\\rtf", "tệp RTF"),
    (b"\x89PNG\r\n\x1a\n", "ảnh PNG"),
    (b"\xff\xd8\xff", "ảnh JPEG"),
    (b"GIF87a", "ảnh GIF"),
    (b"GIF89a", "ảnh GIF"),
    (b"RIFF", "tệp đa phương tiện RIFF (WEBP/WAV/AVI)"),
    (b"\x1f\x8b", "tệp nén GZIP"),
    (b"\xfd7zXZ\x00", "tệp nén XZ"),
    (b"7z\xbc\xaf\x27\x1c", "tệp nén 7z"),
    (b"Rar!\x1a\x07", "tệp nén RAR"),
    (b"\x7fELF", "tệp chương trình ELF"),
    (b"SQLite format 3\x00", "cơ sở dữ liệu SQLite"),
    (b"ID3", "tệp âm thanh MP3"),
    (b"OggS", "tệp âm thanh OGG"),
)

_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


def _fail(path: str, problem: str) -> IngestError:
    return IngestError(path, f"Tệp {path}: {problem}")


def _detect_binary(data: bytes, path: str) -> None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise _fail(path, f"không phải tệp văn bản ({kind}). Hãy chép nội dung bài viết ra tệp .txt UTF-8.")
    if b"\x00" in data:
        sample = data[:4096]
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        pairs = len(sample) // 2
        # UTF-16 text: a NUL as the high byte of every ASCII character, always on the same side
        looks_utf16 = pairs >= 8 and min(even_nuls, odd_nuls) == 0 and max(even_nuls, odd_nuls) >= 0.3 * pairs
        if looks_utf16:
            raise _fail(path, "có vẻ là UTF-16 nhưng thiếu BOM ở đầu tệp. Hãy lưu lại dưới dạng UTF-8.")
        raise _fail(path, "không phải tệp văn bản (chứa byte NUL, có thể là tệp nhị phân).")


# --- Windows-1258 -------------------------------------------------------------------------------

_VOWELS = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
_TONES = "\u0300\u0301\u0303\u0309\u0323"
# every letter a Vietnamese text can hold (NFC): the ASCII ones, toned vowels, đ/Đ
_VIETNAMESE_LETTERS = frozenset(
    [chr(c) for c in range(0x41, 0x5B)] + [chr(c) for c in range(0x61, 0x7B)] + ["đ", "Đ"]
    + [unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in ("",) + tuple(_TONES)]
)
# what only Vietnamese written in Windows-1258 produces: combining tones and ă ơ ư đ
_CP1258_SIGNS = frozenset(_TONES + "ăĂơƠưƯđĐ")


def _looks_cp1258(raw: str) -> bool:
    """``raw`` (bytes decoded as cp1258, not yet NFC) is Vietnamese: every combining tone sits on
    a vowel, every letter of the composed text is a Vietnamese letter, and the Vietnamese-only
    signs are frequent (Latin-1 text such as "café" has none; TCVN3/VNI decode to letters such
    as "ö", "§", "ø" that Vietnamese does not use)."""
    signs = 0
    prev = ""
    for c in raw:
        if c in _CP1258_SIGNS:
            signs += 1
        if unicodedata.combining(c) and (c not in _TONES or prev not in _VOWELS):
            return False
        prev = c
    letters = [c for c in unicodedata.normalize("NFC", raw) if c.isalpha()]
    if not letters or any(c not in _VIETNAMESE_LETTERS for c in letters):
        return False
    return signs >= 3 and signs >= len(letters) / 100


def _legacy(body: bytes) -> str | None:
    try:
        raw = body.decode("cp1258")
    except UnicodeDecodeError:
        return None
    return unicodedata.normalize("NFC", raw) if _looks_cp1258(raw) else None


def _decode(data: bytes, path: str) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise _fail(path, "mã hóa UTF-32 không được hỗ trợ. Hãy lưu lại dưới dạng UTF-8.")
    bom = True
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8", data[len(codecs.BOM_UTF8):]
    elif data.startswith(codecs.BOM_UTF16_LE):
        encoding, body = "utf-16-le", data[2:]
    elif data.startswith(codecs.BOM_UTF16_BE):
        encoding, body = "utf-16-be", data[2:]
    else:
        _detect_binary(data, path)
        encoding, body, bom = "utf-8", data, False
    try:
        return body.decode(encoding), encoding
    except UnicodeDecodeError as err:
        if encoding != "utf-8":
            raise _fail(path, f"nội dung {encoding.upper()} bị hỏng ở byte {err.start}.") from None
        if not bom and (text := _legacy(body)) is not None:
            return text, "windows-1258"
        bad = body[err.start:err.start + 1].hex().upper()
        raise _fail(
            path,
            f"không phải mã hóa UTF-8 (byte 0x{bad} không hợp lệ ở vị trí {err.start}) và cũng không "
            "phải tiếng Việt Windows-1258; có thể tệp dùng bảng mã cũ TCVN3 (ABC), VNI hoặc Latin-1, "
            "không đọc chắc chắn được. Hãy chuyển mã sang Unicode (ví dụ bằng công cụ chuyển mã của "
            "Unikey) rồi lưu lại dưới dạng UTF-8.",
        ) from None


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-16-le", "utf-16-be" or "windows-1258"


def decode_bytes(data: bytes, path: str) -> str:
    """The text of a file: UTF-8 / UTF-8 BOM / UTF-16 with BOM, BOM removed, newlines as "\\n";
    or Windows-1258 Vietnamese, NFC-composed.

    Raises ``IngestError`` for an empty or blank file, a binary file, a file in any other
    encoding. UTF-8/16 text is otherwise returned exactly as written (no NFC).
    """
    return decode_text(data, path).text


def decode_text(data: bytes, path: str) -> Decoded:
    """``decode_bytes`` plus the encoding that was used, for a report line."""
    if not data.strip():
        raise _fail(path, "tệp trống, không có nội dung.")
    text, encoding = _decode(data, path)
    if "\x00" in text:
        raise _fail(path, "không phải tệp văn bản (chứa ký tự NUL).")
    controls = sum(
        1 for c in text if (c < " " or "\x7f" <= c < "\xa0") and c not in _ALLOWED_CONTROLS
    )
    if controls > max(2, len(text) // 200):
        raise _fail(path, f"không phải tệp văn bản (chứa {controls} ký tự điều khiển).")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise _fail(path, "tệp trống, chỉ có khoảng trắng.")
    return Decoded(text, encoding)
