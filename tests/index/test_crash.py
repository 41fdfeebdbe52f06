"""SIGKILL in the middle of a rebuild or an incremental add, with a real child process: the
previous index still loads and answers, and running the same command again finishes the work.

The child runs the real command lines (``python -m index build``, ``python -m ingest add``)
configured only through HOIDAP_* variables, on a copy of the seed corpus and of the session's
seed index. The kill moment is found by polling the file system fast: the unfinished
generation (``gen-*.tmp``) appearing, or the new file landing in the corpus folder.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from index.build import current_generation, staleness
from index.hybrid import HybridIndex
from index.service import open_index
from settings import ROOT

from .test_build import DONG_SON, NEW_ARTICLE, NEW_ID, NEW_QUESTION, copy_corpus, copy_index

SEED_QUESTION = "Thu nhập bình quân của phường Đông Sơn đến năm 2030?"

pytestmark = pytest.mark.slow


@pytest.fixture()
def setup(seeds_index, seeds_dir, tmp_path):
    corpus = copy_corpus(seeds_dir, tmp_path / "corpus")
    index_dir = copy_index(seeds_index, tmp_path / "index")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOIDAP_CORPUS_DIR": str(corpus),
           "HOIDAP_INDEX_DIR": str(index_dir), "HOIDAP_DATA_DIR": str(tmp_path / "data"),
           "HOIDAP_EMBEDDER": "onnx", "HOIDAP_EMBED_MODEL": ""}
    new = tmp_path / "incoming" / f"{NEW_ID}.txt"
    new.parent.mkdir()
    new.write_text(NEW_ARTICLE, encoding="utf-8")
    return corpus, index_dir, env, new


def run(args: list[str], env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def kill_when(args: list[str], env: dict, ready: Callable[[], bool], log: Path) -> None:
    """Start the command and SIGKILL it the moment ``ready()`` holds."""
    with log.open("wb") as out:
        child = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, env=env, stdout=out,
                                 stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 240
            while not ready():
                assert child.poll() is None, f"finished before the kill ({child.returncode}): {log.read_text()}"
                assert time.monotonic() < deadline, "the moment to kill never came"
                time.sleep(0.005)
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    assert child.returncode == -signal.SIGKILL


def unfinished(index_dir: Path) -> Callable[[], bool]:
    return lambda: bool(list(index_dir.glob("gen-*.tmp")))


def assert_previous_serves(index_dir: Path, old_gen: Path, embedder, expected_top: str) -> None:
    assert current_generation(index_dir) == old_gen
    survivor = HybridIndex.load(index_dir, embedder)
    assert survivor.generation == old_gen and NEW_ID not in survivor.articles
    assert survivor.search(SEED_QUESTION, k=3)[0].paragraph.key == expected_top


def assert_new_is_served(index_dir: Path, corpus: Path, embedder) -> None:
    assert not list(index_dir.glob("gen-*.tmp"))
    assert len(list(index_dir.glob("gen-*"))) == 1
    assert staleness(index_dir, corpus, embedder.model_id) is None
    index = HybridIndex.load(index_dir, embedder)
    top = index.search(NEW_QUESTION, k=1)[0]
    assert top.paragraph.article_id == NEW_ID and "3,2 tỷ đồng" in top.paragraph.text
    assert len(index.articles) == 6


def test_a_full_rebuild_killed_mid_way(setup, embedder, seeds_index, tmp_path):
    corpus, index_dir, env, new = setup
    old_gen = current_generation(index_dir)
    expected = seeds_index.search(SEED_QUESTION, k=3)[0].paragraph.key
    assert expected.startswith(DONG_SON)
    (corpus / new.name).write_text(NEW_ARTICLE, encoding="utf-8")

    kill_when(["index", "build"], env, unfinished(index_dir), tmp_path / "build.log")

    assert list(index_dir.glob("gen-*.tmp")), "killed too late: the build had finished"
    assert_previous_serves(index_dir, old_gen, embedder, expected)
    again = run(["index", "build"], env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "từ 6 bài" in again.stdout
    assert_new_is_served(index_dir, corpus, embedder)


def test_an_incremental_add_killed_mid_way_can_simply_be_run_again(setup, embedder, seeds_index, tmp_path):
    corpus, index_dir, env, new = setup
    old_gen = current_generation(index_dir)
    expected = seeds_index.search(SEED_QUESTION, k=3)[0].paragraph.key

    kill_when(["ingest", "add", "--quiet", str(new)], env, unfinished(index_dir), tmp_path / "add.log")

    assert_previous_serves(index_dir, old_gen, embedder, expected)
    again = run(["ingest", "add", "--quiet", str(new)], env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.startswith("ĐÃ THÊM:") and NEW_ID in again.stdout
    assert (corpus / new.name).read_text(encoding="utf-8") == NEW_ARTICLE
    assert_new_is_served(index_dir, corpus, embedder)


def test_killed_after_the_copy_before_the_swap_the_next_open_rebuilds(setup, embedder, seeds_index, tmp_path):
    corpus, index_dir, env, new = setup
    old_gen = current_generation(index_dir)
    expected = seeds_index.search(SEED_QUESTION, k=3)[0].paragraph.key
    landed = corpus / new.name

    kill_when(["ingest", "add", "--quiet", str(new)], env, landed.exists, tmp_path / "add.log")

    assert landed.read_text(encoding="utf-8") == NEW_ARTICLE  # the copy is whole (renamed into place)
    assert_previous_serves(index_dir, old_gen, embedder, expected)
    assert staleness(index_dir, corpus, embedder.model_id)  # the corpus is ahead of the index

    index = open_index(corpus, index_dir, embedder, show_progress=False)
    assert index.generation != old_gen and NEW_ID in index.articles
    assert_new_is_served(index_dir, corpus, embedder)
