"""The two Zalo calls the bot makes: send a customer-service text, refresh the access token.

Outcomes are classified for the outbox: ``sent`` (``"error": 0``), ``retry`` (network error,
5xx, 429, a body that is not Zalo's JSON), ``expired`` (error -216: refresh the token and try
again) and ``failed`` (any other Zalo error, e.g. the user blocked the OA: retrying cannot help).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import httpx

__all__ = ["OAClient", "SendOutcome", "TokenRefreshError", "TOKEN_EXPIRED"]

log = logging.getLogger(__name__)

TOKEN_EXPIRED = -216


class TokenRefreshError(Exception):
    """The refresh call did not give a new token pair."""


@dataclass(frozen=True)
class SendOutcome:
    status: Literal["sent", "retry", "expired", "failed"]
    detail: str = ""
    message_id: str | None = None


class OAClient:
    def __init__(self, api_base: str, oauth_base: str, app_id: str, app_secret: str, *,
                 timeout_s: float = 10.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.send_url = f"{api_base.rstrip('/')}/v3.0/oa/message/cs"
        self.refresh_url = f"{oauth_base.rstrip('/')}/v4/oa/access_token"
        self._app_id = app_id
        self._app_secret = app_secret
        self._http = httpx.AsyncClient(timeout=timeout_s, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send_text(self, access_token: str, user_id: str, text: str) -> SendOutcome:
        body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
        try:
            resp = await self._http.post(self.send_url, json=body,
                                         headers={"access_token": access_token})
        except httpx.TransportError as err:
            return SendOutcome("retry", f"network: {type(err).__name__}: {err}")
        if resp.status_code >= 500 or resp.status_code == 429:
            return SendOutcome("retry", f"HTTP {resp.status_code}")
        try:
            data = resp.json()
            error = int(data.get("error"))
        except (ValueError, TypeError, AttributeError):
            if resp.status_code >= 400:
                return SendOutcome("failed", f"HTTP {resp.status_code}")
            return SendOutcome("retry", f"HTTP {resp.status_code}: not Zalo's JSON")
        if error == 0:
            message_id = (data.get("data") or {}).get("message_id")
            return SendOutcome("sent", "", str(message_id) if message_id is not None else None)
        detail = f"Zalo error {error}: {data.get('message', '')}"
        if error == TOKEN_EXPIRED:
            return SendOutcome("expired", detail)
        return SendOutcome("failed", detail)

    async def refresh(self, refresh_token: str) -> tuple[str, str]:
        """A new ``(access_token, refresh_token)``; raises ``TokenRefreshError``."""
        if not refresh_token or not self._app_secret:
            raise TokenRefreshError("no refresh token or app secret configured")
        try:
            resp = await self._http.post(
                self.refresh_url,
                headers={"secret_key": self._app_secret},
                data={"refresh_token": refresh_token, "app_id": self._app_id,
                      "grant_type": "refresh_token"},
            )
            data = resp.json()
        except httpx.TransportError as err:
            raise TokenRefreshError(f"network: {type(err).__name__}: {err}") from None
        except ValueError:
            raise TokenRefreshError(f"HTTP {resp.status_code}: not JSON") from None
        if not isinstance(data, dict):
            raise TokenRefreshError(f"HTTP {resp.status_code}: not a JSON object")
        access, new_refresh = data.get("access_token"), data.get("refresh_token")
        if not access or not new_refresh:
            raise TokenRefreshError(
                f"HTTP {resp.status_code}: {data.get('error', '')} {data.get('error_name', '')}"
                f" {data.get('message', data.get('error_description', ''))}".strip())
        return str(access), str(new_refresh)
