"""The Gradio 6 interface: tabs "Hỏi đáp", "Kiểm tra thông tin" and "Bài viết".

The chat keeps its own per-session state (the raw conversation for follow-up questions, the
displayed messages, and one record per reply for 👍/👎) and only ever *outputs* to the
Chatbot, so the text shown is always the escaped text built by ``webapp.render``.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Iterator

import gradio as gr

from chatbot.models import Answer, Citation, Turn
from webapp.api import MAX_CLAIM_CHARS, answer_json, validate_question
from webapp.examples import example_questions
from webapp.feedback import FeedbackStore
from webapp.render import (
    NOT_READY_CHECK, article_html, article_url, check_table_html, citation_body_html, citation_label,
    escape_html, escape_markdown, format_date, reply_markdown,
)
from webapp.runtime import ServiceHolder, ServiceUnavailable

__all__ = ["build_ui", "UI_CSS", "make_theme"]

log = logging.getLogger(__name__)

STREAM_STEPS = 12          # a reply appears in about this many growing pieces
STREAM_PAUSE_S = 0.02      # between pieces
MAX_HISTORY_TURNS = 12     # turns of conversation passed to the service for follow-ups
LOAD_WAIT_S = 180.0        # a page opened during start-up waits this long for the examples

UI_CSS = """
.gradio-container { max-width: 960px !important; margin: 0 auto; }
#hd-header h1 { margin: .2rem 0 0; font-size: 1.45rem; }
#hd-header p { margin: .1rem 0 .4rem; color: var(--body-text-color-subdued); }
#hd-chat mark, .hd-html mark { background: #fef08a; color: inherit; font-size: inherit; padding: 0 .1em;
                               border-radius: .15em; }
#hd-chat a { word-break: break-word; }
#hd-chat .thought-group .content .prose, #hd-chat .thought-group .content .prose p { font-size: .95rem; line-height: 1.55; }
.hd-html .muted, .hd-notice { color: var(--body-text-color-subdued); }
.hd-notice { padding: .8rem 1rem; border-radius: .5rem; background: var(--background-fill-secondary); }
.badge { display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .85rem;
         font-weight: 600; white-space: nowrap; }
