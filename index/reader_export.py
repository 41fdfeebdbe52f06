"""``prepare-model``'s reader step: the shipped weights as an int8 ONNX graph for onnxruntime.

The graph (``multilingual-e5-small-reader-int8/model.onnx`` in the model cache) takes the
word-embedding rows of the tokens (``words``, float32 ``(batch, tokens, 384)``) and the
attention mask, and gives start and end logits: the rows come from the matrix the reader shares
with the retrieval encoder (:mod:`index.word_embeddings`). Its weights are those in
``models/reader/`` (:mod:`index.reader_weights`) run through onnxruntime's dynamic int8
quantisation. Built atomically, rebuilt when the shipped weights change, and checked against
the fp32 torch network before it is put in place.
"""
from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path

import numpy as np

from index.reader_weights import SHIPPED_DIR, read_stamp, weights_sha256

DIR_NAME = "multilingual-e5-small-reader-int8"
MODEL_FILE = "model.onnx"
STAMP_NAME = "reader_export.json"
EXPORT_VERSION = 1
_OPSET = 17
# int8 weights and activations move the logits a little; past this the export is wrong
MAX_LOGIT_ERROR = 1.5


def default_dir(cache_dir: Path) -> Path:
    return Path(cache_dir) / DIR_NAME


def _network(weights_dir: Path):
    from index.reader_net import ReaderNet
    from index.reader_weights import load_state
    import torch

    net = ReaderNet().eval()
    net.load_state_dict({k: torch.from_numpy(v) for k, v in load_state(weights_dir).items()})
    return net


def _export(net, path: Path) -> None:
    import torch

    words = torch.zeros(2, 12, net.config.hidden)
    mask = torch.ones(2, 12, dtype=torch.long)
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(net, (words, mask), str(path), input_names=["words", "mask"],
                          output_names=["start_logits", "end_logits"],
                          dynamic_axes={"words": {0: "batch", 1: "tokens"}, "mask": {0: "batch", 1: "tokens"},
                                        "start_logits": {0: "batch", 1: "tokens"},
                                        "end_logits": {0: "batch", 1: "tokens"}},
                          opset_version=_OPSET, dynamo=False)


def _check(net, onnx_path: Path) -> float:
    """Largest logit difference between the int8 graph and the fp32 network on random-row
    inputs of a few shapes, padding included."""
    import onnxruntime as ort
    import torch

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    worst = 0.0
    for batch, tokens in ((1, 20), (3, 90)):
        words = rng.normal(0, 0.05, (batch, tokens, net.config.hidden)).astype(np.float32)
        mask = np.ones((batch, tokens), dtype=np.int64)
        mask[-1, tokens // 2:] = 0
        got = session.run(None, {"words": words, "mask": mask})
        with torch.inference_mode():
            ref = [t.numpy() for t in net(torch.from_numpy(words), torch.from_numpy(mask))]
        for g, r in zip(got, ref):
            keep = mask.astype(bool)
            worst = max(worst, float(np.abs(g[keep] - r[keep]).max()))
    return worst


def build_reader(weights_dir: Path, out_dir: Path) -> dict:
    """Export, quantise and check the reader of ``weights_dir`` into ``out_dir``; its stamp."""
    from index.onnx_model import _quantise

    net = _network(weights_dir)
    with tempfile.TemporaryDirectory(dir=out_dir) as work:
        fp32 = Path(work) / "fp32.onnx"
        _export(net, fp32)
        _quantise(fp32, out_dir / MODEL_FILE)
    error = _check(net, out_dir / MODEL_FILE)
    if not error <= MAX_LOGIT_ERROR:
        raise RuntimeError(f"int8 reader disagrees with its fp32 network: logit error {error:.3f}")
    trained = read_stamp(weights_dir)
    stamp = {"weights_sha256": weights_sha256(weights_dir), "export_version": EXPORT_VERSION,
             "opset": _OPSET, "max_logit_error": round(error, 4),
             "no_answer_threshold": trained.get("no_answer_threshold", 0.0),
             "quantisation": "onnxruntime dynamic, int8 weights per output channel"}
    (out_dir / STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    return stamp


def ensure_reader(cache_dir: Path, weights_dir: Path = SHIPPED_DIR, *, force: bool = False) -> Path:
    """The reader's ONNX folder in the model cache, (re)built when the shipped weights changed."""
    from index.convert import build_cached, read_json

    sha = weights_sha256(weights_dir)

    def valid(folder: Path) -> bool:
        stamp = read_json(folder / STAMP_NAME) or {}
        return (folder / MODEL_FILE).is_file() and stamp.get("weights_sha256") == sha \
            and stamp.get("export_version") == EXPORT_VERSION

    return build_cached(cache_dir, DIR_NAME, is_valid=valid,
                        build=lambda tmp: build_reader(weights_dir, tmp), force=force)
