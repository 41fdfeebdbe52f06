"""The index behind LangChain's retriever and embeddings interfaces."""
from __future__ import annotations

import numpy as np
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from index.langchain import EmbedderEmbeddings, HybridRetriever

DONG_SON = "004_bbba2ad5a4ca9edc"
QUANG_TRUNG = "000_979beda71dc56cf9"


def test_the_retriever_returns_documents_with_their_source(seeds_index):
    retriever = HybridRetriever(index=seeds_index, k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("Thu nhập bình quân của phường Đông Sơn đến năm 2030?")
    assert 1 <= len(docs) <= 3 and all(isinstance(d, Document) for d in docs)
    for doc in docs:
        meta = doc.metadata
        assert {"article_id", "title", "date", "paragraph", "score"} <= set(meta)
        article = seeds_index.articles[meta["article_id"]]
        assert meta["title"] == article.title
        assert doc.page_content == article.paragraph(meta["paragraph"]).text
        assert meta["date"] == (article.date.isoformat() if article.date else None)
    assert docs[0].metadata["article_id"] == DONG_SON
    assert "95 triệu đồng" in docs[0].page_content
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)


def test_a_dated_article_carries_its_date(seeds_index):
    docs = HybridRetriever(index=seeds_index, k=1).invoke("Phường Quang Trung đề ra bao nhiêu chỉ tiêu chủ yếu?")
    assert docs[0].metadata["article_id"] == QUANG_TRUNG
    assert docs[0].metadata["date"] == "2025-11-17"


def test_the_retriever_honours_k_and_the_retriever_name(seeds_index):
    docs = HybridRetriever(index=seeds_index, k=2, retriever="bm25_syllables").invoke("thu nhap binh quan")
    assert len(docs) == 2
    assert [d.metadata["key"] for d in docs] == [
        h.paragraph.key for h in seeds_index.search("thu nhap binh quan", 2, "bm25_syllables")]


def test_the_embeddings_adapter_matches_the_embedder(embedder):
    emb = EmbedderEmbeddings(embedder)
    texts = ["Thu nhập bình quân đạt 95 triệu đồng.", "Phường Quang Trung"]
    np.testing.assert_allclose(emb.embed_documents(texts), embedder.embed_passages(texts), atol=1e-5)
    query = emb.embed_query("thu nhập bình quân")
    assert len(query) == embedder.dimension
    np.testing.assert_allclose(query, embedder.embed_queries(["thu nhập bình quân"])[0], atol=1e-5)