.badge-supported { background: #dcfce7; color: #166534; }
.badge-refuted { background: #fee2e2; color: #991b1b; }
.badge-not_found { background: #e5e7eb; color: #374151; }
.check-overall { margin: .3rem 0 .6rem; }
.check-table { width: 100%; border-collapse: collapse; }
.check-table th, .check-table td { border: 0 !important; border-bottom: 1px solid var(--border-color-primary) !important;
                                   padding: .5rem; vertical-align: top; text-align: left; }
#hd-article-picker label { width: 100%; }
.evidence { margin-bottom: .4rem; } .evidence-src { font-size: .85rem; }
.hd-article h1 { font-size: 1.3rem; margin: .2rem 0; }
.hd-article .meta { color: var(--body-text-color-subdued); font-size: .9rem; }
.hd-article .para { margin: .7rem 0; overflow-wrap: anywhere; }
.hd-article .pnum { display: inline-block; min-width: 1.6rem; margin-right: .4rem; font-size: .75rem;
                    text-align: center; border: 1px solid var(--border-color-primary); border-radius: 1rem;
                    text-decoration: none; color: var(--body-text-color-subdued); }
.hd-article .caption { font-style: italic; } .hd-article .byline { text-align: right; font-weight: 600; }
@media (max-width: 640px) {
  .gradio-container .main.app { padding-left: .5rem !important; padding-right: .5rem !important; }
  .tab-container button { padding: .35rem .5rem !important; font-size: .9rem !important; }
  #hd-header h1 { font-size: 1.2rem; }
  .check-table thead { display: none; }
  .check-table tr { display: block; border-bottom: 2px solid var(--border-color-primary); padding: .3rem 0; }
  .check-table td { display: block; border: 0; padding: .2rem .3rem; }
  .check-table td::before { content: attr(data-label) ": "; font-weight: 600; }
}
"""


def make_theme() -> gr.themes.Base:
    """System fonts only: the app must work with no internet (no Google Fonts request)."""
    return gr.themes.Soft(
        primary_hue="amber", secondary_hue="sky",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Noto Sans", "sans-serif"],
        font_mono=["ui-monospace", "DejaVu Sans Mono", "monospace"],
    )


# --- chat messages --------------------------------------------------------------------------

def _user_message(question: str) -> dict:
    return {"role": "user", "content": escape_markdown(question)}


def _source_message(c: Citation, *, related: bool = False) -> dict:
    title = ("Có thể liên quan · " + f"{c.title} · {format_date(c.date)} · đoạn {c.paragraph}") if related \
        else citation_label(c)
    return {"role": "assistant", "content": citation_body_html(c),
            "metadata": {"title": "📄 " + escape_markdown(title), "status": "done"}}


def _reply_pieces(markdown: str, steps: int = STREAM_STEPS) -> Iterator[str]:
    """Growing prefixes of ``markdown`` cut at spaces (never inside an escape or a tag)."""
    cuts = [i for i, ch in enumerate(markdown) if ch == " "]
    if len(cuts) < 2:
        yield markdown
        return
    stride = max(1, len(cuts) // steps)
    for i in cuts[stride::stride]:
        yield markdown[:i]
    yield markdown


def _history_turns(history: list[dict]) -> tuple[Turn, ...]:
    recent = history[-MAX_HISTORY_TURNS:]
    return tuple(Turn(h["role"], h["content"]) for h in recent)


class _Handlers:
    """The event handlers, bound to one service holder and one feedback store."""

    def __init__(self, holder: ServiceHolder, feedback: FeedbackStore):
        self.holder = holder
        self.feedback = feedback

    # chat ------------------------------------------------------------------------------------
    def submit(self, message: str, messages: list[dict]) -> tuple[Any, list[dict], list[dict], str | None]:
        """Show the question at once and hand the raw text to ``reply``."""
        try:
            question = validate_question(message or "")
        except ValueError as exc:
            gr.Warning(str(exc))
            return gr.update(), messages, messages, None
        messages = messages + [_user_message(question)]
        return "", messages, messages, question

    def reply(self, question: str | None, messages: list[dict], history: list[dict], turns: list[dict]
              ) -> Iterator[tuple[list[dict], list[dict], list[dict], list[dict]]]:
        if not question:
            yield messages, messages, history, turns
            return
        try:
            service = self.holder.get()
            answer: Answer = service.ask(question, _history_turns(history))
        except ServiceUnavailable as exc:
            messages = messages + [{"role": "assistant", "content": escape_markdown(str(exc))}]
            yield messages, messages, history, turns
            return
        except Exception:  # noqa: BLE001 - a reply bubble is friendlier than a red error toast
            log.exception("lỗi khi trả lời câu hỏi")
            messages = messages + [{"role": "assistant",
                                    "content": "Xin lỗi, đã có lỗi khi tìm câu trả lời. Bạn thử hỏi lại nhé."}]
            yield messages, messages, history, turns
            return

        first = len(messages)
        base = list(messages)
        for piece in _reply_pieces(reply_markdown(answer)):
            shown = base + [{"role": "assistant", "content": piece}]
            yield shown, shown, history, turns
            time.sleep(STREAM_PAUSE_S)
        shown = base + [{"role": "assistant", "content": reply_markdown(answer)}]
        if answer.citations:
            shown += [_source_message(c) for c in answer.citations]
        elif answer.related:
            shown += [_source_message(c, related=True) for c in answer.related]
        history = history + [{"role": "user", "content": question},
                             {"role": "assistant", "content": answer.text}]
        record = {"first": first, "last": len(shown) - 1, "question": question,
                  "history": history[:-2][-MAX_HISTORY_TURNS:], "answer": answer_json(answer)}
        yield shown, shown, history, turns + [record]

    def like(self, data: gr.LikeData, turns: list[dict]) -> None:
        if data.liked not in (True, False):
            return  # a like or dislike taken back: nothing to store
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        record = next((t for t in turns if t["first"] <= int(index) <= t["last"]), None)
        if record is None:
            return
        ans = record["answer"]
        self.feedback.record(liked=bool(data.liked), question=record["question"], reply=ans["answer"],
                             citations=ans["citations"], abstained=ans["abstained"], history=record["history"])
        gr.Info("Cảm ơn bạn đã góp ý!" if data.liked else "Cảm ơn bạn, chúng tôi sẽ cải thiện câu trả lời này.")

    def example(self, data: gr.SelectData) -> str:
        value = data.value
        return value.get("text", "") if isinstance(value, dict) else str(value or "")

    # fact-check ------------------------------------------------------------------------------
    def check(self, claim: str) -> str:
        try:
            claim = validate_question(claim or "", what="Thông tin cần kiểm tra", limit=MAX_CLAIM_CHARS)
        except ValueError as exc:
            return f'<div class="hd-notice">{escape_html(str(exc))}</div>'
        try:
            report = self.holder.get().check(claim)
        except ServiceUnavailable as exc:
            return f'<div class="hd-notice">{escape_html(str(exc))}</div>'
        except NotImplementedError:
            return f'<div class="hd-notice">{escape_html(NOT_READY_CHECK)}</div>'
        return check_table_html(report)

    # articles --------------------------------------------------------------------------------
    def on_load(self) -> tuple[Any, Any, str]:
        """Fill what depends on the articles once the service is ready."""
        self.holder.wait(LOAD_WAIT_S)
        try:
            articles = self.holder.get().articles()
        except ServiceUnavailable as exc:
            return gr.update(), gr.update(), f'<div class="hd-notice">{escape_html(str(exc))}</div>'
        examples = [{"text": q} for q in example_questions(articles)]
        choices = [(f"{a.title} ({format_date(a.date)})", a.article_id) for a in articles]
        return (gr.update(examples=examples), gr.update(choices=choices, value=None),
                '<div class="hd-notice">Chọn một bài viết ở trên để đọc toàn văn.</div>')

    def open_article(self, article_id: str | None) -> str:
        if not article_id:
            return '<div class="hd-notice">Chọn một bài viết ở trên để đọc toàn văn.</div>'
        try:
            article = self.holder.get().article(article_id)
        except ServiceUnavailable as exc:
            return f'<div class="hd-notice">{escape_html(str(exc))}</div>'
        except KeyError:
            return '<div class="hd-notice">Không tìm thấy bài viết này.</div>'
        link = escape_html(article_url(article.article_id))
        return (f'<div class="hd-article"><p><a href="{link}" target="_blank" rel="noopener">'
                "Mở trang riêng của bài ↗</a></p>" + article_html(article) + "</div>")


def build_ui(holder: ServiceHolder, feedback: FeedbackStore) -> gr.Blocks:
    h = _Handlers(holder, feedback)
    with gr.Blocks(title="Hỏi đáp phường") as demo:
        gr.HTML('<div id="hd-header"><h1>Hỏi đáp phường</h1>'
                "<p>Hỏi về tin tức các phường; mỗi câu trả lời dẫn nguồn từ bài viết.</p></div>")
        with gr.Tabs():
            with gr.Tab("Hỏi đáp", id="chat"):
                chatbot = gr.Chatbot(
                    elem_id="hd-chat", label="Hỏi đáp", show_label=False, height="62vh", min_height=320,
                    latex_delimiters=[], allow_tags=False, sanitize_html=True, render_markdown=True,
                    feedback_options=("Like", "Dislike"), buttons=["copy"], autoscroll=True,
                    placeholder="**Xin chào!** Hãy đặt câu hỏi về các bài viết, hoặc chọn một câu hỏi gợi ý.",
                )
                with gr.Row(equal_height=True):
                    box = gr.Textbox(elem_id="hd-question", show_label=False, scale=6, lines=1, max_lines=4,
                                     placeholder="Nhập câu hỏi của bạn…",
                                     submit_btn=False, autofocus=True)
                    send = gr.Button("Gửi", variant="primary", scale=1, min_width=72, elem_id="hd-send")
                gr.Markdown("Câu trả lời chỉ dựa trên các bài viết đã nạp. Bấm vào nguồn 📄 để xem đoạn trích; "
                            "bấm 👍/👎 để góp ý. Dành cho lập trình viên: [API JSON](/docs).",
                            elem_classes=["hd-notice"])
            with gr.Tab("Kiểm tra thông tin", id="check"):
                claim = gr.Textbox(elem_id="hd-claim", label="Thông tin cần kiểm tra", lines=3, max_lines=8,
                                   placeholder="Dán một đoạn tin, ví dụ: Phường Quang Trung đề ra 30 chỉ tiêu chủ yếu.")
                check_btn = gr.Button("Kiểm tra", variant="primary", elem_id="hd-check")
                check_out = gr.HTML(elem_id="hd-check-result", elem_classes=["hd-html"])
            with gr.Tab("Bài viết", id="articles"):
                picker = gr.Radio(label="Chọn một bài viết để đọc", choices=[], elem_id="hd-article-picker",
                                  interactive=True)
                article_out = gr.HTML(elem_id="hd-article", elem_classes=["hd-html"])

        messages = gr.State([])   # what the Chatbot shows (escaped)
        history = gr.State([])    # raw conversation, for follow-up questions
        turns = gr.State([])      # one record per reply, for 👍/👎
        pending = gr.State(None)  # the raw question between submit and reply

        for trigger in (box.submit, send.click):
            trigger(h.submit, [box, messages], [box, chatbot, messages, pending], queue=False,
                    show_progress="hidden").then(
                h.reply, [pending, messages, history, turns], [chatbot, messages, history, turns],
                show_progress="hidden")
        chatbot.example_select(h.example, None, box, queue=False).then(
            h.submit, [box, messages], [box, chatbot, messages, pending], queue=False).then(
            h.reply, [pending, messages, history, turns], [chatbot, messages, history, turns],
            show_progress="hidden")
        chatbot.like(h.like, [turns], None, queue=False)
        chatbot.clear(lambda: ([], [], [], None), None, [messages, history, turns, pending], queue=False)

        check_btn.click(h.check, [claim], [check_out])
        claim.submit(h.check, [claim], [check_out])
        picker.change(h.open_article, [picker], [article_out], queue=False)
        demo.load(h.on_load, None, [chatbot, picker, article_out], queue=False)
    # Gradio runs one call per event at a time by default; replies pause while streaming, so
    # let several visitors be answered at once (the service itself serialises what it must).
    demo.queue(default_concurrency_limit=8)
    return demo
