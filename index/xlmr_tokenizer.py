"""The XLM-R tokenizer of multilingual-e5-small, run by sentencepiece at a fifth of the memory.

The ``tokenizers`` library holds XLM-R's 250,002-piece ``tokenizer.json`` in about 280 MB and
takes ~2 s to load it; sentencepiece holds the same unigram model in about 55 MB. The two do not
normalise text alike, so the model given to sentencepiece only segments (identity normaliser) and
the steps ``tokenizer.json`` prescribes are done here, as ``tokenizers`` does them:

1. the added tokens (``<s>``, ``<mask>`` …) written in the text are split off, unnormalised;
2. ``Precompiled`` normalisation (nmt_nfkc's map) per grapheme cluster, with ``tokenizers``'
   rule: a cluster under 6 bytes is replaced whole by the value of its *shortest* prefix found
   in the map (so "ặ" written decomposed loses its breve, as it does there), otherwise each
   character by its own; only keys of at most 5 bytes can ever apply, 7,563 of the map's 224,711;
3. runs of spaces become one space; a segment not starting with a space or "▁" gets one;
4. the unigram Viterbi over the whole segment (no piece holds "▁" but at its start, which
   :func:`write_tokenizer_files` checks, so this equals segmenting word by word);
5. ``<s>`` … ``</s>`` around at most ``max_tokens - 2`` ids.

Text made only of characters that are neither in the map nor able to join a neighbour into one
grapheme cluster (Vietnamese as typed: precomposed letters, digits, punctuation, spaces) skips
step 2 after one regular-expression search.

Identical ids to ``tokenizers`` on every eval text, their NFD and NFKD forms and 20,000 random
strings save one: sentencepiece adds path scores in float32 where ``tokenizers`` uses float64,
so two segmentations scoring within float32 rounding of each other (seen once, on three "′")
can be resolved differently.

:func:`write_tokenizer_files` builds the two files from ``tokenizer.json`` at set-up time
(``python -m index prepare-model``); serving reads them with :class:`XlmrTokenizer`.
"""
from __future__ import annotations

import base64
import json
from array import array
import re
import struct
import sys
from pathlib import Path
from typing import Sequence

__all__ = ["SPM_FILE", "NORMALIZATION_FILE", "SCORES_FILE", "XlmrTokenizer", "write_tokenizer_files"]

SPM_FILE = "xlmr-unigram.model"
NORMALIZATION_FILE = "xlmr-normalization.json"
SCORES_FILE = "xlmr-scores.f64"
FORMAT_VERSION = 1
_MAX_KEY_BYTES = 5  # tokenizers looks a grapheme up only when it is shorter than 6 bytes
_SPACES = re.compile(" {2,}")
_SPACE_SYMBOL = "\u2581"
_WORD = re.compile(f"{_SPACE_SYMBOL}[^{_SPACE_SYMBOL}]*|[^{_SPACE_SYMBOL}]+")  # Metaspace's split
_REPEAT_UNIT = 8  # longest repeated stretch looked for (ties need a repeat; longer ones unseen)
_UNK_PIECE = "<unk>"


