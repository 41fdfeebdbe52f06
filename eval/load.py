"""Bounded load test of ``POST /api/ask``: phases of 1, 8, 32 … concurrent clients, each for a
fixed time, against the app on loopback; throughput, latency percentiles and errors.

    .venv/bin/python -m eval.load --clients 1 8 32 --seconds 60 --workers 2
    .venv/bin/python -m eval.load --url http://127.0.0.1:7860 --clients 8 --seconds 10
    .venv/bin/python -m eval.load --unique ...     # every question new: no answer-cache hits

Without ``--url`` the app is started as a subprocess on a free loopback port, ``python app.py``
with HOIDAP_WORKERS=N (``--launcher uvicorn``: ``uvicorn app:create_app --factory --workers N``,
which is ~40 ms slower per keep-alive request above one worker, see ``webapp.serve``),
settings from the HOIDAP_* environment as for ``make run``, and stopped afterwards. Every worker must answer ``/healthz`` 200 before the
first phase (a worker still loading would answer 503, which would count as an error).

Clients are asyncio tasks, each with its own ``httpx.AsyncClient`` and keep-alive connection.
Questions are those of ``eval/data/seeds_qa.jsonl``, cycled from a different offset per client,
so the answer cache sees a realistic mix of repeats; a warm-up pass over all questions (not
measured) first fills it. The client shares the machine's cores with the server: its own CPU time is reported
per phase. Exit status 0 when no phase had an error.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "eval" / "data" / "seeds_qa.jsonl"

__all__ = ["percentile", "Phase", "summarize", "format_table", "run_phase", "start_server", "main"]


def questions(path: Path = QUESTIONS) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh if line.strip()]


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (the smallest value with at least p% of the values at or below
    it): an observed latency, never an interpolation. ``p`` in (0, 100]."""
    if not values:
        raise ValueError("no values")
    if not 0 < p <= 100:
        raise ValueError(f"percentile {p} not in (0, 100]")
    ordered = sorted(values)
    rank = -(-p * len(ordered) // 100)  # ceil(p/100 * n), exact for integer p
    return ordered[max(1, int(rank)) - 1]


@dataclass
class Phase:
    clients: int
    seconds: float
    requests: int
    errors: int
    rps: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    client_cpu_s: float = 0.0
    load_avg: float | None = None        # 1-minute load average at the end of the phase
    first_errors: list[str] = field(default_factory=list)


def summarize(clients: int, latencies_ms: Sequence[float], errors: Sequence[str], seconds: float,
              client_cpu_s: float = 0.0, load_avg: float | None = None) -> Phase:
    """One phase's figures. ``latencies_ms`` holds every request (failed ones included);
    ``rps`` counts every request over the phase's wall time."""
    lat = list(latencies_ms)

    def pct(p: float) -> float | None:
        return round(percentile(lat, p), 1) if lat else None

    return Phase(clients=clients, seconds=round(seconds, 2), requests=len(lat), errors=len(errors),
                 rps=round(len(lat) / seconds, 1) if seconds > 0 else 0.0,
                 p50_ms=pct(50), p95_ms=pct(95), p99_ms=pct(99), max_ms=round(max(lat), 1) if lat else None,
                 client_cpu_s=round(client_cpu_s, 1), load_avg=load_avg, first_errors=list(errors[:3]))


def format_table(phases: Sequence[Phase], title: str = "") -> str:
    head = (f"{'clients':>7} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'max ms':>8} {'errors':>6} {'client cpu s':>12} {'load1':>6}")
    lines = ([title] if title else []) + [head, "-" * len(head)]

    def num(v: float | None) -> str:
        return "-" if v is None else f"{v:.1f}"

    for ph in phases:
        lines.append(f"{ph.clients:>7} {ph.requests:>9} {ph.rps:>8.1f} {num(ph.p50_ms):>8} {num(ph.p95_ms):>8} "
                     f"{num(ph.p99_ms):>8} {num(ph.max_ms):>8} {ph.errors:>6} {ph.client_cpu_s:>12.1f} "
                     f"{num(ph.load_avg):>6}")
    return "\n".join(lines)


# --- the clients -------------------------------------------------------------------------------

async def _client(url: str, qs: list[str], offset: int, stop_at: float, unique: bool,
                  lat: list[float], errors: list[str]) -> None:
    # one client object per simulated user, holding one keep-alive connection: a shared pool of
    # 32 connections costs the client twice the CPU per request (httpcore scans its pool)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        await _requests(http, qs, offset, stop_at, unique, lat, errors)


async def _requests(http: httpx.AsyncClient, qs: list[str], offset: int, stop_at: float, unique: bool,
                    lat: list[float], errors: list[str]) -> None:
    i = offset
    while time.perf_counter() < stop_at:
        q = qs[i % len(qs)]
        if unique:  # a nonce makes every question new to the answer cache
            q = f"{q} (#{i})"
        i += 1
        t0 = time.perf_counter()
        try:
            r = await http.post("/api/ask", json={"question": q})
            if r.status_code != 200 or "answer" not in r.json():
                errors.append(f"HTTP {r.status_code}: {r.text[:160]}")
        except (httpx.HTTPError, ValueError) as exc:
            errors.append(repr(exc))
        lat.append((time.perf_counter() - t0) * 1000)


async def run_phase(url: str, clients: int, seconds: float, qs: list[str], *, unique: bool = False,
                    offset: int = 0) -> Phase:
    lat: list[float] = []
    errors: list[str] = []
    cpu0 = _cpu()
    t0 = time.perf_counter()
    stop_at = t0 + seconds
    await asyncio.gather(*(_client(url, qs, offset + n * 7919, stop_at, unique, lat, errors)
                           for n in range(clients)))
    elapsed = time.perf_counter() - t0
    return summarize(clients, lat, errors, elapsed, _cpu() - cpu0, round(os.getloadavg()[0], 2))


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


# --- the server --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LAUNCHERS = ("app", "uvicorn")


def start_server(port: int, workers: int, env: dict[str, str] | None = None,
                 log_path: Path | None = None, launcher: str = "app") -> subprocess.Popen:
    """The app in its own process group (so every worker stops with it): ``python app.py`` with
    HOIDAP_WORKERS (the deployment path), or ``uvicorn app:create_app --factory --workers N``,
    whose multi-worker listener lacks TCP_NODELAY (uvicorn #3149; see ``webapp.serve``)."""
    if launcher == "app":
        cmd = [sys.executable, "app.py"]
        env = {"HOIDAP_HOST": "127.0.0.1", "HOIDAP_PORT": str(port), "HOIDAP_WORKERS": str(workers), **(env or {})}
    elif launcher == "uvicorn":
        cmd = [sys.executable, "-m", "uvicorn", "app:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    else:
        raise ValueError(f"launcher {launcher!r} not in {LAUNCHERS}")
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=log,
                            start_new_session=True)


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)  # the group of the server this module started
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_ready(url: str, workers: int, timeout: float, proc: subprocess.Popen | None = None) -> None:
    """Until every worker has answered /healthz 200 and the last 3×workers probes were all 200.
    Each probe is a new connection, so the kernel hands probes to different workers."""
    deadline = time.monotonic() + timeout
    pids: set[int] = set()
    streak = 0
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"máy chủ đã dừng (mã {proc.returncode}) trước khi sẵn sàng")
        try:
            r = httpx.get(url + "/healthz", timeout=5)
            ok = r.status_code == 200
            if ok and "pid" in r.json():
                pids.add(r.json()["pid"])
        except (httpx.HTTPError, ValueError):
            ok = False
        streak = streak + 1 if ok else 0
        if streak >= 3 * workers and len(pids) >= workers:
            return
        time.sleep(0.05 if ok else 0.25)
    raise SystemExit(f"máy chủ {url} chưa sẵn sàng sau {timeout:.0f} s ({len(pids)}/{workers} worker trả lời)")


