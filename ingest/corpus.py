"""Read a folder of articles: every supported file becomes an Article or a FileProblem.

Formats: plain text (.txt, .md) in the seed layout, news pages (.html, .htm), Word documents
(.docx) and PDF (.pdf); see ``read_document``. One bad file (empty, binary, too large, wrong
encoding, damaged PDF, no body, unsupported type) is reported with a Vietnamese message naming
it and never stops the other files from loading.
"""
from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from ingest.decode import IngestError, decode_text
from ingest.models import Article, CorpusLoad, FileProblem
from ingest.parser import parse_article

__all__ = [
    "SUPPORTED_SUFFIXES", "DEFAULT_MAX_BYTES", "Document", "read_document", "read_article",
    "load_corpus", "ensure_corpus",
]

TEXT_SUFFIXES = (".txt", ".md")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + (".html", ".htm", ".docx", ".pdf")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Document:
    """A file read into an article, plus a remark worth reporting (``None`` when there is none),
    e.g. that it was read as Windows-1258."""

    article: Article
    notice: str | None = None


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",") if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def read_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, article_id: str | None = None) -> Document:
    """Read one file of any supported format; the article id is ``article_id`` or the file stem.

    A file larger than ``max_bytes`` is refused before it is read. Raises ``IngestError``.
    """
    path = Path(path)
    aid = article_id or path.stem
    where = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(where, f"Tệp {where}: định dạng '{path.suffix or '(không có đuôi)'}' không được "
                                 f"hỗ trợ (chỉ đọc {', '.join(SUPPORTED_SUFFIXES)}).")
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise IsADirectoryError
        if size > max_bytes:
            raise IngestError(where, f"Tệp {where}: quá lớn ({_size_text(size)}, giới hạn "
                                     f"{_size_text(max_bytes)}); tệp không được đọc.")
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except IsADirectoryError:
        raise IngestError(where, f"Tệp {where}: là một thư mục, không phải tệp bài viết.") from None
    except FileNotFoundError:
        raise IngestError(where, f"Tệp {where}: không tồn tại.") from None
    except OSError as err:
        raise IngestError(where, f"Tệp {where}: không đọc được ({err.strerror or err}).") from None
    if len(data) > max_bytes:  # grew while we looked
        raise IngestError(where, f"Tệp {where}: quá lớn (giới hạn {_size_text(max_bytes)}).")
    if suffix in TEXT_SUFFIXES:
        decoded = decode_text(data, where)
        notice = None
        if decoded.encoding == "windows-1258":
            notice = f"Tệp {where}: đã đọc theo bảng mã Windows-1258 (tiếng Việt), không phải UTF-8."
        return Document(parse_article(decoded.text, aid, source=where), notice)
    if suffix in (".html", ".htm"):
        from ingest.html_page import read_html

        return Document(read_html(data, aid, where))
    if suffix == ".docx":
        from ingest.word_doc import read_docx

        return Document(read_docx(data, aid, where))
    from ingest.pdf_doc import read_pdf

    return Document(read_pdf(data, aid, where))


def read_article(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Decode and parse one file; the article id is the file stem. Raises ``IngestError``."""
    return read_document(path, max_bytes).article


def load_corpus(directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> CorpusLoad:
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
        try:
            document = read_document(path, max_bytes)
        except IngestError as err:
            out.problems.append(FileProblem(str(path), err.message))
            continue
        article = document.article
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
        if document.notice:
            out.notices.append(FileProblem(str(path), document.notice))
    return out


def ensure_corpus(corpus_dir: Path, seed_dir: Path | None) -> Path:
    """Make sure ``corpus_dir`` exists: when it does not and ``seed_dir`` is given, fill it with a
    copy of ``seed_dir``'s files, atomically (copied into a hidden temporary folder beside it,
    then renamed), so a crash never leaves a half-copied corpus. Returns ``corpus_dir``.

    The managed corpus (``Settings.corpus_seed_dir`` set) starts as the shipped articles and is
    then changed by ``python -m ingest add/remove``; the git-tracked seeds are never written.
    """
    corpus_dir = Path(corpus_dir)
    if corpus_dir.exists() or seed_dir is None:
        return corpus_dir
    corpus_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = corpus_dir.parent / f".{corpus_dir.name}.{uuid.uuid4().hex[:8]}.tmp"
    tmp.mkdir()
    try:
        for path in sorted(Path(seed_dir).iterdir()):
            if path.is_file() and not path.name.startswith("."):
                shutil.copy2(path, tmp / path.name)
        try:
            tmp.rename(corpus_dir)
        except OSError:
            if not corpus_dir.is_dir():  # not another process winning the same race
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return corpus_dir
