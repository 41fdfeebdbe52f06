"""Open the index for serving: rebuild it first when it is missing or stale."""
from __future__ import annotations

import logging
from pathlib import Path

from index.build import build_index, staleness
from index.embedder import Embedder
from index.hybrid import FusionWeights, HybridIndex

log = logging.getLogger(__name__)


def open_index(corpus_dir: Path, index_dir: Path, embedder: Embedder, *,
               weights: FusionWeights | None = None, show_progress: bool = True) -> HybridIndex:
    reason = staleness(index_dir, corpus_dir, embedder.model_id)
    if reason:
        log.warning("xây lại chỉ mục: %s", reason)
        build_index(corpus_dir, index_dir, embedder, show_progress=show_progress)
    return HybridIndex.load(index_dir, embedder, weights)
