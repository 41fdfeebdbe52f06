"""Fine-tune the reader on a pack (:mod:`eval.reader_pack`): ``python -m eval.train_reader``.

Runs where the pack is, CPU or GPU, with nothing but torch, numpy and safetensors (and this
package's numpy-only helpers): the lent GPU machine has none of the project's other packages,
no data and no model cache. Seeded; after every epoch it prints EM/F1 on the validation split
and the time taken, keeps the best epoch (SQuAD 2.0 F1 over the whole validation split at its
best no-answer threshold), and writes that epoch's weights (the network only: the frozen word
embeddings are not trained) in fp16, split into files under 15 MB, with ``train_log.json``.

    python -m eval.train_reader --pack .gpu --out OUT --device cuda
"""
from __future__ import annotations

import argparse
import json
import math
import platform
import random
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch.nn import functional as F

from eval import squad_metric
from eval.reader_pack import read_windows
from index.reader_net import ReaderNet
from index.reader_spans import best_span

CHUNK_BYTES = 15 * 1024 * 1024


# --------------------------------------------------------------------------- data

class Scored:
    """One evaluation set of the pack: windows, which question and passage each belongs to,
    the passages and the gold answers."""

    def __init__(self, arrays: dict, folder: Path, name: str, limit: int | None = None) -> None:
        data = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        self.name = name
        self.texts: list[str] = data["texts"]
        self.examples: list[dict] = data["examples"]
        self.windows = read_windows(arrays, name)
        self.example = arrays[f"{name}_example"]
        self.text = arrays[f"{name}_text"]
        if limit is not None:
            keep_ex = set(_spread(len(self.examples), limit).tolist())
            keep = [i for i, e in enumerate(self.example) if int(e) in keep_ex]
            self.windows = [self.windows[i] for i in keep]
            self.example, self.text = self.example[keep], self.text[keep]


class Pack:
    """The arrays of a pack, ids as numpy rows, on the host."""

    def __init__(self, folder: Path, limit_train: int | None = None, limit_valid: int | None = None) -> None:
        from safetensors.numpy import load_file

        self.folder = Path(folder)
        self.meta = json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))
        a = dict(np.load(self.folder / "features.npz"))
        self.train_ids = np.split(a["train_ids"].astype(np.int64), np.cumsum(a["train_len"])[:-1])
        self.train_start, self.train_end = a["train_start"], a["train_end"]
        self.train_first = a["train_first"]
        if limit_train is not None:
            keep = _spread(len(self.train_ids), limit_train)
            self.train_ids = [self.train_ids[i] for i in keep]
            self.train_start, self.train_end = self.train_start[keep], self.train_end[keep]
            self.train_first = self.train_first[keep]
        self.sets = {name: Scored(a, self.folder, name, limit_valid) for name in self.meta["eval_sets"]}
        self.valid = self.sets["valid"]
        self.encoder = load_file(str(self.folder / "encoder.safetensors"))
        self.rows = load_file(str(self.folder / "rows.safetensors"))["rows"]
        self.pad = int(self.meta["pad"])


def _spread(n: int, k: int) -> np.ndarray:
    """``k`` indices spread evenly over ``range(n)`` (a tiny subset that still mixes sources)."""
    return np.unique(np.linspace(0, n - 1, num=min(k, n)).round().astype(np.int64))


