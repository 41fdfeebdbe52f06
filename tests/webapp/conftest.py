"""Shared fixtures for the web app tests: the answering service and a running app.

The service is the real one (``chatbot.service.build_service``), built once per session over
the seed articles (and once over the seeds plus a hostile article); its index and data go to
tmp dirs through HOIDAP_CORPUS_DIR / HOIDAP_INDEX_DIR / HOIDAP_DATA_DIR.
"""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Iterator, Sequence

import httpx
import pytest

from chatbot.service import build_service
from settings import ROOT, Settings

SEEDS = ROOT / "seeds"

XSS_ARTICLE = (
    " date 2025-12-01 Tin thử <script>window.__pwned = 1</script> phường An Toàn\n\n"
    "Phường An Toàn tổ chức hội nghị về an toàn thông tin vào ngày 1/12/2025.\n\n"
    'Đại biểu lưu ý: chuỗi <img src=x onerror="window.__pwned=2;alert(1)"> và '
    "<script>window.__pwned=3</script> chỉ là chữ, không được chạy.\n\n"
    "Hội nghị có 45 đại biểu tham dự <b>đậm</b> **sao** [liên kết](javascript:alert(1)).\n"
)


def _warm_index_dir(index_dir: Path, warm_from: Sequence[Path]) -> None:
    """Start ``index_dir`` as a copy of an already built index: the build then reuses its
    embeddings (keyed by text) and embeds only new paragraphs. Purely a speed-up: a stale or
    foreign copy is rebuilt by ``open_index`` like any other."""
    for source in warm_from:
        if (source / "current").exists() and not index_dir.exists():
            shutil.copytree(source, index_dir, symlinks=True)
            return


def make_service(corpus_dir: Path, tmp: Path, warm_from: Sequence[Path] = ()):
    """The real service over ``corpus_dir``, its index and data under ``tmp``."""
    _warm_index_dir(tmp / "index", warm_from)
    env = {"HOIDAP_CORPUS_DIR": str(corpus_dir), "HOIDAP_INDEX_DIR": str(tmp / "index"),
           "HOIDAP_DATA_DIR": str(tmp / "data")}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return build_service(Settings())
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="session")
def seed_index_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("seed-service")


@pytest.fixture(scope="session")
def seed_service(seeds_index, seed_index_tmp):
    """``build_service`` over the seed articles, its index dir a copy of the suite's shared
    seed index (tests/conftest.py), so it loads instead of embedding everything again."""
    return make_service(SEEDS, seed_index_tmp, warm_from=(seeds_index.generation.parent,))


@pytest.fixture(scope="session")
def xss_corpus(tmp_path_factory) -> Path:
    """The seed articles plus one article whose title and text carry script payloads."""
    d = tmp_path_factory.mktemp("xss-corpus")
    for p in SEEDS.glob("*.txt"):
        (d / p.name).write_bytes(p.read_bytes())
    (d / "900_xss.txt").write_text(XSS_ARTICLE, encoding="utf-8")
    return d


@pytest.fixture(scope="session")
def xss_service(xss_corpus, seed_service, seed_index_tmp, tmp_path_factory):
    """Seeds plus the hostile article; reuses the seed index's embeddings."""
    return make_service(xss_corpus, tmp_path_factory.mktemp("xss-index"), warm_from=(seed_index_tmp / "index",))


def app_settings(tmp: Path) -> Settings:
    return Settings(data_dir=tmp / "data", index_dir=tmp / "index")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving an app in a thread on a free loopback port."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the app did not become ready")

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="session")
def live_xss_app(xss_service, tmp_path_factory) -> Iterator[LiveServer]:
    from app import create_app

    app = create_app(app_settings(tmp_path_factory.mktemp("live")), service=xss_service)
    with LiveServer(app) as server:
        server.app = app
        yield server
