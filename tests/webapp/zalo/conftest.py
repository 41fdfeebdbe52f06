"""Shared fixtures: the real answering service on the seeds, the fake OA API, and a factory for
a bot served by uvicorn."""
from __future__ import annotations

import shutil
import time

import pytest

from chatbot.service import build_service
from settings import Settings
from tests.webapp.zalo.support import SEEDS, FakeOA, SeedQA, zalo_settings
from webapp.zalo import ZaloBot


@pytest.fixture(scope="session")
def qa_service(seeds_index, tmp_path_factory):
    """The project's answering service from ``build_service`` over the seed articles. Its index
    dir is a copy of the suite's session-built seed index (tests/conftest.py), so it is loaded
    rather than embedded a second time; ``build_service`` rebuilds it only if it is stale."""
    root = tmp_path_factory.mktemp("zalo-service")
    shutil.copytree(seeds_index.generation.parent, root / "index", symlinks=True)
    settings = Settings(corpus_dir=SEEDS, index_dir=root / "index", data_dir=root / "data")
    started = time.monotonic()
    service = build_service(settings)
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
def burst_service():
    """The service for the 200-event burst: the seed-overlap stand-in. The real service answers
    one question at a time in ~0.2-0.4 s on a busy 2-core machine (its calls are serialised), so
    200 answers would take about a minute; the burst tests delivery, not answers."""
    return SeedQA()