def batches(lengths: Sequence[int], size: int, rng: np.random.Generator | None) -> list[np.ndarray]:
    """Index batches of similar length (shuffled within pools of 50 batches, then the batches
    shuffled) so padding costs little; in order of length when ``rng`` is None."""
    order = np.arange(len(lengths)) if rng is None else rng.permutation(len(lengths))
    out = []
    pool = size * 50
    lengths = np.asarray(lengths)
    for p in range(0, len(order), pool):
        chunk = order[p:p + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        out += [chunk[i:i + size] for i in range(0, len(chunk), size)]
    if rng is not None:
        out = [out[i] for i in rng.permutation(len(out))]
    return out


def _tensor(rows: Sequence[np.ndarray], pad: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = np.full((len(rows), width), pad, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for k, r in enumerate(rows):
        ids[k, :len(r)] = r
        mask[k, :len(r)] = 1
    return torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device)


# --------------------------------------------------------------------------- model

def build(pack: Pack, device: torch.device, seed: int) -> tuple[ReaderNet, torch.Tensor]:
    torch.manual_seed(seed)
    net = ReaderNet()
    state = {k: torch.from_numpy(v.astype(np.float32)) for k, v in pack.encoder.items()}
    missing = net.load_state_dict(state, strict=False).missing_keys
    if sorted(missing) != ["qa_outputs.bias", "qa_outputs.weight"]:
        raise ValueError(f"pack does not match the network: missing {missing}")
    torch.nn.init.normal_(net.qa_outputs.weight, std=0.02)
    torch.nn.init.zeros_(net.qa_outputs.bias)
    rows = torch.from_numpy(pack.rows.astype(np.float32)).to(device)
    return net.to(device), rows


def _autocast(device: torch.device):
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return torch.autocast("cpu", enabled=False)


def _optimizer(net: ReaderNet, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    decay = [p for n, p in net.named_parameters() if p.ndim >= 2 and "embeddings" not in n]
    rest = [p for n, p in net.named_parameters() if not (p.ndim >= 2 and "embeddings" not in n)]
    kwargs = {"fused": True} if next(net.parameters()).is_cuda else {}
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                              {"params": rest, "weight_decay": 0.0}], lr=lr, **kwargs)


# --------------------------------------------------------------------------- evaluation

@torch.no_grad()
def predict(net: ReaderNet, rows: torch.Tensor, ev: Scored, pad: int, device: torch.device,
            batch_size: int = 64) -> list[dict]:
    """Per question: the best span's text and score over all its windows, and the lowest
    "not answered" score among them."""
    net.eval()
    best: dict[int, dict] = {}
    lengths = [w.length for w in ev.windows]
    for idx in batches(lengths, batch_size, None):
        ids, mask = _tensor([np.asarray(ev.windows[i].ids) for i in idx], pad, device)
        with _autocast(device):
            start, end = net(rows[ids], mask)
        start, end = start.float().cpu().numpy(), end.float().cpu().numpy()
        for k, i in enumerate(idx):
            ex, text = int(ev.example[i]), ev.texts[int(ev.text[i])]
            span = best_span(ev.windows[i], start[k], end[k], text)
            if span is None:
                continue
            cur = best.setdefault(ex, {"text": "", "score": -math.inf, "null": math.inf})
            if span.score > cur["score"]:
                cur.update(text=text[span.start:span.end], score=span.score)
            cur["null"] = min(cur["null"], span.null)
    return [{"example": ex, **v} for ex, v in sorted(best.items())]


def score(ev: Scored, preds: list[dict], threshold: float | None = None) -> dict:
    """EM/F1 of the best span over the answerable questions (always answering), per source
    and in all; and SQuAD 2.0 EM/F1 over all questions at ``threshold`` (abstain when the
    span's margin over "not answered" is at most it), or at the threshold that maximises F1
    here when None."""
    rows = []
    for p in preds:
        gold = ev.examples[p["example"]]
        em, f1 = squad_metric.best(p["text"], gold["answers"])
        rows.append((gold["source"], bool(gold["answers"]), p["score"] - p["null"], em, f1))
    has = [r for r in rows if r[1]]
    out: dict = {"em": _pct([r[3] for r in has]), "f1": _pct([r[4] for r in has]), "n": len(rows)}
    for source in sorted({r[0] for r in has}):
        mine = [r for r in has if r[0] == source]
        out[source] = {"em": _pct([r[3] for r in mine]), "f1": _pct([r[4] for r in mine]), "n": len(mine)}
    candidates = [threshold] if threshold is not None else \
        [min((r[2] for r in rows), default=0.0) - 1.0] + sorted({r[2] for r in rows})
    best_t, best_f1, best_em = 0.0, -1.0, 0.0
    for t in candidates:
        f1s = [(r[4] if r[2] > t else float(not r[1])) for r in rows]
        ems = [(r[3] if r[2] > t else float(not r[1])) for r in rows]
        if sum(f1s) > best_f1:
            best_t, best_f1, best_em = t, sum(f1s), sum(ems)
    n = max(len(rows), 1)
    noans = [r for r in rows if not r[1]]
    out.update(squad2_em=round(100 * best_em / n, 2), squad2_f1=round(100 * best_f1 / n, 2),
               threshold=round(float(best_t), 4),
               noans_acc=_pct([float(r[2] <= best_t) for r in noans]),
               hasans_abstained=_pct([float(r[2] <= best_t) for r in has]))
    return out


def _pct(xs: Sequence[float]) -> float | None:
    return round(100 * float(np.mean(xs)), 2) if len(xs) else None


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


# --------------------------------------------------------------------------- training

def train_one(pack: Pack, device: torch.device, *, lr: float, epochs: int, batch_size: int,
              warmup: float, weight_decay: float, seed: int, log: list[dict],
              deadline: float = math.inf, epoch_guess: float = 0.0) -> tuple[dict, dict, float]:
    """Train one configuration; returns the best epoch's metrics, its weights (on the host) and
    the length of an epoch. No epoch starts that would end past ``deadline``
    (``time.perf_counter()``), judged by the last epoch's length (``epoch_guess`` before the
    first): a lent machine's time is short and the weights must be written."""
    net, rows = build(pack, device, seed)
    rng = np.random.default_rng(seed)
    random.seed(seed)
    lengths = [len(r) for r in pack.train_ids]
    steps_per_epoch = math.ceil(len(lengths) / batch_size)
    total = steps_per_epoch * epochs
    opt = _optimizer(net, lr, weight_decay)
    warm = max(1, int(warmup * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    best_metrics: dict = {}
    best_state: dict = {}
    started = time.perf_counter()
    step = 0
    last = epoch_guess
    for epoch in range(1, epochs + 1):
        if time.perf_counter() + last > deadline:
            print(f"lr {lr:g}: stopped before epoch {epoch} (time budget)", flush=True)
            break
        epoch_started = time.perf_counter()
        net.train()
        losses = []
        for idx in batches(lengths, batch_size, rng):
            ids, mask = _tensor([pack.train_ids[i] for i in idx], pack.pad, device)
            allowed = _answer_positions(mask, pack.train_first[idx], device)
            with _autocast(device):
                start, end = net(rows[ids], mask)
            start = start.float().masked_fill(~allowed, -10000.0)
            end = end.float().masked_fill(~allowed, -10000.0)
            gold_s = torch.from_numpy(pack.train_start[idx].astype(np.int64)).to(device)
            gold_e = torch.from_numpy(pack.train_end[idx].astype(np.int64)).to(device)
            loss = (F.cross_entropy(start, gold_s) + F.cross_entropy(end, gold_e)) / 2
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            losses.append(float(loss.detach()))
        metrics = score(pack.valid, predict(net, rows, pack.valid, pack.pad, device))
        metrics.update(lr=lr, epoch=epoch, loss=round(float(np.mean(losses)), 4),
                       seconds=round(time.perf_counter() - started, 1))
        log.append(metrics)
        vi = metrics.get("viqa-test", {"em": None, "f1": None})
        print(f"lr {lr:g} epoch {epoch}/{epochs}: loss {metrics['loss']:.3f}  vi-qa test EM/F1 "
              f"{_f(vi['em'])}/{_f(vi['f1'])}  validation SQuAD2 EM/F1 "
              f"{metrics['squad2_em']:.1f}/{metrics['squad2_f1']:.1f} (no-answer acc "
              f"{_f(metrics['noans_acc'])}, threshold {metrics['threshold']:.2f})  "
              f"{metrics['seconds']:.0f} s", flush=True)
        if not best_metrics or metrics["squad2_f1"] > best_metrics["squad2_f1"]:
            best_metrics = metrics
            best_state = {k: v.detach().to("cpu", torch.float16).clone() for k, v in net.state_dict().items()}
        last = time.perf_counter() - epoch_started
    return best_metrics, best_state, last


def report_tests(pack: Pack, state: dict, device: torch.device, threshold: float) -> dict:
    """The chosen weights on the pack's other evaluation sets (XQuAD-vi test): reported only,
    after the choice, never used for it."""
    net = ReaderNet()
    net.load_state_dict({k: v.float() for k, v in state.items()})
    net.to(device)
    rows = torch.from_numpy(pack.rows.astype(np.float32)).to(device)
    out = {}
    for name, ev in pack.sets.items():
        if name == "valid":
            continue
        out[name] = score(ev, predict(net, rows, ev, pack.pad, device), threshold)
        print(f"{name} (never used for choosing): EM/F1 {_f(out[name]['em'])}/{_f(out[name]['f1'])} "
              f"always answering; with the threshold: abstained on {_f(out[name]['hasans_abstained'])}% "
              f"of {out[name]['n']} answerable questions", flush=True)
    return out


def _answer_positions(mask: torch.Tensor, first: np.ndarray, device: torch.device) -> torch.Tensor:
    """Where a span may start or end: ``<s>`` (no answer) and the passage tokens."""
    t = mask.shape[1]
    pos = torch.arange(t, device=device)[None, :]
    lengths = mask.sum(1, keepdim=True)
    first_t = torch.from_numpy(first.astype(np.int64)).to(device)[:, None]
    # the passage runs from ``first`` to the last token before the closing </s>
    return (pos == 0) | ((pos >= first_t) & (pos < lengths - 1))


def write_weights(state: dict, out: Path) -> list[str]:
    """fp16 tensors in files ``reader-NN.safetensors`` of at most 15 MB each."""
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    files, chunk, size = [], {}, 0
    for name in sorted(state):
        t = state[name].contiguous()
        nbytes = t.numel() * t.element_size()
        if chunk and size + nbytes > CHUNK_BYTES:
            files.append(chunk)
            chunk, size = {}, 0
        chunk[name], size = t, size + nbytes
    files.append(chunk)
    names = []
    for n, part in enumerate(files):
        name = f"reader-{n:02d}.safetensors"
        save_file(part, str(out / name), metadata={"format": "pt"})
        names.append(name)
    return names


def hardware(device: torch.device) -> str:
    if device.type == "cuda":
        return f"{torch.cuda.get_device_name(device)} (torch {torch.__version__})"
    return f"CPU {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads (torch {torch.__version__})"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.train_reader", description=__doc__.split("\n")[0])
    ap.add_argument("--pack", type=Path, default=Path(".gpu"), help="folder written by the pack step")
    ap.add_argument("--out", type=Path, required=True, help="where the weights and train_log.json go")
    ap.add_argument("--device", default="cpu", help="cpu, cuda")
    ap.add_argument("--lr", default="8e-5", help="learning rate; several (comma-separated) are tried in turn "
                                                 "and the best on the validation split kept")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--warmup", type=float, default=0.1, help="share of the steps with a rising rate")
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--limit-train", type=int, default=None, help="a tiny subset of windows (smoke runs)")
    ap.add_argument("--limit-valid", type=int, default=None, help="a tiny subset of validation questions")
    ap.add_argument("--threads", type=int, default=None, help="CPU threads for torch")
    ap.add_argument("--budget-s", type=float, default=None,
                    help="start no epoch that would end later than this many seconds after start")
    args = ap.parse_args(list(argv) if argv is not None else None)

    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
    started = time.perf_counter()
    pack = Pack(args.pack, args.limit_train, args.limit_valid)
    print(f"pack {args.pack}: {len(pack.train_ids)} training windows, {len(pack.valid.windows)} validation "
          f"windows; {hardware(device)}", flush=True)
    log: list[dict] = []
    best_metrics, best_state = {}, {}
    deadline = started + args.budget_s if args.budget_s else math.inf
    epoch_s = 0.0
    for lr in (float(x) for x in args.lr.split(",")):
        metrics, state, epoch_s = train_one(pack, device, lr=lr, epochs=args.epochs, batch_size=args.batch_size,
                                            warmup=args.warmup, weight_decay=args.weight_decay, seed=args.seed,
                                            log=log, deadline=deadline, epoch_guess=epoch_s)
        if metrics and (not best_metrics or metrics["squad2_f1"] > best_metrics["squad2_f1"]):
            best_metrics, best_state = metrics, state
    files = write_weights(best_state, args.out)
    seconds = round(time.perf_counter() - started, 1)
    tests = report_tests(pack, best_state, device, best_metrics["threshold"])
    result = {"best": best_metrics, "epochs": log, "tests": tests, "files": files, "seconds": seconds,
              "hardware": hardware(device), "argv": sys.argv[1:] if argv is None else list(argv),
              "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
              "pack_meta": pack.meta}
    (args.out / "train_log.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")
    vi = best_metrics.get("viqa-test", {"em": None, "f1": None})
    print(f"best: lr {best_metrics['lr']:g} epoch {best_metrics['epoch']}: vi-qa test EM/F1 "
          f"{_f(vi['em'])}/{_f(vi['f1'])}, validation SQuAD2 F1 "
          f"{best_metrics['squad2_f1']:.1f}; {seconds:.0f} s in all -> {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
