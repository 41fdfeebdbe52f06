"""Hostile and malformed requests against the running app (uvicorn on loopback): oversized
bodies with and without Content-Length, and article ids that try to leave the index."""
from __future__ import annotations

import socket

import httpx
import pytest

from settings import ROOT, Settings
from webapp.limits import too_large_message
from webapp.safe_names import is_safe_article_id, safe_upload_name

from tests.webapp.conftest import LiveServer

NONG_TRANG = "Ai là Bí thư Đảng ủy phường Nông Trang?"
SEED_ID = "000_979beda71dc56cf9"
TOKEN = "hardening-test-token-1234"
UPLOAD_LIMIT = 256 * 1024
# text that must never come back: settings.py, two levels above /api/articles
SECRET_MARKER = "HOIDAP_ADMIN_TOKEN"


@pytest.fixture(scope="module")
def live(seed_service, tmp_path_factory):
    from app import create_app

    tmp = tmp_path_factory.mktemp("hardening")
    settings = Settings(data_dir=tmp / "data", index_dir=tmp / "index", corpus_dir=tmp / "corpus",
                        admin_token=TOKEN, max_upload_bytes=UPLOAD_LIMIT)
    with LiveServer(create_app(settings, service=seed_service)) as server:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            server.client = client
            yield server


def _vi(text: str) -> bool:
    return any(ord(ch) > 127 for ch in text)


def _chunks(total: int, size: int = 8192):
    """A body sent with Transfer-Encoding: chunked (httpx sends no Content-Length for it)."""
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield b" " * n
        sent += n


