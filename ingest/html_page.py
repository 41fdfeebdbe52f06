"""News pages (.html): the main text, title and date, boilerplate (menus, sidebars, share
buttons, footers, comments) dropped by trafilatura.

Each block trafilatura keeps (paragraph, heading, list item, table row) becomes one paragraph;
a repeat of the title and a bare date/time line are dropped. The date comes from the page's
metadata (meta tags, JSON-LD, <time>), else from a date written in its first blocks.
"""
from __future__ import annotations

import datetime as dt

from ingest.decode import IngestError
from ingest.extracted import document_date, is_timestamp, without_title
from ingest.models import Article
from ingest.parser import article_from_blocks

__all__ = ["read_html"]


def read_html(data: bytes, article_id: str, source: str) -> Article:
    """The article of a news page. Raises ``IngestError`` when no article text is found."""
    import trafilatura
    from trafilatura.settings import set_date_params

    if b"\x00" in data[:4096]:
        raise IngestError(source, f"Tệp {source}: không phải trang HTML (chứa byte NUL, có thể là tệp nhị phân).")
    try:
        doc = trafilatura.bare_extraction(
            data, with_metadata=True, include_comments=False, include_tables=True, include_images=False,
            include_formatting=False, deduplicate=False, date_extraction_params=set_date_params(False),
        )
    except Exception as err:  # the library's parser failing on a broken page
        raise IngestError(source, f"Tệp {source}: không đọc được trang HTML ({type(err).__name__}).") from None
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    blocks = [line for line in text.split("\n") if line.strip()]
    if not blocks:
        raise IngestError(source, f"Tệp {source}: không tìm thấy nội dung bài viết trong trang HTML.")
    title = (doc.title or "").strip() or blocks[0]
    blocks = [b for b in without_title(blocks, title) if not is_timestamp(b)]
    if not blocks:
        raise IngestError(source, f"Tệp {source}: trang HTML chỉ có tiêu đề, không tìm thấy nội dung bài viết.")
    date = None
    if doc.date:
        try:
            date = dt.date.fromisoformat(doc.date[:10])
        except ValueError:
            date = None
    if date is None:
        date = document_date(blocks, first=5)
    return article_from_blocks(article_id, title, date, blocks, source=source)
