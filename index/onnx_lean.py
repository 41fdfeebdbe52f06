"""The int8 ONNX export cut down to what a serving worker must hold (``python -m index prepare-model``).

A worker running the int8 export (:mod:`index.onnx_model`) as it is holds ~450 MB for it: ~280 MB
of XLM-R tokenizer as the ``tokenizers`` library builds it, and a session with the whole
250,037 × 384 word-embedding table (96 of the file's 118 MB), of which Vietnamese uses a few
thousand rows. This module derives from the export, without changing a weight:

* ``encoder.onnx``: the same graph minus the table lookup; it takes the looked-up uint8 rows
  (``word_rows``, batch × tokens × 384) and the attention mask, and dequantises the rows with the
  same ``DequantizeLinear`` node as before, so vectors are bit for bit the export's;
* ``word_embeddings.u8``: the table, read by :class:`index.word_rows.WordRows` (the rows of
  :data:`hot_ids.npy` held in memory, any other row read from the file when needed);
* the sentencepiece files of :mod:`index.xlmr_tokenizer` (the same ids as ``tokenizer.json``).

Like the export it is built atomically into the model cache, checked (ids against
``tokenizers``, vectors against the whole export) and stamped.
"""
from __future__ import annotations

import json
import string
import unicodedata
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from index.convert import SAMPLE_TEXTS, ConversionError, build_cached, read_json
from index.xlmr_tokenizer import NORMALIZATION_FILE, SCORES_FILE, SPM_FILE, XlmrTokenizer, write_tokenizer_files

LEAN_DIR_NAME = "multilingual-e5-small-onnx-int8-lean"
ENCODER_FILE = "encoder.onnx"
TABLE_FILE = "word_embeddings.u8"
HOT_IDS_FILE = "hot_ids.npy"
STAMP_NAME = "lean_export.json"
ROWS_INPUT = "word_rows"
MASK_INPUT = "attention_mask"
# bump when the files written here change, so older caches are rebuilt
LEAN_VERSION = 1
# the lean graph computes what the export computes (measured: identical bits)
MIN_COSINE = 0.9999
FILES = (ENCODER_FILE, TABLE_FILE, HOT_IDS_FILE, SPM_FILE, NORMALIZATION_FILE, SCORES_FILE)
_TABLE_INITIALIZER = "encoder.embeddings.word_embeddings.weight_quantized"
_TOP_PIECES = 5000  # XLM-R's ids run from the most to the least probable piece, all languages

# Texts the tokenizers agree on only if every step is reproduced: decomposed marks, full-width
# forms that normalise into special tokens, repeated pieces (ties), spacing, unknown characters.
EDGE_TEXTS: tuple[str, ...] = (
    "  hai  khoảng   trắng  ", "tab\tnew\nline\r\n", "<s>abc</s> <mask> x<unk>y", "", " ",
    "＜s＞ a＜mask＞b ＜unk＞＜unk＞", "Khi nào?????!!!!!!!! ........ ——— 2020 1.000.000 hahaha",
    "‴ ′′′ ⁗", "🙂 漢字 한국어 Ελληνικά ﬁ ①② ｆｕｌｌ", "\u00a0nbsp\u2003em x\u200by\u200dz ▁x ▁ y▁",
    "Nghe\u0301 Tha\u0300nh pho\u0302\u0301 a\u0323\u0306", "\x00\x01ctl \u0301start 👨\u200d👩\u200d👧 🇻🇳",
)


def default_lean_dir(cache_dir: Path) -> Path:
    return Path(cache_dir) / LEAN_DIR_NAME


def read_stamp(lean_dir: Path) -> dict | None:
    return read_json(Path(lean_dir) / STAMP_NAME)


# --------------------------------------------------------------------------- building

def split_word_embeddings(model_file: Path, out_dir: Path) -> tuple[int, int]:
    """Write ``encoder.onnx`` (``model_file`` without its word-embedding lookup) and the table
    as raw uint8 rows; returns the table's (rows, width)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(model_file))
    graph = model.graph
    gathers = [n for n in graph.node if n.op_type == "Gather" and n.input[0] == _TABLE_INITIALIZER]
    tables = [t for t in graph.initializer if t.name == _TABLE_INITIALIZER]
    if len(gathers) != 1 or len(tables) != 1:
        raise ValueError(f"{model_file}: expected one quantised word-embedding lookup")
    gather, table_proto = gathers[0], tables[0]
    table = numpy_helper.to_array(table_proto)
    if table.dtype != np.uint8 or table.ndim != 2:
        raise ValueError(f"{model_file}: word-embedding table is {table.dtype} {table.shape}, expected uint8 rows")
    looked_up = gather.output[0]
    graph.node.remove(gather)
    graph.initializer.remove(table_proto)
    for node in graph.node:
        for k, name in enumerate(node.input):
            if name == looked_up:
                node.input[k] = ROWS_INPUT
            elif name == "input_ids":  # only its shape is read beyond the lookup: the mask's is the same
                node.input[k] = MASK_INPUT
    graph.input.remove(next(i for i in graph.input if i.name == "input_ids"))
    graph.input.insert(0, helper.make_tensor_value_info(ROWS_INPUT, TensorProto.UINT8,
                                                        ["batch", "tokens", table.shape[1]]))
    onnx.checker.check_model(model)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out_dir / ENCODER_FILE))
    np.ascontiguousarray(table).tofile(out_dir / TABLE_FILE)
    return int(table.shape[0]), int(table.shape[1])


def _vietnamese_forms(words: Iterable[str]) -> Iterable[str]:
    from ingest.text import fold_diacritics

    for word in words:
        folded = fold_diacritics(word)
        yield from {word, word.capitalize(), word.title(), word.upper(), folded, folded.title()}


def hot_piece_ids(tokenizer: XlmrTokenizer, vocab: int) -> np.ndarray:
    """The pieces kept in memory: those of Vietnamese words (underthesea's Viet74K list, as
    written, capitalised, in capitals, without tone marks), of ASCII and the numbers below
    10,000, and XLM-R's most probable pieces. Chosen without the eval texts."""
    from index.segmenter import viet74k_path

    words = [w.strip() for w in viet74k_path().read_text(encoding="utf-8").splitlines() if w.strip()]
    texts = [*_vietnamese_forms(words), *string.printable, *(f"x{c}" for c in string.printable),
             *map(str, range(10_000)), "query: ", "passage: "]
    ids: set[int] = set(range(min(_TOP_PIECES, vocab)))
    for text in texts:
        ids.update(tokenizer.encode(text))
    return np.asarray(sorted(i for i in ids if i < vocab), dtype=np.int32)


