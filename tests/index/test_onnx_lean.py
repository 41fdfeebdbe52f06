"""The lean form of the int8 export: what it holds, that it computes the export's vectors, and
the cache rules."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from eval.embed_check import compare, eval_texts
from index import onnx_lean
from index.embedder import Int8OnnxEmbedder, OnnxEmbedder
from index.onnx_model import default_onnx_dir, read_stamp as read_export_stamp
from index.word_rows import WordRows
from settings import Settings

CACHE = Settings().model_cache_dir


@pytest.fixture(scope="module")
def lean_dir() -> Path:
    return onnx_lean.ensure_lean(CACHE)


def test_the_lean_form_is_small_stamped_and_reused(lean_dir: Path) -> None:
    stamp = onnx_lean.read_stamp(lean_dir)
    assert stamp["lean_version"] == onnx_lean.LEAN_VERSION and stamp["min_cosine"] >= onnx_lean.MIN_COSINE
    assert stamp["source_export"] == read_export_stamp(default_onnx_dir(CACHE))
    # the graph without the table: a fifth of the export; the table is the rest
    assert (lean_dir / onnx_lean.ENCODER_FILE).stat().st_size < 30 * 2**20
    assert (lean_dir / onnx_lean.TABLE_FILE).stat().st_size == stamp["vocab"] * stamp["dim"] == 250_037 * 384
    hot = np.load(lean_dir / onnx_lean.HOT_IDS_FILE)
    assert 5_000 < hot.size < 30_000 and np.all(np.diff(hot) > 0)
    before = (lean_dir / onnx_lean.ENCODER_FILE).stat().st_mtime_ns
    assert onnx_lean.ensure_lean(CACHE) == lean_dir
    assert (lean_dir / onnx_lean.ENCODER_FILE).stat().st_mtime_ns == before


@pytest.mark.parametrize("change", [{"lean_version": onnx_lean.LEAN_VERSION + 1},
                                    {"source_export": {"export_version": -1}}, {"min_cosine": 0.9}])
def test_a_stamp_from_another_version_or_export_is_not_valid(lean_dir: Path, tmp_path: Path, change) -> None:
    copy = tmp_path / "lean"
    copy.mkdir()
    for name in onnx_lean.FILES:
        os.link(lean_dir / name, copy / name)
    stamp = onnx_lean.read_stamp(lean_dir)
    export = read_export_stamp(default_onnx_dir(CACHE))
    (copy / onnx_lean.STAMP_NAME).write_text(json.dumps(stamp), encoding="utf-8")
    assert onnx_lean._is_valid(copy, export)
    (copy / onnx_lean.STAMP_NAME).write_text(json.dumps({**stamp, **change}), encoding="utf-8")
    assert not onnx_lean._is_valid(copy, export)
    os.remove(copy / onnx_lean.TABLE_FILE)
    (copy / onnx_lean.STAMP_NAME).write_text(json.dumps(stamp), encoding="utf-8")
    assert not onnx_lean._is_valid(copy, export)


def test_word_rows_are_the_table_rows_held_or_read(lean_dir: Path) -> None:
    table = np.memmap(lean_dir / onnx_lean.TABLE_FILE, dtype=np.uint8, mode="r").reshape(-1, 384)
    hot = np.load(lean_dir / onnx_lean.HOT_IDS_FILE)
    rows = WordRows(lean_dir / onnx_lean.TABLE_FILE, 384, hot)
    cold = np.setdiff1d(np.arange(table.shape[0]), hot)[::997]
    ids = np.concatenate([hot[::50], cold, [0, 2, table.shape[0] - 1], cold[:3]])
    np.random.default_rng(0).shuffle(ids)
    np.testing.assert_array_equal(rows.rows(ids), table[ids])
    assert rows.hot_rows == hot.size
    with pytest.raises(IndexError):
        rows.rows([table.shape[0]])
    rows.close()


def test_vectors_are_the_whole_exports_on_eval_texts(lean_dir: Path) -> None:
    lean, whole = OnnxEmbedder(lean_dir), Int8OnnxEmbedder(default_onnx_dir(CACHE))
    result = compare(lean, whole, eval_texts(), vectors=12)
    for name, r in result.items():
        assert r["ids_differ"] == 0, (name, r["first_differing"])
        assert min(r["min_cos_query"], r["min_cos_passage"]) >= onnx_lean.MIN_COSINE, (name, r)


def test_the_lean_graph_takes_rows_not_ids(lean_dir: Path) -> None:
    import onnx

    graph = onnx.load(str(lean_dir / onnx_lean.ENCODER_FILE)).graph
    assert [i.name for i in graph.input] == [onnx_lean.ROWS_INPUT, onnx_lean.MASK_INPUT]
    assert not any(t.name.startswith("encoder.embeddings.word_embeddings") and len(t.dims) == 2
                   for t in graph.initializer)


def test_the_readers_tokens_are_the_whole_exports_with_word_spans(lean_dir: Path) -> None:
    """The reader reads tokens through the lean encoder: the same ids as ``tokenizers`` gives
    (white space at the very end aside), each with the span of the whole word it is part of."""
    lean, whole = OnnxEmbedder(lean_dir), Int8OnnxEmbedder(default_onnx_dir(CACHE))
    texts = [t.strip() for group in eval_texts().values() for t in list(group)[::9] if t.strip()]
    for text in texts:
        ids, spans = lean.tokenize(text)
        ref_ids, ref_offsets = whole.tokenize(text)
        if len(ref_ids) >= 512:     # tokenizers stops there; the reader's windows are far shorter
            continue
        assert ids == ref_ids, text
        for (a, b), (u, v) in zip(spans, ref_offsets):
            u += len(text[u:v]) - len(text[u:v].lstrip())     # tokenizers counts the space before
            assert a <= u and v <= b and text[a:b] == text[a:b].strip()