# --- entry point -------------------------------------------------------------------------------

async def warm_up(url: str, qs: list[str], connections: int, passes: int) -> None:
    """Each connection asks every question ``passes`` times (not measured). A keep-alive
    connection stays with one worker, so several connections fill every worker's cache."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        async def one(offset: int) -> None:
            for i in range(passes * len(qs)):
                await http.post("/api/ask", json={"question": qs[(offset + i) % len(qs)]})

        await asyncio.gather(*(one(n * 13) for n in range(connections)))


def run(url: str, clients: Sequence[int], seconds: float, *, unique: bool, warmup_passes: int,
        workers: int = 1) -> list[Phase]:
    qs = questions()

    async def go() -> list[Phase]:
        if warmup_passes > 0:
            await warm_up(url, qs, max(4, 4 * workers), warmup_passes)
        out = []
        for n in clients:
            out.append(await run_phase(url, n, seconds, qs, unique=unique))
        return out

    return asyncio.run(go())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.load", description="Đo tải POST /api/ask theo từng mức đồng thời")
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32], help="số client đồng thời của từng pha")
    ap.add_argument("--seconds", type=float, default=60.0, help="thời gian mỗi pha (giây)")
    ap.add_argument("--workers", type=int, default=1, help="số worker uvicorn của máy chủ tự khởi động")
    ap.add_argument("--launcher", choices=LAUNCHERS, default="app",
                    help="app: python app.py với HOIDAP_WORKERS (mặc định); uvicorn: uvicorn --workers N")
    ap.add_argument("--url", help="máy chủ đang chạy; bỏ trống để tự khởi động uvicorn trên cổng loopback trống")
    ap.add_argument("--unique", action="store_true", help="thêm số thứ tự vào mỗi câu hỏi để không trúng bộ nhớ đệm")
    ap.add_argument("--warmup-passes", type=int, default=1,
                    help="số lượt hỏi hết bộ câu hỏi trước khi đo, trên 4×workers kết nối (0: không)")
    ap.add_argument("--startup-timeout", type=float, default=600.0)
    ap.add_argument("--server-log", type=Path, help="ghi stdout/stderr của máy chủ vào tệp này")
    ap.add_argument("--json", action="store_true", help="in kết quả dạng JSON (một dòng)")
    args = ap.parse_args(argv)

    proc = None
    url = args.url
    started = time.monotonic()
    if not url:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = start_server(port, args.workers, log_path=args.server_log, launcher=args.launcher)
    try:
        wait_ready(url, 1 if args.url else args.workers, args.startup_timeout, proc)
        startup_s = time.monotonic() - started
        phases = run(url, args.clients, args.seconds, unique=args.unique, warmup_passes=args.warmup_passes,
                     workers=1 if args.url else args.workers)
    finally:
        if proc is not None:
            stop_server(proc)

    mode = "unique questions (no cache hits)" if args.unique else "seed questions cycled (answer cache warm)"
    workers = "external server" if args.url else f"{args.workers} worker(s) via {args.launcher}"
    if args.json:
        print(json.dumps({"url": url if args.url else None, "workers": None if args.url else args.workers,
                          "launcher": None if args.url else args.launcher,
                          "mode": mode, "seconds_per_phase": args.seconds, "cpus": os.cpu_count(),
                          "startup_s": round(startup_s, 1), "phases": [asdict(p) for p in phases]},
                         ensure_ascii=False))
    else:
        print(format_table(phases, f"POST /api/ask · {workers} · {mode} · {args.seconds:g} s per phase · "
                                   f"{os.cpu_count()} CPUs · ready after {startup_s:.1f} s"))
        for ph in phases:
            for e in ph.first_errors:
                print(f"  {ph.clients} clients, error: {e}")
    return 0 if all(ph.errors == 0 for ph in phases) else 1


if __name__ == "__main__":
    sys.exit(main())
