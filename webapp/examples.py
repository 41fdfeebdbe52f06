"""Example questions shown in an empty chat, one per shipped article.

Hand-written for the seed articles (each is answered by its article); an article without one
(a corpus other than the seeds) gets a generic question built from its title.
"""
from __future__ import annotations

from typing import Sequence

from ingest.models import Article

__all__ = ["example_questions"]

_BY_ARTICLE = {
    "000_979beda71dc56cf9": "Đại hội Đảng bộ phường Quang Trung đề ra bao nhiêu chỉ tiêu chủ yếu?",
    "001_fedeaab69c93254a": "Ai là Bí thư Đảng ủy phường Nông Trang?",
    "002_06499cde5db94ce7": "Ông Nguyễn Hồng Phong làm việc tại Bỉm Sơn, Quang Trung vào ngày nào?",
    "003_cce8d4c811368e9e": "Phường Thanh Miếu được sáp nhập từ những phường, xã nào?",
    "004_bbba2ad5a4ca9edc": "Phường Đông Sơn đặt mốc năm nào để đạt tiêu chí đô thị văn minh?",
}


def example_questions(articles: Sequence[Article], limit: int = 3) -> list[str]:
    out = []
    for a in articles:
        out.append(_BY_ARTICLE.get(a.article_id) or f"Bài “{a.title}” nói về điều gì?")
        if len(out) >= limit:
            break
    return out