def _raw(server: LiveServer, request: bytes) -> tuple[int, bytes]:
    """One HTTP/1.1 request written byte for byte (no client-side URL normalisation)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


# --- body size ---------------------------------------------------------------------------------

def test_default_limits():
    s = Settings()
    assert s.max_body_bytes == 64 * 1024 and s.max_upload_bytes == 20 * 1024 * 1024


def test_small_bodies_still_work_with_and_without_content_length(live):
    r = live.client.post("/api/ask", json={"question": NONG_TRANG})
    assert r.status_code == 200 and r.json()["citations"]
    body = ('{"question": "%s"}' % NONG_TRANG).encode()
    r = live.client.post("/api/ask", content=iter([body[:10], body[10:]]),
                         headers={"content-type": "application/json"})
    assert "content-length" not in r.request.headers and r.request.headers["transfer-encoding"] == "chunked"
    assert r.status_code == 200 and r.json()["citations"]


def test_oversized_body_is_413_by_content_length(live):
    question = "a" * (70 * 1024)
    r = live.client.post("/api/ask", json={"question": question})
    assert int(r.request.headers["content-length"]) > 64 * 1024
    assert r.status_code == 413
    assert r.json()["detail"] == too_large_message(64 * 1024) and "64 KiB" in r.json()["detail"]


def test_oversized_body_is_413_when_streamed_without_content_length(live):
    r = live.client.post("/api/ask", content=_chunks(200 * 1024), headers={"content-type": "application/json"})
    assert "content-length" not in r.request.headers
    assert r.status_code == 413 and _vi(r.json()["detail"]) and "64 KiB" in r.json()["detail"]


def test_a_lying_content_length_is_caught_by_counting(live):
    """Content-Length under the limit, more bytes in chunks: the count still stops it."""
    status, data = _raw(live, b"POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                              + b"".join(b"%x\r\n%s\r\n" % (8192, b"x" * 8192) for _ in range(10)) + b"0\r\n\r\n")
    assert status == 413 and "Nội dung gửi lên quá lớn".encode() in data


def test_zalo_webhook_keeps_the_normal_limit(live):
    r = live.client.post("/webhooks/zalo", content=b"{" + b" " * (70 * 1024) + b"}",
                         headers={"content-type": "application/json"})
    assert r.status_code == 413 and _vi(r.json()["detail"])
    r = live.client.post("/webhooks/zalo", content=_chunks(70 * 1024), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_admin_upload_gets_the_larger_limit(live):
    files = {"files": ("a.txt", b"x" * (100 * 1024), "text/plain")}
    r = live.client.post("/api/admin/articles", files=files)  # over 64 KiB, under the upload limit
    assert r.status_code == 401                                  # refused for the token, not the size
    files = {"files": ("a.txt", b"x" * (UPLOAD_LIMIT + 1), "text/plain")}
    r = live.client.post("/api/admin/articles", files=files, headers={"authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 413 and "256 KiB" in r.json()["detail"]
    head = b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\n'
    r = live.client.post("/api/admin/articles", content=iter([head, *_chunks(UPLOAD_LIMIT + 10)]),
                         headers={"authorization": f"Bearer {TOKEN}",
                                  "content-type": "multipart/form-data; boundary=xyz"})
    assert r.status_code == 413 and _vi(r.json()["detail"])


def test_gradio_routes_are_not_held_to_the_api_limit(live):
    """Gradio's event payloads carry the whole conversation: 100 KB reaches Gradio (which then
    judges the payload itself); past the upload limit it is refused before."""
    payload = {"data": ["x" * (100 * 1024)], "fn_index": 0, "session_hash": "abc", "event_data": None}
    r = live.client.post("/gradio_api/queue/join", json=payload)
    assert r.status_code != 413
    r = live.client.post("/gradio_api/queue/join", content=_chunks(UPLOAD_LIMIT + 10),
                         headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert live.client.get("/").status_code == 200  # the UI still loads


# --- article ids -------------------------------------------------------------------------------

TRAVERSALS = [
    "%2e%2e", "%2E%2E", ".%2e", "%2e%2e%2f%2e%2e%2fsettings.py", "..%2f..%2fsettings.py",
    "..%5c..%5csettings.py", "%252e%252e%252f%252e%252e%252fsettings.py", "%25252e%25252e",
    "a%00b", "%00", "%2fetc%2fpasswd", "a%2fb", "a%5cb", "x" * 121, "%2e", ".hidden", "a..b",
    "%c0%ae%c0%ae%c0%af", "..%c0%af", "%0d%0aSet-Cookie:%20x=1",
]


@pytest.mark.parametrize("raw_id", TRAVERSALS)
def test_traversal_ids_are_rejected_by_the_api(live, raw_id):
    r = live.client.get(f"/api/articles/{raw_id}")
    assert r.request.url.raw_path == f"/api/articles/{raw_id}".encode()  # sent as written
    assert r.status_code in (404, 422), r.text
    assert _vi(r.json()["detail"]) and SECRET_MARKER not in r.text


@pytest.mark.parametrize("raw_id", TRAVERSALS)
def test_traversal_ids_are_rejected_by_the_article_page(live, raw_id):
    r = live.client.get(f"/articles/{raw_id}")
    assert r.status_code in (404, 422)
    assert SECRET_MARKER not in r.text and "set-cookie" not in r.headers


@pytest.mark.parametrize("raw_id", TRAVERSALS)
def test_traversal_ids_are_rejected_by_admin_delete(live, raw_id):
    r = live.client.delete(f"/api/admin/articles/{raw_id}", headers={"authorization": f"Bearer {TOKEN}"})
    assert r.status_code in (404, 422), r.text
    assert _vi(r.json()["detail"]) and SECRET_MARKER not in r.text


@pytest.mark.parametrize("path", [
    "/api/articles/../../settings.py", "/articles/../../settings.py", "/api/articles/..", "/articles/..",
    "/api/articles/%2e%2e/%2e%2e/settings.py", "/articles/..\\..\\settings.py", "/api/articles/a\\..\\b",
])
def test_literal_dot_segments_sent_raw(live, path):
    """httpx would normalise "../" away; these go over a bare socket exactly as written."""
    status, data = _raw(live, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    assert status in (400, 404, 422), data[:300]
    assert SECRET_MARKER.encode() not in data


def test_a_real_article_is_still_served(live):
    assert live.client.get(f"/api/articles/{SEED_ID}").status_code == 200
    assert live.client.get(f"/articles/{SEED_ID}").status_code == 200
    r = live.client.get("/api/articles/..")  # httpx makes this /api, which is not a route either
    assert r.status_code == 404


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd.txt", "passwd.txt"), ("..\\..\\win.ini.md", "win.ini.md"),
    ("C:\\Users\\a\\Đại hội.TXT", "Đại_hội.txt"), (".bashrc.txt", "bashrc.txt"), ("a..b.txt", "a.b.txt"),
    ("x\x00y.pdf", "xy.pdf"), ("%2e%2e%2fx.txt", "2e_2e_2fx.txt"), ("...", None), ("/", None),
    ("tin (1).docx", "tin_1.docx"), ("Tin tức (bản cuối)..html", "Tin_tức_bản_cuối.html"),
])
def test_upload_names_are_sanitised(name, expected):
    assert safe_upload_name(name) == expected
    if expected:
        assert is_safe_article_id(expected.rsplit(".", 1)[0])


def test_the_secret_marker_is_really_in_settings_py():
    """Keeps the leak checks above meaningful."""
    assert (ROOT / "settings.py").read_text(encoding="utf-8").count(SECRET_MARKER) >= 1


# --- several workers ---------------------------------------------------------------------------

def test_the_multi_worker_listener_turns_on_tcp_nodelay():
    """HOIDAP_WORKERS>1 serves from ``webapp.serve.tcp_listener``: connections accepted on it get
    TCP_NODELAY from asyncio (uvicorn's own multi-worker socket does not, uvicorn #3149)."""
    import asyncio

    import uvicorn

    from webapp.serve import tcp_listener

    sock = tcp_listener(uvicorn.Config("app:create_app", factory=True, host="127.0.0.1", port=0, workers=2))
    assert sock.proto == socket.IPPROTO_TCP and sock.get_inheritable()

    async def accepted_nodelay() -> int:
        loop = asyncio.get_running_loop()
        seen: asyncio.Future[int] = loop.create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport):
                seen.set_result(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await loop.create_server(Probe, sock=sock)
        _, writer = await asyncio.open_connection("127.0.0.1", sock.getsockname()[1])
        try:
            return await asyncio.wait_for(seen, 10)
        finally:
            writer.close()
            server.close()

    assert asyncio.run(accepted_nodelay()) != 0
