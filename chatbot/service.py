"""The one service object: built once per process, shared by the web app, the API, the Zalo
bot and the eval runner."""
from __future__ import annotations

from typing import Protocol, Sequence

from chatbot.models import Answer, CheckReport, Turn
from ingest.models import Article


class QAService(Protocol):
    """What the front ends may call. Implemented by ``chatbot.service.Service``."""

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer: ...

    def check(self, claim: str) -> CheckReport: ...

    def articles(self) -> list[Article]: ...

    def article(self, article_id: str) -> Article:  # raises KeyError for an unknown id
        ...

    def health(self) -> dict: ...


import dataclasses
import logging
import threading
import time
from collections import OrderedDict

from chatbot.answer import ExtractiveAnswerer
from chatbot.chain import build_answer_chain, understand
from index.embedder import Embedder, load_embedder
from index.hybrid import HybridIndex
from index.service import open_index
from settings import Settings

log = logging.getLogger(__name__)

CACHE_SIZE = 1024


class Service:
    """Index, answerer and fact-checker, loaded once. Calls are serialised by a lock: the
    embedding engine is not documented as thread-safe, and one answer takes milliseconds.
    Repeated questions (popular ones are asked again and again) come from an LRU cache."""

    def __init__(self, index: HybridIndex, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.index = index
        self.answerer = ExtractiveAnswerer(index)
        writer = None
        if self.settings.llm_base_url and self.settings.llm_model:
            from chatbot.generative import GenerativeWriter

            writer = GenerativeWriter(self.settings.llm_base_url, self.settings.llm_model,
                                      self.settings.llm_api_key)
        self._understand = understand(index)
        self._answer = build_answer_chain(index, self.answerer, writer)
        self.chain = self._understand | self._answer
        # a generated reply also reads the question as typed, an extractive one only the
        # standalone question
        self._key_on_typed_question = writer is not None
        self._checker = None
        self._lock = threading.RLock()
        self._cache: OrderedDict[tuple, Answer] = OrderedDict()
        self.loaded_at = time.time()

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        """The answer to ``question`` in its conversation. The cache is keyed on what decides
        the answer, the standalone question the follow-up resolver made of question and history
        (however far back it read), never on a slice of the history: two conversations share an
        answer only when they ask the same thing."""
        question = question.strip()
        with self._lock:
            understood = self._understand.invoke({"question": question, "history": list(history)})
            if understood["small_talk"]:
                return self._answer.invoke(understood)
            key = ("ask", understood["standalone"], question if self._key_on_typed_question else None)
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return dataclasses.replace(hit, question=question)
            answer = self._answer.invoke(understood)
            self._cache[key] = answer
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return answer

    def warm_up(self) -> None:
        """Answer one question, outside the cache, so the first user's answer does not pay for
        loading the word segmenter and touching the index pages."""
        self.chain.invoke({"question": "thu nhập bình quân", "history": []})

    def check(self, claim: str) -> CheckReport:
        from chatbot.factcheck import FactChecker

        with self._lock:
            if self._checker is None:
                self._checker = FactChecker(self.index)
            return self._checker.check(claim)

    def articles(self) -> list[Article]:
        return sorted(self.index.articles.values(), key=lambda a: a.article_id)

    def article(self, article_id: str) -> Article:
        return self.index.articles[article_id]

    @property
    def embedder(self) -> Embedder:
        """The loaded embedding model, for rebuilding the index without loading it again."""
        return self.index.embedder

    def health(self) -> dict:
        m = self.index.manifest
        return {
            "status": "ok",
            "index_loaded": True,
            "articles": m["counts"]["articles"],
            "paragraphs": m["counts"]["paragraphs"],
            "indexed_paragraphs": m["counts"]["indexed_paragraphs"],
            "embedding_model": m["model_id"],
            "index_built_at": m["built_at"],
            "index_build_seconds": m["build_seconds"],
            "generator": "llm:" + self.settings.llm_model if self.settings.llm_base_url else "extractive",
        }


def build_service(settings: Settings | None = None) -> Service:
    """Load the embedder and the index (rebuilding it when missing or stale) and warm up."""
    settings = settings or Settings()
    embedder = load_embedder(settings.embedder, settings.embed_model, settings.model_cache_dir)
    index = open_index(settings.corpus_dir, settings.index_dir, embedder, seed_dir=settings.corpus_seed_dir)
    service = Service(index, settings)
    service.warm_up()
    return service


def reload_service(settings: Settings, embedder: Embedder) -> Service:
    """A new service over the current generation of ``settings.index_dir`` (no rebuild), reusing
    an already loaded embedder. Its answer cache starts empty. For hot swaps after the index
    was rebuilt (``webapp.runtime.ServiceHolder.reload``)."""
    service = Service(HybridIndex.load(settings.index_dir, embedder), settings)
    service.warm_up()
    return service
