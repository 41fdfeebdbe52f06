"""The 👍/👎 store keeps question, reply and citations, and survives concurrent writers."""
from __future__ import annotations

import datetime as dt
import threading

from chatbot.models import Citation
from webapp.feedback import FeedbackStore


def test_record_and_read_back(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    cite = Citation(1, "001_fedeaab69c93254a", "Xây dựng Nông Trang trở thành đô thị hiện đại và bền vững",
                    dt.date(2025, 7, 25), 6, "đồng chí Cầm Hà Chung- Bí thư Đảng uỷ Phường", (0, 20), 0.8)
    store.record(liked=True, question="Ai là Bí thư Đảng ủy phường Nông Trang?",
                 reply="Đồng chí Cầm Hà Chung [1].", citations=[cite],
                 history=[{"role": "user", "content": "xin chào"}])
    store.record(liked=False, question="Dân số phường Quang Trung?", reply="Chưa tìm thấy.", citations=[],
                 abstained=True)
    rows = store.rows()
    assert [r.liked for r in rows] == [False, True]
    liked = rows[1]
    assert liked.question == "Ai là Bí thư Đảng ủy phường Nông Trang?"
    assert liked.citations[0]["article_id"] == "001_fedeaab69c93254a" and liked.citations[0]["paragraph"] == 6
    assert liked.history == [{"role": "user", "content": "xin chào"}]
    assert rows[0].abstained is True
    store.close()
    # persisted on disk
    assert len(FeedbackStore(tmp_path / "fb.sqlite3").rows()) == 2


def test_concurrent_writers(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")

    def write(n: int) -> None:
        for i in range(25):
            store.record(liked=i % 2 == 0, question=f"q{n}-{i}", reply="r", citations=[])

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = store.rows(limit=1000)
    assert len(rows) == 200 and len({r.question for r in rows}) == 200
