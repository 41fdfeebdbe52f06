"""Shared fixtures: the answering service (the real one once ``build_service`` exists), the
fake OA API, and a factory for a bot served by uvicorn."""
from __future__ import annotations

import time

import pytest

import chatbot.service
from settings import Settings
from tests.webapp.zalo.support import FakeOA, SeedQA, zalo_settings
from webapp.zalo import ZaloBot

REAL_SERVICE = hasattr(chatbot.service, "build_service")


@pytest.fixture(scope="session")
def qa_service(tmp_path_factory):
    """The project's answering service over the seed articles, its index built into a temporary
    directory; the seed-overlap stand-in until ``chatbot.service.build_service`` exists."""
    if not REAL_SERVICE:
        return SeedQA()
    root = tmp_path_factory.mktemp("zalo-service")
    settings = Settings(index_dir=root / "index", data_dir=root / "data")
    started = time.monotonic()
    service = chatbot.service.build_service(settings)
    print(f"\nbuild_service on the seeds: {time.monotonic() - started:.1f}s")
    return service


@pytest.fixture
def oa():
    with FakeOA() as server:
        yield server


@pytest.fixture
def make_bot(tmp_path, oa, qa_service):
    """``make_bot(service=None, data_dir=None, **settings overrides) -> ZaloBot`` with a fast
    backoff, pointed at the fake OA API."""
    def make(service=None, data_dir=None, **overrides) -> ZaloBot:
        settings = zalo_settings(data_dir or tmp_path / "data", oa, **overrides)
        return ZaloBot(settings, service or qa_service, backoff_base_s=0.2, backoff_max_s=2.0)
    return make


@pytest.fixture(scope="session")
def burst_service(qa_service):
    """The service for the 200-event burst: the real one when 200 answers take under ~25 s on
    this machine, else the seed-overlap stand-in (the burst tests delivery, not answers)."""
    if isinstance(qa_service, SeedQA):
        return qa_service
    started = time.monotonic()
    for q in ("Phường Quang Trung đề ra bao nhiêu chỉ tiêu?", "Thu nhập bình quân đầu người?",
              "Phường Đông Sơn có mấy nhiệm vụ trọng tâm?"):
        qa_service.ask(q, ())
    per_answer = (time.monotonic() - started) / 3
    fast_enough = per_answer * 200 <= 25
    print(f"\nreal service: {per_answer * 1000:.0f} ms per answer; burst uses "
          f"{'the real service' if fast_enough else 'SeedQA'}")
    return qa_service if fast_enough else SeedQA()
