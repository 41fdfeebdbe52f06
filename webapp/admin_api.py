"""The admin JSON API under ``/api/admin`` (token in ``Authorization: Bearer <token>``).

* ``POST /api/admin/reindex`` — rebuild the whole index from the corpus folder
* ``POST /api/admin/articles`` — upload article files (multipart, field ``files``)
* ``DELETE /api/admin/articles/{article_id}`` — remove one article

No token configured: every route answers 404, as if it did not exist. Missing or wrong token:
401. The token is checked before the body is read, so an unauthenticated upload costs nothing.
Another admin operation running: 409 at once (operations are not queued). The blocking work
runs in a worker thread, so ``/api/ask`` keeps being answered meanwhile.
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from webapp.admin import (
    MAX_UPLOAD_FILES, UNAUTHORIZED_MESSAGE, UPLOAD_SUFFIXES, AdminBusy, AdminError, AdminOps,
)

__all__ = ["make_admin_api_router", "read_uploads", "NOT_FOUND_API"]

NOT_FOUND_API = "Không có địa chỉ API này. Xem danh sách tại /docs."

_bearer = HTTPBearer(auto_error=False, scheme_name="MaQuanTri",
                     description="Mã quản trị (biến môi trường HOIDAP_ADMIN_TOKEN)")


class ErrorOut(BaseModel):
    detail: str


class ProblemOut(BaseModel):
    file: str
    message: str


class IndexOut(BaseModel):
    generation: str = Field(description="Thư mục thế hệ chỉ mục mới")
    articles: int
    paragraphs: int
    sentences: int
    embedded: int = Field(description="Số đoạn/câu phải nhúng mới")
    reused: int = Field(description="Số đoạn/câu dùng lại vector cũ")
    seconds: float
    problems: list[ProblemOut] = Field(description="Các tệp trong kho bị bỏ qua và lý do")


class FileOut(BaseModel):
    filename: str = Field(description="Tên tệp như đã gửi")
    saved_as: str | None = Field(description="Tên tệp sau khi làm sạch")
    article_id: str | None
    status: Literal["added", "updated", "unchanged", "rejected", "removed"]
    message: str


class UploadOut(BaseModel):
    message: str
    files: list[FileOut]
    index: IndexOut | None = Field(description="Chỉ mục mới; null khi không có gì thay đổi")


class ReindexOut(BaseModel):
    message: str
    index: IndexOut


class DeleteOut(BaseModel):
    message: str
    article: FileOut
    index: IndexOut | None


_ADMIN_ERRORS = {
    401: {"model": ErrorOut, "description": "Thiếu mã quản trị hoặc mã sai"},
    404: {"model": ErrorOut, "description": "Chức năng quản trị chưa bật (chưa đặt HOIDAP_ADMIN_TOKEN)"},
    409: {"model": ErrorOut, "description": "Đang có thao tác quản trị khác chạy"},
    413: {"model": ErrorOut, "description": "Nội dung gửi lên quá lớn"},
    500: {"model": ErrorOut, "description": "Không cập nhật được chỉ mục (chỉ mục cũ vẫn được dùng)"},
    503: {"model": ErrorOut, "description": "Hệ thống đang khởi động"},
}

_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "maxItems": MAX_UPLOAD_FILES,
                             "items": {"type": "string", "format": "binary"},
                             "description": f"Tệp bài viết ({', '.join(UPLOAD_SUFFIXES)})"}}}}}}}


def _authorize(request: Request, credentials: HTTPAuthorizationCredentials | None) -> AdminOps:
    ops: AdminOps = request.app.state.admin
    if not ops.enabled:
        raise HTTPException(404, detail=NOT_FOUND_API)
    if credentials is None or not ops.token_ok(credentials.credentials):
        raise HTTPException(401, detail=UNAUTHORIZED_MESSAGE, headers={"WWW-Authenticate": "Bearer"})
    return ops


async def read_uploads(request: Request, field_name: str = "files") -> tuple[list[tuple[str, bytes]], dict]:
    """The uploaded files (name as sent, bytes) and the other form fields. Raises
    ``AdminError`` (422) for a body that is not a usable multipart form."""
    try:
        form = await request.form(max_files=MAX_UPLOAD_FILES, max_fields=20)
    except MultiPartException:
        raise AdminError(422, "Nội dung gửi lên không phải biểu mẫu tải tệp hợp lệ (multipart/form-data).") from None
    except StarletteHTTPException as exc:  # Starlette turns multipart errors into a 400
        if exc.status_code == 413:
            raise
        if "too many files" in str(exc.detail).lower():
            raise AdminError(422, f"Gửi quá nhiều tệp một lần; tối đa {MAX_UPLOAD_FILES} tệp.") from None
        raise AdminError(422, "Nội dung gửi lên không phải biểu mẫu tải tệp hợp lệ (multipart/form-data).") from None
    uploads = []
    for item in form.getlist(field_name):
        if isinstance(item, UploadFile):
            uploads.append((item.filename or "", await item.read()))
        else:
            raise AdminError(422, f"Trường «{field_name}» phải là tệp, không phải chữ.")
    fields = {k: v for k, v in form.multi_items() if not isinstance(v, UploadFile)}
    await form.close()
    return uploads, fields


def _fail(exc: Exception) -> HTTPException:
    if isinstance(exc, AdminBusy):
        return HTTPException(409, detail=str(exc))
    assert isinstance(exc, AdminError)
    return HTTPException(exc.status, detail=exc.message)


def upload_message(files: list, changed: bool) -> str:
    accepted = sum(1 for f in files if f.status in ("added", "updated", "unchanged"))
    rejected = sum(1 for f in files if f.status == "rejected")
    text = f"Đã xử lý {len(files)} tệp: {accepted} tệp được nhận, {rejected} tệp bị từ chối."
    return text + (" Chỉ mục đã được cập nhật." if changed else " Chỉ mục không thay đổi.")


def make_admin_api_router() -> APIRouter:
    router = APIRouter(prefix="/api/admin", tags=["admin"], responses=_ADMIN_ERRORS)

    @router.post("/reindex", response_model=ReindexOut, summary="Xây lại toàn bộ chỉ mục",
                 description="Đọc lại thư mục bài viết, xây chỉ mục mới rồi chuyển sang dùng nó, không cần "
                             "khởi động lại. Trong lúc xây, các câu hỏi vẫn được trả lời bằng chỉ mục cũ.")
    async def reindex(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> dict:
        ops = _authorize(request, credentials)
        try:
            info = await run_in_threadpool(ops.reindex)
        except (AdminBusy, AdminError) as exc:
            raise _fail(exc) from None
        return {"message": f"Đã xây lại chỉ mục: {info.articles} bài, {info.paragraphs} đoạn.",
                "index": info.to_json()}

    @router.post("/articles", response_model=UploadOut, summary="Tải lên bài viết",
                 description="Gửi một hoặc nhiều tệp (multipart, trường `files`): "
                             f"{', '.join(UPLOAD_SUFFIXES)}. Trả về kết quả từng tệp; tệp hỏng bị từ chối "
                             "kèm lý do, không ảnh hưởng các bài đã có.",
                 openapi_extra=_UPLOAD_BODY,
                 responses={422: {"model": ErrorOut, "description": "Không có tệp nào hoặc biểu mẫu sai"}})
    async def upload(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> dict:
        ops = _authorize(request, credentials)   # before the body is read
        try:
            uploads, _ = await read_uploads(request)
            files, build = await run_in_threadpool(ops.add, uploads)
        except (AdminBusy, AdminError) as exc:
            raise _fail(exc) from None
        return {"message": upload_message(files, build is not None),
                "files": [vars(f) for f in files], "index": build.to_json() if build else None}

    @router.delete("/articles/{article_id}", response_model=DeleteOut, summary="Xoá một bài viết",
                   description="Xoá bài khỏi thư mục bài viết và khỏi chỉ mục.")
    async def delete(article_id: str, request: Request,
                     credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> dict:
        ops = _authorize(request, credentials)
        try:
            result, build = await run_in_threadpool(ops.remove, article_id)
        except (AdminBusy, AdminError) as exc:
            raise _fail(exc) from None
        if result.status != "removed":
            raise HTTPException(404, detail=result.message)
        return {"message": f"Đã xoá bài «{article_id}».", "article": vars(result),
                "index": build.to_json() if build else None}

    return router
