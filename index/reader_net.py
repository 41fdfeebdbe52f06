"""The reader network: multilingual-e5-small's BERT encoder with a span head, in plain torch.

The word-embedding matrix (250,037 × 384, four fifths of the model) is not part of it: the
network takes the looked-up rows as input. The matrix stays frozen in training, so the reader
shares it with the retrieval encoder instead of holding a copy (:mod:`index.word_embeddings`),
and what training changes, hence what ships, is only this module's weights.

Written out rather than taken from transformers so that the same code trains on a bare GPU
machine (torch, numpy, safetensors only), exports to ONNX and loads the converted model's
tensors by their Hugging Face names.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F


@dataclass(frozen=True)
class NetConfig:
    hidden: int = 384
    layers: int = 12
    heads: int = 12
    ffn: int = 1536
    max_positions: int = 512
    type_vocab: int = 2
    eps: float = 1e-12
    dropout: float = 0.1


def _container(**children: nn.Module) -> nn.Module:
    m = nn.Module()
    for name, child in children.items():
        setattr(m, name, child)
    return m


class _Layer(nn.Module):
    """One BERT layer; attribute names follow Hugging Face's so the tensors load by name."""

    def __init__(self, c: NetConfig) -> None:
        super().__init__()
        h = c.hidden
        self.heads = c.heads
        self.dropout = c.dropout
        self.attention = _container(
            self=_container(query=nn.Linear(h, h), key=nn.Linear(h, h), value=nn.Linear(h, h)),
            output=_container(dense=nn.Linear(h, h), LayerNorm=nn.LayerNorm(h, eps=c.eps)))
        self.intermediate = _container(dense=nn.Linear(h, c.ffn))
        self.output = _container(dense=nn.Linear(c.ffn, h), LayerNorm=nn.LayerNorm(h, eps=c.eps))

    def forward(self, x: torch.Tensor, attend: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        att = self.attention
        split = lambda y: y.view(b, t, self.heads, h // self.heads).transpose(1, 2)  # noqa: E731
        q, k, v = split(att.self.query(x)), split(att.self.key(x)), split(att.self.value(x))
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=attend,
                                             dropout_p=self.dropout if self.training else 0.0)
        ctx = ctx.transpose(1, 2).reshape(b, t, h)
        drop = lambda y: F.dropout(y, self.dropout, self.training)  # noqa: E731
        x = att.output.LayerNorm(x + drop(att.output.dense(ctx)))
        y = self.output.dense(F.gelu(self.intermediate.dense(x)))
        return self.output.LayerNorm(x + drop(y))


class ReaderNet(nn.Module):
    """Word rows ``(batch, tokens, hidden)`` and a 0/1 mask in, start and end logits out
    (padding at -10,000, so it never wins)."""

    def __init__(self, config: NetConfig | None = None) -> None:
        super().__init__()
        c = self.config = config or NetConfig()
        self.embeddings = _container(
            position_embeddings=nn.Embedding(c.max_positions, c.hidden),
            token_type_embeddings=nn.Embedding(c.type_vocab, c.hidden),
            LayerNorm=nn.LayerNorm(c.hidden, eps=c.eps))
        self.encoder = _container(layer=nn.ModuleList(_Layer(c) for _ in range(c.layers)))
        self.qa_outputs = nn.Linear(c.hidden, 2)

    def forward(self, words: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        emb = self.embeddings
        t = words.shape[1]
        positions = torch.arange(t, device=words.device)
        x = words + emb.position_embeddings(positions)[None] + emb.token_type_embeddings.weight[0]
        x = F.dropout(emb.LayerNorm(x), self.config.dropout, self.training)
        attend = mask.bool()[:, None, None, :]
        for layer in self.encoder.layer:
            x = layer(x, attend)
        logits = self.qa_outputs(x).float()
        pad = (1.0 - mask.float()) * -10000.0
        return logits[..., 0] + pad, logits[..., 1] + pad


WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"


def encoder_tensor_names(state: dict) -> list[str]:
    """The converted model's tensors this network takes (all but the word embeddings and the
    unused pooler)."""
    return [k for k in state if k != WORD_EMBEDDINGS and not k.startswith("pooler.")]
