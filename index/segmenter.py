"""underthesea's word segmenter and word list, reached without running its package ``__init__``.

``import underthesea`` (and so any ``from underthesea.x import y``, which imports the package
first) runs an ``__init__`` that imports every pipeline, the translator among them, and the
translator imports transformers and torch: 2–4 s and about 290 MB per worker for nothing the
service uses. The service needs two things: the CRF word segmenter and the Viet74K word list.

:func:`word_tokenize` registers ``underthesea`` in ``sys.modules`` as a package whose
``__init__`` has not run yet, then imports only the segmenter's submodules. Any other attribute
of that package asked for later (``from underthesea import ner``) runs the real ``__init__``
first, so other code sees the whole package as before, only paying then what it asked for.
"""
from __future__ import annotations

import importlib.util
import sys
import threading
import types
from pathlib import Path
from typing import Callable

__all__ = ["word_tokenize", "package_dir", "viet74k_path"]

_PACKAGE = "underthesea"
_LOCK = threading.RLock()  # re-entrant: a submodule being imported may touch the package
_segment: Callable[[str], list[str]] | None = None


class _DeferredPackage(types.ModuleType):
    """The package module with its ``__init__`` deferred to the first attribute it lacks."""

    def __getattr__(self, name: str):
        if name.startswith("__") and name not in ("__all__", "__version__"):
            raise AttributeError(name)  # introspection (copy, pickle, inspect) stays cheap
        with _LOCK:
            if type(self) is _DeferredPackage:
                self.__class__ = types.ModuleType
                self.__spec__.loader.exec_module(self)
        return getattr(self, name)


def package_dir() -> Path:
    """underthesea's install folder, found without importing it."""
    module = sys.modules.get(_PACKAGE)
    spec = module.__spec__ if module is not None else importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("underthesea is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def viet74k_path() -> Path:
    """underthesea's Viet74K word list (one Vietnamese word per line)."""
    return package_dir() / "corpus" / "data" / "Viet74K.txt"


def _register_deferred() -> None:
    if _PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None:
        raise ImportError("underthesea is not installed")
    module = importlib.util.module_from_spec(spec)  # attributes set, code not run
    module.__class__ = _DeferredPackage
    sys.modules[_PACKAGE] = module


def _load() -> Callable[[str], list[str]]:
    global _segment
    with _LOCK:
        if _segment is None:
            _register_deferred()
            # text_normalize first: it and word_tokenize import each other, and the package's
            # own __init__ imports them in this order
            importlib.import_module("underthesea.pipeline.text_normalize")
            module = importlib.import_module("underthesea.pipeline.word_tokenize")
            _segment = module.word_tokenize
    return _segment


def word_tokenize(text: str) -> list[str]:
    """underthesea's ``word_tokenize``: the words of ``text``, a word's syllables joined by spaces."""
    return (_segment or _load())(text)
