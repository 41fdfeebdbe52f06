"""``python -m eval claims``: the fact checker against ``eval/data/claims.jsonl``.

Prints the confusion matrix (gold rows, predicted columns), accuracy, how many false claims
were marked supported, the per-sentence accuracy of multi-sentence claims and whether the
decisive citation is a gold paragraph. ``--json`` prints the same figures as one JSON object.
Exit status 0 when accuracy ≥ 95% and no false claim is supported, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

VERDICTS = ("supported", "refuted", "not_found")
CLAIMS = Path(__file__).resolve().parent / "data" / "claims.jsonl"
TARGET_ACCURACY = 0.95


def read_claims(path: Path = CLAIMS) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(checker, claims: list[dict]) -> dict:
    """Run ``checker.check`` on every claim and collect the figures."""
    matrix = {g: {p: 0 for p in VERDICTS} for g in VERDICTS}
    by_kind: dict[str, list[int]] = {}
    errors = []
    sentence_total = sentence_right = 0
    cited = cited_gold = 0
    latencies = []
    for row in claims:
        t0 = time.perf_counter()
        report = checker.check(row["claim"])
        latencies.append((time.perf_counter() - t0) * 1000)
        gold, pred = row["verdict"], report.verdict
        matrix[gold][pred] += 1
        k = by_kind.setdefault(row.get("kind", ""), [0, 0])
        k[0] += gold == pred
        k[1] += 1
        if gold != pred:
            errors.append({"id": row["id"], "gold": gold, "predicted": pred, "claim": row["claim"],
                           "explanations": [s.explanation for s in report.sentences]})
        for want, got in zip(row.get("sentences", []), report.sentences):
            sentence_total += 1
            sentence_right += want["verdict"] == got.verdict
        gold_keys = {(g["article_id"], g["paragraph"]) for g in row.get("gold", [])}
        if gold_keys and pred == gold and pred != "not_found":
            first = next((c for s in report.sentences for c in s.citations), None)
            cited += 1
            cited_gold += first is not None and (first.article_id, first.paragraph) in gold_keys
    n = len(claims)
    correct = sum(matrix[v][v] for v in VERDICTS)
    latencies.sort()
    return {
        "n": n,
        "accuracy": correct / n if n else 0.0,
        "confusion": matrix,
        "false_supported": matrix["refuted"]["supported"] + matrix["not_found"]["supported"],
        "recall": {g: (matrix[g][g] / sum(matrix[g].values())) if sum(matrix[g].values()) else None
                   for g in VERDICTS},
        "by_kind": {k: {"correct": v[0], "n": v[1]} for k, v in sorted(by_kind.items())},
        "sentence_accuracy": sentence_right / sentence_total if sentence_total else None,
        "citation_gold_rate": cited_gold / cited if cited else None,
        "p50_ms": latencies[n // 2] if n else 0.0,
        "p95_ms": latencies[min(n - 1, int(n * 0.95))] if n else 0.0,
        "errors": errors,
    }


def format_report(res: dict) -> str:
    lines = [f"claims: {res['n']}   accuracy: {res['accuracy']:.3f}   "
             f"false claims marked supported: {res['false_supported']}",
             "recall: " + ", ".join(f"{v} {r:.3f}" for v, r in res["recall"].items() if r is not None), "",
             "gold \\ predicted".ljust(18) + "".join(v.rjust(12) for v in VERDICTS)]
    for g in VERDICTS:
        lines.append(g.ljust(18) + "".join(str(res["confusion"][g][p]).rjust(12) for p in VERDICTS))
    lines.append("")
    lines.append("by kind: " + ", ".join(f"{k} {v['correct']}/{v['n']}" for k, v in res["by_kind"].items()))
    if res["sentence_accuracy"] is not None:
        lines.append(f"multi-sentence claims, per-sentence accuracy: {res['sentence_accuracy']:.3f}")
    if res["citation_gold_rate"] is not None:
        lines.append(f"first citation is a gold paragraph: {res['citation_gold_rate']:.3f}")
    lines.append(f"latency per claim: p50 {res['p50_ms']:.0f} ms, p95 {res['p95_ms']:.0f} ms")
    for e in res["errors"]:
        lines.append(f"  ✗ {e['id']} gold={e['gold']} predicted={e['predicted']}: {e['claim']}")
        for x in e["explanations"]:
            lines.append(f"      {x}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval claims",
                                     description="Đánh giá chế độ kiểm chứng trên eval/data/claims.jsonl")
    parser.add_argument("--claims", type=Path, default=CLAIMS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--dataset", choices=["seeds", "news"], default="seeds",
                        help="news: the news corpus claims over the seeds + news index")
    parser.add_argument("--split", choices=["dev", "heldout", "all"], default="all")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:          # "python -m eval claims -- --json" (argparse REMAINDER)
        argv = argv[1:]
    args = parser.parse_args(argv)

    from chatbot.factcheck import FactChecker
    from eval.datasets import open_eval_index
    from index.embedder import load_embedder
    from settings import Settings

    settings = Settings()
    embedder = load_embedder(settings.embedder, settings.embed_model, settings.model_cache_dir)
    index = open_eval_index(args.dataset, embedder, settings.model_cache_dir.parent / "eval")
    if args.dataset == "news":
        from eval.datasets import news_claims

        claims = news_claims(args.split)
    else:
        claims = read_claims(args.claims)
    checker = FactChecker(index)
    if claims:  # latency is measured after warm-up, as a server answers after start-up
        checker.check(claims[0]["claim"])
    res = evaluate(checker, claims)
    if args.json:
        print(json.dumps(res, ensure_ascii=False))
    else:
        print(format_report(res))
    return 0 if res["accuracy"] >= TARGET_ACCURACY and res["false_supported"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
