"""Admin operations behind the admin API and page: rebuild the index, add or remove articles,
then hot-swap the answering service. No HTTP here (``webapp.admin_api`` and
``webapp.admin_page`` are the two front ends).

* Enabled only when ``Settings.admin_token`` is set; tokens are compared in constant time.
* One operation at a time: a second one, in this process or in another worker sharing the
  same ``data_dir``, is refused at once with ``AdminBusy`` (HTTP 409) rather than queued, so a
  client never waits minutes on a request that may time out.
* The blocking work runs in the caller's thread (the routes send it to a worker thread), and
  the answering service is swapped only after the new index generation is complete: requests
  answered meanwhile use the old index, requests after the swap the new one.
* Uploaded file names are untrusted: each is reduced to a safe base name
  (``webapp.safe_names``) and written to a private temporary folder; ``index.update`` decides
  what enters the corpus and never loses what is already there.
"""
from __future__ import annotations

import contextlib
import fcntl
import hmac
import logging
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from chatbot.service import QAService
from settings import Settings
from webapp.runtime import LOADING_MESSAGE, ServiceHolder, ServiceUnavailable
from webapp.safe_names import is_safe_article_id, invalid_id_message, safe_upload_name

__all__ = [
    "AdminOps", "AdminBusy", "AdminError", "FileResult", "IndexInfo", "UPLOAD_SUFFIXES", "MAX_UPLOAD_FILES",
    "BUSY_MESSAGE", "UNAUTHORIZED_MESSAGE",
]

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
MAX_UPLOAD_FILES = 50

BUSY_MESSAGE = ("Đang có một thao tác quản trị khác chạy (xây lại chỉ mục, tải lên hoặc xoá bài). "
                "Bạn vui lòng thử lại sau khi thao tác đó xong.")
UNAUTHORIZED_MESSAGE = ("Thiếu mã quản trị hoặc mã không đúng. Gửi tiêu đề "
                        "«Authorization: Bearer <mã quản trị>» (mã đặt bằng biến HOIDAP_ADMIN_TOKEN).")


class AdminBusy(RuntimeError):
    """Another admin operation is running."""


