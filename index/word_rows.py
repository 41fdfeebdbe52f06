"""The word-embedding rows of the lean encoder: the usual pieces in memory, the rest read from disk.

XLM-R's vocabulary has 250,037 rows of 384 int8 weights (96 MB); Vietnamese text uses a few
thousand of them. The rows of the pieces Vietnamese (and digits, ASCII, the most frequent pieces
of every language) tokenizes to are held in memory; any other row is read from the table file
when a text needs it, so every input gets exactly the rows the whole table would give, and
nothing is kept of what was read (memory does not grow with traffic).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

__all__ = ["WordRows"]


class WordRows:
    """``rows(ids)`` → the ``(len(ids), dim)`` uint8 rows of ``table_file`` (row-major rows of
    ``dim`` bytes); the rows of ``hot_ids`` are read once and held in memory."""

    def __init__(self, table_file: Path, dim: int, hot_ids: Sequence[int]) -> None:
        size = os.path.getsize(table_file)
        if dim <= 0 or size % dim:
            raise ValueError(f"{table_file}: {size} bytes is not a whole number of rows of {dim}")
        self.vocab, self.dim = size // dim, int(dim)
        hot = np.unique(np.asarray(hot_ids, dtype=np.int64))
        if hot.size and (hot[0] < 0 or hot[-1] >= self.vocab):
            raise ValueError("hot ids outside the vocabulary")
        self._fd = os.open(table_file, os.O_RDONLY)
        self._slot = np.full(self.vocab, -1, dtype=np.int32)
        self._slot[hot] = np.arange(hot.size, dtype=np.int32)
        table = np.memmap(table_file, dtype=np.uint8, mode="r", shape=(self.vocab, self.dim))
        self._hot = np.ascontiguousarray(table[hot])  # copied: the mapping is dropped at once
        del table
        self._open = True

    @property
    def hot_rows(self) -> int:
        return int(self._hot.shape[0])

    def rows(self, ids: Sequence[int]) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab):
            raise IndexError("token id outside the vocabulary")
        slots = self._slot[ids]
        out = self._hot[np.maximum(slots, 0)] if self._hot.size else np.empty((ids.size, self.dim), np.uint8)
        for k in np.flatnonzero(slots < 0).tolist():
            out[k] = np.frombuffer(os.pread(self._fd, self.dim, int(ids[k]) * self.dim), dtype=np.uint8)
        return out

    def close(self) -> None:
        if self._open:
            self._open = False
            os.close(self._fd)

    def __del__(self) -> None:  # pragma: no cover - interpreter shutdown order varies
        try:
            self.close()
        except Exception:
            pass
