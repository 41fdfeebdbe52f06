"""The JSON API under ``/api`` and the ``/healthz`` probe.

Handlers are thin and synchronous (``def``): FastAPI runs them in its thread pool, so the
CPU-bound service call never blocks the event loop. Every client error is a 4xx with a
Vietnamese ``detail``; request validation errors are translated in ``install_error_handlers``.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Iterator, Literal, Sequence

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from chatbot.models import Answer, CheckReport, Citation, Turn
from chatbot.service import QAService
from ingest.models import Article
from webapp.render import NOT_READY_CHECK, article_url
from webapp.runtime import ServiceHolder, ServiceUnavailable
from webapp.safe_names import invalid_id_message, is_safe_article_id

__all__ = [
    "MAX_QUESTION_CHARS", "MAX_CLAIM_CHARS", "MAX_HISTORY_TURNS", "make_api_router", "make_health_router",
    "install_error_handlers", "install_method_guards", "answer_json", "report_json", "validate_question",
]

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
MAX_CLAIM_CHARS = 2000
MAX_HISTORY_TURNS = 40
MAX_TURN_CHARS = 8000

_SEED_QUESTION = "Đại hội Đảng bộ phường Quang Trung nhiệm kỳ 2025-2030 đề ra bao nhiêu chỉ tiêu chủ yếu?"


def _num(n: int) -> str:
    """1000 -> "1.000" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


# whitespace around a question: Python's str.isspace() set plus U+FEFF, spelled out so that the
# schema's pattern means the same under every regex engine ("\s" differs between Python,
# ECMA-262 and Rust)
_BLANK = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
          + "\u2028\u2029\u202f\u205f\u3000\ufeff")


def text_pattern(limit: int) -> str:
    """JSON Schema pattern of a text ``validate_question`` accepts: something besides
    whitespace, at most ``limit`` characters once surrounding whitespace is removed."""
    blank = _BLANK.replace("\u2000" + "".join(map(chr, range(0x2001, 0x200B))), "\u2000-\u200a")
    return rf"^[{blank}]*[^{blank}](?:[\s\S]{{0,{limit - 2}}}[^{blank}])?[{blank}]*$"


def validate_question(text: str, *, what: str = "Câu hỏi", limit: int = MAX_QUESTION_CHARS) -> str:
    """The checks shared by the API and the chat: not blank, at most ``limit`` characters.
    Returns the stripped text; raises ``ValueError`` with a Vietnamese message."""
    stripped = text.strip(_BLANK)
    if not stripped:
        raise ValueError(f"{what} không được để trống.")
    if len(stripped) > limit:
        raise ValueError(f"{what} dài {_num(len(stripped))} ký tự, vượt quá giới hạn {_num(limit)} ký tự. "
                         "Bạn vui lòng rút gọn lại.")
    return stripped


# --- request / response models ----------------------------------------------------------------

class TurnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"] = Field(description="Ai nói lượt này")
    content: StrictStr = Field(max_length=MAX_TURN_CHARS, description="Nội dung lượt nói")


class AskRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"question": _SEED_QUESTION},
        {"question": "Còn thu nhập bình quân thì sao?",
         "history": [{"role": "user", "content": _SEED_QUESTION},
                     {"role": "assistant", "content": "Đại hội đề ra 28 chỉ tiêu chủ yếu [1]."}]},
    ]})
    question: StrictStr = Field(description=f"Câu hỏi, tối đa {MAX_QUESTION_CHARS} ký tự",
                                json_schema_extra={"pattern": text_pattern(MAX_QUESTION_CHARS)})
    history: list[TurnIn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS,
                                  description="Các lượt hỏi đáp trước (để hỏi tiếp)")

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        try:
            return validate_question(value)
        except ValueError as exc:
            raise PydanticCustomError("question_invalid", str(exc)) from None


class CheckRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"claim": "Đại hội Đảng bộ phường Quang Trung đề ra 30 chỉ tiêu chủ yếu."}]})
    claim: StrictStr = Field(description=f"Thông tin cần kiểm tra, tối đa {MAX_CLAIM_CHARS} ký tự",
                             json_schema_extra={"pattern": text_pattern(MAX_CLAIM_CHARS)})

    @field_validator("claim")
    @classmethod
    def _claim(cls, value: str) -> str:
        try:
            return validate_question(value, what="Thông tin cần kiểm tra", limit=MAX_CLAIM_CHARS)
        except ValueError as exc:
            raise PydanticCustomError("claim_invalid", str(exc)) from None


