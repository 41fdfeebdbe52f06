"""Pack everything a reader training run needs into one folder (``.gpu/`` by default).

The training run may happen on a lent GPU machine that has torch and numpy but neither this
project's packages nor its data nor the 470 MB converted model. So the examples are tokenised
here, laid out in windows (:mod:`index.reader_spans`) and stored as arrays, and of the model
only what training reads is stored: the encoder's tensors (fp16) and the word-embedding rows of
the token ids that occur (fp16, ids renumbered to those rows). About 50 MB in all.

Files: ``features.npz`` (training windows, and the windows of each evaluation set), one
``<set>.json`` per evaluation set (its passages and gold answers, for EM/F1): ``valid`` (chooses
the epoch and the no-answer threshold) and the XQuAD-vi ``test`` questions given their gold
paragraph and given the paragraphs retrieval finds (only reported), ``encoder.safetensors``,
``rows.safetensors`` and ``meta.json``.
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
    text: list[int] = field(default_factory=list)       # which passage (evaluation sets)
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


@dataclass(frozen=True)
class EvalSet:
    """Questions to score, each read over its own list of passages (its gold paragraph, or
    the paragraphs retrieval found)."""

    examples: list[Example]
    passages: list[list[str]]


def featurise_eval(ev: EvalSet, tokenize: Tokenize, max_len: int = MAX_LEN,
                   stride: int = STRIDE) -> tuple[_Features, list[str]]:
    out = _Features()
    texts: dict[str, int] = {}
    cache: dict[str, tuple[list[int], list[tuple[int, int]]]] = {}
    for n, (ex, passages) in enumerate(zip(ev.examples, ev.passages)):
        q_ids, _ = tokenize(ex.question)
        for text in passages:
            if text not in cache:
                cache[text] = tokenize(text)
                texts[text] = len(texts)
            for w in windows(q_ids, *cache[text], max_len, stride):
                out.ids.append(list(w.ids))
                out.first.append(w.first)
                out.example.append(n)
                out.text.append(texts[text])
                out.offsets.append(w.offsets)
    return out, list(texts)


def _ragged(rows: Sequence[Sequence[int]], dtype) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.asarray([len(r) for r in rows], dtype=np.int32)
    flat = np.asarray([x for r in rows for x in r], dtype=dtype)
    return flat, lengths


def pack(train: Sequence[Example], evals: dict[str, EvalSet], model_dir: Path, out_dir: Path,
         tokenize: Tokenize, meta: dict) -> dict:
    """Write the pack into ``out_dir``: the training windows and, per evaluation set (``valid``
    chooses the epoch and the no-answer threshold; others are only reported), its windows,
    passages and gold answers. Returns its ``meta.json``."""
    from safetensors import safe_open
    from safetensors.numpy import save_file

    from index.reader_net import WORD_EMBEDDINGS, encoder_tensor_names

    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tr = featurise(train, tokenize)
    ev = {name: featurise_eval(e, tokenize) for name, e in evals.items()}
    used = sorted({CLS, PAD, SEP} | {i for ids in tr.ids for i in ids}
                  | {i for f, _ in ev.values() for ids in f.ids for i in ids})
    if len(used) > np.iinfo(np.uint16).max:
        raise ValueError(f"{len(used)} distinct tokens do not fit uint16 ids")
    remap = np.zeros(max(used) + 1, dtype=np.int64)
    remap[used] = np.arange(len(used))

    arrays: dict[str, np.ndarray] = {}
    for name, f in [("train", tr)] + [(n, f) for n, (f, _) in ev.items()]:
        flat, lengths = _ragged(f.ids, np.int64)
        arrays[f"{name}_ids"] = remap[flat].astype(np.uint16)
        arrays[f"{name}_len"] = lengths
        arrays[f"{name}_first"] = np.asarray(f.first, dtype=np.int32)
        arrays[f"{name}_example"] = np.asarray(f.example, dtype=np.int32)
        if name == "train":
            arrays["train_start"] = np.asarray(f.start, dtype=np.int32)
            arrays["train_end"] = np.asarray(f.end, dtype=np.int32)
        else:
            arrays[f"{name}_text"] = np.asarray(f.text, dtype=np.int32)
            flat, lengths = _ragged([[x for o in offs for x in o] for offs in f.offsets], np.int32)
            arrays[f"{name}_offsets"], arrays[f"{name}_offsets_len"] = flat, lengths
    np.savez_compressed(out_dir / "features.npz", **arrays)
    for name, (_, texts) in ev.items():
        (out_dir / f"{name}.json").write_text(json.dumps({
            "texts": texts,
            "examples": [{"id": ex.id, "source": ex.source, "answers": [t for _, t in ex.answers]}
                         for ex in evals[name].examples]}, ensure_ascii=False), encoding="utf-8")

    with safe_open(str(Path(model_dir) / "model.safetensors"), "np") as f:
        names = encoder_tensor_names({k: None for k in f.keys()})
        save_file({k: f.get_tensor(k).astype(np.float16) for k in names}, str(out_dir / "encoder.safetensors"))
        rows = f.get_tensor(WORD_EMBEDDINGS)[used].astype(np.float16)
    save_file({"rows": rows, "vocab": np.asarray(used, dtype=np.int32)}, str(out_dir / "rows.safetensors"))

    meta = {**meta, "pack_version": PACK_VERSION, "max_len": MAX_LEN, "stride": STRIDE,
            "pad": int(remap[PAD]), "rows": len(used), "eval_sets": list(evals),
            "train_examples": len(train), "train_windows": len(tr.ids),
            **{f"{n}_examples": len(evals[n].examples) for n in evals},
            **{f"{n}_windows": len(f.ids) for n, (f, _) in ev.items()},
            "pack_seconds": round(time.perf_counter() - started, 1)}
    (out_dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return meta


def read_windows(arrays, name: str) -> list[Window]:
    """An evaluation set's windows back as :class:`Window` (renumbered ids) for decoding spans."""
    ids = np.split(arrays[f"{name}_ids"].astype(np.int64), np.cumsum(arrays[f"{name}_len"])[:-1])
    offs = np.split(arrays[f"{name}_offsets"], np.cumsum(arrays[f"{name}_offsets_len"])[:-1])
    return [Window(tuple(i.tolist()), int(first), tuple(map(tuple, o.reshape(-1, 2).tolist())))
            for i, first, o in zip(ids, arrays[f"{name}_first"], offs)]
