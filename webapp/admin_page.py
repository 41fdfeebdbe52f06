"""The admin page ``/admin``: plain HTML forms (no script at all) to upload articles, rebuild
the index and remove an article.

A script-free form cannot set an ``Authorization`` header, so these forms send the admin
token as a form field (``token``), compared in constant time like the API's bearer token.
The token is never echoed back. Every name and message shown is escaped. Disabled (404) when
no token is configured, like the admin API.
"""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from webapp.admin import UPLOAD_SUFFIXES, UNAUTHORIZED_MESSAGE, AdminBusy, AdminError, AdminOps, FileResult, IndexInfo
from webapp.admin_api import read_uploads, upload_message
from webapp.articles_page import PAGE_CSS
from webapp.render import escape_html
from webapp.runtime import ServiceHolder, ServiceUnavailable

__all__ = ["make_admin_page_router"]

_CSP = ("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'")
_STATUS_VI = {"added": "đã thêm", "updated": "đã cập nhật", "unchanged": "không đổi", "rejected": "bị từ chối",
              "removed": "đã xoá"}
_EXTRA_CSS = """
form { margin: .8rem 0 1.6rem; padding: .8rem 1rem; border: 1px solid #e7e5e4; border-radius: .5rem; background: #fff; }
label { display: block; margin: .4rem 0 .2rem; font-weight: 600; }
input[type=password], input[type=text] { width: 100%; padding: .35rem .5rem; font: inherit; }
button { margin-top: .6rem; padding: .4rem 1rem; font: inherit; cursor: pointer; }
table { width: 100%; border-collapse: collapse; } td, th { text-align: left; padding: .35rem; border-bottom: 1px solid #e7e5e4; vertical-align: top; }
.rejected { color: #991b1b; } .ok { color: #166534; } code { overflow-wrap: anywhere; }
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">'
        f"<title>{escape_html(title)} · Hỏi đáp phường</title><style>{PAGE_CSS}{_EXTRA_CSS}</style></head>"
        '<body><main><nav><a href="/">← Hỏi đáp phường</a> · <a href="/admin">Quản trị</a> · '
        f'<a href="/articles">Tất cả bài viết</a></nav>{body}</main></body></html>'
    )
    return HTMLResponse(html, status_code=status, headers={
        "Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store", "X-Frame-Options": "DENY"})


def _not_found() -> HTMLResponse:
    return _page("Không tìm thấy", "<h1>Không tìm thấy trang này</h1>", 404)


def _token_field() -> str:
    return ('<label for="{id}">Mã quản trị</label>'
            '<input type="password" id="{id}" name="token" required autocomplete="off">')


def _form_page(holder: ServiceHolder) -> str:
    try:
        articles = holder.get().articles()
        rows = "".join(f"<tr><td><code>{escape_html(a.article_id)}</code></td><td>{escape_html(a.title)}</td></tr>"
                       for a in articles)
        listing = (f"<h2>Các bài đang có ({len(articles)})</h2>"
                   f"<table><thead><tr><th>Mã bài</th><th>Tiêu đề</th></tr></thead><tbody>{rows}</tbody></table>")
    except ServiceUnavailable as exc:
        listing = f"<p class=\"muted\">{escape_html(str(exc))}</p>"
    accept = ",".join(UPLOAD_SUFFIXES)
    return (
        "<h1>Quản trị bài viết</h1>"
        "<p class=\"muted\">Mỗi thao tác cần mã quản trị. Sau khi xong, câu trả lời dùng ngay chỉ mục mới, "
        "không cần khởi động lại. Mỗi lúc chỉ chạy một thao tác.</p>"
        '<form method="post" action="/admin/articles" enctype="multipart/form-data">'
        "<h2>Tải lên bài viết</h2>" + _token_field().format(id="t-upload")
        + f'<label for="files">Tệp bài viết ({escape_html(", ".join(UPLOAD_SUFFIXES))})</label>'
        f'<input type="file" id="files" name="files" multiple required accept="{escape_html(accept)}">'
        '<button type="submit">Tải lên</button></form>'
        '<form method="post" action="/admin/reindex"><h2>Xây lại toàn bộ chỉ mục</h2>'
        + _token_field().format(id="t-reindex")
        + '<button type="submit">Xây lại chỉ mục</button></form>'
        '<form method="post" action="/admin/delete"><h2>Xoá một bài</h2>' + _token_field().format(id="t-delete")
        + '<label for="article_id">Mã bài</label><input type="text" id="article_id" name="article_id" required>'
        '<button type="submit">Xoá bài</button></form>' + listing
    )


def _files_table(files: list[FileResult]) -> str:
    rows = "".join(
        f'<tr class="{"rejected" if f.status == "rejected" else "ok"}"><td>{escape_html(f.filename)}</td>'
        f"<td><code>{escape_html(f.article_id or '')}</code></td><td>{escape_html(_STATUS_VI.get(f.status, f.status))}</td>"
        f"<td>{escape_html(f.message)}</td></tr>" for f in files)
    return ("<table><thead><tr><th>Tệp</th><th>Mã bài</th><th>Kết quả</th><th>Chi tiết</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _index_html(info: IndexInfo | None) -> str:
    if info is None:
        return "<p>Chỉ mục không thay đổi.</p>"
    problems = "".join(f"<li>{escape_html(p['message'])}</li>" for p in info.problems)
    return (f"<p>Chỉ mục mới <code>{escape_html(info.generation)}</code>: {info.articles} bài, {info.paragraphs} đoạn, "
            f"{info.sentences} câu; nhúng mới {info.embedded}, dùng lại {info.reused}; {info.seconds:.1f} giây.</p>"
            + (f"<p>Các tệp bị bỏ qua:</p><ul>{problems}</ul>" if problems else ""))


def _error_page(exc: Exception) -> HTMLResponse:
    status = 409 if isinstance(exc, AdminBusy) else getattr(exc, "status", 500)
    message = str(exc) if isinstance(exc, AdminBusy) else getattr(exc, "message", str(exc))
    return _page("Không thực hiện được", f"<h1>Không thực hiện được</h1><p>{escape_html(message)}</p>"
                 '<p><a href="/admin">← Quay lại trang quản trị</a></p>', status)


def _unauthorized() -> HTMLResponse:
    return _page("Sai mã quản trị", f"<h1>Sai mã quản trị</h1><p>{escape_html(UNAUTHORIZED_MESSAGE)}</p>"
                 '<p><a href="/admin">← Quay lại trang quản trị</a></p>', 401)


def make_admin_page_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/admin", response_class=HTMLResponse)
    def admin_page(request: Request) -> HTMLResponse:
        ops: AdminOps = request.app.state.admin
        if not ops.enabled:
            return _not_found()
        return _page("Quản trị", _form_page(request.app.state.holder))

    @router.post("/admin/articles", response_class=HTMLResponse)
    async def upload(request: Request) -> HTMLResponse:
        ops: AdminOps = request.app.state.admin
        if not ops.enabled:
            return _not_found()
        try:
            uploads, fields = await read_uploads(request)
            if not ops.token_ok(_text(fields.get("token"))):
                return _unauthorized()
            files, build = await run_in_threadpool(ops.add, uploads)
        except (AdminBusy, AdminError) as exc:
            return _error_page(exc)
        return _page("Kết quả tải lên", f"<h1>Kết quả tải lên</h1><p>{escape_html(upload_message(files, build is not None))}</p>"
                     + _files_table(files) + _index_html(build) + '<p><a href="/admin">← Quay lại</a></p>')

    async def _checked_form(request: Request) -> tuple[AdminOps, dict | HTMLResponse]:
        """The admin gate of the small forms: routes enabled, form read, token right."""
        ops: AdminOps = request.app.state.admin
        if not ops.enabled:
            return ops, _not_found()
        fields = await _small_form(request)
        if not ops.token_ok(_text(fields.get("token"))):
            return ops, _unauthorized()
        return ops, fields

    @router.post("/admin/reindex", response_class=HTMLResponse)
    async def reindex(request: Request) -> HTMLResponse:
        ops, fields = await _checked_form(request)
        if isinstance(fields, HTMLResponse):
            return fields
        try:
            info = await run_in_threadpool(ops.reindex)
        except (AdminBusy, AdminError) as exc:
            return _error_page(exc)
        return _page("Đã xây lại chỉ mục", "<h1>Đã xây lại chỉ mục</h1>" + _index_html(info)
                     + '<p><a href="/admin">← Quay lại</a></p>')

    @router.post("/admin/delete", response_class=HTMLResponse)
    async def delete(request: Request) -> HTMLResponse:
        ops, fields = await _checked_form(request)
        if isinstance(fields, HTMLResponse):
            return fields
        article_id = (_text(fields.get("article_id")) or "").strip()
        try:
            result, build = await run_in_threadpool(ops.remove, article_id)
        except (AdminBusy, AdminError) as exc:
            return _error_page(exc)
        status = 200 if result.status == "removed" else 404
        return _page("Xoá bài", "<h1>Xoá bài</h1>" + _files_table([result]) + _index_html(build)
                     + '<p><a href="/admin">← Quay lại</a></p>', status)

    return router


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


async def _small_form(request: Request) -> dict:
    """The text fields of a form (url-encoded or multipart); files are not accepted here."""
    try:
        form = await request.form(max_files=0, max_fields=10)
    except HTTPException as exc:
        if exc.status_code == 413:
            raise
        return {}
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    await form.close()
    return fields
