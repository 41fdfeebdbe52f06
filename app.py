"""Hỏi đáp phường web server: the Gradio chat at ``/``, the JSON API under ``/api`` (documented
at ``/docs``), article pages under ``/articles`` and the ``/healthz`` probe.

``python app.py`` starts it on the host/port from ``settings.Settings``. The answering service
(index + embedding model) is built once, in the background, from the moment the process starts;
until it can answer, ``/healthz`` returns 503. The chat UI is built right after it (until then
"/" answers 503 with a page that reloads itself; ``/healthz`` says ``"ui": false``). Several worker processes: HOIDAP_WORKERS=N (see
``webapp.serve`` for why not plain ``uvicorn app:create_app --factory --workers N``).

Admin routes (``/api/admin/*``, ``/admin``) exist only when HOIDAP_ADMIN_TOKEN is set. Request
bodies are limited (HOIDAP_MAX_BODY_BYTES; the article upload HOIDAP_MAX_UPLOAD_BYTES).
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import TYPE_CHECKING, AsyncIterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no phoning home: the app runs offline

from settings import Settings, get_settings  # noqa: E402

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import Scope

    from chatbot.service import QAService
    from webapp.runtime import ServiceHolder

# The web stack (Gradio: 3–4 s of a core) is imported inside create_app, so that a server process
# can start loading the answering service first (create_served_app).

__all__ = ["create_app", "create_served_app", "serve", "main"]

log = logging.getLogger("hoidap")

_DESCRIPTION = """
Hỏi đáp về các bài viết tin tức của phường. Mọi câu trả lời dẫn nguồn (bài, ngày, đoạn).

* `POST /api/ask` — hỏi (có thể gửi `history` để hỏi tiếp)
* `POST /api/check` — kiểm tra một thông tin, từng câu
* `GET /api/articles`, `GET /api/articles/{article_id}` — các bài viết, đoạn đánh số
* `GET /healthz` — 200 khi sẵn sàng trả lời, 503 khi đang khởi động
* `/api/admin/...` — quản trị (xây lại chỉ mục, tải lên / xoá bài), cần mã quản trị
  (`Authorization: Bearer <mã>`); chỉ bật khi đã đặt `HOIDAP_ADMIN_TOKEN`

