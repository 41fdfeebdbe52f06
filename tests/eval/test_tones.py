"""Tone-restoration accuracy as ``python -m eval tones`` reports it."""
from __future__ import annotations

from eval.tones import syllable_accuracy
from index.accents import ToneRestorer


def test_a_restorer_that_read_the_questions_restores_them_all():
    questions = ["Thu nhập bình quân của phường là bao nhiêu?", "Ai là Bí thư Đảng ủy phường?"]
    restorer = ToneRestorer.train(questions, lexicon=[])
    assert syllable_accuracy(restorer, questions) == 1.0


def test_syllables_never_seen_count_as_wrong():
    restorer = ToneRestorer.train(["Thu nhập bình quân."], lexicon=[])
    # "thu nhập" comes back; "đường sắt" was never seen and stays unmarked
    assert syllable_accuracy(restorer, ["thu nhập đường sắt"]) == 0.5
