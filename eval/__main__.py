"""``python -m eval <command>``: retrieval, answers, answer (the stable runner contract), claims."""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from settings import Settings


def _embedder(settings: Settings):
    from index.embedder import load_embedder

    return load_embedder(settings.embedder, settings.embed_model, settings.model_cache_dir)


def _eval_cache(settings: Settings) -> Path:
    return settings.model_cache_dir.parent / "eval"


def _print_table(title: str, results: dict[str, dict[str, float]]) -> None:
    cols = ["recall@1", "recall@3", "recall@5", "mrr@10", "p50_ms", "p95_ms", "n"]
    print(f"\n{title}")
    print(f"{'retriever':<24}" + "".join(f"{c:>10}" for c in cols))
    for name, row in results.items():
        print(f"{name:<24}" + "".join(f"{row.get(c, float('nan')):>10.3f}" if c != "n" else f"{row.get(c, 0):>10d}"
                                      for c in cols))


def cmd_retrieval(args: argparse.Namespace, settings: Settings) -> int:
    from eval import retrieval
    from eval.datasets import news_questions, open_eval_index, seeds_questions, xquad_questions

    split = _split(args)
    index = open_eval_index(args.dataset, _embedder(settings), _eval_cache(settings))
    if args.dataset == "seeds":
        questions = seeds_questions(heldout=args.heldout)
    elif args.dataset == "news":
        # follow-ups are retrieved as their standalone question would be; here they count as asked
        questions = [q for q in news_questions(split) if not q.history]
    else:
        questions = xquad_questions(split)
    results = retrieval.run(index, questions)
    if args.dataset in ("seeds", "news"):
        plain = [q.without_tone_marks() for q in questions if q.answerable]
        for name, row in retrieval.run(index, plain).items():
            results[name]["no_tone_marks"] = row
    if args.baselines:
        from eval import baselines

        results.update(baselines.run(index, questions))
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
        return 0
    _print_table(f"dataset={args.dataset}{' (held-out)' if args.heldout else ''}",
                 {k: v for k, v in results.items()})
    if args.dataset in ("seeds", "news"):
        _print_table("same questions, typed without tone marks",
                     {k: v["no_tone_marks"] for k, v in results.items() if "no_tone_marks" in v})
    return 0


def cmd_tune(args: argparse.Namespace, settings: Settings) -> int:
    from eval.datasets import open_eval_index, seeds_questions
    from eval.tune import _prepare, score, tune

    index = open_eval_index("seeds", _embedder(settings), _eval_cache(settings))
    best, scores = tune(index, seeds_questions())
    print("tuned on seeds_qa.jsonl (as written + without tone marks):", {k: round(v, 4) for k, v in scores.items()})
    print(best)
    held = [q for q in seeds_questions(heldout=True) if q.answerable]
    held = held + [q.without_tone_marks() for q in held]
    prepared = _prepare(index, held)
    print("held-out with these weights:", {k: round(v, 4) for k, v in score(prepared, best).items()})
    print("held-out with current weights:", {k: round(v, 4) for k, v in score(prepared, index.weights).items()})
    return 0


def _service_for(dataset: str, settings: Settings):
    from chatbot.service import Service
    from eval.datasets import open_eval_index

    service = Service(open_eval_index(dataset, _embedder(settings), _eval_cache(settings)), settings)
    service.warm_up()  # latency is measured after warm-up, as a server answers after start-up
    return service


def _split(args: argparse.Namespace) -> str:
    split = args.split or "all"
    allowed = {"news": ("dev", "heldout", "all"), "xquad-vi": ("dev", "test", "all")}.get(args.dataset, ("all",))
    if split not in allowed:
        raise SystemExit(f"--split {split} does not exist for --dataset {args.dataset} (choose from {', '.join(allowed)})")
    return split


