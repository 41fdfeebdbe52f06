"""Shared fixtures for the web app tests: the answering service and a running app.

The service is the real one (``chatbot.service.build_service``) over the seed articles when it
exists; its index and data go to tmp dirs through HOIDAP_INDEX_DIR / HOIDAP_DATA_DIR.
``LexicalService`` is a small stand-in implementing the same protocol over the real seed text,
used only when the real builder is not available yet.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import socket
import threading
import time
from pathlib import Path
from typing import Iterator, Sequence

import httpx
import pytest

from chatbot.models import Answer, CheckReport, Citation, Turn
from ingest.models import Article
from ingest.parser import parse_article
from ingest.text import fold_diacritics, split_sentences, syllables
from settings import ROOT, Settings

SEEDS = ROOT / "seeds"

XSS_ARTICLE = (
    " date 2025-12-01 Tin thử <script>window.__pwned = 1</script> phường An Toàn\n\n"
    "Phường An Toàn tổ chức hội nghị về an toàn thông tin vào ngày 1/12/2025.\n\n"
    'Đại biểu lưu ý: chuỗi <img src=x onerror="window.__pwned=2;alert(1)"> và '
    "<script>window.__pwned=3</script> chỉ là chữ, không được chạy.\n\n"
    "Hội nghị có 45 đại biểu tham dự <b>đậm</b> **sao** [liên kết](javascript:alert(1)).\n"
)


class LexicalService:
    """Protocol stand-in: syllable overlap over the paragraphs; abstains below a threshold."""

    def __init__(self, corpus_dir: Path):
        self._articles = {}
        for path in sorted(corpus_dir.glob("*.txt")):
            a = parse_article(path.read_text(encoding="utf-8"), path.stem, path.name)
            self._articles[a.article_id] = a
        self._lock = threading.Lock()

    @staticmethod
    def _terms(text: str) -> set[str]:
        return {fold_diacritics(s) for s in syllables(text) if len(s) > 1}

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        standalone = question
        last_user = next((t.content for t in reversed(history) if t.role == "user"), None)
        if last_user:
            standalone = f"{last_user} {question}"
        q = self._terms(standalone)
        sentences = [(p, (s, e), self._terms(p.text[s:e])) for a in self._articles.values()
                     for p in a.paragraphs for s, e in split_sentences(p.text)]
        df: dict[str, int] = {}
        for _, _, terms in sentences:
            for t in terms:
                df[t] = df.get(t, 0) + 1
        weight = {t: math.log((1 + len(sentences)) / (1 + df.get(t, 0))) for t in q}
        total = sum(weight.values()) or 1.0
        scored = [(sum(weight[t] for t in q & terms) / total, p, span) for p, span, terms in sentences]
        scored.sort(key=lambda x: -x[0])
        best, p, span = scored[0]
        cite = Citation(1, p.article_id, p.title, p.date, p.number, p.text, span, best)
        if best < 0.4:
            related = tuple(Citation(i + 1, r.article_id, r.title, r.date, r.number, r.text, sp, sc)
                            for i, (sc, r, sp) in enumerate(scored[:2]))
            return Answer(question, standalone, "Các bài viết hiện có không nói về điều này.", None, True,
                          (), related)
        return Answer(question, standalone, p.text[span[0]:span[1]] + " [1]", None, False, (cite,))

    def check(self, claim: str) -> CheckReport:
        raise NotImplementedError

    def articles(self) -> list[Article]:
        return list(self._articles.values())

    def article(self, article_id: str) -> Article:
        return self._articles[article_id]

    def health(self) -> dict:
        return {"index_loaded": True, "articles": len(self._articles),
                "paragraphs": sum(len(a.paragraphs) for a in self._articles.values()),
                "embedding_model": "none (test stand-in)", "index_built_at": dt.datetime.now().isoformat()}


def _real_builder():
    try:
        from chatbot.service import build_service
    except ImportError:
        return None
    return build_service


def make_service(corpus_dir: Path, tmp: Path):
    """The real service over ``corpus_dir`` (index in ``tmp``), or the stand-in."""
    build_service = _real_builder()
    if build_service is None:
        return LexicalService(corpus_dir)
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
def seed_service(tmp_path_factory):
    return make_service(SEEDS, tmp_path_factory.mktemp("seed-index"))


@pytest.fixture(scope="session")
def xss_corpus(tmp_path_factory) -> Path:
    """The seed articles plus one article whose title and text carry script payloads."""
    d = tmp_path_factory.mktemp("xss-corpus")
    for p in SEEDS.glob("*.txt"):
        (d / p.name).write_bytes(p.read_bytes())
    (d / "900_xss.txt").write_text(XSS_ARTICLE, encoding="utf-8")
    return d


@pytest.fixture(scope="session")
def xss_service(xss_corpus, tmp_path_factory):
    return make_service(xss_corpus, tmp_path_factory.mktemp("xss-index"))


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
