"""Fixtures shared by the whole suite: the real embedder and the seed articles indexed once.

Building the seed index embeds every paragraph and sentence (tens of seconds on a busy
2-core machine), so it happens once per session; tests that need to change the index copy
its directory instead of rebuilding from nothing.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from settings import ROOT


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The repository's seed articles (read-only: copy before changing)."""
    return ROOT / "seeds"


@pytest.fixture(scope="session")
def embedder():
    """The serving default: multilingual-e5-small exported to int8 ONNX (prepared by `make test`)."""
    from index.embedder import load_embedder
    from settings import Settings

    return load_embedder("onnx", cache_dir=Settings().model_cache_dir)


@pytest.fixture(scope="session")
def seeds_index(seeds_dir, embedder, tmp_path_factory):
    """The seeds built into a session tmp dir and loaded back (``.generation.parent`` is the
    index dir; do not build into it, copy it with ``shutil.copytree(..., symlinks=True)``)."""
    from index.build import build_index
    from index.hybrid import HybridIndex

    index_dir = tmp_path_factory.mktemp("seeds-index")
    build_index(Path(seeds_dir), index_dir, embedder, show_progress=False)
    return HybridIndex.load(index_dir, embedder)
