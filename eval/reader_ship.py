"""Turn a training run's output (``eval.train_reader --out``) into the shipped reader.

Reads the fp16 weight files and ``train_log.json`` the run wrote, quantises them
(:func:`index.reader_weights.quantise`) into ``models/reader/reader.safetensors`` and writes
``models/reader/stamp.json``: the commands that made it, the data's hashes, the validation
EM/F1 and threshold, the hardware and the time it took.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from index.reader_weights import SHIPPED_DIR, STAMP_FILE, WEIGHTS_FILE, quantise, weights_sha256


def ship(run_dir: Path, dest: Path = SHIPPED_DIR, *, commands: list[str] | None = None) -> dict:
    """Write the shipped reader from ``run_dir``; returns its stamp."""
    from safetensors.numpy import load_file, save_file

    run_dir, dest = Path(run_dir), Path(dest)
    log = json.loads((run_dir / "train_log.json").read_text(encoding="utf-8"))
    state: dict[str, np.ndarray] = {}
    for name in log["files"]:
        state.update(load_file(str(run_dir / name)))
    dest.mkdir(parents=True, exist_ok=True)
    save_file(quantise(state), str(dest / WEIGHTS_FILE), metadata={"format": "reader-int8"})
    meta = log.get("pack_meta", {})
    best = log["best"]
    stamp = {
        "weights_sha256": weights_sha256(dest),
        "commands": (commands or []) + [meta.get("pack_command", ""), "python -m eval.train_reader "
                                        + " ".join(log.get("argv", []))],
        "data_sha256": meta.get("data_sha256", {}),
        "examples": {k: v for k, v in meta.items() if k.endswith(("_examples", "_windows"))},
        "validation": {k: v for k, v in best.items() if k not in ("lr", "epoch", "loss", "seconds")},
        "xquad_test": log.get("tests", {}),
        "no_answer_threshold": best["threshold"],
        "best": {"lr": best["lr"], "epoch": best["epoch"]},
        "epochs": log["epochs"],
        "config": {k: v for k, v in log.get("config", {}).items() if k not in ("pack", "out")},
        "hardware": log["hardware"],
        "training_seconds": log["seconds"],
        "max_len": meta.get("max_len"),
        "stride": meta.get("stride"),
        "shipped_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (dest / STAMP_FILE).write_text(json.dumps(stamp, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return stamp
