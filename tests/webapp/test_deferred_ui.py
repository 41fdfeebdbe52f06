"""The UI built after the service: a starting page (503) until it is ready, then the UI itself,
started and stopped with the server."""
from __future__ import annotations

import contextlib
import threading
import time

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from app import create_app
from webapp.deferred_ui import DeferredUI
from tests.webapp.conftest import app_settings


def _inner(events: list[str]) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app):
        events.append("startup")
        yield
        events.append("shutdown")

    inner = FastAPI(lifespan=lifespan)
    inner.add_api_route("/", lambda: PlainTextResponse("giao diện"))
    return inner


def _wait(client: TestClient, path: str, status: int, seconds: float = 300.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        r = client.get(path)
        if r.status_code == status:
            return r
        time.sleep(0.05)
    raise AssertionError(f"{path} never answered {status}")


def test_starting_page_until_the_ui_is_built_then_the_ui_started_and_stopped() -> None:
    events: list[str] = []
    release = threading.Event()
    deferred = DeferredUI()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        import asyncio

        deferred.start(lambda: _inner(events), asyncio.get_running_loop(), wait_for=release.wait)
        yield
        await deferred.aclose()

    outer = FastAPI(lifespan=lifespan)
    outer.mount("/", deferred)
    with TestClient(outer) as client:
        r = client.get("/")
        assert r.status_code == 503 and "khởi động" in r.text and r.headers["retry-after"]
        assert not deferred.ready and events == []
        release.set()
        assert _wait(client, "/", 200).text == "giao diện"
        assert deferred.ready and events == ["startup"]
    assert events == ["startup", "shutdown"]


def test_the_served_app_answers_first_and_then_shows_the_gradio_ui(seed_service, tmp_path) -> None:
    with TestClient(create_app(app_settings(tmp_path), service=seed_service, defer_ui=True)) as client:
        assert client.post("/api/ask", json={"question": "Ai là Bí thư Đảng ủy phường Nông Trang?"}).status_code == 200
        page = _wait(client, "/", 200)
        assert "gradio" in page.text.lower()
        health = client.get("/healthz").json()
        assert health["ready"] is True and health["ui"] is True
