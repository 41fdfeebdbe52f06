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
EXPORT_VERSION = 2
_OPSET = 17
# int8 weights and activations move the logits a little; past this share of their range on
# the sample windows (or 0.1, for a barely trained head whose logits all lie close) the export
# is wrong
MAX_RELATIVE_ERROR = 0.1
MIN_TOLERANCE = 0.1
# questions about the converter's sample texts, read in those texts
_SAMPLES = (
    ("Ai là Phó Bí thư?", 0), ("Thu nhập bình quân là bao nhiêu?", 1), ("Phường được hợp nhất từ đâu?", 2),
    ("Tổng thu ngân sách ước đạt bao nhiêu?", 4), ("Đại hội đề ra bao nhiêu chỉ tiêu?", 5),
)


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


def _check(net, onnx_path: Path, words, tokenize) -> tuple[float, float]:
    """Largest logit difference between the int8 graph and the fp32 network on real windows
    (questions about the converter's sample texts, batched with padding), and the logits' range."""
    import onnxruntime as ort
    import torch

    from index.convert import SAMPLE_TEXTS
    from index.reader_spans import pad_batch, windows

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    wins = []
    for question, n in _SAMPLES:
        text = SAMPLE_TEXTS[n]
        wins.append(windows(tokenize(question)[0], *tokenize(text))[0])
    ids, mask = pad_batch([w.ids for w in wins])
    rows = words.rows(ids)
    got = session.run(None, {"words": rows, "mask": mask})
    with torch.inference_mode():
        ref = [t.numpy() for t in net(torch.from_numpy(rows), torch.from_numpy(mask))]
    keep = mask.astype(bool)
    error = max(float(np.abs(g[keep] - r[keep]).max()) for g, r in zip(got, ref))
    return error, max(float(r[keep].max() - r[keep].min()) for r in ref)


def build_reader(weights_dir: Path, out_dir: Path, words, tokenize) -> dict:
    """Export, quantise and check the reader of ``weights_dir`` into ``out_dir`` (``words``
    and ``tokenize`` make the check's inputs); its stamp."""
    from index.onnx_model import _quantise

    net = _network(weights_dir)
    with tempfile.TemporaryDirectory(dir=out_dir) as work:
        fp32 = Path(work) / "fp32.onnx"
        _export(net, fp32)
        _quantise(fp32, out_dir / MODEL_FILE)
    error, spread = _check(net, out_dir / MODEL_FILE, words, tokenize)
    if not error <= max(MAX_RELATIVE_ERROR * spread, MIN_TOLERANCE):
        raise RuntimeError(f"int8 reader disagrees with its fp32 network: logit error {error:.3f}, "
                           f"logits range over {spread:.3f}")
    trained = read_stamp(weights_dir)
    stamp = {"weights_sha256": weights_sha256(weights_dir), "export_version": EXPORT_VERSION,
             "opset": _OPSET, "max_logit_error": round(error, 4), "logit_range": round(spread, 4),
             "no_answer_threshold": trained.get("no_answer_threshold", 0.0),
             "quantisation": "onnxruntime dynamic, int8 weights per output channel"}
    (out_dir / STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    return stamp


def ensure_reader(cache_dir: Path, weights_dir: Path = SHIPPED_DIR, *, force: bool = False) -> Path:
    """The reader's ONNX folder in the model cache, (re)built when the shipped weights changed."""
    from tokenizers import Tokenizer

    from index.convert import build_cached, ensure_converted, read_json
    from index.reader_spans import hf_tokenize
    from index.word_embeddings import FileWordEmbeddings, ensure_matrix

    sha = weights_sha256(weights_dir)
    tokenizer_json = ensure_converted(cache_dir) / "tokenizer.json"
    matrix = ensure_matrix(cache_dir)

    def valid(folder: Path) -> bool:
        stamp = read_json(folder / STAMP_NAME) or {}
        return (folder / MODEL_FILE).is_file() and stamp.get("weights_sha256") == sha \
            and stamp.get("export_version") == EXPORT_VERSION

    return build_cached(cache_dir, DIR_NAME, is_valid=valid,
                        build=lambda tmp: build_reader(weights_dir, tmp, FileWordEmbeddings(matrix),
                                                       hf_tokenize(Tokenizer.from_file(str(tokenizer_json)))),
                        force=force)