class CitationOut(BaseModel):
    id: int | None = None
    article_id: str
    title: str
    date: str | None
    paragraph: int
    text: str
    span: list[int] | None = None
    score: float | None = None
    url: str | None = Field(None, description="Trang bài viết, cuộn tới đoạn được trích")


class AskResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": None, "answer": "Đại hội đề ra 28 chỉ tiêu chủ yếu [1].", "short_answer": "28 chỉ tiêu",
        "abstained": False, "verdict": None,
        "citations": [{"id": 1, "article_id": "000_979beda71dc56cf9",
                       "title": "Xây dựng chương trình hành động để đưa nghị quyết vào cuộc sống",
                       "date": "2025-11-17", "paragraph": 1,
                       "text": "Đại hội Đảng bộ phường Quang Trung lần thứ nhất, ...", "span": [0, 120],
                       "score": 0.91, "url": "/articles/000_979beda71dc56cf9#p1"}],
        "related": [], "standalone_question": _SEED_QUESTION}]})
    id: str | None = None
    answer: str
    short_answer: str | None
    abstained: bool
    verdict: Literal["supported", "refuted", "not_found"] | None = None
    citations: list[CitationOut]
    related: list[CitationOut] = Field(default_factory=list,
                                       description="Khi không trả lời được: tối đa 3 đoạn có thể liên quan")
    standalone_question: str | None = Field(None, description="Câu hỏi sau khi ghép ngữ cảnh hội thoại")


class SentenceOut(BaseModel):
    sentence: str
    verdict: Literal["supported", "refuted", "not_found"]
    explanation: str
    citations: list[CitationOut]
    evidence_span: list[int] | None = None


class CheckResponse(BaseModel):
    claim: str
    verdict: Literal["supported", "refuted", "not_found"]
    sentences: list[SentenceOut]


class ParagraphOut(BaseModel):
    number: int
    text: str
    kind: str
    url: str


class ArticleSummary(BaseModel):
    article_id: str
    title: str
    date: str | None
    paragraphs: int
    url: str


class ArticleDetail(BaseModel):
    article_id: str
    title: str
    date: str | None
    wards: list[str]
    byline: str | None
    url: str
    paragraphs: list[ParagraphOut]


class ErrorOut(BaseModel):
    detail: str
    errors: list[dict] | None = None


# --- conversions ----------------------------------------------------------------------------

def _citation_json(c: Citation) -> dict:
    out = c.to_json()
    out["url"] = article_url(c.article_id, c.paragraph)
    return out


def answer_json(answer: Answer) -> dict:
    """An answer as the same fields as a line of the eval runner's output (plus extras)."""
    return {
        "id": None, "answer": answer.text, "short_answer": answer.short_answer,
        "abstained": bool(answer.abstained), "verdict": answer.verdict,
        "citations": [_citation_json(c) for c in answer.citations],
        "related": [_citation_json(c) for c in answer.related],
        "standalone_question": answer.standalone_question,
    }


def report_json(report: CheckReport) -> dict:
    return {
        "claim": report.claim, "verdict": report.verdict,
        "sentences": [{
            "sentence": s.sentence, "verdict": s.verdict, "explanation": s.explanation,
            "citations": [_citation_json(c) for c in s.citations],
            "evidence_span": list(s.evidence_span) if s.evidence_span else None,
        } for s in report.sentences],
    }


def _summary(a: Article) -> dict:
    return {"article_id": a.article_id, "title": a.title, "date": a.date.isoformat() if a.date else None,
            "paragraphs": len(a.paragraphs), "url": article_url(a.article_id)}


def _detail(a: Article) -> dict:
    return {"article_id": a.article_id, "title": a.title, "date": a.date.isoformat() if a.date else None,
            "wards": list(a.wards), "byline": a.byline, "url": article_url(a.article_id),
            "paragraphs": [{"number": p.number, "text": p.text, "kind": p.kind.value,
                            "url": article_url(a.article_id, p.number)} for p in a.paragraphs]}


def _service(request: Request) -> QAService:
    holder: ServiceHolder = request.app.state.holder
    try:
        return holder.get()
    except ServiceUnavailable as exc:
        raise HTTPException(503, detail=str(exc), headers={"Retry-After": "5"}) from None