def tokenizer_mismatches(tokenizer: XlmrTokenizer, tokenizer_json: Path, texts: Sequence[str]) -> list[str]:
    """Texts (each with both prefixes and none) whose ids differ from ``tokenizers``'."""
    from tokenizers import Tokenizer

    reference = Tokenizer.from_file(str(tokenizer_json))
    reference.enable_truncation(512)
    reference.no_padding()
    return [t for t in texts for p in ("", "query: ", "passage: ")
            if tokenizer.encode(p + t) != reference.encode(p + t).ids]


def verify_against_export(lean_dir: Path, onnx_dir: Path, texts: Sequence[str]) -> float:
    """Smallest cosine between the lean encoder's vectors and the whole export's."""
    from index.embedder import Int8OnnxEmbedder, OnnxEmbedder

    lean, whole = OnnxEmbedder(lean_dir), Int8OnnxEmbedder(onnx_dir)
    cosines = [np.sum(a * b, axis=1) for a, b in (
        (lean.embed_queries(texts), whole.embed_queries(texts)),
        (lean.embed_passages(texts), whole.embed_passages(texts)))]
    return float(np.min(np.concatenate(cosines)))


def build_lean(onnx_dir: Path, out_dir: Path) -> dict:
    """Write every file of the lean directory from the export in ``onnx_dir``; check it; return
    the stamp's fields (the stamp itself is written by :func:`ensure_lean`)."""
    from index.onnx_model import MODEL_FILE

    out_dir = Path(out_dir)
    vocab, dim = split_word_embeddings(Path(onnx_dir) / MODEL_FILE, out_dir)
    tokenizer_json = Path(onnx_dir) / "tokenizer.json"
    write_tokenizer_files(tokenizer_json, out_dir)
    tokenizer = XlmrTokenizer(out_dir)
    np.save(out_dir / HOT_IDS_FILE, hot_piece_ids(tokenizer, vocab))
    texts = [*SAMPLE_TEXTS, *EDGE_TEXTS, *(unicodedata.normalize("NFD", t) for t in SAMPLE_TEXTS)]
    wrong = tokenizer_mismatches(tokenizer, tokenizer_json, texts)
    if wrong:
        raise ConversionError(f"sentencepiece tokenizer disagrees with tokenizer.json on {wrong[:3]!r}")
    min_cos = verify_against_export(out_dir, onnx_dir, [t for t in texts if t.strip()])
    if not min_cos >= MIN_COSINE:
        raise ConversionError(f"lean encoder disagrees with the int8 export: min cosine {min_cos:.6f}")
    return {"vocab": vocab, "dim": dim, "min_cosine": min_cos, "tokenizer_texts": len(texts)}


def _is_valid(lean_dir: Path, export_stamp: dict) -> bool:
    stamp = read_stamp(lean_dir)
    return (
        stamp is not None
        and stamp.get("lean_version") == LEAN_VERSION
        and stamp.get("source_export") == export_stamp
        and float(stamp.get("min_cosine", -1.0)) >= MIN_COSINE
        and all((Path(lean_dir) / f).is_file() for f in FILES)
    )


def ensure_lean(cache_dir: Path, *, force: bool = False) -> Path:
    """Return the lean directory, building it (and first the export it comes from) if needed."""
    import time

    from index.onnx_model import ensure_exported
    from index.onnx_model import read_stamp as read_export_stamp

    onnx_dir = ensure_exported(cache_dir)
    export_stamp = read_export_stamp(onnx_dir) or {}

    def build(tmp: Path) -> None:
        fields = build_lean(onnx_dir, tmp)
        (tmp / STAMP_NAME).write_text(json.dumps({
            **fields, "lean_version": LEAN_VERSION, "source_export": export_stamp,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, indent=2) + "\n", encoding="utf-8")

    return build_cached(cache_dir, LEAN_DIR_NAME, is_valid=lambda d: _is_valid(d, export_stamp),
                        build=build, force=force)
