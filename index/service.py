"""Open the index for serving: rebuild it first when it is missing or stale."""
from __future__ import annotations

import logging
from pathlib import Path

from index.build import build_index, index_lock, staleness
from index.embedder import Embedder
from index.hybrid import FusionWeights, HybridIndex
from ingest.corpus import DEFAULT_MAX_BYTES, ensure_corpus

log = logging.getLogger(__name__)


def open_index(corpus_dir: Path, index_dir: Path, embedder: Embedder, *,
               weights: FusionWeights | None = None, show_progress: bool = True,
               seed_dir: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> HybridIndex:
    """The index of ``corpus_dir``, rebuilt first when missing or stale. With ``seed_dir`` (the
    managed corpus: ``Settings.corpus_seed_dir``), a missing corpus folder is first created as a
    copy of it (``ingest.corpus.ensure_corpus``)."""
    ensure_corpus(corpus_dir, seed_dir)
    if staleness(index_dir, corpus_dir, embedder.model_id):
        with index_lock(index_dir):
            reason = staleness(index_dir, corpus_dir, embedder.model_id)  # another process may have built it
            if reason:
                log.warning("xây lại chỉ mục: %s", reason)
                build_index(corpus_dir, index_dir, embedder, show_progress=show_progress, max_bytes=max_bytes)
    return HybridIndex.load(index_dir, embedder, weights)