_ERRORS = {
    400: {"model": ErrorOut, "description": "Yêu cầu không hợp lệ"},
    413: {"model": ErrorOut, "description": "Nội dung gửi lên vượt giới hạn HOIDAP_MAX_BODY_BYTES (mặc định 64 KiB)"},
    422: {"model": ErrorOut, "description": "Dữ liệu gửi lên sai (thông báo tiếng Việt trong `detail`)"},
    503: {"model": ErrorOut, "description": "Hệ thống đang khởi động"},
}


def make_api_router() -> APIRouter:
    router = APIRouter(prefix="/api", tags=["api"], responses=_ERRORS)

    @router.post("/ask", response_model=AskResponse, summary="Hỏi một câu về các bài viết",
                 description="Trả lời dựa trên các bài viết, kèm trích dẫn đánh số `[n]`. Gửi `history` "
                             "để hỏi tiếp. Khi bài viết không có câu trả lời, `abstained` là `true`.")
    def ask(body: AskRequest, request: Request) -> dict:
        service = _service(request)
        history: Sequence[Turn] = tuple(Turn(t.role, t.content) for t in body.history)
        return answer_json(service.ask(body.question, history))

    @router.post("/check", response_model=CheckResponse, summary="Kiểm tra một thông tin",
                 description="Tách thông tin thành từng câu và đối chiếu với các bài viết.",
                 responses={501: {"model": ErrorOut, "description": "Tính năng chưa sẵn sàng"}})
    def check(body: CheckRequest, request: Request) -> dict:
        service = _service(request)
        try:
            report = service.check(body.claim)
        except NotImplementedError:
            raise HTTPException(501, detail=NOT_READY_CHECK) from None
        return report_json(report)

    @router.get("/articles", response_model=list[ArticleSummary], summary="Danh sách bài viết")
    def articles(request: Request) -> list[dict]:
        return [_summary(a) for a in _service(request).articles()]

    @router.get("/articles/{article_id}", response_model=ArticleDetail, summary="Một bài viết, các đoạn đánh số",
                responses={404: {"model": ErrorOut, "description": "Không có bài viết này"}})
    def article(article_id: str, request: Request) -> dict:
        if not is_safe_article_id(article_id):  # never let "../x" or "a/b" go any further
            raise HTTPException(404, detail=invalid_id_message(article_id))
        service = _service(request)
        try:
            return _detail(service.article(article_id))
        except KeyError:
            raise HTTPException(404, detail=f"Không tìm thấy bài viết có mã «{article_id}».") from None

    @router.api_route("/{rest:path}", methods=list(_ALL_METHODS), include_in_schema=False)
    def unknown(rest: str, request: Request) -> None:
        """Unmatched ``/api`` paths: without this the UI mounted at "/" would answer them.
        A known path with another method (here or in another router) is a 405."""
        for route in _api_routes(request.app.routes):
            if route.endpoint is not unknown:
                if route.matches(request.scope)[0] is Match.PARTIAL:
                    raise HTTPException(405, detail=_HTTP_VI[405], headers={"Allow": ", ".join(sorted(route.methods))})
        raise HTTPException(404, detail="Không có địa chỉ API này. Xem danh sách tại /docs.")

    return router


_ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY")


def install_method_guards(app: FastAPI) -> None:
    """405 (with ``Allow``) for another method on a path of this app outside ``/api``
    (``/healthz``, ``/webhooks/zalo``, ...): without it the UI mounted at "/" answers 404.
    Call after every router is included and before the UI is mounted."""
    allowed: dict[str, set[str]] = {}
    for route in _api_routes(app.routes):
        if not route.path.startswith("/api"):
            allowed.setdefault(route.path, set()).update(route.methods or ())
    for path, methods in allowed.items():
        others = [m for m in _ALL_METHODS if m not in methods]
        if not others:
            continue
        allow = ", ".join(sorted(methods))

        def not_allowed(allow: str = allow) -> None:
            raise HTTPException(405, detail=_HTTP_VI[405], headers={"Allow": allow})

        app.add_api_route(path, not_allowed, methods=others, include_in_schema=False)


