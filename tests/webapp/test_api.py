"""The JSON API, the article pages and /healthz, in-process (no network)."""
from __future__ import annotations

import concurrent.futures as cf
import time

import pytest
from fastapi.testclient import TestClient

from app import create_app
from chatbot.models import CheckReport
from webapp.runtime import ServiceHolder

from tests.webapp.conftest import SEEDS, app_settings

SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
NONG_TRANG = "Ai là Bí thư Đảng ủy phường Nông Trang?"
ANSWER_FIELDS = {"id", "answer", "short_answer", "abstained", "verdict", "citations"}
CITATION_FIELDS = {"article_id", "title", "date", "paragraph", "text"}


@pytest.fixture(scope="module")
def client(seed_service, tmp_path_factory):
    app = create_app(app_settings(tmp_path_factory.mktemp("api")), service=seed_service)
    with TestClient(app) as c:
        yield c


def _is_vietnamese(message: str) -> bool:
    return any(ord(ch) > 127 for ch in message)


def test_ask_returns_the_eval_runner_fields_with_citations(client, seed_service):
    r = client.post("/api/ask", json={"question": NONG_TRANG})
    assert r.status_code == 200
    body = r.json()
    assert ANSWER_FIELDS <= set(body)
    assert body["id"] is None and body["verdict"] is None and body["abstained"] is False
    assert body["answer"].strip() and body["citations"]
    for c in body["citations"]:
        assert CITATION_FIELDS <= set(c)
        article = seed_service.article(c["article_id"])
        assert article.paragraph(c["paragraph"]).text == c["text"]
        assert c["url"] == f"/articles/{c['article_id']}#p{c['paragraph']}"
    assert body["citations"][0]["article_id"] == "001_fedeaab69c93254a"


def test_ask_follow_up_uses_the_history(client):
    first = client.post("/api/ask", json={"question": NONG_TRANG}).json()
    r = client.post("/api/ask", json={"question": "Còn phường Thanh Miếu thì sao?", "history": [
        {"role": "user", "content": NONG_TRANG}, {"role": "assistant", "content": first["answer"]}]})
    assert r.status_code == 200
    body = r.json()
    assert not body["abstained"]
    assert body["citations"][0]["article_id"] == "003_cce8d4c811368e9e"


def test_two_conversations_with_the_same_recent_turns_get_their_own_answers(client, seed_service):
    """The follow-up resolver reads further back than the last four turns: the cached answer of
    one conversation must not be served to the other (issue: cache keyed on a history slice)."""
    tail = [{"role": "user", "content": "còn phường Đông Sơn thì sao?"}, {"role": "assistant", "content": "Đã trả lời."},
            {"role": "user", "content": "còn phường Quang Trung thì sao?"}, {"role": "assistant", "content": "Đã trả lời."}]
    replies = []
    for opener in ("Thu nhập bình quân của phường Quang Trung là bao nhiêu?",
                   "Tỷ lệ dân số tham gia BHYT của phường Quang Trung là bao nhiêu?"):
        history = [{"role": "user", "content": opener}, {"role": "assistant", "content": "Đã trả lời."}] + tail
        body = client.post("/api/ask", json={"question": "còn phường Đông Sơn thì sao?", "history": history}).json()
        topic = opener.split(" của ")[0]
        alone = client.post("/api/ask", json={"question": f"{topic} của phường Đông Sơn là bao nhiêu?"}).json()
        assert body["answer"] == alone["answer"] and body["short_answer"] == alone["short_answer"]
        replies.append(body["answer"])
    assert replies[0] != replies[1]


def test_question_out_of_the_articles_abstains(client):
    body = client.post("/api/ask", json={"question": "Phường Hàm Rồng có bao nhiêu trường học đạt chuẩn quốc gia?"}).json()
    assert body["abstained"] is True and body["citations"] == []
    assert body["answer"].strip()


def test_question_of_exactly_1000_characters_is_accepted(client):
    q = (NONG_TRANG + " ") * 30
    q = q[:999].rstrip().ljust(999, "a") + "?"
    assert len(q) == 1000
    assert client.post("/api/ask", json={"question": q}).status_code == 200
    assert client.post("/api/ask", json={"question": "  " + q + "  "}).status_code == 200


