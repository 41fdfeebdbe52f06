"""underthesea's segmenter without underthesea's __init__ (which imports torch): same words, no
torch, and the whole package still there for code that asks for more of it."""
from __future__ import annotations

import json
import subprocess
import sys

from settings import ROOT

SENTENCES = ["Đại hội Đảng bộ phường Quang Trung đề ra 28 chỉ tiêu chủ yếu.",
             "Thu nhập bình quân đầu người đến năm 2030 đạt 95 triệu đồng/người/năm",
             "phuong thanh mieu sap nhap tu nhung xa nao"]

SCRIPT = f"""
import json, sys
from index.segmenter import word_tokenize, viet74k_path
words = [word_tokenize(s) for s in {SENTENCES!r}]
lean = sorted(m for m in ("torch", "transformers") if m in sys.modules)
lines = viet74k_path().read_text(encoding="utf-8").count("\\n")
import underthesea  # the deferred package: asking for more runs its real __init__
full = [underthesea.word_tokenize(s) for s in {SENTENCES!r}]
print(json.dumps({{"words": words, "full": full, "lean": lean, "lines": lines}}))
"""


def test_same_words_without_torch_and_the_whole_package_on_demand() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["lean"] == []
    assert result["words"] == result["full"]
    assert ["chỉ tiêu", "chủ yếu"] == result["words"][0][-3:-1]
    assert result["lines"] > 70_000
