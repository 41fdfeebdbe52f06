"""``python -m ingest add|remove`` as a person runs it: one line per file, exit codes 0/1/2."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

from settings import ROOT

from ..index.test_build import NEW_ARTICLE, NEW_ID, THANH_MIEU


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_add_and_remove_print_one_line_per_file_and_exit_codes(seeds_index, seeds_dir, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds_dir, corpus)
    index_dir = tmp_path / "index"
    shutil.copytree(seeds_index.generation.parent, index_dir, symlinks=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOIDAP_CORPUS_DIR": str(corpus),
           "HOIDAP_INDEX_DIR": str(index_dir), "HOIDAP_DATA_DIR": str(tmp_path / "data"),
           "HOIDAP_EMBEDDER": "onnx", "HOIDAP_EMBED_MODEL": ""}
    good = tmp_path / f"{NEW_ID}.txt"
    good.write_text(NEW_ARTICLE, encoding="utf-8")
    bad = tmp_path / "rong.txt"
    bad.write_bytes(b"")

    mixed = run(env, "add", "--quiet", str(good), str(bad))
    assert mixed.returncode == 1, mixed.stderr
    lines = mixed.stdout.splitlines()
    assert lines[0].startswith("ĐÃ THÊM: ") and str(good) in lines[0]
    assert lines[1].startswith("TỪ CHỐI: ") and "rong.txt" in lines[1] and "trống" in lines[1]
    assert lines[2].startswith("Chỉ mục gen-") and "6 bài" in lines[2] and "nhúng mới 9" in lines[2]
    assert (corpus / good.name).is_file() and not (corpus / bad.name).exists()

    same = run(env, "add", "--quiet", str(good))
    assert same.returncode == 0
    assert same.stdout.splitlines() == [f"KHÔNG ĐỔI: Tệp {good}: bài '{NEW_ID}' đã có với nội dung y hệt, "
                                        "không thay đổi.", "Chỉ mục không thay đổi."]

    removed = run(env, "remove", "--quiet", NEW_ID, THANH_MIEU, "../seeds")
    assert removed.returncode == 1
    assert [line.split(":")[0] for line in removed.stdout.splitlines()[:3]] == ["ĐÃ XÓA", "ĐÃ XÓA", "TỪ CHỐI"]
    assert sorted(p.stem for p in corpus.iterdir()) == sorted(p.stem for p in seeds_dir.iterdir()
                                                              if p.stem != THANH_MIEU)

    for usage in (("add",), ("remove",), ("rename", "x")):
        wrong = run(env, *usage)
        assert wrong.returncode == 2 and "usage" in wrong.stderr


def test_the_managed_corpus_is_made_from_the_seeds_on_first_use(seeds_dir, tmp_path):
    """No HOIDAP_CORPUS_DIR: the corpus is var/corpus under HOIDAP_DATA_DIR, copied from seeds/
    before anything is added; the shipped seeds are never written."""
    env = {k: v for k, v in os.environ.items() if k != "HOIDAP_CORPUS_DIR"}
    env.update({"PYTHONPATH": str(ROOT), "HOIDAP_DATA_DIR": str(tmp_path / "data"),
                "HOIDAP_INDEX_DIR": str(tmp_path / "index"), "HOIDAP_EMBEDDER": "onnx"})
    before = sorted(p.name for p in seeds_dir.iterdir())
    result = run(env, "remove", "--quiet", "khong-co")  # rejected: builds nothing, but opens the corpus
    assert result.returncode == 1 and "khong-co" in result.stdout
    assert result.stdout.splitlines()[-1] == "Chỉ mục không thay đổi."
    managed = tmp_path / "data" / "corpus"
    assert sorted(p.name for p in managed.iterdir()) == before
    assert sorted(p.name for p in seeds_dir.iterdir()) == before
