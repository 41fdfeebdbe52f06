"""Add or remove articles and update the index incrementally: only new text is embedded.

The corpus folder stays the source of truth. An update (1) reads and checks every given file,
(2) copies the accepted originals into the corpus folder (temporary hidden name, then
``os.replace``), or deletes the removed articles' files, (3) builds a new generation from the
articles of the previous one plus/minus the changes (``build_index(articles=...)``; the
embedding cache reuses every unchanged vector) and swaps it in. All of it runs under
``index_lock``, so concurrent updates and builds of one index happen one after the other.

A crash at any point leaves the previous generation serving. A crash after step 2 leaves the
corpus ahead of the index: its fingerprint no longer matches the manifest, so the next
``open_index`` (or the same command run again) rebuilds from the folder and includes it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from index.build import BuildReport, build_index, corpus_fingerprint, current_generation, index_lock
from index.embedder import Embedder
from ingest.corpus import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, load_corpus, read_document
from ingest.decode import IngestError
from ingest.models import Article, FileProblem, article_from_dict

__all__ = ["FileOutcome", "UpdateReport", "add_files", "remove_articles", "check_article_id"]

_TMP_PREFIX = ".hoidap-"
# letters (any script, e.g. Vietnamese), digits, "_", "-", "."; no separators, no leading dot
_SAFE_ID = re.compile(r"[^\W_][\w.\-]{0,119}")


@dataclass
class FileOutcome:
    path: str                 # as given (or the article id for removals)
    article_id: str | None
    status: str               # "added" | "updated" | "unchanged" | "rejected" | "removed"
    message: str              # Vietnamese, names the file and what happened / why rejected


@dataclass
class UpdateReport:
    outcomes: list[FileOutcome]
    build: BuildReport | None  # None when nothing changed in the index

    @property
    def ok(self) -> bool:
        """No file was rejected."""
        return all(o.status != "rejected" for o in self.outcomes)


def check_article_id(article_id: str) -> str | None:
    """Why ``article_id`` cannot name an article (a file in the corpus, a URL segment), or None.

    Safe ids are 1-120 letters, digits, "_", "-", "." starting with a letter or digit, in NFC,
    without "..": never a path separator, a hidden name or a way out of the corpus folder."""
    if not article_id:
        return "mã bài trống"
    if "/" in article_id or "\\" in article_id or ".." in article_id or "\x00" in article_id:
        return f"mã bài '{article_id}' chứa '/', '\\' hoặc '..'"
    if unicodedata.normalize("NFC", article_id) != article_id or not _SAFE_ID.fullmatch(article_id):
        return (f"mã bài '{article_id}' chỉ được gồm chữ, số, '_', '-', '.', bắt đầu bằng chữ hoặc số, "
                "không có khoảng trắng, tối đa 120 ký tự")
    return None


# -- the state before the update -------------------------------------------------------------------

@dataclass
class _Base:
    indexed: dict[str, Article]        # what the current generation serves
    articles: dict[str, Article]       # what the corpus folder holds now (parsed or trusted)
    problems: list[FileProblem]        # files of the folder that are skipped
    in_sync: bool                      # the index matches the folder
    has_index: bool = True

    @property
    def behind(self) -> bool:
        """An existing index that misses changes of the folder (an update cut short)."""
        return self.has_index and not self.in_sync


def _generation_state(index_dir: Path) -> tuple[dict[str, Article], dict | None]:
    gen = current_generation(index_dir)
    if gen is None:
        return {}, None
    try:
        manifest = json.loads((gen / "manifest.json").read_text())
        data = json.loads((gen / "articles.json").read_text())
    except (OSError, ValueError):
        return {}, None
    return {a.article_id: a for a in map(article_from_dict, data)}, manifest


def _base(corpus_dir: Path, index_dir: Path, max_bytes: int) -> _Base:
    indexed, manifest = _generation_state(index_dir)
    if manifest is not None and manifest.get("corpus_hash") == corpus_fingerprint(corpus_dir):
        problems = [FileProblem(p["path"], p["message"]) for p in manifest.get("problems", [])]
        # same names and bytes, maybe another folder (a copied corpus): the files are these ones
        current = {aid: replace(a, source=str(corpus_dir / Path(a.source).name)) if a.source else a
                   for aid, a in indexed.items()}
        return _Base(indexed, current, problems, True)
    # the folder moved on without the index (a crash after copying, a file edited by hand):
    # read it again; the embedding cache still spares every unchanged text
    loaded = load_corpus(corpus_dir, max_bytes)
    return _Base(indexed, {a.article_id: a for a in loaded.articles}, loaded.problems, False, manifest is not None)


def _corpus_files(corpus_dir: Path, article_id: str) -> list[Path]:
    return [p for p in corpus_dir.iterdir()
            if p.is_file() and p.stem == article_id and p.suffix.lower() in SUPPORTED_SUFFIXES]


# -- writing the corpus ----------------------------------------------------------------------------

def _remove_leftovers(corpus_dir: Path) -> None:
    for path in corpus_dir.glob(f"{_TMP_PREFIX}*.tmp"):
        path.unlink(missing_ok=True)


def _install(source: Path, corpus_dir: Path, name: str) -> Path:
    """Copy ``source`` into the corpus as ``name``: written under a hidden temporary name (which
    no reader looks at), flushed, then renamed over the target in one step."""
    target = corpus_dir / name
    tmp = corpus_dir / f"{_TMP_PREFIX}{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open(source, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(corpus_dir)
    return target


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _rebuild(corpus_dir: Path, index_dir: Path, embedder: Embedder, base: _Base,
             show_progress: bool) -> BuildReport:
    articles = sorted(base.articles.values(), key=lambda a: (Path(a.source).name, a.article_id))
    return build_index(corpus_dir, index_dir, embedder, articles=articles, show_progress=show_progress,
                       fingerprint=corpus_fingerprint(corpus_dir), problems=base.problems)


def _drop_problems(base: _Base, article_id: str) -> None:
    base.problems = [p for p in base.problems if Path(p.path).stem != article_id]


# -- the API ---------------------------------------------------------------------------------------

def add_files(corpus_dir: Path, index_dir: Path, embedder: Embedder, paths: Sequence[Path], *,
              show_progress: bool = False, max_bytes: int = DEFAULT_MAX_BYTES) -> UpdateReport:
    """Add (or replace) articles from files of any supported format, then update the index.

    Each path gets one outcome: "added" (new to the index), "updated" (same id, new content:
    replaces it), "unchanged" (same id, same content), or "rejected" with the reason (unreadable
    file, unsafe name, too large, the same content as another article, a second file with the
    same id in this call). The id is the file stem. Rejected files change nothing.
    """
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    outcomes: list[FileOutcome] = []
    with index_lock(index_dir):
        corpus_dir.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(corpus_dir)
        base = _base(corpus_dir, index_dir, max_bytes)
        changed = False
        seen: dict[str, str] = {}
        for raw in paths:
            path = Path(raw)
            where = str(raw)
            article_id = unicodedata.normalize("NFC", path.stem)

            def reject(reason: str, aid: str | None = article_id) -> None:
                outcomes.append(FileOutcome(where, aid, "rejected", reason))

            problem = check_article_id(article_id)
            if problem:
                reject(f"Tệp {where}: tên tệp không dùng làm mã bài được ({problem}); hãy đổi tên tệp.", None)
                continue
            if article_id in seen:
                reject(f"Tệp {where}: trùng mã bài '{article_id}' với tệp {seen[article_id]} trong cùng lần "
                       "thêm; hãy đổi tên một trong hai tệp.")
                continue
            try:
                if path.resolve().parent == corpus_dir.resolve() and path.name.startswith(_TMP_PREFIX):
                    raise IngestError(where, f"Tệp {where}: là tệp tạm của kho bài viết.")
                document = read_document(path, max_bytes, article_id)  # the id in NFC, as stored
            except IngestError as err:
                reject(err.message)
                continue
            article = document.article
            twin = next((a for a in base.articles.values()
                         if a.content_hash == article.content_hash and a.article_id != article_id), None)
            if twin is not None:
                reject(f"Tệp {where}: nội dung trùng hoàn toàn với bài đã có '{twin.article_id}' "
                       f"({twin.title}); không thêm bản sao.")
                continue
            seen[article_id] = where
            name = article_id + path.suffix.lower()
            stored = corpus_dir / name
            article = replace(article, source=str(stored))
            old = base.indexed.get(article_id)
            in_corpus = base.articles.get(article_id)
            if in_corpus is None or in_corpus.content_hash != article.content_hash or not stored.is_file():
                if path.resolve() != stored.resolve():
                    _install(path, corpus_dir, name)
                for other in _corpus_files(corpus_dir, article_id):
                    if other.name != name:
                        other.unlink()  # "bai.txt" replaced by "bai.docx"
                _drop_problems(base, article_id)
                base.articles[article_id] = article
                changed = True
            note = f" {document.notice}" if document.notice else ""
            if old is None:
                status, what = "added", f"đã thêm bài '{article_id}' ({article.title}), {len(article.paragraphs)} đoạn."
            elif old.content_hash != article.content_hash:
                status, what = "updated", f"đã cập nhật bài '{article_id}' ({article.title}), thay nội dung cũ."
            else:
                status, what = "unchanged", f"bài '{article_id}' đã có với nội dung y hệt, không thay đổi."
            outcomes.append(FileOutcome(where, article_id, status, f"Tệp {where}: {what}{note}"))
        build = None
        if changed or base.behind:
            build = _rebuild(corpus_dir, index_dir, embedder, base, show_progress)
    return UpdateReport(outcomes, build)


def remove_articles(corpus_dir: Path, index_dir: Path, embedder: Embedder, article_ids: Sequence[str], *,
                    show_progress: bool = False) -> UpdateReport:
    """Delete articles (their files in the corpus folder) and update the index.

    Each id gets "removed" or "rejected" (unsafe id, no such article)."""
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    outcomes: list[FileOutcome] = []
    with index_lock(index_dir):
        if not corpus_dir.is_dir():
            return UpdateReport([FileOutcome(str(a), None, "rejected", f"Thư mục {corpus_dir} không tồn tại.")
                                 for a in article_ids], None)
        _remove_leftovers(corpus_dir)
        base = _base(corpus_dir, index_dir, DEFAULT_MAX_BYTES)
        changed = False
        done: set[str] = set()
        for article_id in article_ids:
            problem = check_article_id(article_id)
            if problem:
                outcomes.append(FileOutcome(article_id, None, "rejected", f"Không xóa được: {problem}."))
                continue
            if article_id in done:
                outcomes.append(FileOutcome(article_id, article_id, "rejected",
                                            f"Mã bài '{article_id}' được nêu hai lần; đã xóa ở lần đầu."))
                continue
            files = _corpus_files(corpus_dir, article_id)
            known = article_id in base.articles or article_id in base.indexed
            if not files and not known:
                outcomes.append(FileOutcome(article_id, article_id, "rejected",
                                            f"Không có bài nào mang mã '{article_id}' trong kho {corpus_dir}."))
                continue
            for path in files:
                path.unlink()
            if files:
                _fsync_dir(corpus_dir)
            title = (base.articles.get(article_id) or base.indexed.get(article_id))
            base.articles.pop(article_id, None)
            _drop_problems(base, article_id)
            changed = True
            done.add(article_id)
            names = ", ".join(p.name for p in files) or "không còn tệp"
            what = f" ({title.title})" if title else ""
            outcomes.append(FileOutcome(article_id, article_id, "removed",
                                        f"Đã xóa bài '{article_id}'{what} ({names})."))
        build = None
        if changed or base.behind:
            build = _rebuild(corpus_dir, index_dir, embedder, base, show_progress)
    return UpdateReport(outcomes, build)
