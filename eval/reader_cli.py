"""``python -m eval train-reader``: pack the data, train, ship — all here, or in three steps
around a GPU machine.

    python -m eval train-reader                        # all three steps on this machine (CPU: hours)
    python -m eval train-reader --pack-only            # 1. .gpu/ for a machine without our data or model
    python3 -m eval.train_reader --pack .gpu --out OUT --device cuda   # 2. there
    python -m eval train-reader --ship-from OUT        # 3. OUT -> models/reader/ (int8 + stamp)

This command is the one place that reads ``../shared`` (the vi-qa data).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from index.reader_weights import SHIPPED_DIR

DEFAULT_PACK = Path(".gpu")
DEFAULT_OUT = Path(".gpu-out")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=None, help="the vi-qa folder (default ../shared/data/vi-qa)")
    p.add_argument("--pack", type=Path, default=DEFAULT_PACK, help="where the packed training input goes")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the training run writes its weights")
    p.add_argument("--dest", type=Path, default=SHIPPED_DIR, help="where the shipped reader goes")
    p.add_argument("--pack-only", action="store_true", help="only pack (for a training run elsewhere)")
    p.add_argument("--ship-from", type=Path, default=None, help="only ship the run written to this folder")
    p.add_argument("--no-ship", action="store_true", help="train but leave models/reader/ alone")
    p.add_argument("--limit", type=int, default=None, help="a tiny spread subset of the training examples")
    p.add_argument("--limit-valid", type=int, default=None, help="a tiny subset of the validation examples")
    p.add_argument("--no-news", action="store_true", help="leave out the news corpus dev questions")
    p.add_argument("--no-xquad", action="store_true", help="pack no XQuAD-vi test set (smoke runs)")
    p.add_argument("-k", type=int, default=3, help="retrieved XQuAD-vi paragraphs read per test question")
    p.add_argument("--device", default="cpu")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--lr", default=None)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--threads", type=int, default=None)


def _spread(items: list, k: int | None) -> list:
    if k is None or k >= len(items):
        return items
    return [items[i] for i in np.unique(np.linspace(0, len(items) - 1, num=k).round().astype(int))]


def retrieved(examples: list, k: int) -> list[list[str]]:
    """The texts of the top ``k`` paragraphs hybrid retrieval finds for each question among all
    240 XQuAD-vi paragraphs (the eval index, built once into the eval cache)."""
    from eval.datasets import open_eval_index
    from index.embedder import load_embedder
    from settings import Settings

    settings = Settings()
    embedder = load_embedder(settings.embedder, settings.embed_model, settings.model_cache_dir)
    index = open_eval_index("xquad-vi", embedder, settings.model_cache_dir.parent / "eval")
    return [[h.paragraph.text for h in index.retrieve(ex.question, k=k).hits[:k]] for ex in examples]


def pack_data(args: argparse.Namespace, command: str) -> dict:
    from tokenizers import Tokenizer

    from eval import reader_data
    from eval.reader_pack import EvalSet, pack
    from index.convert import ensure_converted
    from index.reader_spans import hf_tokenize
    from settings import Settings

    data_dir = args.data_dir or reader_data.viqa_dir()
    splits = reader_data.training_splits(data_dir, news=not args.no_news)
    model_dir = ensure_converted(Settings().model_cache_dir)
    tokenize = hf_tokenize(Tokenizer.from_file(str(model_dir / "tokenizer.json")))
    train, valid = _spread(splits.train, args.limit), _spread(splits.valid, args.limit_valid)
    test = _spread(reader_data.xquad("test"), args.limit_valid)
    sources: dict[str, int] = {}
    for ex in train:
        sources[ex.source] = sources.get(ex.source, 0) + 1
    evals = {"valid": EvalSet(valid, [[ex.context] for ex in valid])}
    if not args.no_xquad:
        evals["xquad_test_gold"] = EvalSet(test, [[ex.context] for ex in test])
        evals[f"xquad_test_top{args.k}"] = EvalSet(test, retrieved(test, args.k))
    meta = pack(train, evals, model_dir, args.pack, tokenize, {
        "pack_command": command,
        "data_sha256": reader_data.file_hashes(data_dir),
        "train_sources": sources,
        "dropped_xquad_overlap": splits.dropped_overlap,
    })
    if not args.no_xquad:
        found = [ex.context in ps for ex, ps in zip(test, evals[f"xquad_test_top{args.k}"].passages)]
        print(f"XQuAD-vi test questions whose paragraph is among the top {args.k} retrieved: {np.mean(found):.3f}")
    print(f"packed {meta['train_examples']} training examples ({meta['train_windows']} windows; "
          f"{', '.join(f'{k} {v}' for k, v in sorted(sources.items()))}; {splits.dropped_overlap} dropped "
          f"as copies of XQuAD test passages), {meta['valid_examples']} validation examples, "
          f"{meta['rows']} embedding rows -> {args.pack} ({_size(args.pack)})")
    return meta


def _size(folder: Path) -> str:
    return f"{sum(p.stat().st_size for p in Path(folder).iterdir()) / 1e6:.1f} MB"


def _train_argv(args: argparse.Namespace) -> list[str]:
    argv = ["--pack", str(args.pack), "--out", str(args.out), "--device", args.device]
    for name in ("epochs", "lr", "batch_size", "seed", "threads"):
        value = getattr(args, name)
        if value is not None:
            argv += [f"--{name.replace('_', '-')}", str(value)]
    return argv


def validate_int8(args: argparse.Namespace, stamp: dict) -> dict:
    """The shipped weights as serving runs them (int8 ONNX, whole paragraphs in 384-token
    windows) on the validation split; recorded in the stamp beside the training run's figures."""
    import json
    import tempfile

    from tokenizers import Tokenizer

    from chatbot.reader import Reader
    from eval import reader_data
    from eval.reader_eval import by_source
    from index.convert import ensure_converted
    from index.reader_export import build_reader
    from index.reader_spans import hf_tokenize
    from index.reader_weights import STAMP_FILE
    from index.word_embeddings import FileWordEmbeddings, ensure_matrix
    from settings import Settings

    cache = Settings().model_cache_dir
    valid = _spread(reader_data.training_splits(args.data_dir or reader_data.viqa_dir(), news=False).valid,
                    args.limit_valid)
    tokenize = hf_tokenize(Tokenizer.from_file(str(ensure_converted(cache) / "tokenizer.json")))
    words = FileWordEmbeddings(ensure_matrix(cache))
    with tempfile.TemporaryDirectory() as tmp:
        stamp["int8_export"] = build_reader(args.dest, Path(tmp), words, tokenize)
        reader = Reader(Path(tmp), tokenize, words, num_threads=args.threads)
        stamp["validation_int8"] = by_source(lambda ex: reader.read_paragraphs(ex.question, [ex.context]), valid)
    (Path(args.dest) / STAMP_FILE).write_text(json.dumps(stamp, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")
    return stamp


def run(args: argparse.Namespace) -> int:
    from eval.reader_ship import ship

    command = "python -m eval train-reader " + " ".join(sys.argv[2:])
    if args.ship_from is None:
        pack_data(args, command)
        if args.pack_only:
            print(f"next: python3 -m eval.train_reader --pack {args.pack} --out OUT --device cuda")
            return 0
        from eval import train_reader

        train_reader.main(_train_argv(args))
        if args.no_ship:
            return 0
        run_dir = args.out
    else:
        run_dir = args.ship_from
    stamp = ship(run_dir, args.dest, commands=[command])
    stamp = validate_int8(args, stamp)
    v = stamp["validation"]
    vi = v.get("viqa-test", {})
    print(f"shipped -> {args.dest}: vi-qa test EM/F1 {vi.get('em')}/{vi.get('f1')}, validation SQuAD2 F1 "
          f"{v['squad2_f1']}, trained on {stamp['hardware']} in {stamp['training_seconds']} s. "
          f"Run `python -m index prepare-model` to build its ONNX graph.")
    return 0
