"""Pack everything a reader training run needs into one folder (``.gpu/`` by default).

The training run may happen on a lent GPU machine that has torch and numpy but neither this
project's packages nor its data nor the 470 MB converted model. So the examples are tokenised
here, laid out in windows (:mod:`index.reader_spans`) and stored as arrays, and of the model
only what training reads is stored: the encoder's tensors (fp16) and the word-embedding rows of
the token ids that occur (fp16, ids renumbered to those rows). About 50 MB in all.

Files: ``features.npz`` (train and validation windows), ``valid.json`` (validation texts and
gold answers, for EM/F1), ``encoder.safetensors``, ``rows.safetensors`` and ``meta.json``.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from eval.reader_data import Example
from index.reader_spans import CLS, PAD, SEP, Tokenize, Window, token_targets, windows

MAX_LEN = 384
STRIDE = 128
PACK_VERSION = 1


@dataclass
class _Features:
    ids: list[list[int]] = field(default_factory=list)
    first: list[int] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    example: list[int] = field(default_factory=list)
    offsets: list[tuple[tuple[int, int], ...]] = field(default_factory=list)


def featurise(examples: Sequence[Example], tokenize: Tokenize, max_len: int = MAX_LEN,
              stride: int = STRIDE) -> _Features:
    """Every example's windows with the first gold answer's token positions ((0, 0): not in
    this window, or no answer)."""
    out = _Features()
    cache: dict[str, tuple[list[int], list[tuple[int, int]]]] = {}
    for n, ex in enumerate(examples):
        if ex.context not in cache:
            cache[ex.context] = tokenize(ex.context)
        ctx_ids, ctx_offsets = cache[ex.context]
        q_ids, _ = tokenize(ex.question)
        for w in windows(q_ids, ctx_ids, ctx_offsets, max_len, stride):
            s, e = (token_targets(w, ex.answers[0][0], ex.answers[0][0] + len(ex.answers[0][1]))
                    if ex.answers else (0, 0))
            out.ids.append(list(w.ids))
            out.first.append(w.first)
            out.start.append(s)
            out.end.append(e)
            out.example.append(n)
            out.offsets.append(w.offsets)
    return out


def _ragged(rows: Sequence[Sequence[int]], dtype) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.asarray([len(r) for r in rows], dtype=np.int32)
    flat = np.asarray([x for r in rows for x in r], dtype=dtype)
    return flat, lengths


def pack(train: Sequence[Example], valid: Sequence[Example], model_dir: Path, out_dir: Path,
         tokenize: Tokenize, meta: dict) -> dict:
    """Write the pack for ``train`` and ``valid`` into ``out_dir``; returns its ``meta.json``."""
    from safetensors import safe_open
    from safetensors.numpy import save_file

    from index.reader_net import WORD_EMBEDDINGS, encoder_tensor_names

    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tr, va = featurise(train, tokenize), featurise(valid, tokenize)
    used = sorted({CLS, PAD, SEP} | {i for ids in tr.ids + va.ids for i in ids})
    remap = np.zeros(max(used) + 1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    if len(used) > np.iinfo(np.uint16).max:
        raise ValueError(f"{len(used)} distinct tokens do not fit uint16 ids")

    arrays: dict[str, np.ndarray] = {}
    for name, f in (("train", tr), ("valid", va)):
        flat, lengths = _ragged(f.ids, np.int64)
        arrays[f"{name}_ids"] = remap[flat].astype(np.uint16)
        arrays[f"{name}_len"] = lengths
        arrays[f"{name}_first"] = np.asarray(f.first, dtype=np.int32)
        arrays[f"{name}_start"] = np.asarray(f.start, dtype=np.int32)
        arrays[f"{name}_end"] = np.asarray(f.end, dtype=np.int32)
        arrays[f"{name}_example"] = np.asarray(f.example, dtype=np.int32)
    flat, lengths = _ragged([[x for o in offs for x in o] for offs in va.offsets], np.int32)
    arrays["valid_offsets"], arrays["valid_offsets_len"] = flat, lengths
    np.savez(out_dir / "features.npz", **arrays)

    (out_dir / "valid.json").write_text(json.dumps(
        [{"id": ex.id, "source": ex.source, "context": ex.context, "answers": [t for _, t in ex.answers]}
         for ex in valid], ensure_ascii=False), encoding="utf-8")

    with safe_open(str(Path(model_dir) / "model.safetensors"), "np") as f:
        names = encoder_tensor_names({k: None for k in f.keys()})
        save_file({k: f.get_tensor(k).astype(np.float16) for k in names}, str(out_dir / "encoder.safetensors"))
        rows = f.get_tensor(WORD_EMBEDDINGS)[used].astype(np.float16)
    save_file({"rows": rows, "vocab": np.asarray(used, dtype=np.int32)}, str(out_dir / "rows.safetensors"))

    meta = {**meta, "pack_version": PACK_VERSION, "max_len": MAX_LEN, "stride": STRIDE,
            "pad": int(remap[PAD]), "rows": len(used),
            "train_examples": len(train), "train_windows": len(tr.ids),
            "valid_examples": len(valid), "valid_windows": len(va.ids),
            "pack_seconds": round(time.perf_counter() - started, 1)}
    (out_dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return meta


def read_windows(arrays, name: str) -> list[Window]:
    """The ``valid`` windows back as :class:`Window` (renumbered ids) for decoding spans."""
    ids = np.split(arrays[f"{name}_ids"].astype(np.int64), np.cumsum(arrays[f"{name}_len"])[:-1])
    offs = np.split(arrays[f"{name}_offsets"], np.cumsum(arrays[f"{name}_offsets_len"])[:-1])
    return [Window(tuple(i.tolist()), int(first), tuple(map(tuple, o.reshape(-1, 2).tolist())))
            for i, first, o in zip(ids, arrays[f"{name}_first"], offs)]
