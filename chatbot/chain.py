"""The answer chain, composed from langchain-core Runnables:
``{question, history}`` → standalone question (polite wrapping removed, follow-ups resolved) →
retrieve → answer → guarded reply with citations. A greeting or thanks gets a short reply instead."""
from __future__ import annotations

import logging
from typing import Sequence

from langchain_core.runnables import Runnable, RunnableLambda

from chatbot import followup
from chatbot.courtesy import small_talk_reply, strip_courtesy
from chatbot.shorthand import expand_shorthand
from chatbot.answer import ExtractiveAnswerer
from chatbot.generative import GenerativeWriter
from chatbot.guard import unsupported_facts
from chatbot.models import Answer, Citation, Turn, written_date
from chatbot.reply import ABSTAIN_TEXT, compose
from index.hybrid import HybridIndex

log = logging.getLogger(__name__)

RETRIEVE_K = 8


def guard(answer: Answer) -> list:
    """Facts in the reply that its cited paragraphs (or their articles' titles) do not state."""
    cited = answer.citations or answer.related
    # an article's date is a fact its citation carries, as the reply writes it ("17/9/2025")
    dates = [written_date(c.date) for c in cited if c.date]
    return unsupported_facts(answer.text, [c.text for c in cited] + [c.title for c in cited] + dates)


def _quotes_only(answer: Answer) -> Answer:
    """The reply without its short-answer lines: only verbatim quotes remain."""
    lines = [ln for ln in answer.text.split("\n") if ln.startswith("“")]
    return Answer(answer.question, answer.standalone_question, "\n".join(lines), None, answer.abstained,
                  answer.citations, answer.related, answer.verdict, answer.generator)


def _abstain(answer: Answer) -> Answer:
    return Answer(answer.question, answer.standalone_question, ABSTAIN_TEXT, None, True, (),
                  answer.citations[:3] or answer.related, None, answer.generator)


def understand(index: HybridIndex) -> Runnable:
    """``{question, history}`` → adds ``standalone`` (the question as it would be asked on its own)
    and ``small_talk`` (the reply to a greeting or thanks, else None). Everything the rest of the
    chain answers is decided by these two and the question: the service keys its cache on them."""
    def standalone(inp: dict) -> dict:
        history: Sequence[Turn] = inp.get("history") or ()
        # chat shorthand is spelled out ("bn" → "bao nhiêu"), then the polite wrapping goes, so
        # "Cho mình hỏi còn Đông Sơn thì sao?" is a follow-up
        question = strip_courtesy(expand_shorthand(inp["question"]))
        return {**inp, "standalone": followup.resolve(question, history, index),
                "small_talk": small_talk_reply(inp["question"])}

    return RunnableLambda(standalone)


def build_chain(index: HybridIndex, answerer: ExtractiveAnswerer, writer: GenerativeWriter | None = None) -> Runnable:
    """The whole chain: ``understand`` then ``build_answer_chain``."""
    return understand(index) | build_answer_chain(index, answerer, writer)


def build_answer_chain(index: HybridIndex, answerer: ExtractiveAnswerer,
                       writer: GenerativeWriter | None = None) -> Runnable:
    """From an understood question (``understand``'s output) to the guarded ``Answer``."""
    def retrieve(inp: dict) -> dict:
        if inp["small_talk"]:
            return {**inp, "retrieval": None}
        return {**inp, "retrieval": index.retrieve(inp["standalone"], RETRIEVE_K)}

    def answer(inp: dict) -> dict:
        if inp["small_talk"]:  # "xin chào", "cảm ơn bạn": nothing to look up, nothing to cite
            return {**inp, "answer": Answer(inp["question"], inp["standalone"], inp["small_talk"], None, True)}
        decision = answerer.decide(inp["standalone"], inp["retrieval"])
        return {**inp, "answer": compose(inp["question"], inp["standalone"], decision)}

    def generate(inp: dict) -> dict:
        if inp["small_talk"]:
            return inp
        extractive: Answer = inp["answer"]
        sources = [Citation(i + 1, h.paragraph.article_id, h.paragraph.title, h.paragraph.date,
                            h.paragraph.number, h.paragraph.text, None, h.score)
                   for i, h in enumerate(inp["retrieval"].hits[:5])]
        try:
            generated = writer.write(inp["question"], inp["standalone"], sources)
        except Exception as exc:  # endpoint down, timeout, bad response: the extractive reply stands
            log.warning("generative mode failed (%s); using the extractive reply", exc)
            return inp
        problems = guard(generated)
        if problems or (not generated.abstained and not generated.citations):
            log.warning("generated reply rejected by the guard: %s; using the extractive reply",
                        problems or "no citation")
            return inp
        return {**inp, "answer": generated}

    def guarded(inp: dict) -> Answer:
        ans: Answer = inp["answer"]
        problems = guard(ans)
        if not problems:
            return ans
        log.warning("reply failed the faithfulness guard: %s", problems)
        trimmed = _quotes_only(ans)
        return trimmed if trimmed.text and not guard(trimmed) else _abstain(ans)

    chain = RunnableLambda(retrieve) | RunnableLambda(answer)
    if writer is not None:  # the generative step only when an endpoint is configured
        chain = chain | RunnableLambda(generate)
    return chain | RunnableLambda(guarded)
