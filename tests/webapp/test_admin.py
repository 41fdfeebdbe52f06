"""Admin routes over real HTTP (uvicorn on loopback): token checks, uploads that become
answerable at once, bad files that change nothing, removal, full reindex with the service
hot-swapped while questions keep being answered, and a second "worker" following the index.

Each app works on its own copy of the seeds (corpus and index under tmp_path); the
repository's seeds/ and var/ are never touched."""
from __future__ import annotations

import shutil
import threading
import time

import httpx
import pytest

from settings import Settings
from webapp.admin import BUSY_MESSAGE

from tests.webapp.conftest import SEEDS, LiveServer, make_service

TOKEN = "admin-test-token-0123456789"
AUTH = {"authorization": f"Bearer {TOKEN}"}
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))

HOA_SEN = (
    " date 2025-12-02 Phường Hoa Sen khánh thành cầu Bạch Đằng mới\n\n"
    "Ngày 2/12/2025, phường Hoa Sen tổ chức lễ khánh thành cầu Bạch Đằng mới bắc qua sông Lục Nam.\n\n"
    "Cầu Bạch Đằng mới dài 412 mét, rộng 14 mét, tổng mức đầu tư 186 tỷ đồng từ ngân sách tỉnh.\n\n"
    "Ông Trần Văn Khải, Chủ tịch UBND phường Hoa Sen, cho biết cây cầu rút ngắn 9 km đường đi cho người dân.\n"
)
HOA_SEN_Q = "Cầu Bạch Đằng mới ở phường Hoa Sen dài bao nhiêu mét?"
LAC_DAO = (
    " date 2025-12-03 Phường Lạc Đạo mở thư viện số\n\n"
    "Phường Lạc Đạo vừa đưa vào sử dụng thư viện số với 3.500 đầu sách điện tử phục vụ học sinh.\n\n"
    "Thư viện số mở cửa từ 7 giờ đến 21 giờ tất cả các ngày trong tuần.\n"
)
LAC_DAO_Q = "Thư viện số của phường Lạc Đạo có bao nhiêu đầu sách điện tử?"


def _vi(text: str) -> bool:
    return any(ord(ch) > 127 for ch in text)


@pytest.fixture(scope="module")
def env(seeds_index, tmp_path_factory):
    """A corpus + index copied from the seeds, a real service over it, the app on loopback."""
    from app import create_app

    tmp = tmp_path_factory.mktemp("admin")
    corpus = tmp / "corpus"
    shutil.copytree(SEEDS, corpus)
    service = make_service(corpus, tmp, warm_from=(seeds_index.generation.parent,))
    settings = Settings(corpus_dir=corpus, index_dir=tmp / "index", data_dir=tmp / "data", admin_token=TOKEN)
    app = create_app(settings, service=service)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        server.app, server.client, server.tmp, server.corpus = app, client, tmp, corpus
        yield server


def _ask(client: httpx.Client, question: str) -> dict:
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 200, r.text
    return r.json()


def _article_ids(client: httpx.Client) -> list[str]:
    return sorted(a["article_id"] for a in client.get("/api/articles").json())


# --- access ------------------------------------------------------------------------------------

def test_admin_is_disabled_without_a_token(seed_service, tmp_path):
    from app import create_app

    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus")
    assert settings.admin_token == ""
    transport = httpx.ASGITransport(app=create_app(settings, service=seed_service))

    async def calls() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return [await c.post("/api/admin/reindex", headers={"authorization": "Bearer "}),
                    await c.post("/api/admin/reindex", headers=AUTH),
                    await c.post("/api/admin/articles", headers=AUTH, files={"files": ("a.txt", b"x")}),
                    await c.delete(f"/api/admin/articles/{SEED_IDS[0]}", headers=AUTH),
                    await c.get("/admin"),
                    await c.post("/admin/reindex", data={"token": ""}),
                    await c.post("/admin/articles", data={"token": TOKEN}, files={"files": ("a.txt", b"x")})]

    import asyncio

    for r in asyncio.run(calls()):
        assert r.status_code == 404, (r.request.url, r.text)
        assert _vi(r.text)
    assert not (tmp_path / "corpus").exists() and not (tmp_path / "index").exists()