Lỗi phía người gửi trả về 4xx với `detail` bằng tiếng Việt.
"""


def _build_service(settings: Settings) -> QAService:
    from chatbot.service import build_service  # the lead's builder: index + model

    return build_service(settings)


# routes whose body may be an upload of article files; everything else gets the normal limit
_UPLOAD_ROUTES = {("POST", "/api/admin/articles"), ("POST", "/admin/articles")}
# routes of this app (the JSON API, pages, webhooks); the rest of "/" belongs to Gradio
_OWN_PREFIXES = ("/api", "/admin", "/articles", "/webhooks", "/healthz", "/docs", "/redoc", "/openapi.json")


def body_limit_for(settings: Settings):
    """Byte limit of a request body by route. Gradio's own routes get the upload limit: their
    event payloads carry the whole chat conversation, which can outgrow the API limit."""
    def limit_for(scope: Scope) -> int:
        path = scope.get("path", "")
        if (scope.get("method"), path.rstrip("/")) in _UPLOAD_ROUTES:
            return settings.max_upload_bytes
        if path.startswith(_OWN_PREFIXES):
            return settings.max_body_bytes
        return settings.max_upload_bytes

    return limit_for


def create_app(settings: Settings | None = None, service: QAService | None = None, *,
               holder: ServiceHolder | None = None, defer_ui: bool = False) -> FastAPI:
    """The whole web app. Pass ``service`` to skip building one (tests, or a caller that owns it),
    or a ``holder`` already loading it; otherwise it is built from ``settings`` in the background
    at start-up. ``defer_ui``: the Gradio UI is built after the service is loaded, "/" answering
    503 until then (:mod:`webapp.deferred_ui`), so the API answers seconds earlier."""
    import asyncio

    from fastapi import FastAPI

    from webapp.admin import AdminOps
    from webapp.admin_api import make_admin_api_router
    from webapp.admin_page import make_admin_page_router
    from webapp.api import install_error_handlers, install_method_guards, make_api_router, make_health_router
    from webapp.articles_page import make_articles_router
    from webapp.deferred_ui import DeferredUI
    from webapp.feedback import FeedbackStore
    from webapp.limits import BodySizeLimit
    from webapp.runtime import ServiceHolder
    from webapp.zalo import ZaloBot, make_router as make_zalo_router

    settings = settings or get_settings()
    holder = holder or ServiceHolder(service)
    admin = AdminOps(settings, holder)
    # another worker (or `python -m index build`) made a new index generation: load it too
    holder.follow(admin.index_changed, admin.fresh_service)
    feedback = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    zalo = ZaloBot(settings, holder.get)  # fetches the service per message: answers once it is loaded
    deferred = DeferredUI() if defer_ui else None

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder.start_loading(lambda: _build_service(settings))
        if deferred is not None:
            deferred.start(lambda: _ui_app(holder, feedback), asyncio.get_running_loop(), holder.wait)
        zalo.start()
        try:
            yield
        finally:
            if deferred is not None:
                await deferred.aclose()
            await zalo.aclose()
            feedback.close()

    app = FastAPI(title="Hỏi đáp phường", description=_DESCRIPTION, version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.holder = holder
    app.state.feedback = feedback
    app.state.admin = admin
    app.state.ui = deferred
    app.add_middleware(BodySizeLimit, limit_for=body_limit_for(settings))
    install_error_handlers(app)
    app.include_router(make_health_router())
    app.include_router(make_admin_api_router())  # before the API's catch-all for unknown /api paths
    app.include_router(make_api_router())
    app.include_router(make_articles_router())
    app.include_router(make_admin_page_router())

    # the Zalo webhook goes before the Gradio mount, which takes "/" and would shadow it
    app.state.zalo = zalo
    app.include_router(make_zalo_router(zalo))
    install_method_guards(app)  # a wrong method on /healthz etc. is a 405, not the UI's 404

    if deferred is not None:
        app.mount("/", deferred)
    else:
        _mount_ui(app, holder, feedback)
    return app


def _mount_ui(app: FastAPI, holder: ServiceHolder, feedback) -> None:
    """Gradio's chat UI at "/" of ``app``."""
    import gradio as gr

    from webapp.ui import UI_CSS, build_ui, make_theme

    gr.mount_gradio_app(app, build_ui(holder, feedback), path="/", footer_links=[], ssr_mode=False,
                        theme=make_theme(), css=UI_CSS, show_error=False, mcp_server=False)


def _ui_app(holder: ServiceHolder, feedback) -> FastAPI:
    """The UI on an app of its own, for :class:`webapp.deferred_ui.DeferredUI`."""
    from fastapi import FastAPI

    ui = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    _mount_ui(ui, holder, feedback)
    return ui


def create_served_app(settings: Settings | None = None) -> FastAPI:
    """The app of a server process (``python app.py``, each ``webapp.serve`` worker): the
    service starts loading in a background thread before the web stack is even imported, and
    the UI is built after it (``defer_ui``)."""
    from webapp.runtime import ServiceHolder

    settings = settings or get_settings()
    holder = ServiceHolder()
    holder.start_loading(lambda: _build_service(settings))
    return create_app(settings, holder=holder, defer_ui=True)


def serve(settings: Settings) -> None:
    """Serve on ``settings.host:port``: in this process, or with HOIDAP_WORKERS > 1 in worker
    processes started by ``python -m webapp.serve`` (which replaces this process; see there)."""
    if settings.workers > 1:
        sys.stdout.flush()
        os.execv(sys.executable, [sys.executable, "-m", "webapp.serve"])
    import uvicorn

    uvicorn.run(create_served_app(settings), host=settings.host, port=settings.port, log_level="warning")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "", "::") else settings.host
    workers = f" ({settings.workers} tiến trình)" if settings.workers > 1 else ""
    print(f"Đang chạy tại http://{shown_host}:{settings.port}{workers}", flush=True)
    print("Nhấn Ctrl-C để dừng.", flush=True)
    try:
        serve(settings)
    except KeyboardInterrupt:
        pass
    print("Đã dừng.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
