"""LangChain adapters: the hybrid index as a ``BaseRetriever`` and our embedder as ``Embeddings``."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.embedder import Embedder
from index.hybrid import HybridIndex
from index.models import Hit


def hit_to_document(hit: Hit) -> Document:
    p = hit.paragraph
    return Document(
        page_content=p.text,
        metadata={
            "article_id": p.article_id,
            "title": p.title,
            "date": p.date.isoformat() if p.date else None,
            "paragraph": p.number,
            "score": float(hit.score),
            "rank": hit.rank,
            "key": p.key,
        },
    )


class HybridRetriever(BaseRetriever):
    """Ranked paragraphs as LangChain Documents (metadata: article id, title, date, paragraph
    number, score)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    index: Any
    k: int = 5
    retriever: str = "hybrid"

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        index: HybridIndex = self.index
        return [hit_to_document(h) for h in index.search(query, self.k, self.retriever)]


class EmbedderEmbeddings(Embeddings):
    """Our embedder behind LangChain's ``Embeddings`` (used by the baseline recipes)."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_queries([text])[0].tolist()
