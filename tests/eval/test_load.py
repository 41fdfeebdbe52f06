"""eval.load: the percentile, the phase summary and table, and one tiny run against the app
started the way the load test starts it (uvicorn subprocess on loopback)."""
from __future__ import annotations

import asyncio
import shutil

import pytest

from eval import load

from tests.webapp.conftest import SEEDS


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert load.percentile(values, 50) == 50.0
    assert load.percentile(values, 95) == 95.0
    assert load.percentile(values, 99) == 99.0
    assert load.percentile(values, 100) == 100.0
    assert load.percentile(list(reversed(values)), 1) == 1.0
    assert load.percentile([7.0], 99) == 7.0
    assert load.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0   # an observed value, not 2.5
    assert load.percentile([1.0, 2.0, 3.0, 4.0], 75) == 3.0
    assert load.percentile([1.0, 2.0, 3.0, 4.0], 76) == 4.0
    assert load.percentile([5.0, 1.0, 9.0], 99.9) == 9.0
    with pytest.raises(ValueError):
        load.percentile([], 50)
    with pytest.raises(ValueError):
        load.percentile([1.0], 0)


def test_summary_counts_every_request_and_keeps_the_first_errors():
    lat = [10.0] * 90 + [50.0] * 9 + [400.0]
    ph = load.summarize(8, lat, ["HTTP 503: a", "HTTP 503: b", "x", "y"], seconds=4.0, client_cpu_s=1.26,
                        load_avg=1.5)
    assert (ph.clients, ph.requests, ph.errors, ph.rps) == (8, 100, 4, 25.0)
    assert (ph.p50_ms, ph.p95_ms, ph.p99_ms, ph.max_ms) == (10.0, 50.0, 50.0, 400.0)
    assert ph.first_errors == ["HTTP 503: a", "HTTP 503: b", "x"] and ph.client_cpu_s == 1.3
    empty = load.summarize(1, [], [], seconds=2.0)
    assert empty.requests == 0 and empty.rps == 0.0 and empty.p95_ms is None


def test_table_has_one_row_per_phase():
    phases = [load.summarize(1, [12.0, 14.0], [], 2.0), load.summarize(32, [30.0, 90.0, 120.0], ["e"], 2.0)]
    text = load.format_table(phases, "POST /api/ask")
    lines = text.splitlines()
    assert lines[0] == "POST /api/ask" and "p95 ms" in lines[1] and "errors" in lines[1]
    assert len(lines) == 5
    assert lines[3].split()[:3] == ["1", "2", "1.0"] and lines[3].split()[7] == "0"
    assert lines[4].split()[:3] == ["32", "3", "1.5"] and lines[4].split()[7] == "1"
    assert "-" in load.format_table([load.summarize(1, [], [], 1.0)]).splitlines()[-1].split()


def test_questions_are_the_seed_eval_questions():
    qs = load.questions()
    assert len(qs) >= 100 and all(q.strip() for q in qs)


@pytest.mark.slow
def test_a_tiny_run_against_the_app_subprocess(seeds_index, tmp_path):
    """1 worker, 1 client, 2 s: the same start, readiness wait and phase as a real run."""
    shutil.copytree(seeds_index.generation.parent, tmp_path / "index", symlinks=True)
    shutil.copytree(SEEDS, tmp_path / "corpus")
    env = {"HOIDAP_INDEX_DIR": str(tmp_path / "index"), "HOIDAP_CORPUS_DIR": str(tmp_path / "corpus"),
           "HOIDAP_DATA_DIR": str(tmp_path / "data")}
    port = load.free_port()
    url = f"http://127.0.0.1:{port}"
    proc = load.start_server(port, 1, env=env, log_path=tmp_path / "server.log")
    try:
        load.wait_ready(url, 1, timeout=120, proc=proc)
        phase = asyncio.run(load.run_phase(url, 1, 2.0, load.questions()[:5]))
    finally:
        load.stop_server(proc)
    assert proc.returncode is not None
    assert phase.errors == 0, phase.first_errors
    assert phase.requests >= 2 and phase.p50_ms is not None and phase.p50_ms <= phase.p99_ms