@pytest.mark.parametrize("headers", [
    {}, {"authorization": "Bearer"}, {"authorization": "Bearer wrong-token"},
    {"authorization": f"Bearer {TOKEN}x"}, {"authorization": f"Bearer {TOKEN[:-1]}"},
    {"authorization": f"Basic {TOKEN}"}, {"authorization": TOKEN}, {"x-admin-token": TOKEN},
])
def test_missing_or_wrong_token_is_401_in_vietnamese(env, headers):
    before = sorted(p.name for p in env.corpus.iterdir())
    for method, path, kwargs in [("POST", "/api/admin/reindex", {}),
                                 ("POST", "/api/admin/articles", {"files": {"files": ("x.txt", HOA_SEN.encode())}}),
                                 ("DELETE", f"/api/admin/articles/{SEED_IDS[0]}", {})]:
        r = env.client.request(method, path, headers=headers, **kwargs)
        assert r.status_code == 401, (path, r.text)
        assert "mã quản trị" in r.json()["detail"] and r.headers["www-authenticate"] == "Bearer"
    assert sorted(p.name for p in env.corpus.iterdir()) == before


def test_html_forms_check_the_token_too(env):
    r = env.client.post("/admin/reindex", data={"token": "wrong"})
    assert r.status_code == 401 and "Sai mã quản trị" in r.text
    r = env.client.post("/admin/delete", data={"token": "", "article_id": SEED_IDS[0]})
    assert r.status_code == 401
    before = sorted(p.name for p in env.corpus.iterdir())
    r = env.client.post("/admin/articles", data={"token": "wrong"}, files={"files": ("x.txt", HOA_SEN.encode())})
    assert r.status_code == 401
    assert sorted(p.name for p in env.corpus.iterdir()) == before


def test_admin_page_is_plain_escaped_html(env):
    r = env.client.get("/admin")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<form method="post" action="/admin/articles" enctype="multipart/form-data">' in html
    assert 'type="password"' in html and 'type="file"' in html and "Xây lại chỉ mục" in html
    assert "<script" not in html and "script-src" not in r.headers["content-security-policy"]
    assert "form-action 'self'" in r.headers["content-security-policy"]
    assert TOKEN not in html
    for aid in SEED_IDS:
        assert aid in html


# --- uploads -----------------------------------------------------------------------------------

def test_an_uploaded_article_is_answerable_right_after(env):
    before = _ask(env.client, HOA_SEN_Q)   # cached by the old service
    assert all(c["article_id"] != "hoa_sen" for c in before["citations"])
    old_service = env.app.state.holder.get()

    r = env.client.post("/api/admin/articles", headers=AUTH,
                        files={"files": ("C:\\Tin\\hoa sen.txt", HOA_SEN.encode(), "text/plain")})
    assert r.status_code == 200, r.text
    body = r.json()
    [f] = body["files"]
    # (python-multipart already drops a Windows path; our sanitiser does the rest)
    assert f["filename"] == "hoa sen.txt" and f["saved_as"] == "hoa_sen.txt"
    assert f["status"] == "added" and f["article_id"] == "hoa_sen" and "hoa sen.txt" in f["message"]
    assert "/tmp" not in f["message"] and body["index"]["articles"] == len(SEED_IDS) + 1
    assert (env.corpus / "hoa_sen.txt").read_text(encoding="utf-8") == HOA_SEN

    assert env.app.state.holder.get() is not old_service          # hot-swapped, no restart
    after = _ask(env.client, HOA_SEN_Q)                            # not the cached answer
    assert not after["abstained"] and after["citations"][0]["article_id"] == "hoa_sen"
    assert "412" in after["answer"]
    assert env.client.get("/api/articles/hoa_sen").json()["title"].startswith("Phường Hoa Sen")
    assert env.client.get("/healthz").json()["articles"] == len(SEED_IDS) + 1