def _api_routes(routes: Sequence[Any]) -> Iterator[APIRoute]:
    """Every ``APIRoute`` of the app, including those of routers included without a prefix
    (FastAPI wraps them; their routes carry full paths)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif getattr(route, "original_router", None) is not None:
            yield from _api_routes(route.original_router.routes)


def make_health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Sẵn sàng trả lời chưa",
                description="200 khi chỉ mục và mô hình đã nạp xong, 503 khi đang khởi động hoặc lỗi.",
                responses={503: {"description": "Chưa sẵn sàng"}})
    def healthz(request: Request) -> JSONResponse:
        holder: ServiceHolder = request.app.state.holder
        if holder.ready:
            info = dict(holder.get().health())
            info.setdefault("status", "ok")
            info["ready"] = True
            info["pid"] = os.getpid()  # tells uvicorn workers apart (eval.load waits for all of them)
            ui = getattr(request.app.state, "ui", None)
            info["ui"] = ui is None or ui.ready  # the chat UI at "/" (built after the service)
            if holder.load_seconds is not None:
                info["startup_seconds"] = round(holder.load_seconds, 2)
            return JSONResponse(info, status_code=200)
        if holder.error is not None:
            return JSONResponse({"status": "error", "ready": False,
                                 "detail": f"{type(holder.error).__name__}: {holder.error}"}, status_code=503)
        return JSONResponse({"status": "loading", "ready": False, "detail": "Đang nạp chỉ mục và mô hình."},
                            status_code=503, headers={"Retry-After": "5"})

    return router


# --- Vietnamese error messages -------------------------------------------------------------

def _field(loc: Sequence[Any]) -> str:
    parts = [p for p in loc if p != "body"]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _vi_message(err: dict) -> str:
    kind = err.get("type", "")
    loc = err.get("loc", ())
    name = _field(loc)
    ctx = err.get("ctx") or {}
    where = f"Trường «{name}»" if name else "Nội dung yêu cầu"
    if kind in ("question_invalid", "claim_invalid"):
        return err.get("msg", "")
    if kind == "json_invalid":
        return "Nội dung gửi lên không phải JSON hợp lệ."
    if kind == "missing":
        return f"Thiếu trường «{name}»." if name else "Thiếu nội dung yêu cầu (JSON)."
    if kind in ("string_type", "string_unicode"):
        return f"{where} phải là chuỗi ký tự."
    if kind == "list_type":
        return f"{where} phải là một danh sách."
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{where} phải là một đối tượng JSON."
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", " hoặc ")
        return f"{where} chỉ nhận một trong các giá trị: {expected}."
    if kind == "too_long":
        return f"{where} có quá nhiều phần tử (tối đa {ctx.get('max_length')})."
    if kind == "string_too_long":
        return f"{where} dài quá {ctx.get('max_length')} ký tự."
    if kind == "extra_forbidden":
        return f"{where} không được hỗ trợ."
    if kind in ("int_type", "int_parsing"):
        return f"{where} phải là số nguyên."
    return f"{where} không hợp lệ."


_HTTP_VI = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không tìm thấy địa chỉ này.",
    405: "Phương thức không được hỗ trợ cho địa chỉ này.",
    413: "Nội dung gửi lên quá lớn.",
    415: "Kiểu nội dung không được hỗ trợ, hãy gửi JSON.",
}


def install_error_handlers(app: FastAPI) -> None:
    """422 with a Vietnamese ``detail`` for bad requests; Vietnamese text for the stock 4xx
    replies under ``/api``. Other paths keep FastAPI's behaviour."""
    from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if not request.url.path.startswith("/api"):
            return await request_validation_exception_handler(request, exc)
        errors = []
        for err in exc.errors():
            errors.append({"loc": [p for p in err.get("loc", ())], "type": err.get("type"),
                           "message": _vi_message(err)})
        detail = " ".join(dict.fromkeys(e["message"] for e in errors)) or "Yêu cầu không hợp lệ."
        return JSONResponse({"detail": detail, "errors": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("lỗi không lường trước ở %s", request.url.path)
        return JSONResponse({"detail": "Máy chủ gặp lỗi khi xử lý yêu cầu, bạn vui lòng thử lại sau."},
                            status_code=500)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if request.url.path.startswith("/api") and exc.status_code in _HTTP_VI:
            # keep our own Vietnamese details, translate Starlette's stock English phrases
            detail = exc.detail
            if not isinstance(detail, str) or detail.isascii():
                detail = _HTTP_VI[exc.status_code]
            return JSONResponse({"detail": detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return await http_exception_handler(request, exc)
