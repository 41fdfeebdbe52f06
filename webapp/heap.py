"""Give the C heap's free pages back to the operating system after a burst of allocations.

Loading the answering service (parsing model and index files, unpickling the word segmenter)
and building the UI free tens of MB of temporaries; glibc keeps such pages mapped, so a worker
would hold ~35 MB it no longer uses. ``malloc_trim(0)`` returns them. Elsewhere (no glibc) this
does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools

__all__ = ["give_back_free_heap"]


@functools.cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def give_back_free_heap() -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
