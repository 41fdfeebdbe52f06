"""Test stand-ins for the outside world of the Zalo bot: the OA API, Zalo's signing, uvicorn.

``FakeOA`` is a real HTTP server on 127.0.0.1 speaking the two OA endpoints the bot uses. It
records every call, can be told to fail with 500s, and enforces tokens like Zalo does: an
unknown access token gets error -216 and a refresh token works once.
"""
from __future__ import annotations

import hashlib
import json
import math
import socket
import threading
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Sequence
from urllib.parse import parse_qs

import httpx
import uvicorn
from fastapi import FastAPI

from chatbot.models import Answer, CheckReport, Citation, SentenceVerdict, Turn
from ingest.corpus import load_corpus
from ingest.models import Article
from ingest.text import match_key, split_sentences, syllables
from settings import ROOT, Settings
from webapp.zalo import ZaloBot, make_router

SEEDS = ROOT / "seeds"
APP_ID = "2873094717562719803"
OA_SECRET = "oa-secret-Xk29fQ"
APP_SECRET = "app-secret-7Yb1"


def wait_until(predicate: Callable[[], bool], timeout_s: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what or predicate}")


# --- Zalo's side of the webhook -----------------------------------------------------------------


def zalo_mac(app_id: str, raw_body: bytes, timestamp: str, secret: str) -> str:
    """Zalo's signature, written out independently of the code under test."""
    data = app_id.encode() + raw_body + timestamp.encode() + secret.encode()
    return "mac=" + hashlib.sha256(data).hexdigest()


def now_ms() -> str:
    return str(int(time.time() * 1000))


def text_event(user: str, text: str, msg_id: str | None = None, *, app_id: str = APP_ID,
               timestamp: str | None = None) -> bytes:
    """A ``user_send_text`` event serialised the way a real sender might (spaces after ":" and
    raw UTF-8), so a server that re-serialises before hashing gets a different digest."""
    event = {
        "app_id": app_id,
        "user_id_by_app": "u" + user,
        "event_name": "user_send_text",
        "sender": {"id": user},
        "recipient": {"id": "579745863508352884"},
        "message": {"text": text, "msg_id": msg_id or uuid.uuid4().hex},
        "timestamp": timestamp or now_ms(),
    }
    return json.dumps(event, ensure_ascii=False, separators=(", ", ": ")).encode()


def other_event(name: str, user: str, *, timestamp: str | None = None) -> bytes:
    event = {"app_id": APP_ID, "event_name": name, "timestamp": timestamp or now_ms(),
             "oa_id": "579745863508352884", "user_id_by_app": "u" + user, "source": "testing"}
    if name == "follow":
        event["follower"] = {"id": user}
    else:
        event["sender"] = {"id": user}
        event["recipient"] = {"id": "579745863508352884"}
        event["message"] = {"msg_ids": ["a1"], "attachments": [{"type": "sticker"}]}
    return json.dumps(event, ensure_ascii=False).encode()


def signed_headers(raw: bytes, secret: str = OA_SECRET) -> dict[str, str]:
    event = json.loads(raw)
    return {"X-ZEvent-Signature": zalo_mac(event["app_id"], raw, event["timestamp"], secret),
            "Content-Type": "application/json"}


# --- the OA API ----------------------------------------------------------------------------------


@dataclass
class Call:
    user_id: str
    text: str
    access_token: str
    outcome: str       # "sent", "http500", "expired", "blocked"


class FakeOA:
    def __init__(self, access_token: str = "tok-1", refresh_token: str = "ref-1") -> None:
        self.lock = threading.Lock()
        self.calls: list[Call] = []
        self.refresh_calls: list[dict] = []
        self.fail_next = 0
        self.blocked_users: set[str] = set()     # users who blocked the OA: error -213
        self.valid_access = {access_token}
        self.valid_refresh = {refresh_token}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeOA":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def delivered(self) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.outcome == "sent"]

    def _handler(self):
        oa = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _json(self, status: int, obj: dict) -> None:
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/v3.0/oa/message/cs":
                    self._send(json.loads(raw))
                elif self.path == "/v4/oa/access_token":
                    self._refresh(parse_qs(raw.decode()))
                else:
                    self._json(404, {"error": 404})

            def _send(self, body: dict) -> None:
                token = self.headers.get("access_token", "")
                call = Call(body["recipient"]["user_id"], body["message"]["text"], token, "")
                with oa.lock:
                    if oa.fail_next > 0:
                        oa.fail_next -= 1
                        call.outcome = "http500"
                    elif token not in oa.valid_access:
                        call.outcome = "expired"
                    elif call.user_id in oa.blocked_users:
                        call.outcome = "blocked"
                    else:
                        call.outcome = "sent"
                    oa.calls.append(call)
                if call.outcome == "http500":
                    self._json(500, {"error": -1, "message": "internal error"})
                elif call.outcome == "blocked":
                    self._json(200, {"error": -213, "message": "User has not followed OA"})
                elif call.outcome == "expired":
                    self._json(200, {"error": -216, "message": "Access token is invalid"})
                else:
                    self._json(200, {"error": 0, "message": "Success", "data": {
                        "message_id": uuid.uuid4().hex, "user_id": call.user_id}})

            def _refresh(self, form: dict[str, list[str]]) -> None:
                fields = {k: v[0] for k, v in form.items()}
                with oa.lock:
                    oa.refresh_calls.append({**fields, "secret_key": self.headers.get("secret_key")})
                    ok = (self.headers.get("secret_key") == APP_SECRET
                          and fields.get("app_id") == APP_ID
                          and fields.get("grant_type") == "refresh_token"
                          and fields.get("refresh_token") in oa.valid_refresh)
                    if ok:
                        oa.valid_refresh.discard(fields["refresh_token"])  # single use
                        access, refresh = "tok-" + uuid.uuid4().hex[:8], "ref-" + uuid.uuid4().hex[:8]
                        oa.valid_access.add(access)
                        oa.valid_refresh.add(refresh)
                if ok:
                    self._json(200, {"access_token": access, "refresh_token": refresh,
                                     "expires_in": "90000"})
                else:
                    self._json(200, {"error": -14014, "error_name": "Invalid refresh token",
                                     "error_description": "refresh token is invalid"})

        return Handler