@pytest.mark.parametrize(("payload", "words"), [
    ({"question": ""}, "không được để trống"),
    ({"question": " \n\t  "}, "không được để trống"),
    ({"question": "a" * 1001}, "1.000 ký tự"),
    ({"question": 123}, "phải là chuỗi ký tự"),
    ({"question": None}, "phải là chuỗi ký tự"),
    ({"question": ["a"]}, "phải là chuỗi ký tự"),
    ({}, "Thiếu trường «question»"),
    ({"question": "a", "history": "không phải danh sách"}, "phải là một danh sách"),
    ({"question": "a", "history": [{"role": "bot", "content": "x"}]}, "chỉ nhận một trong các giá trị"),
    ({"question": "a", "history": [{"role": "user", "content": 5}]}, "history[0].content"),
    ({"question": "a", "history": ["x"]}, "phải là một đối tượng JSON"),
    ([NONG_TRANG], "phải là một đối tượng JSON"),
    ("chuỗi", "phải là một đối tượng JSON"),
])
def test_bad_ask_requests_get_a_vietnamese_422(client, payload, words):
    r = client.post("/api/ask", json=payload)
    assert r.status_code == 422, r.text
    body = r.json()
    assert words in body["detail"] and _is_vietnamese(body["detail"])
    assert body["errors"] and all(_is_vietnamese(e["message"]) for e in body["errors"])


@pytest.mark.parametrize(("content", "ctype"), [
    (b"{\"question\": ", "application/json"),
    (b"", "application/json"),
    (b"question=abc", "application/x-www-form-urlencoded"),
    (b"\xff\xfe", "application/json"),
])
def test_malformed_bodies_get_a_vietnamese_4xx(client, content, ctype):
    r = client.post("/api/ask", content=content, headers={"content-type": ctype})
    assert 400 <= r.status_code < 500
    assert _is_vietnamese(r.json()["detail"])


def test_articles_list_and_detail(client, seed_service):
    listed = client.get("/api/articles").json()
    assert sorted(a["article_id"] for a in listed) == SEED_IDS
    first = next(a for a in listed if a["article_id"] == "000_979beda71dc56cf9")
    assert first["title"] == "Xây dựng chương trình hành động để đưa nghị quyết vào cuộc sống"
    assert first["date"] == "2025-11-17"
    detail = client.get("/api/articles/000_979beda71dc56cf9").json()
    article = seed_service.article("000_979beda71dc56cf9")
    assert [p["number"] for p in detail["paragraphs"]] == list(range(1, len(article.paragraphs) + 1))
    assert detail["paragraphs"][0]["text"].startswith("Đại hội Đảng bộ phường Quang Trung lần thứ nhất")
    assert first["paragraphs"] == len(detail["paragraphs"])


def test_unknown_article_and_unknown_routes(client):
    r = client.get("/api/articles/khong-co-bai-nay")
    assert r.status_code == 404 and "Không tìm thấy bài viết" in r.json()["detail"]
    r = client.get("/api/khong-co")
    assert r.status_code == 404 and _is_vietnamese(r.json()["detail"])
    r = client.get("/api/ask")
    assert r.status_code == 405 and _is_vietnamese(r.json()["detail"]) and "POST" in r.headers["allow"]


def test_check_answers_or_says_not_ready(client):
    r = client.post("/api/check", json={"claim": "Đại hội Đảng bộ phường Quang Trung đề ra 30 chỉ tiêu chủ yếu."})
    if r.status_code == 501:
        assert "chưa sẵn sàng" in r.json()["detail"]
    else:
        assert r.status_code == 200
        body = r.json()
        assert body["sentences"] and body["verdict"] in {"supported", "refuted", "not_found"}
    assert client.post("/api/check", json={"claim": "   "}).status_code == 422