def test_bad_files_get_a_per_file_report_and_lose_nothing(env):
    ids_before = _article_ids(env.client)
    files_before = {p.name: p.read_bytes() for p in env.corpus.iterdir()}
    files = [
        ("files", ("../../thoat.txt", LAC_DAO.encode(), "text/plain")),           # good, name sanitised
        ("files", ("rong.txt", b"", "text/plain")),                                # empty
        ("files", ("nhi-phan.txt", bytes(range(256)) * 40, "text/plain")),         # binary
        ("files", ("virus.exe", b"MZ\x90\x00", "application/octet-stream")),      # unsupported
        ("files", ("hong.pdf", b"%PDF-1.4 not really a pdf", "application/pdf")),  # damaged
        ("files", ("...", b"abc", "text/plain")),                                  # no usable name
        ("files", (f"{SEED_IDS[1]}.md", (SEEDS / f"{SEED_IDS[0]}.txt").read_bytes(), "text/plain")),  # a copy
    ]
    r = env.client.post("/api/admin/articles", headers=AUTH, files=files)
    assert r.status_code == 200, r.text
    report = {f["filename"]: f for f in r.json()["files"]}
    assert report["../../thoat.txt"]["status"] == "added" and report["../../thoat.txt"]["article_id"] == "thoat"
    for name in ("rong.txt", "nhi-phan.txt", "virus.exe", "hong.pdf", "...", f"{SEED_IDS[1]}.md"):
        assert report[name]["status"] == "rejected", report[name]
        assert _vi(report[name]["message"]) and name in report[name]["message"], report[name]
    assert ".exe" in report["virus.exe"]["message"]

    # nothing lost: every earlier file byte for byte, every earlier article still served
    for name, data in files_before.items():
        assert (env.corpus / name).read_bytes() == data
    assert _article_ids(env.client) == sorted(ids_before + ["thoat"])
    assert not (env.tmp.parent / "thoat.txt").exists() and not (env.corpus.parent / "thoat.txt").exists()
    assert _ask(env.client, LAC_DAO_Q)["citations"][0]["article_id"] == "thoat"
    assert _ask(env.client, "Ai là Bí thư Đảng ủy phường Nông Trang?")["citations"][0]["article_id"] == SEED_IDS[1]


def test_an_upload_without_files_is_a_vietnamese_422(env):
    r = env.client.post("/api/admin/articles", headers=AUTH, data={"khac": "1"})
    assert r.status_code == 422 and "files" in r.json()["detail"] and _vi(r.json()["detail"])
    r = env.client.post("/api/admin/articles", headers=AUTH, json={"files": ["a"]})
    assert r.status_code == 422 and _vi(r.json()["detail"])


