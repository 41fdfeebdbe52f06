"""Optional generative replies through any OpenAI-compatible endpoint (Ollama, vLLM, the
llama.cpp server). The reply still has to pass the faithfulness guard; otherwise the caller
falls back to the extractive reply."""
from __future__ import annotations

import re
from typing import Sequence

from chatbot.models import Answer, Citation

SYSTEM = (
    "Bạn là trợ lý trả lời câu hỏi của người dân về tin tức phường, xã. Chỉ dùng các đoạn văn được "
    "đánh số bên dưới. Trả lời ngắn gọn bằng tiếng Việt, chép nguyên văn mọi con số, ngày tháng và tên "
    "riêng, ghi nguồn bằng [n] sau mỗi ý. Nếu các đoạn không có câu trả lời, hãy nói: "
    "\"Các bài viết hiện có không đề cập đến thông tin bạn hỏi.\""
)
_MARKER = re.compile(r"\[(\d+)\]")


class GenerativeWriter:
    def __init__(self, base_url: str, model: str, api_key: str = "not-needed", timeout: float = 30.0):
        from langchain_openai import ChatOpenAI

        self.model = model
        self._llm = ChatOpenAI(base_url=base_url, model=model, api_key=api_key, timeout=timeout,
                               max_retries=0, temperature=0)

    def write(self, question: str, standalone: str, sources: Sequence[Citation]) -> Answer:
        """Raises on endpoint errors; the guard is the caller's job."""
        numbered = "\n\n".join(f"[{c.id}] ({c.title}, đoạn {c.paragraph}) {c.text}" for c in sources)
        messages = [("system", SYSTEM), ("human", f"Các đoạn văn:\n{numbered}\n\nCâu hỏi: {standalone}")]
        text = str(self._llm.invoke(messages).content).strip()
        used = {int(n) for n in _MARKER.findall(text)}
        cited = tuple(c for c in sources if c.id in used)
        abstained = text.startswith("Các bài viết hiện có không đề cập")
        return Answer(question, standalone, text, None, abstained, () if abstained else cited,
                      tuple(sources[:3]) if abstained else (), generator=f"llm:{self.model}")
