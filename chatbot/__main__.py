"""``python -m chatbot "câu hỏi"``: print the reply and its sources."""
from __future__ import annotations

import argparse
import logging
import sys

from settings import Settings


def format_sources(answer) -> str:
    lines = []
    items = answer.citations or answer.related
    if items:
        lines.append("Nguồn:" if answer.citations else "Có thể liên quan:")
    for c in items:
        date = c.date.strftime("%d/%m/%Y") if c.date else "không rõ ngày"
        lines.append(f"[{c.id}] {c.title} ({date}), đoạn {c.paragraph}")
        if c.span:
            lines.append(f"    “{c.text[c.span[0]:c.span[1]]}”")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m chatbot", description="Hỏi đáp phường")
    parser.add_argument("question", nargs="+")
    args = parser.parse_args(argv)
    question = " ".join(args.question).strip()
    if not question:
        print("Vui lòng nhập câu hỏi.", file=sys.stderr)
        return 2
    from chatbot.service import build_service

    answer = build_service(Settings()).ask(question)
    print(answer.text)
    print()
    print(format_sources(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
