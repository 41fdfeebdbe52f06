"""The webhook route Zalo calls: ``POST /webhooks/zalo``."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from webapp.zalo.bot import ZaloBot
from webapp.zalo.signature import SIGNATURE_HEADER

__all__ = ["make_router", "WEBHOOK_PATH"]

WEBHOOK_PATH = "/webhooks/zalo"

_ERROR = {"content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"}}}}}}


def make_router(bot: ZaloBot) -> APIRouter:
    router = APIRouter(tags=["zalo"])

    @router.post(
        WEBHOOK_PATH,
        summary="Zalo Official Account webhook",
        description=f"Events signed by Zalo in the `{SIGNATURE_HEADER}` header. Acknowledged at "
                    "once; the reply is sent to the user through the OA API.",
        responses={401: {"description": "Missing, wrong or stale signature", **_ERROR},
                   413: {"description": "Body too large", **_ERROR},
                   503: {"description": "Zalo is not configured", **_ERROR}},
    )
    async def zalo_webhook(request: Request) -> JSONResponse:
        raw = await request.body()
        status, payload = await bot.handle_webhook(raw, request.headers.get(SIGNATURE_HEADER))
        return JSONResponse(payload, status_code=status)

    return router
