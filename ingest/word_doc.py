"""Word documents (.docx: resolutions, reports) read with python-docx.

Every non-empty paragraph of the body, in order, is one block, and so is every table row (its
cells joined by " | ", always answer text), so "đoạn N" is the N-th non-empty block. Word
documents carry no photo captions, so no block is taken for one. The title is the document's
Title property when set, else its first paragraph styled Title or Heading 1, else its first
non-empty paragraph. The date is the first one written in the first blocks ("Thanh Hóa,
ngày 20 tháng 11 năm 2025"); file timestamps are not trusted.
"""
from __future__ import annotations

import io

from ingest.decode import IngestError
from ingest.extracted import document_date, without_title
from ingest.models import Article
from ingest.parser import article_from_blocks

__all__ = ["read_docx"]


def _blocks(document) -> list[tuple[str, str]]:
    """(style name, text) of each paragraph and table row of the body, in order."""
    from docx.table import Table

    out: list[tuple[str, str]] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells: list[str] = []
                for cell in row.cells:
                    value = " ".join(cell.text.split())
                    if value and (not cells or cells[-1] != value):  # merged cells repeat
                        cells.append(value)
                if cells:
                    out.append(("table", " | ".join(cells)))
        else:
            text = item.text.replace("\t", " ")
            if text.strip():
                style = (item.style.name if item.style is not None else "") or ""
                out.append((style, text))
    return out


def read_docx(data: bytes, article_id: str, source: str) -> Article:
    """The article of a .docx file. Raises ``IngestError`` for a damaged or empty document."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = _blocks(document)
        meta_title = (document.core_properties.title or "").strip()
    except Exception as err:  # not a zip, not a Word package, broken XML
        raise IngestError(source, f"Tệp {source}: không đọc được tệp Word .docx (tệp hỏng hoặc không phải "
                                  f"định dạng .docx; {type(err).__name__}). Tệp .doc cũ cần lưu lại thành .docx.") from None
    if not blocks:
        raise IngestError(source, f"Tệp {source}: tài liệu Word không có nội dung chữ.")
    styled = next((i for i, (s, _) in enumerate(blocks) if s.lower() in ("title", "heading 1")), None)
    if meta_title:
        title = meta_title
    elif styled is not None:
        title = blocks.pop(styled)[1]
    else:
        title = blocks[0][1]
    kept = without_title([t for _, t in blocks], title)
    blocks = blocks[len(blocks) - len(kept):]
    texts = [t for _, t in blocks]
    return article_from_blocks(article_id, title, document_date(texts), texts, source=source, captions=False,
                               body=[s == "table" for s, _ in blocks])
