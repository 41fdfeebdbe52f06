"""``python -m index build`` and ``python -m index search`` as a person runs them."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from settings import ROOT

DONG_SON = "004_bbba2ad5a4ca9edc"
QUANG_TRUNG = "000_979beda71dc56cf9"


def run(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOIDAP_EMBEDDER": "onnx", "HOIDAP_EMBED_MODEL": ""}
    return subprocess.run([sys.executable, "-m", "index", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_build_then_search_print_readable_results(seeds_index, seeds_dir, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for stem in (QUANG_TRUNG, DONG_SON):
        shutil.copy(seeds_dir / f"{stem}.txt", corpus)
    index_dir = tmp_path / "index"
    # start from a copy of the seed index, so the build reuses its vectors instead of embedding
    shutil.copytree(seeds_index.generation.parent, index_dir, symlinks=True)

    built = run("build", "--corpus", str(corpus), "--index-dir", str(index_dir))
    assert built.returncode == 0, built.stderr
    assert "Đã xây chỉ mục" in built.stdout and "từ 2 bài" in built.stdout
    assert "nhúng mới 0" in built.stdout

    found = run("search", "thu nhap binh quan phuong dong son", "-k", "3",
                "--corpus", str(corpus), "--index-dir", str(index_dir))
    assert found.returncode == 0, found.stderr
    out = found.stdout
    assert "(đã thêm dấu: thu nhập bình quân" in out
    assert "phường Đông Sơn" in out
    first = next(line for line in out.splitlines() if line.startswith("#1 "))
    assert f"{DONG_SON}#3" in first
    assert "95 triệu đồng" in out
    assert "3 kết quả" in out
    assert "xây lại chỉ mục" not in found.stderr  # the CLI build left it up to date


def test_an_unknown_retriever_is_a_usage_error():
    result = run("search", "thu nhập", "--retriever", "tfidf", timeout=60)
    assert result.returncode == 2
    assert "tfidf" in result.stderr
