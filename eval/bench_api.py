"""Load test for ``POST /api/ask``: N concurrent clients on loopback, latency percentiles and
throughput.

    .venv/bin/python -m eval.bench_api                  # starts `python app.py` on a free port
    .venv/bin/python -m eval.bench_api --url http://127.0.0.1:7860   # an already running server

The server runs in its own process so the client's CPU does not share its GIL. Questions are
the seed eval questions, cycled after one warm-up pass (the service caches answers to repeated
questions); ``--unique`` makes every question new to measure the uncached path. Targets (issue 4): p95 ≤ 60 ms, ≥ 120 requests/s, no errors.
Exit status is 0 when all targets are met. For phases of 1/8/32 clients and several uvicorn
workers, see ``eval.load``.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "eval" / "data" / "seeds_qa.jsonl"

TARGET_P95_MS = 60.0
TARGET_RPS = 120.0


def _questions() -> list[str]:
    with QUESTIONS.open(encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh if line.strip()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"máy chủ {url} không sẵn sàng sau {timeout:.0f} s")


def _start_server(port: int) -> subprocess.Popen:
    env = dict(os.environ, HOIDAP_HOST="127.0.0.1", HOIDAP_PORT=str(port))
    return subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@dataclass
class _Results:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _client(url: str, questions: list[str], offset: int, stop_at: float, out: _Results,
            unique: bool = False, limit: int | None = None) -> None:
    lat, errs = [], []
    i = offset
    with httpx.Client(base_url=url, timeout=10) as c:
        while time.perf_counter() < stop_at and (limit is None or len(lat) < limit):
            q = questions[i % len(questions)]
            if unique:  # defeat the service's answer cache: every question text is new
                q = f"{q} (#{i})"
            i += 1
            t0 = time.perf_counter()
            try:
                r = c.post("/api/ask", json={"question": q})
                ok = r.status_code == 200 and "answer" in r.json()
                if not ok:
                    errs.append(f"HTTP {r.status_code}: {r.text[:120]}")
            except (httpx.HTTPError, ValueError) as exc:
                errs.append(repr(exc))
            lat.append((time.perf_counter() - t0) * 1000)
    with out.lock:
        out.latencies_ms += lat
        out.errors += errs


def _percentile(values: list[float], p: float) -> float:
    from eval.load import percentile  # one definition (nearest rank) for both load tests

    return percentile(values, p)


def run(url: str, clients: int, seconds: float, warmup_passes: int, unique: bool = False) -> dict:
    questions = _questions()
    for _ in range(warmup_passes):  # every question asked once, as a server in service has seen them
        _client(url, questions, 0, float("inf"), _Results(), limit=len(questions))
    out = _Results()
    stop_at = time.perf_counter() + seconds
    threads = [threading.Thread(target=_client, args=(url, questions, n * 100_003, stop_at, out, unique))
               for n in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    lat = out.latencies_ms
    return {
        "mode": "unique questions (no cache hits)" if unique else
                f"seed questions cycled, {warmup_passes} warm-up pass(es)",
        "clients": clients, "seconds": round(elapsed, 2), "requests": len(lat), "errors": len(out.errors),
        "rps": round(len(lat) / elapsed, 1),
        "p50_ms": round(statistics.median(lat), 1) if lat else None,
        "p95_ms": round(_percentile(lat, 95), 1) if lat else None,
        "p99_ms": round(_percentile(lat, 99), 1) if lat else None,
        "max_ms": round(max(lat), 1) if lat else None,
        "first_errors": out.errors[:3],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench_api", description="Đo tải POST /api/ask")
    ap.add_argument("--url", help="máy chủ đang chạy; bỏ trống để tự khởi động app.py")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--warmup-passes", type=int, default=1,
                    help="lượt hỏi tuần tự toàn bộ câu hỏi trước khi đo (0: đo từ lúc khởi động)")
    ap.add_argument("--unique", action="store_true",
                    help="mỗi câu hỏi một khác (thêm số thứ tự) để không trúng bộ nhớ đệm câu trả lời")
    ap.add_argument("--startup-timeout", type=float, default=600.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    server = None
    url = args.url
    if not url:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        server = _start_server(port)
    try:
        _wait_ready(url, args.startup_timeout)
        result = run(url, args.clients, args.seconds, args.warmup_passes, args.unique)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    ok = (result["errors"] == 0 and result["p95_ms"] is not None and result["p95_ms"] <= TARGET_P95_MS
          and result["rps"] >= TARGET_RPS)
    result["targets"] = {"p95_ms<=": TARGET_P95_MS, "rps>=": TARGET_RPS, "errors": 0, "met": ok}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"POST /api/ask · {result['mode']} · {result['clients']} clients · {result['seconds']} s · "
              f"{result['requests']} requests")
        print(f"  throughput {result['rps']} req/s   (target ≥ {TARGET_RPS:.0f})")
        print(f"  latency p50 {result['p50_ms']} ms · p95 {result['p95_ms']} ms (target ≤ {TARGET_P95_MS:.0f})"
              f" · p99 {result['p99_ms']} ms · max {result['max_ms']} ms")
        print(f"  errors {result['errors']}" + (f"  e.g. {result['first_errors'][0]}" if result["errors"] else ""))
        print("  targets met" if ok else "  TARGETS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
