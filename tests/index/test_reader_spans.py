"""Windows and span decoding shared by training and serving."""
from __future__ import annotations

import numpy as np

from index.reader_spans import CLS, SEP, Window, best_span, pad_batch, token_targets, windows


def _tokens(text):
    """One token per word, offsets including the leading space as XLM-R's do."""
    ids, offsets, pos = [], [], 0
    for n, word in enumerate(text.split(" ")):
        start = text.index(word, pos)
        offsets.append((max(start - 1, 0) if n else start, start + len(word)))
        ids.append(100 + n)
        pos = start + len(word)
    return ids, offsets


def test_windows_cover_the_passage_with_overlap():
    text = " ".join(f"w{i}" for i in range(50))
    ids, offsets = _tokens(text)
    wins = windows([7, 8], ids, offsets, max_len=24, stride=6)
    assert all(w.length <= 24 and w.ids[:5] == (CLS, 7, 8, SEP, SEP) and w.ids[-1] == SEP for w in wins)
    seen = [i for w in wins for i in w.ids[w.first:-1]]
    assert set(seen) == set(ids) and len(seen) > len(ids)


def test_targets_and_decoding_round_trip():
    text = "Ấn Độ Dương rộng 75 triệu km² nằm phía nam"
    ids, offsets = _tokens(text)
    win = windows([5], ids, offsets)[0]
    a = text.index("75 triệu km²")
    s, e = token_targets(win, a, a + len("75 triệu km²"))
    start, end = np.full(win.length, -5.0), np.full(win.length, -5.0)
    start[s], end[e] = 4.0, 3.0
    span = best_span(win, start, end, text)
    assert text[span.start:span.end] == "75 triệu km²" and span.score == 7.0 and span.null == -10.0


def test_answer_outside_window_points_at_cls_and_long_spans_are_cut():
    text = " ".join(f"w{i}" for i in range(10))
    ids, offsets = _tokens(text)
    win = Window((CLS, SEP, SEP, *ids[:5], SEP), 3, tuple(offsets[:5]))
    a = text.index("w8")
    assert token_targets(win, a, a + 2) == (0, 0)
    start, end = np.zeros(win.length), np.zeros(win.length)
    start[3], end[7] = 5.0, 5.0
    assert best_span(win, start, end, text, max_tokens=3).end <= offsets[5][1]


def test_pad_batch():
    ids, mask = pad_batch([[0, 5, 2], [0, 2]])
    assert ids.tolist() == [[0, 5, 2], [0, 2, 1]] and mask.tolist() == [[1, 1, 1], [1, 1, 0]]


def test_spans_take_whole_words_and_numbers():
    from index.reader_spans import whole_words

    text = "giảm từ 0,55% năm 2021 xuống 0,27% năm 2025, đạt 13,5%/năm"
    cut = text.index("0,27")
    assert text[slice(*whole_words(text, cut, cut + 3))] == "0,27"          # "0,2" + "7"
    assert text[slice(*whole_words(text, cut + 1, cut + 5))] == "0,27%"
    assert text[slice(*whole_words(text, 1, 3))] == "giảm"
    end = text.index(" đạt")
    assert text[slice(*whole_words(text, end - 9, end))] == "năm 2025"       # trailing comma dropped
