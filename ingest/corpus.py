"""Read a folder of articles: every supported file becomes an Article or a FileProblem.

One bad file (empty, binary, wrong encoding, no body, unsupported type) is reported with a
Vietnamese message naming it and never stops the other files from loading.
"""
from __future__ import annotations

from pathlib import Path

from ingest.decode import IngestError, decode_bytes
from ingest.models import Article, CorpusLoad, FileProblem
from ingest.parser import parse_article

__all__ = ["SUPPORTED_SUFFIXES", "read_article", "load_corpus"]

SUPPORTED_SUFFIXES = (".txt", ".md")


def read_article(path: Path) -> Article:
    """Decode and parse one file; the article id is the file stem. Raises ``IngestError``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise IngestError(str(path), f"Tệp {path}: là một thư mục, không phải tệp bài viết.") from None
    except FileNotFoundError:
        raise IngestError(str(path), f"Tệp {path}: không tồn tại.") from None
    except OSError as err:
        raise IngestError(str(path), f"Tệp {path}: không đọc được ({err.strerror or err}).") from None
    text = decode_bytes(data, str(path))
    return parse_article(text, path.stem, source=str(path))


def load_corpus(directory: Path) -> CorpusLoad:
    """Every non-hidden file of ``directory`` (not recursive), sorted by name.

    Supported files (``SUPPORTED_SUFFIXES``, any case) that parse become articles; a file that
    fails, a file with another suffix, a second file with the same stem ("a.txt" and "a.md")
    and a file whose content repeats an earlier one each become one ``FileProblem``.
    Sub-directories and hidden files are skipped. Raises ``IngestError`` when ``directory``
    does not exist or is not a directory.
    """
    directory = Path(directory)
    if not directory.exists():
        raise IngestError(str(directory), f"Thư mục {directory} không tồn tại.")
    if not directory.is_dir():
        raise IngestError(str(directory), f"{directory} không phải là thư mục.")
    out = CorpusLoad()
    by_id: dict[str, str] = {}
    by_hash: dict[str, str] = {}
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            supported = ", ".join(SUPPORTED_SUFFIXES)
            out.problems.append(FileProblem(
                str(path), f"Tệp {path}: định dạng '{path.suffix or '(không có đuôi)'}' không được hỗ trợ "
                f"(chỉ đọc {supported}).",
            ))
            continue
        try:
            article = read_article(path)
        except IngestError as err:
            out.problems.append(FileProblem(str(path), err.message))
            continue
        if article.article_id in by_id:
            out.problems.append(FileProblem(
                str(path), f"Tệp {path}: trùng mã bài '{article.article_id}' với tệp {by_id[article.article_id]}; "
                "hãy đổi tên một trong hai tệp.",
            ))
            continue
        if article.content_hash in by_hash:
            out.problems.append(FileProblem(
                str(path), f"Tệp {path}: nội dung trùng hoàn toàn với tệp {by_hash[article.content_hash]}.",
            ))
            continue
        by_id[article.article_id] = str(path)
        by_hash[article.content_hash] = str(path)
        out.articles.append(article)
    return out
