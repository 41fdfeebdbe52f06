"""Server-rendered article pages: ``/articles`` and ``/articles/{article_id}#p{N}``.

Citations in the chat, the API and the Zalo bot link here. The page is plain HTML with no
script at all (and a Content-Security-Policy forbidding any), every paragraph carries an
``id="p{N}"`` anchor, and the linked paragraph is highlighted with CSS ``:target``.
"""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from webapp.render import article_html, article_list_html, escape_html
from webapp.runtime import ServiceHolder, ServiceUnavailable
from webapp.safe_names import invalid_id_message, is_safe_article_id

__all__ = ["make_articles_router", "PAGE_CSS"]

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'"

PAGE_CSS = """
:root { color-scheme: light; --accent: #b45309; --mark: #fef08a; --muted: #6b7280; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.65 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
       color: #1f2937; background: #fafaf9; }
main { max-width: 46rem; margin: 0 auto; padding: 1rem 1rem 4rem; }
nav { font-size: .95rem; margin-bottom: .5rem; }
a { color: #1d4ed8; }
h1 { font-size: 1.5rem; line-height: 1.3; margin: .5rem 0; }
.meta, .muted { color: var(--muted); font-size: .9rem; }
.para { position: relative; margin: .9rem 0; padding: .35rem .6rem .35rem 2.6rem; border-radius: .4rem;
        overflow-wrap: anywhere; scroll-margin-top: 1.5rem; }
.para .pnum { position: absolute; left: .4rem; top: .45rem; min-width: 1.7rem; text-align: center;
              font-size: .75rem; color: var(--muted); text-decoration: none; border: 1px solid #d6d3d1;
              border-radius: 1rem; background: #fff; }
.para.caption { font-style: italic; color: #4b5563; }
.para.heading { font-weight: 700; }
.para.byline { text-align: right; font-weight: 600; }
.para:target, .para.highlighted { background: var(--mark); box-shadow: inset 4px 0 0 var(--accent); }
.article-list { padding-left: 1.2rem; } .article-list li { margin: .6rem 0; }
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape_html(title)} · Hỏi đáp phường</title><style>{PAGE_CSS}</style></head>"
        f'<body><main><nav><a href="/">← Hỏi đáp phường</a> · <a href="/articles">Tất cả bài viết</a></nav>'
        f"{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers={
        "Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin"})


def _unavailable(exc: ServiceUnavailable) -> HTMLResponse:
    return _page("Đang khởi động", f"<h1>Vui lòng chờ</h1><p>{escape_html(str(exc))}</p>", 503)


def make_articles_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/articles", response_class=HTMLResponse)
    def list_page(request: Request) -> HTMLResponse:
        holder: ServiceHolder = request.app.state.holder
        try:
            articles = holder.get().articles()
        except ServiceUnavailable as exc:
            return _unavailable(exc)
        return _page("Bài viết", "<h1>Các bài viết</h1>" + article_list_html(articles))

    @router.get("/articles/{article_id}", response_class=HTMLResponse)
    def article_page(article_id: str, request: Request) -> HTMLResponse:
        if not is_safe_article_id(article_id):  # never let "../x" or "a/b" go any further
            return _page("Không tìm thấy", "<h1>Không tìm thấy bài viết</h1>"
                         f"<p>{escape_html(invalid_id_message(article_id))}</p>", 404)
        holder: ServiceHolder = request.app.state.holder
        try:
            article = holder.get().article(article_id)
        except ServiceUnavailable as exc:
            return _unavailable(exc)
        except KeyError:
            return _page("Không tìm thấy", "<h1>Không tìm thấy bài viết</h1>"
                         f"<p>Không có bài viết nào mang mã «{escape_html(article_id)}».</p>", 404)
        return _page(article.title, article_html(article))

    return router
