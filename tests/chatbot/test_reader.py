"""The shipped reader: its stamp matches its weights, it loads from the model cache, and what
it returns is a verbatim slice of the passage it read; in the answerer, a reader span is the
short answer and the reply still passes the faithfulness guard."""
from __future__ import annotations

import pytest

from index import reader_weights

pytestmark = pytest.mark.skipif(not reader_weights.is_shipped(), reason="no reader shipped in models/reader/")

TEXT = ("Ấn Độ Dương có diện tích 75.000.000 km² bao phủ 20% diện tích mặt nước trên Trái Đất. "
        "Tên gọi được đặt theo tên của Ấn Độ. Sử sách tiếng Việt trước thế kỷ XX còn gọi đại dương "
        "này là Tiểu Tây Dương.")


@pytest.fixture(scope="module")
def reader(embedder):
    from chatbot.reader import load_reader
    from settings import Settings

    return load_reader(Settings().model_cache_dir, embedder)


def test_stamp_matches_the_shipped_weights():
    stamp = reader_weights.read_stamp()
    assert stamp["weights_sha256"] == reader_weights.weights_sha256()
    assert stamp["commands"] and stamp["data_sha256"] and stamp["hardware"]
    assert {"em", "f1"} <= set(stamp["validation"]["viqa-test"])


def test_onnx_graph_built_from_the_shipped_weights(reader):
    from index.convert import read_json
    from index.reader_export import STAMP_NAME, default_dir
    from settings import Settings

    stamp = read_json(default_dir(Settings().model_cache_dir) / STAMP_NAME)
    assert stamp["weights_sha256"] == reader_weights.weights_sha256()


def test_spans_are_verbatim(reader):
    from chatbot.reader import Passage

    for question in ("Tên gọi khác của Ấn Độ Dương là gì?", "Ấn Độ Dương rộng bao nhiêu?",
                     "Ai là chủ tịch phường Quang Trung?"):
        span = reader.read(question, [Passage(TEXT, 0, len(TEXT), (0, 86), "x#1")])
        assert span is not None and TEXT[span.start:span.end] == span.text and span.key == "x#1"
        assert span.text == span.text.strip() and span.null <= span.score + 1e3


def test_long_passage_is_cut_around_its_focus(reader):
    from chatbot.reader import Passage

    filler = "Phường tổ chức nhiều hoạt động văn hóa, thể thao sôi nổi trong năm. " * 30
    text = filler + TEXT + " " + filler
    focus = (len(filler), len(filler) + 86)
    span = reader.read("Ấn Độ Dương rộng bao nhiêu?", [Passage(text, 0, len(text), focus)])
    assert span is not None and text[span.start:span.end] == span.text


def test_answerer_uses_the_reader_where_no_typed_answer(seeds_index, reader):
    from chatbot.answer import ExtractiveAnswerer
    from chatbot.chain import build_chain, guard

    answerer = ExtractiveAnswerer(seeds_index, reader=reader)
    chain = build_chain(seeds_index, answerer)
    for question in ("Phường Quang Trung đề ra những nhiệm vụ trọng tâm nào?",
                     "Đại hội Đảng bộ phường Đông Sơn có chủ đề là gì?"):
        answer = chain.invoke({"question": question, "history": []})
        assert not guard(answer)
        decision = answerer.decide(question, seeds_index.retrieve(question, 8))
        for pick in decision.picks:
            if pick.reader is not None and pick.reader.answered:
                assert pick.short == pick.paragraph.text[pick.short_span[0]:pick.short_span[1]]
                assert set(pick.reader.features()) >= {"reader_score", "reader_null", "reader_margin"}
