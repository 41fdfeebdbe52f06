"""Decoding file bytes: the encodings we accept and the files we refuse, with a message."""
from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import pytest

from ingest.decode import IngestError, decode_bytes, decode_text

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED = SEEDS / "004_bbba2ad5a4ca9edc.txt"
TEXT = SEED.read_text(encoding="utf-8")
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Vietnamese the way Windows-1258 stores it: vowel letters precomposed, tones combining."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
            out += (base + "".join(c for c in parts if c in _TONE_MARKS)).encode("cp1258")
    return bytes(out)


def rejected(data: bytes, path: str = "bai-viet.txt") -> str:
    with pytest.raises(IngestError) as info:
        decode_bytes(data, path)
    err = info.value
    assert err.path == path
    assert path in err.message and str(err) == err.message
    return err.message


def test_plain_utf8_is_returned_exactly():
    assert decode_bytes(SEED.read_bytes(), str(SEED)) == TEXT


def test_utf8_bom_is_stripped():
    assert decode_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8"), "a.txt") == TEXT


def test_utf16_le_and_be_with_bom():
    assert decode_bytes(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "a.txt") == TEXT
    assert decode_bytes(codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "a.txt") == TEXT
    assert decode_bytes(TEXT.encode("utf-16"), "a.txt") == TEXT


def test_line_endings_become_newlines_and_nothing_else_changes():
    crlf = TEXT.replace("\n", "\r\n").encode("utf-8")
    assert decode_bytes(crlf, "a.txt") == TEXT
    assert decode_bytes(b"a\rb\r\nc\n", "a.txt") == "a\nb\nc\n"
    decomposed = unicodedata.normalize("NFD", TEXT)
    assert decode_bytes(decomposed.encode("utf-8"), "a.txt") == decomposed  # no NFC


def test_windows_1258_vietnamese_is_read_and_composed():
    data = cp1258(TEXT)
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == TEXT  # a faithful legacy file
    assert data.decode("cp1258") != TEXT  # tone marks stored apart: composing them matters
    decoded = decode_text(data, "seeds/cu-1258.txt")
    assert decoded.encoding == "windows-1258"
    assert decoded.text == TEXT
    assert decode_bytes(data.replace(b"\n", b"\r\n"), "a.txt") == TEXT
    assert decode_text(TEXT.encode("utf-8"), "a.txt").encoding == "utf-8"


# "Phường Đông Sơn tổ chức Đại hội" as VNI-Windows and TCVN3 (ABC) fonts store it
VNI = b"Ph\xf6\xf4\xf8ng \xd1o\xe2ng S\xf4n t\xf4\xfb ch\xf6\xf9c \xd1a\xefi h\xf4\xefi " * 20
TCVN3 = b"Ph\xad\xeang \xa7\xabng S\xa1n t\xe9 ch\xf8c \xa7\xb9i h\xe9i " * 20


@pytest.mark.parametrize("data", [VNI, TCVN3], ids=["vni", "tcvn3"])
def test_ambiguous_legacy_encodings_are_rejected_with_advice(data):
    message = rejected(data, "bai-cu.txt")
    assert "TCVN3" in message and "VNI" in message and "UTF-8" in message


def test_a_few_latin1_accents_are_not_taken_for_vietnamese():
    # "café, déjà" decodes in cp1258 too, but has none of the Vietnamese-only signs
    assert "UTF-8" in rejected("Thông báo: café, déjà vu, à la carte".encode("cp1258"))


def test_latin1_is_rejected():
    message = rejected("Thông báo: café, déjà vu".encode("latin-1"))
    assert "UTF-8" in message


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "ZIP"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
    ],
)
def test_known_binary_formats_are_named(data, kind):
    assert kind in rejected(data)


def test_nul_bytes_and_control_characters_are_binary():
    assert "văn bản" in rejected(b"abc\x00def\x00\x01\x02")
    assert "văn bản" in rejected(bytes(range(1, 32)) * 20)


def test_utf16_without_bom_is_explained():
    assert "BOM" in rejected(TEXT.encode("utf-16-le"))


def test_utf32_is_refused():
    assert "UTF-32" in rejected(TEXT.encode("utf-32"))


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t ", codecs.BOM_UTF8, codecs.BOM_UTF8 + b" \n", codecs.BOM_UTF16_LE])
def test_empty_and_blank_files_are_rejected(data):
    assert "trống" in rejected(data)