def test_delete_removes_the_article(env):
    r = env.client.post("/api/admin/articles", headers=AUTH, files={"files": ("xoa_thu.txt", LAC_DAO.replace(
        "Lạc Đạo", "Liên Bảo").encode(), "text/plain")})
    assert r.status_code == 200 and r.json()["files"][0]["status"] == "added"
    assert env.client.get("/api/articles/xoa_thu").status_code == 200

    r = env.client.delete("/api/admin/articles/xoa_thu", headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["article"]["status"] == "removed" and _vi(r.json()["message"])
    assert not (env.corpus / "xoa_thu.txt").exists()
    assert env.client.get("/api/articles/xoa_thu").status_code == 404
    assert "xoa_thu" not in _article_ids(env.client)
    answer = _ask(env.client, "Thư viện số của phường Liên Bảo có bao nhiêu đầu sách điện tử?")
    assert all(c["article_id"] != "xoa_thu" for c in answer["citations"])

    r = env.client.delete("/api/admin/articles/xoa_thu", headers=AUTH)  # already gone
    assert r.status_code == 404 and _vi(r.json()["detail"])
    for sid in SEED_IDS:
        assert (env.corpus / f"{sid}.txt").exists()


def test_html_upload_form_works_with_the_token_field(env):
    r = env.client.post("/admin/articles", data={"token": TOKEN},
                        files={"files": ("<i>bai-html<i>.txt", HOA_SEN.replace("Hoa Sen", "Hồng Hà").encode())})
    assert r.status_code == 200, r.text
    assert "Kết quả tải lên" in r.text and "&lt;i&gt;bai-html&lt;i&gt;.txt" in r.text and "<i>bai" not in r.text
    assert "đã thêm" in r.text and TOKEN not in r.text
    r = env.client.post("/admin/delete", data={"token": TOKEN, "article_id": "i_bai-html_i"})
    assert r.status_code == 200 and "đã xoá" in r.text


# --- reindex, serialisation, hot swap ------------------------------------------------------------

def test_a_second_admin_operation_is_409_while_one_runs(env):
    ops = env.app.state.admin
    with ops.exclusive():  # as if a reindex were running
        r = env.client.post("/api/admin/reindex", headers=AUTH)
        assert r.status_code == 409 and r.json()["detail"] == BUSY_MESSAGE
        r = env.client.delete(f"/api/admin/articles/{SEED_IDS[0]}", headers=AUTH)
        assert r.status_code == 409
        r = env.client.post("/admin/reindex", data={"token": TOKEN})
        assert r.status_code == 409 and "thao tác quản trị khác" in r.text
        assert env.client.post("/api/ask", json={"question": HOA_SEN_Q}).status_code == 200
    assert (env.corpus / f"{SEED_IDS[0]}.txt").exists()


def test_reindex_rebuilds_and_swaps_while_questions_keep_being_answered(env):
    built_before = env.client.get("/healthz").json()["index_built_at"]
    service_before = env.app.state.holder.get()
    result: dict = {}

    def reindex() -> None:
        with httpx.Client(base_url=env.url, timeout=300) as c:
            result["response"] = c.post("/api/admin/reindex", headers=AUTH)
        result["done_at"] = time.monotonic()

    thread = threading.Thread(target=reindex)
    thread.start()
    statuses, during = [], 0
    questions = [HOA_SEN_Q, LAC_DAO_Q, "Ai là Bí thư Đảng ủy phường Nông Trang?"]
    i = 0
    while thread.is_alive():
        r = env.client.post("/api/ask", json={"question": f"{questions[i % 3]} ({i})"})
        i += 1
        statuses.append(r.status_code)
        if thread.is_alive():
            during += 1
    thread.join()
    r = result["response"]
    assert r.status_code == 200, r.text
    info = r.json()["index"]
    assert info["articles"] == len(_article_ids(env.client)) and info["generation"].startswith("gen-")
    assert during >= 1 and set(statuses) == {200}   # answered while the build ran
    assert env.app.state.holder.get() is not service_before
    assert env.client.get("/healthz").json()["index_built_at"] >= built_before
    assert _ask(env.client, HOA_SEN_Q)["citations"][0]["article_id"] == "hoa_sen"


def test_another_worker_follows_the_new_index(env):
    """A second app over the same index dir (as a second uvicorn worker) picks up a generation
    made by the first one, without any request to its admin routes."""
    from app import create_app

    from chatbot.service import build_service

    shared = Settings(corpus_dir=env.corpus, index_dir=env.app.state.settings.index_dir,
                      data_dir=env.tmp / "other-data", admin_token=TOKEN)
    other_service = build_service(shared)  # its own embedder, the same index directory
    other_service_index = other_service.index.generation
    other = create_app(shared, service=other_service)
    holder = other.state.holder
    holder.follow(other.state.admin.index_changed, other.state.admin.fresh_service, every_s=0.05)

    r = env.client.post("/api/admin/articles", headers=AUTH, files={"files": ("theo_doi.txt", LAC_DAO.replace(
        "Lạc Đạo", "Đông Hải").replace("3.500", "4.200").encode())})
    assert r.status_code == 200 and r.json()["files"][0]["status"] == "added"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and holder.get().index.generation == other_service_index:
        time.sleep(0.1)
    fresh = holder.get()
    assert fresh is not other_service and "theo_doi" in {a.article_id for a in fresh.articles()}
    answer = fresh.ask("Thư viện số của phường Đông Hải có bao nhiêu đầu sách điện tử?")
    assert answer.citations and answer.citations[0].article_id == "theo_doi"


def test_a_wrong_method_on_an_admin_route_is_405(env):
    r = env.client.get("/api/admin/reindex", headers=AUTH)
    assert r.status_code == 405 and r.headers["allow"] == "POST" and _vi(r.json()["detail"])
    r = env.client.put(f"/api/admin/articles/{SEED_IDS[0]}", headers=AUTH)
    assert r.status_code == 405 and "DELETE" in r.headers["allow"]
