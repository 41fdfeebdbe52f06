"""The trained reader as it ships in the repository: ``models/reader/``.

Only what training changed is stored (the encoder's layers, position and type embeddings,
LayerNorms and the span head; not the frozen word embeddings), with the weight matrices in int8,
one scale per output row, and the rest in fp16: 22 MB instead of 85 MB in fp32. int8 is what
serving runs anyway (onnxruntime's dynamic quantisation uses the same symmetric per-row grid, so
quantising these weights again changes nothing), and ``stamp.json`` records how they were made:
the training command, the data's hashes, the validation EM/F1 and the hardware.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_DIR = ROOT / "models" / "reader"
WEIGHTS_FILE = "reader.safetensors"
STAMP_FILE = "stamp.json"
_SCALE = ".int8_scale"


def quantise(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Matrices of the encoder layers to int8 (symmetric, per output row); everything else fp16."""
    out: dict[str, np.ndarray] = {}
    for name, value in state.items():
        w = np.asarray(value, dtype=np.float32)
        if w.ndim == 2 and name.startswith("encoder."):
            scale = np.abs(w).max(axis=1) / 127.0
            scale[scale == 0] = 1.0
            out[name] = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
            out[name + _SCALE] = scale.astype(np.float32)
        else:
            out[name] = w.astype(np.float16)
    return out


def dequantise(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The fp32 state dict back from :func:`quantise`'s tensors."""
    out = {}
    for name, value in tensors.items():
        if name.endswith(_SCALE):
            continue
        if value.dtype == np.int8:
            out[name] = value.astype(np.float32) * tensors[name + _SCALE][:, None]
        else:
            out[name] = value.astype(np.float32)
    return out


def load_state(folder: Path = SHIPPED_DIR) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    return dequantise(load_file(str(Path(folder) / WEIGHTS_FILE)))


def read_stamp(folder: Path = SHIPPED_DIR) -> dict:
    return json.loads((Path(folder) / STAMP_FILE).read_text(encoding="utf-8"))


def weights_sha256(folder: Path = SHIPPED_DIR) -> str:
    return hashlib.sha256((Path(folder) / WEIGHTS_FILE).read_bytes()).hexdigest()


def is_shipped(folder: Path = SHIPPED_DIR) -> bool:
    return (Path(folder) / WEIGHTS_FILE).is_file() and (Path(folder) / STAMP_FILE).is_file()
