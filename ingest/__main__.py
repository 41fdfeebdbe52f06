"""``python -m ingest add PATH...`` / ``python -m ingest remove ARTICLE_ID...``.

Adds (or replaces) and removes articles of the configured corpus (``HOIDAP_CORPUS_DIR``, or the
managed ``var/corpus`` filled from seeds/ on first use) and updates the index
(``HOIDAP_INDEX_DIR``) incrementally: only new text is embedded. One line per file or id.
Exit code: 0 all done, 1 some file or id rejected (the others are still done), 2 usage error.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from settings import Settings

_LABEL = {"added": "ĐÃ THÊM", "updated": "ĐÃ CẬP NHẬT", "unchanged": "KHÔNG ĐỔI", "rejected": "TỪ CHỐI",
          "removed": "ĐÃ XÓA"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest",
                                     description="Thêm, thay hoặc xóa bài viết và cập nhật chỉ mục")
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("add", help="thêm hoặc thay bài viết (.txt .md .html .docx .pdf)")
    a.add_argument("paths", nargs="+", metavar="PATH")
    r = sub.add_parser("remove", help="xóa bài viết theo mã bài (tên tệp không có đuôi)")
    r.add_argument("article_ids", nargs="+", metavar="ARTICLE_ID")
    for p in (a, r):
        p.add_argument("--corpus", help="thư mục bài viết (mặc định: HOIDAP_CORPUS_DIR hoặc var/corpus)")
        p.add_argument("--index-dir", help="thư mục chỉ mục (mặc định: HOIDAP_INDEX_DIR hoặc var/index)")
        p.add_argument("--quiet", action="store_true", help="không hiện tiến trình nhúng")
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    settings = Settings()

    from index.embedder import load_embedder
    from index.update import add_files, remove_articles
    from ingest.corpus import ensure_corpus

    corpus = Path(args.corpus) if args.corpus else ensure_corpus(settings.corpus_dir, settings.corpus_seed_dir)
    index_dir = Path(args.index_dir) if args.index_dir else settings.index_dir
    embedder = load_embedder(settings.embedder, settings.embed_model, settings.model_cache_dir)
    progress = not args.quiet
    if args.command == "add":
        report = add_files(corpus, index_dir, embedder, [Path(p) for p in args.paths],
                           show_progress=progress, max_bytes=settings.max_article_bytes)
    else:
        report = remove_articles(corpus, index_dir, embedder, args.article_ids, show_progress=progress)
    for outcome in report.outcomes:
        print(f"{_LABEL.get(outcome.status, outcome.status.upper())}: {outcome.message}", flush=True)
    if report.build is not None:
        b = report.build
        print(f"Chỉ mục {b.generation.name}: {b.articles} bài, {b.paragraphs} đoạn, {b.sentences} câu, "
              f"nhúng mới {b.embedded}, dùng lại {b.reused}, {b.seconds:.1f} s.")
    else:
        print("Chỉ mục không thay đổi.")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
