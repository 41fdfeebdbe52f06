"""The LangChain recipes the issue measures against, run on the same index and questions:
``BM25Retriever`` with defaults, ``FAISS`` + e5, and ``EnsembleRetriever`` 0.5/0.5."""
from __future__ import annotations

from typing import Sequence

from eval.datasets import Question
from eval.retrieval import evaluate
from index.hybrid import HybridIndex
from index.langchain import EmbedderEmbeddings


def run(index: HybridIndex, questions: Sequence[Question]) -> dict[str, dict[str, float]]:
    from langchain_classic.retrievers import EnsembleRetriever
    from langchain_community.retrievers import BM25Retriever
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document

    docs = [Document(page_content=p.text, metadata={"key": p.key}) for p in index.paragraphs]
    embeddings = EmbedderEmbeddings(index.embedder)
    store = FAISS.from_embeddings([(d.page_content, v) for d, v in zip(docs, index.vectors.tolist())],
                                  embeddings, metadatas=[d.metadata for d in docs])
    answerable = [q for q in questions if q.answerable]
    results = {}

    def make(retriever_factory):
        def search(query: str, k: int) -> list[str]:
            return [d.metadata["key"] for d in retriever_factory(k).invoke(query)][:k]
        return search

    bm25_cache: dict[int, BM25Retriever] = {}

    def bm25(k: int) -> BM25Retriever:
        if k not in bm25_cache:
            bm25_cache[k] = BM25Retriever.from_documents(docs, k=k)
        return bm25_cache[k]

    def faiss(k: int):
        return store.as_retriever(search_kwargs={"k": k})

    def ensemble(k: int):
        return EnsembleRetriever(retrievers=[bm25(k), faiss(k)], weights=[0.5, 0.5])

    for name, factory in (("langchain_bm25", bm25), ("langchain_faiss_e5", faiss), ("langchain_ensemble", ensemble)):
        search = make(factory)
        for q in answerable[:5]:
            search(q.question, 10)
        results[name] = evaluate(search, answerable)
    return results
