"""Records the index hands to its callers."""
from __future__ import annotations

from dataclasses import dataclass, field

from ingest.models import Paragraph


@dataclass(frozen=True)
class Hit:
    """A ranked paragraph. ``score`` is the fused score (higher is better); ``signals`` keeps
    the per-retriever scores/ranks that produced it, so callers can judge confidence."""

    paragraph: Paragraph
    score: float
    rank: int
    signals: dict[str, float] = field(default_factory=dict)
