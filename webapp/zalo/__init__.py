"""Zalo Official Account bot: a webhook that answers questions and fact-checks by chat.

Wiring (app lifespan)::

    bot = ZaloBot(settings, service)
    app.include_router(make_router(bot))
    bot.start()            # on startup, inside the running event loop
    await bot.aclose()     # on shutdown
"""
from webapp.zalo.bot import ZaloBot
from webapp.zalo.replies import format_check, format_reply
from webapp.zalo.router import WEBHOOK_PATH, make_router
from webapp.zalo.signature import SIGNATURE_HEADER, sign_event, verify_event

__all__ = ["ZaloBot", "make_router", "sign_event", "verify_event", "format_reply", "format_check",
           "WEBHOOK_PATH", "SIGNATURE_HEADER"]
