"""A server process without torch: the service built and answering, the app and its UI built,
in a fresh interpreter, and none of torch, transformers, sentence-transformers imported."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from settings import ROOT

HEAVY = ("torch", "transformers", "sentence_transformers")

SCRIPT = f"""
import json, sys
from chatbot.service import build_service
from settings import Settings
from app import create_app
settings = Settings()
service = build_service(settings)
answers = [service.ask(q).text for q in ("Thu nhập bình quân của phường Quang Trung là bao nhiêu?",
                                           "thu nhap binh quan phuong dong son", "Ai là Bí thư Đảng ủy phường Nông Trang?")]
report = service.check("Phường Quang Trung có 28 chỉ tiêu chủ yếu.")
create_app(settings, service=service)  # the whole web app, Gradio UI included
print(json.dumps({{"answers": answers, "checked": len(report.sentences),
                  "heavy": sorted(m for m in {HEAVY!r} if m in sys.modules)}}))
"""


def test_serving_imports_no_torch(seeds_index, tmp_path) -> None:
    shutil.copytree(seeds_index.generation.parent, tmp_path / "index", symlinks=True)
    env = {**os.environ, "HOIDAP_CORPUS_DIR": str(ROOT / "seeds"), "HOIDAP_INDEX_DIR": str(tmp_path / "index"),
           "HOIDAP_DATA_DIR": str(tmp_path / "data"), "HOIDAP_EMBEDDER": "onnx"}
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "90 triệu" in result["answers"][0] and result["checked"] == 1
    assert result["heavy"] == []
