"""The sentencepiece XLM-R tokenizer gives the ids the ``tokenizers`` library gives for
``tokenizer.json``: on every eval text, on texts built to hit each step it reproduces, and on
random strings."""
from __future__ import annotations

import random
import string
import unicodedata
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from eval.embed_check import eval_texts
from index.onnx_lean import EDGE_TEXTS, ensure_lean
from index.onnx_model import default_onnx_dir
from index.xlmr_tokenizer import XlmrTokenizer
from settings import Settings

CACHE = Settings().model_cache_dir
PREFIXES = ("", "query: ", "passage: ")


@pytest.fixture(scope="module")
def ours() -> XlmrTokenizer:
    return XlmrTokenizer(ensure_lean(CACHE))


@pytest.fixture(scope="module")
def reference() -> Tokenizer:
    tok = Tokenizer.from_file(str(Path(default_onnx_dir(CACHE)) / "tokenizer.json"))
    tok.enable_truncation(512)
    tok.no_padding()
    return tok


def differing(ours: XlmrTokenizer, reference: Tokenizer, texts) -> list[str]:
    return [p + t for t in texts for p in PREFIXES if ours.encode(p + t) != reference.encode(p + t).ids]


def test_same_ids_on_every_eval_text_as_written_and_decomposed(ours, reference) -> None:
    sets = eval_texts()
    assert {"seeds passages", "seeds questions", "xquad-vi passages", "xquad-vi questions"} <= set(sets)
    for name, texts in sets.items():
        assert texts, name
        forms = texts + [unicodedata.normalize("NFD", t) for t in texts]
        assert differing(ours, reference, forms) == [], name


def test_same_ids_where_each_reproduced_step_matters(ours, reference) -> None:
    """Added tokens in the text, full-width forms that normalise into them, decomposed marks
    (``tokenizers`` keeps only the shortest match of a cluster), spacing, and repeated pieces,
    whose segmentations tie and which sentencepiece alone resolves otherwise in 1 case in 13."""
    runs = [c * k for c in "!?.-=_*~0′" for k in range(2, 30)]
    texts = [*EDGE_TEXTS, *runs, *(f"Đại hội{r} xong" for r in runs), "a\u0323\u0306 e\u0301 ⼈\u065b x\u20dd"]
    assert differing(ours, reference, texts) == []


def test_same_ids_on_random_strings(ours, reference) -> None:
    rng = random.Random(20)
    wide = [chr(c) for c in [*range(1, 0x2FFF), *range(0x3000, 0x3100), *range(0xAC00, 0xAC40),
                             *range(0xFF00, 0xFF70), *range(0x1F1E6, 0x1F200), *range(0x1F600, 0x1F640)]]
    viet = list("aăâeêioôơuưyđAĐ  \n.,!?0123") + ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0306", "\u031b"]
    texts = ["".join(rng.choice(wide if i % 2 else viet) for _ in range(rng.randint(1, 40))) for i in range(4000)]
    assert differing(ours, reference, texts) == []


def test_long_text_is_cut_to_512_ids_as_before(ours, reference) -> None:
    text = " ".join(string.ascii_lowercase * 200)
    ids = ours.encode(text)
    assert len(ids) == 512 and ids[0] == 0 and ids[-1] == 2
    assert ids == reference.encode(text).ids
    assert XlmrTokenizer(ensure_lean(CACHE), max_tokens=8).encode(text) == ids[:7] + [2]
