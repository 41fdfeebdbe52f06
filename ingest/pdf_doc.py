"""PDF files (resolutions, reports) read with pypdf: text per page, lines regrouped into
paragraphs, each paragraph tagged with the page it starts on (``Paragraph.page``).

A PDF has no paragraphs, only lines. A line starts a new paragraph after extra vertical space
(a blank line in pypdf's layout mode), when it opens a list item ("1.", "a)", "-", "Điều 2"),
or when the line before ends a sentence and is clearly shorter than the document's full lines
(the last line of a paragraph), or is a short line with no final punctuation (a heading). Lines of one paragraph are joined with a space. A paragraph that runs
on to the next page (no final punctuation, next page starts in lower case) is kept whole.
Dropped: page-number lines ("3", "- 3 -", "Trang 3/10") and running headers/footers (the same
first or last line on most pages). Refused with a message: a file that does not start like a
PDF or is cut short (no "%%EOF" at its end), an encrypted PDF, a PDF without a text layer
(a scan: it needs OCR first).

No block is taken for a photo caption (reports and resolutions carry none).
Title: the document's Title property unless it is empty or a file name ("Microsoft Word -
bao-cao.docx"), else the first paragraph. Date: the first one written in the first paragraphs.
"""
from __future__ import annotations

import io
import logging
import re

from ingest.decode import IngestError
from ingest.extracted import document_date, without_title
from ingest.models import Article
from ingest.parser import article_from_blocks

__all__ = ["read_pdf"]

_PAGE_NUMBER = re.compile(r"^(?:trang\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*/\s*\d{1,4})?$", re.IGNORECASE)
_LIST_START = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]\s|[a-zđ][.)]\s|[-–•+*]\s|(?:điều|chương|mục|phần)\s+[\dIVXLC]+\b)",
    re.IGNORECASE,
)
_SENTENCE_END = tuple(".!?:;…\"”)")
_FILE_TITLE = re.compile(r"(?:^microsoft\s+\w+\s*-|\.(?:docx?|pdf|odt|rtf|txt)$)", re.IGNORECASE)


def _fail(source: str, problem: str) -> IngestError:
    return IngestError(source, f"Tệp {source}: {problem}")


def _key(line: str) -> str:
    return "".join(line.split())


def _page_lines(page) -> list[tuple[str, bool]]:
    """(line, follows extra vertical space) for each line of the page. Plain extraction gives
    the text; layout mode, when its lines are the same, tells where the gaps are."""
    lines = [" ".join(line.split()) for line in (page.extract_text() or "").split("\n") if line.strip()]
    gaps = [False] * len(lines)
    try:
        layout = page.extract_text(extraction_mode="layout") or ""
    except Exception:  # layout mode is the fragile one; plain text is enough
        layout = ""
    flags, blank = [], False
    keyed = []
    for line in layout.split("\n"):
        if line.strip():
            keyed.append(_key(line))
            flags.append(blank)
            blank = False
        else:
            blank = bool(keyed)
    if keyed == [_key(line) for line in lines]:
        gaps = flags
    return list(zip(lines, gaps))


def _drop_running_lines(pages: list[list[tuple[str, bool]]]) -> list[list[tuple[str, bool]]]:
    """Page numbers everywhere; a first/last line repeated on most pages (3 pages or more)."""
    pages = [[item for item in lines if not _PAGE_NUMBER.match(item[0])] for lines in pages]
    if len(pages) >= 3:
        for edge in (0, -1):
            seen: dict[str, int] = {}
            for lines in pages:
                if lines:
                    seen[lines[edge][0]] = seen.get(lines[edge][0], 0) + 1
            running = {ln for ln, n in seen.items() if n >= max(3, len(pages) * 0.6)}
            pages = [lines[1:] if edge == 0 and lines and lines[0][0] in running
                     else lines[:-1] if edge == -1 and lines and lines[-1][0] in running else lines
                     for lines in pages]
    return pages


def _starts_paragraph(prev: str, line: str, width: int) -> bool:
    if _LIST_START.match(line):
        return True
    if prev.endswith(_SENTENCE_END):
        return len(prev) < 0.8 * width
    return len(prev) < 0.6 * width and line[:1].isupper()


def _paragraphs(pages: list[list[tuple[str, bool]]]) -> tuple[list[str], list[int]]:
    blocks: list[list[str]] = []
    starts: list[int] = []
    width = max((len(line) for lines in pages for line, _ in lines), default=0)
    for number, lines in enumerate(pages, start=1):
        for i, (line, gap) in enumerate(lines):
            if blocks:
                prev = blocks[-1][-1]
                if i == 0:
                    # a paragraph running on from the previous page
                    if not prev.endswith(_SENTENCE_END) and line[:1].islower():
                        blocks[-1].append(line)
                        continue
                elif not gap and not _starts_paragraph(prev, line, width):
                    blocks[-1].append(line)
                    continue
            blocks.append([line])
            starts.append(number)
    return [" ".join(b) for b in blocks], starts


def read_pdf(data: bytes, article_id: str, source: str) -> Article:
    """The article of a PDF with a text layer. Raises ``IngestError`` otherwise."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip()[:5] == b"%PDF-":
        raise _fail(source, "không phải tệp PDF (thiếu phần đầu %PDF-).")
    if b"%%EOF" not in data[-2048:]:
        raise _fail(source, "tệp PDF bị cắt cụt hoặc chưa tải xong (thiếu dấu kết thúc %%EOF). "
                            "Hãy tải hoặc xuất lại tệp.")
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # warnings about sloppy PDFs are not ours
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _fail(source, "tệp PDF được đặt mật khẩu; hãy gỡ mật khẩu rồi thêm lại.")
        pages = [_page_lines(page) for page in reader.pages]
        meta = reader.metadata
        meta_title = str(meta.title or "").strip() if meta is not None else ""
    except IngestError:
        raise
    except (PdfReadError, Exception) as err:  # pypdf raises many kinds on damaged files
        raise _fail(source, f"tệp PDF bị hỏng, không đọc được ({type(err).__name__}).") from None
    if not pages:
        raise _fail(source, "tệp PDF không có trang nào.")
    blocks, starts = _paragraphs(_drop_running_lines(pages))
    if not blocks:
        raise _fail(source, "tệp PDF không có lớp chữ (có thể là bản chụp/scan); cần nhận dạng chữ (OCR) trước.")
    title = meta_title if meta_title and not _FILE_TITLE.search(meta_title) else blocks[0]
    kept = without_title(blocks, title)
    starts = starts[len(blocks) - len(kept):]
    return article_from_blocks(article_id, title, document_date(kept), kept, source=source, pages=starts,
                               captions=False)