def cmd_answers(args: argparse.Namespace, settings: Settings) -> int:
    from eval.answers import evaluate
    from eval.datasets import news_questions, seeds_questions, xquad_questions

    split = _split(args)
    if args.errors and split not in ("dev",) and args.dataset != "seeds":
        raise SystemExit("--errors lists the misses of a development split only (--split dev)")
    service = _service_for(args.dataset, settings)
    if args.dataset in ("seeds", "news"):
        questions = seeds_questions(heldout=args.heldout) if args.dataset == "seeds" else news_questions(split)
        result = evaluate(service, questions, keep_rows=args.errors)
        plain = [q.without_tone_marks() for q in questions]
        result["no_tone_marks"] = evaluate(service, plain)["overall"]
        if args.dataset == "news" and split == "all":
            result["by_split"] = {s: evaluate(service, [q for q in questions if q.extra["split"] == s])["overall"]
                                  for s in ("dev", "heldout")}
    else:
        result = evaluate(service, xquad_questions(split), xquad=True, keep_rows=args.errors)
    if args.errors:
        for row in result.pop("rows"):
            if not row["correct"] or row.get("short_correct") is False:
                print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_answer(args: argparse.Namespace, settings: Settings) -> int:
    from chatbot.service import build_service
    from eval.answers import run_file

    started = time.perf_counter()
    service = build_service(settings)
    n = run_file(service, Path(args.input), Path(args.output))
    print(f"{n} câu trả lời -> {args.output} ({time.perf_counter() - started:.1f} s, gồm cả nạp mô hình)",
          file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m eval", description="Đánh giá Hỏi đáp phường")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("retrieval", help="recall@k, MRR@10, latency per retriever")
    r.add_argument("--dataset", choices=["seeds", "news", "xquad-vi"], default="seeds")
    r.add_argument("--heldout", action="store_true", help="seeds: use the held-out questions")
    r.add_argument("--split", help="news: dev, heldout or all (default); xquad-vi: dev, test or all (default)")
    r.add_argument("--baselines", action="store_true", help="also run the LangChain baseline recipes")
    r.add_argument("--json", action="store_true")
    a = sub.add_parser("answers", help="answer accuracy, citation precision, abstention")
    a.add_argument("--dataset", choices=["seeds", "news", "xquad-vi"], default="seeds")
    a.add_argument("--heldout", action="store_true", help="seeds: use the held-out questions")
    a.add_argument("--split", help="news: dev, heldout or all (default); xquad-vi: dev, test or all (default)")
    a.add_argument("--errors", action="store_true", help="print each miss (stderr); development splits only")
    a.add_argument("--json", action="store_true")
    one = sub.add_parser("answer", help="answer a JSONL file of questions (the runner contract)")
    one.add_argument("--input", required=True)
    one.add_argument("--output", required=True)
    c = sub.add_parser("claims", help="fact-check accuracy and confusion matrix on eval/data/claims.jsonl")
    c.add_argument("--json", action="store_true")
    c.add_argument("--claims", help="claims file (default eval/data/claims.jsonl)")
    c.add_argument("--dataset", choices=["seeds", "news"], default="seeds")
    c.add_argument("--split", help="news: dev, heldout or all (default)")
    sub.add_parser("tune", help="tune the fusion weights on eval/data/seeds_qa.jsonl")
    sub.add_parser("tones", help="tone-mark restoration accuracy on the eval questions typed without marks")
    from eval.scale import add_arguments as scale_arguments

    scale_arguments(sub.add_parser("scale", help="large-corpus benchmark on a synthetic corpus of N paragraphs"))
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "retrieval":
        return cmd_retrieval(args, settings)
    if args.command == "answers":
        return cmd_answers(args, settings)
    if args.command == "answer":
        return cmd_answer(args, settings)
    if args.command == "claims":
        from eval.claims import main as claims_main

        return claims_main((["--json"] if args.json else []) + (["--claims", args.claims] if args.claims else [])
                           + ["--dataset", args.dataset] + (["--split", _split(args)] if args.split else []))
    if args.command == "tune":
        return cmd_tune(args, settings)
    if args.command == "tones":
        from eval.tones import run as tones_run

        print(json.dumps(tones_run(), ensure_ascii=False, indent=2))
        return 0
    if args.command == "scale":
        from eval.scale import cli as scale_cli

        return scale_cli(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