class AdminError(RuntimeError):
    """An operation could not be done; ``status`` is the HTTP status to answer with and the
    message is Vietnamese."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class FileResult:
    filename: str                 # as sent by the client (shown escaped, never used as a path)
    saved_as: str | None          # the sanitised name it was saved under
    article_id: str | None
    status: str                   # added | updated | unchanged | rejected | removed
    message: str


@dataclass
class IndexInfo:
    generation: str
    articles: int
    paragraphs: int
    sentences: int
    embedded: int
    reused: int
    seconds: float
    problems: list[dict] = field(default_factory=list)

    @classmethod
    def of(cls, report) -> "IndexInfo":  # index.build.BuildReport
        return cls(report.generation.name, report.articles, report.paragraphs, report.sentences,
                   report.embedded, report.reused, round(report.seconds, 3),
                   [{"file": Path(p.path).name, "message": p.message} for p in report.problems])

    def to_json(self) -> dict:
        return asdict(self)


class AdminOps:
    def __init__(self, settings: Settings, holder: ServiceHolder):
        self.settings = settings
        self.holder = holder
        self._lock = threading.Lock()
        self._own_embedder = None

    # -- access ------------------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return bool(self.settings.admin_token)

    def token_ok(self, presented: str | None) -> bool:
        if not self.enabled or not presented:
            return False
        return hmac.compare_digest(presented.encode("utf-8", "surrogateescape"),
                                   self.settings.admin_token.encode("utf-8", "surrogateescape"))

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """One operation at a time in this process (lock) and across workers (file lock)."""
        if not self._lock.acquire(blocking=False):
            raise AdminBusy(BUSY_MESSAGE)
        try:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            with open(self.settings.data_dir / "admin.lock", "a+b") as fh:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise AdminBusy(BUSY_MESSAGE) from None
                try:
                    with self.holder.exclusive():
                        yield
                finally:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        finally:
            self._lock.release()

    # -- service swap ------------------------------------------------------------------------
    def _embedder(self):
        """The loaded service's embedder (no second copy of the model); loaded here only when
        the service failed to start, so a reindex can repair a broken index."""
        try:
            service = self.holder.get()
        except ServiceUnavailable:
            if self.holder.error is None:
                raise AdminError(503, LOADING_MESSAGE) from None
            service = None
        embedder = getattr(service, "embedder", None)
        if embedder is None:
            if self._own_embedder is None:
                from index.embedder import load_embedder

                self._own_embedder = load_embedder(self.settings.embedder, self.settings.embed_model,
                                                   self.settings.model_cache_dir)
            embedder = self._own_embedder
        return embedder

    def fresh_service(self, current: QAService | None) -> QAService:
        """A new service over the index's current generation, same embedder, empty cache."""
        from chatbot.service import reload_service

        embedder = getattr(current, "embedder", None) or self._embedder()
        return reload_service(self.settings, embedder)

    def index_changed(self, service: QAService) -> bool:
        """True when the index directory's current generation is not the one ``service`` serves
        (another worker, or ``python -m index build``, made a new one)."""
        from index.build import current_generation

        loaded = getattr(getattr(service, "index", None), "generation", None)
        latest = current_generation(self.settings.index_dir)
        return loaded is not None and latest is not None and Path(loaded).resolve() != latest

    def _swap(self) -> None:
        try:
            self.holder.reload(self.fresh_service)
        except Exception as exc:  # noqa: BLE001 - the index is fine; say so and keep the old service
            log.exception("chỉ mục đã cập nhật nhưng không nạp lại được dịch vụ")
            raise AdminError(500, "Chỉ mục đã được cập nhật nhưng chưa nạp lại được dịch vụ hỏi đáp "
                                  f"({type(exc).__name__}: {exc}); câu trả lời vẫn dùng chỉ mục cũ.") from exc

    # -- operations --------------------------------------------------------------------------
    def reindex(self) -> IndexInfo:
        """Rebuild the whole index from the corpus folder, then swap the service."""
        from index.build import build_index
        from ingest.corpus import ensure_corpus

        with self.exclusive():
            embedder = self._embedder()
            try:
                ensure_corpus(self.settings.corpus_dir, self.settings.corpus_seed_dir)
                report = build_index(self.settings.corpus_dir, self.settings.index_dir, embedder,
                                     show_progress=False, max_bytes=self.settings.max_article_bytes)
            except Exception as exc:  # noqa: BLE001 - the previous generation stays current
                log.exception("xây lại chỉ mục thất bại")
                message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
                raise AdminError(500, f"Không xây lại được chỉ mục: {message}. Chỉ mục cũ vẫn được dùng.") from exc
            self._swap()
            return IndexInfo.of(report)

    def add(self, uploads: Sequence[tuple[str, bytes]]) -> tuple[list[FileResult], IndexInfo | None]:
        """Add or update articles from uploaded files (name as sent, content)."""
        if not uploads:
            raise AdminError(422, "Chưa có tệp nào được gửi lên (trường «files»).")
        if len(uploads) > MAX_UPLOAD_FILES:
            raise AdminError(422, f"Gửi {len(uploads)} tệp một lần là quá nhiều; tối đa {MAX_UPLOAD_FILES} tệp.")
        with self.exclusive():
            embedder = self._embedder()
            with tempfile.TemporaryDirectory(prefix="hoidap-upload-") as tmp:
                results, to_add = self._save(uploads, Path(tmp))
                build = None
                if to_add:
                    from index.update import add_files

                    try:
                        report = add_files(self.settings.corpus_dir, self.settings.index_dir, embedder,
                                           [path for path, _ in to_add], show_progress=False,
                                           max_bytes=self.settings.max_article_bytes)
                    except Exception as exc:  # noqa: BLE001
                        log.exception("thêm bài viết thất bại")
                        raise AdminError(500, "Không thêm được bài viết "
                                              f"({type(exc).__name__}: {exc}); kho bài và chỉ mục giữ nguyên.") from exc
                    by_path = {str(path): (path, result) for path, result in to_add}
                    for outcome in report.outcomes:
                        path, result = by_path.get(str(outcome.path), (None, None))
                        if result is None:
                            continue
                        # messages name the file by its temporary path: show the name as sent
                        result.article_id, result.status, result.message = (
                            outcome.article_id, outcome.status,
                            outcome.message.replace(str(path), f"«{result.filename}»"))
                    for _, result in to_add:
                        if not result.status:
                            result.status, result.message = "rejected", (
                                f"Tệp «{result.filename}»: không có kết quả xử lý, chưa được thêm.")
                    if report.build is not None:
                        build = IndexInfo.of(report.build)
                        self._swap()
            return results, build

    def _save(self, uploads: Sequence[tuple[str, bytes]], tmp: Path) -> tuple[list[FileResult], list[tuple[Path, FileResult]]]:
        results: list[FileResult] = []
        to_add: list[tuple[Path, FileResult]] = []
        seen: dict[str, str] = {}
        for filename, data in uploads:
            shown = filename or "(không tên)"
            safe = safe_upload_name(filename or "")
            result = FileResult(shown, safe, None, "", "")
            results.append(result)
            suffix = Path(safe).suffix.lower() if safe else ""
            if safe is None:
                result.status, result.message = "rejected", f"Tệp «{shown}»: tên tệp không dùng được."
            elif suffix not in UPLOAD_SUFFIXES:
                result.status, result.message = "rejected", (
                    f"Tệp «{shown}»: định dạng «{suffix or '(không có đuôi)'}» không được hỗ trợ "
                    f"(chỉ nhận {', '.join(UPLOAD_SUFFIXES)}).")
            elif Path(safe).stem.casefold() in seen:
                result.status, result.message = "rejected", (
                    f"Tệp «{shown}»: trùng tên bài với tệp «{seen[Path(safe).stem.casefold()]}» "
                    "trong cùng lần gửi; hãy đổi tên một trong hai tệp.")
            else:
                seen[Path(safe).stem.casefold()] = shown
                path = tmp / safe
                path.write_bytes(data)
                to_add.append((path, result))
        return results, to_add

    def remove(self, article_id: str) -> tuple[FileResult, IndexInfo | None]:
        """Remove one article from the corpus and the index."""
        if not is_safe_article_id(article_id):
            raise AdminError(404, invalid_id_message(article_id))
        with self.exclusive():
            embedder = self._embedder()
            from index.update import remove_articles

            try:
                report = remove_articles(self.settings.corpus_dir, self.settings.index_dir, embedder,
                                         [article_id], show_progress=False)
            except Exception as exc:  # noqa: BLE001
                log.exception("xoá bài viết thất bại")
                raise AdminError(500, f"Không xoá được bài viết «{article_id}» "
                                      f"({type(exc).__name__}: {exc}); kho bài và chỉ mục giữ nguyên.") from exc
            outcome = next((o for o in report.outcomes if o.article_id == article_id), None)
            if outcome is None and report.outcomes:
                outcome = report.outcomes[0]
            result = FileResult(article_id, None, article_id, outcome.status if outcome else "rejected",
                                outcome.message if outcome else f"Không có bài viết mang mã «{article_id}».")
            build = None
            if report.build is not None:
                build = IndexInfo.of(report.build)
                self._swap()
            return result, build