# --- the app under uvicorn -----------------------------------------------------------------------


def zalo_settings(data_dir, oa: FakeOA | None, **overrides) -> Settings:
    values = dict(
        data_dir=data_dir, zalo_app_id=APP_ID, zalo_oa_secret_key=OA_SECRET,
        zalo_app_secret=APP_SECRET, zalo_access_token="tok-1", zalo_refresh_token="ref-1",
        zalo_oa_api_base=oa.url if oa else "http://127.0.0.1:9",
        zalo_oauth_base=oa.url if oa else "http://127.0.0.1:9",
        public_base_url="https://hoidap.example.vn", zalo_signature_window_s=300,
        zalo_rate_per_minute=10,
    )
    values.update(overrides)
    return Settings(**values)


class AppServer:
    """A FastAPI app mounting the Zalo router, served by uvicorn on a free loopback port in a
    background thread; the lifespan calls ``bot.start()`` / ``bot.aclose()`` as app.py will."""

    def __init__(self, bot: ZaloBot) -> None:
        @asynccontextmanager
        async def lifespan(app: FastAPI):
            bot.start()
            yield
            await bot.aclose()

        app = FastAPI(lifespan=lifespan)
        app.include_router(make_router(bot))
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.webhook = self.url + "/webhooks/zalo"
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        daemon=True)

    def __enter__(self) -> "AppServer":
        self._thread.start()
        wait_until(lambda: self._server.started, 30, "uvicorn to start")
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(60)
        self._sock.close()
        assert not self._thread.is_alive(), "uvicorn did not stop"


def post(url: str, raw: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(url, content=raw, headers=headers if headers is not None else signed_headers(raw),
                      timeout=30)


# --- a stand-in answering service on the seed articles -------------------------------------------


def _terms(text: str) -> set[str]:
    """Folded syllables and syllable pairs ("quang trung", "chi tieu")."""
    syl = syllables(match_key(text))
    return set(syl) | {f"{a} {b}" for a, b in zip(syl, syl[1:])}


class SeedQA:
    """Implements ``QAService`` by plain syllable overlap over the real seed paragraphs: cheap
    enough for bursts, and its answers carry real citations. ``calls`` records what it was asked."""

    def __init__(self) -> None:
        self._articles = load_corpus(SEEDS).articles
        self._paras = [p for a in self._articles for p in a.paragraphs if p.answerable]
        self._terms = [_terms(p.text) for p in self._paras]
        n = len(self._terms)
        df: dict[str, int] = {}
        for terms in self._terms:
            for t in terms:
                df[t] = df.get(t, 0) + 1
        self._idf = {t: math.log(n / d) for t, d in df.items()}
        self.calls: list[tuple[str, tuple[Turn, ...]]] = []
        self._lock = threading.Lock()

    def _best(self, text: str):
        q = _terms(text)
        total = sum(self._idf.get(t, 0.0) for t in q) or 1.0
        score, i = max((sum(self._idf[t] for t in q & terms) / total, i)
                       for i, terms in enumerate(self._terms))
        return self._paras[i], score

    def _citation(self, n: int, p, score: float) -> Citation:
        s, e = split_sentences(p.text)[0]
        return Citation(n, p.article_id, p.title, p.date, p.number, p.text, (s, e), score)

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        with self._lock:
            self.calls.append((question, tuple(history)))
        context = " ".join(t.content for t in history if t.role == "user")
        p, score = self._best(f"{question} {context}")
        c = self._citation(1, p, score)
        return Answer(question, question, f"{p.text[c.span[0]:c.span[1]]} [1]", None, False, (c,))

    def check(self, claim: str) -> CheckReport:
        with self._lock:
            self.calls.append(("kiểm tra: " + claim, ()))
        p, score = self._best(claim)
        verdict = "supported" if score > 0.6 else "not_found"
        cites = (self._citation(1, p, score),) if verdict == "supported" else ()
        return CheckReport(claim, (SentenceVerdict(claim, verdict, "Theo bài viết [1].", cites),))

    def articles(self) -> list[Article]:
        return list(self._articles)

    def article(self, article_id: str) -> Article:
        for a in self._articles:
            if a.article_id == article_id:
                return a
        raise KeyError(article_id)

    def health(self) -> dict:
        return {"articles": len(self._articles)}


class Recording:
    """Delegates to a real service and records the questions and histories it receives."""

    def __init__(self, service) -> None:
        self._service = service
        self.calls: list[tuple[str, tuple[Turn, ...]]] = []
        self._lock = threading.Lock()

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        with self._lock:
            self.calls.append((question, tuple(history)))
        return self._service.ask(question, history)

    def check(self, claim: str) -> CheckReport:
        with self._lock:
            self.calls.append(("kiểm tra: " + claim, ()))
        return self._service.check(claim)

    def __getattr__(self, name: str):
        return getattr(self._service, name)