class XlmrTokenizer:
    """``encode(text)`` → the ids ``tokenizers`` gives for ``tokenizer.json`` with truncation to
    ``max_tokens``, ``<s>`` and ``</s>`` included."""

    def __init__(self, model_dir: Path, max_tokens: int = 512) -> None:
        import regex
        import sentencepiece

        model_dir = Path(model_dir)
        spec = json.loads((model_dir / NORMALIZATION_FILE).read_text(encoding="utf-8"))
        if spec.get("format") != FORMAT_VERSION:
            raise ValueError(f"{model_dir / NORMALIZATION_FILE}: format {spec.get('format')}, "
                             f"expected {FORMAT_VERSION} (run `python -m index prepare-model`)")
        self._spm = sentencepiece.SentencePieceProcessor(model_file=str(model_dir / SPM_FILE))
        self._map: dict[str, str] = spec["map"]
        self._added: dict[str, int] = spec["added_tokens"]
        self._bos, self._eos = int(spec["bos_id"]), int(spec["eos_id"])
        self._keep = max(0, int(max_tokens) - 2)
        self._split_added = re.compile("(" + "|".join(map(re.escape, sorted(self._added, key=len, reverse=True))) + ")")
        # a character in the map, or one that can join a neighbour into a grapheme cluster; every
        # character beyond the BMP counts as one (they then take the exact path, which is always
        # right): a class of BMP characters only is tested in constant time, one with astral
        # ranges range by range (60 µs against 1 µs for a question)
        bmp = [(a, min(b, 0xFFFF)) for a, b in spec["touchy_ranges"] if a <= 0xFFFF] + [(0x10000, 0x10FFFF)]
        ranges = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in bmp)
        self._touchy = re.compile(f"[{ranges}]")
        # the stretches whose clusters step 2 must look at: runs of such characters with one
        # character either side (two ordinary characters always split clusters)
        self._stretch = re.compile(f"(?s)(?:.?[{ranges}]+)+.?")
        self._grapheme = regex.compile(r"\X")
        # exact ties: see _exact
        self._scores = array("d")
        self._scores.frombytes((model_dir / SCORES_FILE).read_bytes())  # little-endian float64
        if sys.byteorder != "little":
            self._scores.byteswap()
        self._unk_id, self._unk_score = int(spec["unk_id"]), float(spec["unk_score"])
        self._longest = int(spec["longest_piece"])
        specials = "|".join(map(re.escape, spec["special_pieces"]))
        self._risky = re.compile(rf"([^ {_SPACE_SYMBOL}]{{1,{_REPEAT_UNIT}}}?)\1" + (f"|{specials}" if specials else ""))
        self._piece_id = self._spm.piece_to_id

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        for part in self._split_added.split(text) if self._added else (text,):
            if not part:
                continue
            added = self._added.get(part)
            if added is not None:
                ids.append(added)
                continue
            normal = _SPACES.sub(" ", self._normalize(part))
            if not normal:
                continue
            if not normal.startswith((" ", _SPACE_SYMBOL)):
                normal = " " + normal
            if self._risky.search(normal) is None:
                ids.extend(self._spm.encode(normal))
                continue
            plain: list[str] = []  # words between risky ones go to sentencepiece together
            for word in _WORD.findall(normal.replace(" ", _SPACE_SYMBOL)):
                if self._risky.search(word) is None:
                    plain.append(word)
                    continue
                if plain:
                    ids.extend(self._spm.encode("".join(plain)))
                    plain = []
                ids.extend(self._exact(word))
            if plain:
                ids.extend(self._spm.encode("".join(plain)))
        return [self._bos, *ids[:self._keep], self._eos]

    # -- step 4, exactly as tokenizers does it ------------------------------------------------
    def _exact(self, word: str) -> list[int]:
        """``tokenizers``' Viterbi (``Unigram::encode_optimized``) over one word, in float64 with
        the scores of ``tokenizer.json``; pieces looked up in sentencepiece's table.

        Sentencepiece adds float32 scores, rounded from those; where two segmentations tie
        exactly (the same pieces in another order: "!!!!!!!!" as "!!!!!!!"+"!" or "!"+"!!!!!!!",
        "2020", "′′′"), which one wins depends on that rounding, and the two libraries differ
        in 1 such word in 13. A tie needs a repeated stretch, so words holding one come here.
        So do words where normalisation wrote a special token ("＜s＞" → "<s>"): ``tokenizers``
        matches those inside words, with score 0, sentencepiece never."""
        n = len(word)
        score = [0.0] * (n + 1)
        start = [-1] * (n + 1)
        piece = [0] * (n + 1)
        scores, unk, piece_id = self._scores, self._unk_id, self._piece_id
        for s in range(n):
            here = score[s]
            single = False
            for e in range(s + 1, min(n, s + self._longest) + 1):
                text = word[s:e]
                i = piece_id(text)
                if i == unk and text != _UNK_PIECE:
                    continue
                candidate = here + scores[i]
                if start[e] < 0 or candidate > score[e]:
                    score[e], start[e], piece[e] = candidate, s, i
                single = single or e == s + 1
            if not single:
                candidate = here + self._unk_score
                if start[s + 1] < 0 or candidate > score[s + 1]:
                    score[s + 1], start[s + 1], piece[s + 1] = candidate, s, unk
        out: list[int] = []
        end = n
        while end > 0:
            i = piece[end]
            if not (i == unk and out and out[-1] == unk):  # consecutive unknowns are fused
                out.append(i)
            end = start[end]
        return out[::-1]

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        return [self.encode(t) for t in texts]

    # -- step 2 --------------------------------------------------------------------------------
    def _normalize(self, text: str) -> str:
        if self._touchy.search(text) is None:
            return text
        out, pos = [], 0
        for m in self._stretch.finditer(text):
            out.append(text[pos:m.start()])
            out.extend(self._cluster(g) for g in self._grapheme.findall(m.group()))
            pos = m.end()
        out.append(text[pos:])
        return "".join(out)

    def _cluster(self, g: str) -> str:
        lookup = self._map
        if len(g) == 1:
            return lookup.get(g, g)
        if len(g.encode("utf-8")) <= _MAX_KEY_BYTES:
            for end in range(1, len(g) + 1):
                value = lookup.get(g[:end])
                if value is not None:
                    return value
        return "".join(lookup.get(c, c) for c in g)