class _NoCheck:
    """The seed service with fact-checking not finished yet."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def check(self, claim: str) -> CheckReport:
        raise NotImplementedError


def test_check_not_implemented_is_a_polite_501(seed_service, tmp_path):
    with TestClient(create_app(app_settings(tmp_path), service=_NoCheck(seed_service))) as c:
        r = c.post("/api/check", json={"claim": "Phường Nông Trang có 5 trường học."})
    assert r.status_code == 501 and "chưa sẵn sàng" in r.json()["detail"]


def test_healthz_is_503_until_the_service_is_loaded(seed_service, tmp_path):
    app = create_app(app_settings(tmp_path))
    app.state.holder = holder = ServiceHolder()     # nothing loading yet (no lifespan)
    c = TestClient(app)
    r = c.get("/healthz")
    assert r.status_code == 503 and r.json()["ready"] is False
    r = c.post("/api/ask", json={"question": NONG_TRANG})
    assert r.status_code == 503 and "khởi động" in r.json()["detail"]

    def slow():
        time.sleep(0.3)
        return seed_service

    holder.start_loading(slow)
    assert c.get("/healthz").status_code == 503
    assert holder.wait(30)
    r = c.get("/healthz")
    assert r.status_code == 200 and r.json()["ready"] is True
    assert c.post("/api/ask", json={"question": NONG_TRANG}).status_code == 200


def test_healthz_reports_the_index(client):
    r = client.get("/healthz")
    info = r.json()
    assert r.status_code == 200 and info["status"] == "ok" and info["ready"] is True
    assert info["index_loaded"] is True and info["articles"] == 5 and info["paragraphs"] == 70
    assert info["embedding_model"] and info["index_built_at"]


def test_article_page_has_anchors_and_escapes(live_xss_app):
    import httpx

    r = httpx.get(live_xss_app.url + "/articles/000_979beda71dc56cf9")
    assert r.status_code == 200 and 'id="p1"' in r.text and 'id="p10"' in r.text
    assert "script-src" not in r.headers["content-security-policy"]  # default-src 'none': no script at all
    r = httpx.get(live_xss_app.url + "/articles/900_xss")
    assert r.status_code == 200
    assert "<script" not in r.text and "<img" not in r.text
    assert "&lt;img src=x onerror=&quot;window.__pwned=2;alert(1)&quot;&gt;" in r.text
    r = httpx.get(live_xss_app.url + "/articles/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    assert r.status_code == 404 and "<img" not in r.text and "&lt;img src=x onerror=alert(1)&gt;" in r.text


def test_eight_concurrent_clients_get_the_same_answers_as_one(client):
    questions = [
        NONG_TRANG,
        "Đại hội Đảng bộ phường Quang Trung đề ra bao nhiêu chỉ tiêu chủ yếu?",
        "Phường Thanh Miếu được sáp nhập từ những phường, xã nào?",
        "Phường Đông Sơn đặt mốc năm nào để đạt tiêu chí đô thị văn minh?",
    ]
    expected = {q: client.post("/api/ask", json={"question": q}).json() for q in questions}
    jobs = questions * 8
    with cf.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda q: (q, client.post("/api/ask", json={"question": q})), jobs))
    for q, r in results:
        assert r.status_code == 200
        assert r.json() == expected[q]


class _Broken:
    """A service whose answering fails unexpectedly."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def ask(self, question, history=()):
        raise RuntimeError("index file vanished")


def test_an_unexpected_failure_is_a_vietnamese_500_not_a_traceback(seed_service, tmp_path):
    app = create_app(app_settings(tmp_path), service=_Broken(seed_service))
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/api/ask", json={"question": NONG_TRANG})
    assert r.status_code == 500 and "thử lại" in r.json()["detail"]
    assert "vanished" not in r.text


def test_start_up_builds_the_service_once_then_reports_ready(seeds_index, tmp_path):
    """The real lifespan: ``create_app`` without a service builds it in the background."""
    import shutil

    from settings import Settings

    shutil.copytree(seeds_index.generation.parent, tmp_path / "index", symlinks=True)
    settings = Settings(corpus_dir=SEEDS, index_dir=tmp_path / "index", data_dir=tmp_path / "data")
    with TestClient(create_app(settings)) as c:
        holder = c.app.state.holder
        assert holder.wait(120), holder.error
        r = c.get("/healthz")
        assert r.status_code == 200 and r.json()["articles"] == 5
        assert c.post("/api/ask", json={"question": NONG_TRANG}).json()["citations"]
