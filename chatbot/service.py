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
