"""What one server worker costs: cold start to ``/healthz`` 200, and resident memory once it has
answered the 105 seed questions.

    .venv/bin/python -m eval.bench_worker [--workers 1] [--runs 3] [--root DIR] [--json]

Each run starts ``python app.py`` (``HOIDAP_WORKERS=N``, a free loopback port, settings from the
HOIDAP_* environment, so the index must already be built: one unmeasured start first makes sure
of it), times the start until every worker has answered ``/healthz`` 200 (wall clock, and the CPU
time the server's processes used by then), asks each question of
``eval/data/seeds_qa.jsonl`` once over 4×N connections, then reads every process of the server
from ``/proc``: resident (VmRSS), proportional (Pss: shared pages split between the processes
that map them) and peak (VmHWM) memory, and whether torch's library is mapped. ``--root`` runs
another checkout's ``app.py`` (its own ``var/``), to measure two versions in one sitting.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from eval.load import QUESTIONS, free_port, questions, stop_server, warm_up

ROOT = Path(__file__).resolve().parent.parent
HEAVY_LIBRARIES = ("libtorch", "libtransformers")  # a worker that maps these imported torch


def _session_pids(sid: int) -> list[int]:
    """Processes of the session the server was started in (it is its own session leader)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # stat field 6: session id (fields[0] is field 3, the state)
            pids.append(int(entry))
    return sorted(pids)


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (a figure a busy machine barely
    changes, unlike wall-clock time)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # stat fields 14 and 15: utime, stime
    return total / tick


def _memory(pid: int) -> dict:
    """VmRSS, VmHWM and Pss of ``pid`` in MB, its command line, and whether torch is mapped."""
    out: dict = {"pid": pid}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0].lower().replace("vm", "") + "_mb"] = round(int(line.split()[1]) / 1024, 1)
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                out["pss_mb"] = round(int(line.split()[1]) / 1024, 1)
        maps = Path(f"/proc/{pid}/maps").read_text()
        out["torch_mapped"] = any(lib in maps for lib in HEAVY_LIBRARIES)
        out["cmd"] = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ").strip()[:80]
    except OSError:
        pass
    return out


def _start(root: Path, port: int, workers: int, log) -> subprocess.Popen:
    env = {**os.environ, "HOIDAP_HOST": "127.0.0.1", "HOIDAP_PORT": str(port), "HOIDAP_WORKERS": str(workers)}
    return subprocess.Popen([sys.executable, "app.py"], cwd=root, env=env, stdout=log, stderr=log,
                            start_new_session=True)


def first_ok(url: str, workers: int, t0: float, timeout: float, proc: subprocess.Popen) -> float:
    """Seconds from ``t0`` until the last of ``workers`` distinct processes first answered
    ``/healthz`` 200 (probed every 20 ms, a new connection each, so probes reach every worker)."""
    seen: set[int] = set()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped (status {proc.returncode}) before it was ready")
        try:
            r = httpx.get(url + "/healthz", timeout=5)
            if r.status_code == 200:
                seen.add(r.json().get("pid", 0))
                if len(seen) >= workers:
                    return time.monotonic() - t0
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.02)
    raise SystemExit(f"{url} not ready after {timeout:.0f} s ({len(seen)}/{workers} workers)")


def one_run(root: Path, workers: int, qs: list[str], startup_timeout: float = 300.0) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(os.devnull, "wb") as log:
        t0 = time.monotonic()
        proc = _start(root, port, workers, log)
        try:
            ready_s = first_ok(url, workers, t0, startup_timeout, proc)
            ready_cpu_s = _cpu_seconds(_session_pids(proc.pid))
            started = [_memory(p) for p in _session_pids(proc.pid)]
            asyncio.run(warm_up(url, qs, max(4, 4 * workers), 1))
            answered = [_memory(p) for p in _session_pids(proc.pid)]
        finally:
            stop_server(proc)
    # the workers are the processes that loaded the service: the biggest ones
    workers_after = sorted(answered, key=lambda m: -m.get("rss_mb", 0))[:workers]
    return {
        "ready_s": round(ready_s, 2),
        "ready_cpu_s": round(ready_cpu_s, 2),
        "worker_rss_ready_mb": [m.get("rss_mb") for m in sorted(started, key=lambda m: -m.get("rss_mb", 0))[:workers]],
        "worker_rss_mb": [m.get("rss_mb") for m in workers_after],
        "worker_pss_mb": [m.get("pss_mb") for m in workers_after],
        "worker_peak_mb": [m.get("hwm_mb") for m in workers_after],
        "total_rss_mb": round(sum(m.get("rss_mb", 0) for m in answered), 1),
        "total_pss_mb": round(sum(m.get("pss_mb", 0) for m in answered), 1),
        "processes": len(answered),
        "torch_mapped": any(m.get("torch_mapped") for m in answered),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench_worker", description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--root", type=Path, default=ROOT, help="checkout whose app.py is started")
    ap.add_argument("--no-prime", action="store_true", help="skip the unmeasured first start")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    qs = questions(QUESTIONS)
    if not args.no_prime:
        one_run(args.root, args.workers, qs[:1], startup_timeout=1800.0)  # builds the index if needed
    runs = [one_run(args.root, args.workers, qs) for _ in range(args.runs)]
    summary = {
        "root": str(args.root), "workers": args.workers, "questions": len(qs), "runs": runs,
        "ready_s_median": round(statistics.median(r["ready_s"] for r in runs), 2),
        "worker_rss_mb_max": max(max(r["worker_rss_mb"]) for r in runs),
        "total_rss_mb_median": round(statistics.median(r["total_rss_mb"] for r in runs), 1),
        "total_pss_mb_median": round(statistics.median(r["total_pss_mb"] for r in runs), 1),
        "load_avg": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    print(f"{args.root} · {args.workers} worker(s) · {len(qs)} questions · load {summary['load_avg']}")
    for r in runs:
        print(f"  ready {r['ready_s']:5.2f} s ({r['ready_cpu_s']:.2f} s CPU) · worker RSS {r['worker_rss_mb']} MB (ready: {r['worker_rss_ready_mb']}), "
              f"PSS {r['worker_pss_mb']}, peak {r['worker_peak_mb']} · all {r['processes']} processes: "
              f"RSS {r['total_rss_mb']} MB, PSS {r['total_pss_mb']} MB · torch mapped: {r['torch_mapped']}")
    print(f"median ready {summary['ready_s_median']} s · max worker RSS {summary['worker_rss_mb_max']} MB · "
          f"median total RSS {summary['total_rss_mb_median']} MB, PSS {summary['total_pss_mb_median']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