# --------------------------------------------------------------------------- building the files

def _charsmap_entries(blob: bytes, max_key_bytes: int = _MAX_KEY_BYTES) -> dict[str, str]:
    """Every key of at most ``max_key_bytes`` bytes of a sentencepiece precompiled charsmap
    (a uint32 size, a darts-clone double array, then the NUL-terminated replacement strings)."""
    import numpy as np

    (trie_bytes,) = struct.unpack_from("<I", blob, 0)
    unit = np.frombuffer(blob, dtype="<u4", count=trie_bytes // 4, offset=4).astype(np.int64)
    strings = blob[4 + trie_bytes:]
    offset = (unit >> 10) << ((unit & (1 << 9)) >> 6)
    has_leaf = (unit >> 8) & 1
    label = unit & ((1 << 31) | 0xFF)
    value = unit & ((1 << 31) - 1)
    labels = np.arange(1, 256)
    entries: dict[bytes, bytes] = {}
    frontier = [(int(offset[0]), b"")]
    for _ in range(max_key_bytes):
        deeper = []
        for node, key in frontier:
            child = node ^ labels
            inside = child < len(unit)
            byte, child = labels[inside], child[inside]
            hit = label[child] == byte
            for b, c in zip(byte[hit].tolist(), child[hit].tolist()):
                nxt = c ^ int(offset[c])
                k = key + bytes([b])
                if has_leaf[c]:
                    start = int(value[nxt])
                    entries[k] = strings[start:strings.index(b"\0", start)]
                deeper.append((nxt, k))
        frontier = deeper
    return {k.decode("utf-8"): v.decode("utf-8") for k, v in entries.items()}


def _touchy_ranges(keys: Sequence[str]) -> list[list[int]]:
    """Code point ranges of the characters that are map keys or whose grapheme-cluster-break
    property is not Other (only those can join a neighbour into one cluster)."""
    import regex

    every = "".join(map(chr, range(0x110000)))
    points = {ord(k) for k in keys if len(k) == 1}
    for m in regex.finditer(r"\P{Grapheme_Cluster_Break=Other}+", every):
        points.update(range(m.start(), m.end()))
    ranges: list[list[int]] = []
    for p in sorted(points):
        if ranges and ranges[-1][1] == p - 1:
            ranges[-1][1] = p
        else:
            ranges.append([p, p])
    return ranges


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(f"tokenizer.json is not the XLM-R tokenizer this module reproduces: {what}")


def write_tokenizer_files(tokenizer_json: Path, out_dir: Path) -> None:
    """Write :data:`SPM_FILE` and :data:`NORMALIZATION_FILE` for ``tokenizer.json`` (XLM-R's:
    Precompiled + collapse-spaces normaliser, Metaspace, Unigram, ``<s> A </s>``)."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    spec = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))
    model, norm, pre, post = spec["model"], spec["normalizer"], spec["pre_tokenizer"], spec["post_processor"]
    _expect(model["type"] == "Unigram" and not model.get("byte_fallback"), "model")
    steps = norm.get("normalizers", [])
    _expect(norm["type"] == "Sequence" and [s["type"] for s in steps] == ["Precompiled", "Replace"]
            and steps[1]["pattern"] == {"Regex": " {2,}"} and steps[1]["content"] == " ", "normalizer")
    _expect(pre["type"] == "Metaspace" and pre["replacement"] == _SPACE_SYMBOL
            and (pre.get("add_prefix_space") or pre.get("prepend_scheme") == "always"), "pre-tokenizer")
    single = post["single"]
    _expect(post["type"] == "TemplateProcessing" and len(single) == 3 and "Sequence" in single[1], "post-processor")
    bos = post["special_tokens"][single[0]["SpecialToken"]["id"]]["ids"][0]
    eos = post["special_tokens"][single[2]["SpecialToken"]["id"]]["ids"][0]
    vocab = model["vocab"]
    _expect(all(_SPACE_SYMBOL not in piece[1:] for piece, _ in vocab), "a piece holds '▁' inside")
    added = {t["content"]: t["id"] for t in spec.get("added_tokens", [])}
    _expect(all(t.get("special") and not t.get("normalized") and not t.get("lstrip") and not t.get("rstrip")
                and not t.get("single_word") for t in spec.get("added_tokens", [])), "added tokens")

    proto = pb.ModelProto()
    proto.trainer_spec.model_type = pb.TrainerSpec.UNIGRAM
    proto.trainer_spec.vocab_size = len(vocab)
    proto.trainer_spec.unk_id = int(model["unk_id"])
    proto.trainer_spec.bos_id, proto.trainer_spec.eos_id = bos, eos
    proto.trainer_spec.pad_id = added.get("<pad>", -1)
    proto.trainer_spec.byte_fallback = False
    proto.normalizer_spec.name = "identity"
    proto.normalizer_spec.add_dummy_prefix = False
    proto.normalizer_spec.remove_extra_whitespaces = False
    proto.normalizer_spec.escape_whitespaces = True
    kinds = pb.ModelProto.SentencePiece
    control = set(added.values())
    for i, (piece, score) in enumerate(vocab):
        p = proto.pieces.add()
        p.piece, p.score = piece, score
        p.type = kinds.UNKNOWN if i == model["unk_id"] else kinds.CONTROL if i in control else kinds.NORMAL
    for content, i in added.items():
        _expect(i < len(vocab) and vocab[i][0] == content or i == len(vocab), f"added token {content!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / SPM_FILE).write_bytes(proto.SerializeToString())

    scores = array("d", (float(score) for _, score in vocab))
    if sys.byteorder != "little":
        scores.byteswap()
    (out_dir / SCORES_FILE).write_bytes(scores.tobytes())

    table = _charsmap_entries(base64.b64decode(steps[0]["precompiled_charsmap"]))
    (out_dir / NORMALIZATION_FILE).write_text(json.dumps({
        "format": FORMAT_VERSION,
        "bos_id": bos,
        "eos_id": eos,
        "added_tokens": added,
        "unk_id": int(model["unk_id"]),
        # tokenizers' score for an unknown character: the lowest piece score minus 10
        "unk_score": min(score for _, score in vocab) - 10.0,
        "longest_piece": max(len(piece) for piece, _ in vocab),
        # pieces tokenizers can match inside a word but sentencepiece cannot (control pieces)
        "special_pieces": sorted({vocab[i][0] for i in added.values() if i < len(vocab)}
                                 | {vocab[int(model["unk_id"])][0]}),
        "map": table,
        "touchy_ranges": _touchy_ranges(list(table)),
    }, ensure_ascii=False), encoding="utf-8")
