"""Try the Zalo webhook locally: sign and send one event as Zalo would, or stand in for the OA API.

    # terminal 1: a stand-in OA API that prints every reply the bot sends
    python scripts/zalo_send_sample.py fake-oa --port 8089
    # terminal 2: the app, pointed at it
    ZALO_APP_ID=123 ZALO_OA_SECRET_KEY=s3cret ZALO_ACCESS_TOKEN=local \\
    ZALO_OA_API_BASE=http://127.0.0.1:8089 ZALO_OAUTH_BASE=http://127.0.0.1:8089 make run
    # terminal 3: a signed message (same ZALO_APP_ID / ZALO_OA_SECRET_KEY in the environment)
    ZALO_APP_ID=123 ZALO_OA_SECRET_KEY=s3cret \\
    python scripts/zalo_send_sample.py send --text "Phường Quang Trung đề ra bao nhiêu chỉ tiêu?"

The app id and OA secret key come from the same settings the app reads (``ZALO_APP_ID``,
``ZALO_OA_SECRET_KEY``); ``--secret`` signs with another key to see a 401.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from settings import get_settings  # noqa: E402
from webapp.zalo import SIGNATURE_HEADER, WEBHOOK_PATH, sign_event  # noqa: E402


def build_event(args: argparse.Namespace, app_id: str) -> bytes:
    timestamp = str(int(time.time() * 1000) - args.age * 1000)
    event: dict = {"app_id": app_id, "user_id_by_app": "sample-" + args.user,
                   "event_name": args.event, "timestamp": timestamp}
    if args.event == "follow":
        event["follower"] = {"id": args.user}
    else:
        event["sender"] = {"id": args.user}
        event["recipient"] = {"id": "sample-oa"}
        event["message"] = {"text": args.text, "msg_id": args.msg_id or uuid.uuid4().hex}
    return json.dumps(event, ensure_ascii=False).encode()


def cmd_send(args: argparse.Namespace) -> int:
    settings = get_settings()
    app_id, secret = settings.zalo_app_id, args.secret or settings.zalo_oa_secret_key
    if not app_id or not secret:
        print("Chưa đặt ZALO_APP_ID và ZALO_OA_SECRET_KEY (phải giống với ứng dụng đang chạy).",
              file=sys.stderr)
        return 2
    url = args.url or f"http://{settings.host}:{settings.port}{WEBHOOK_PATH}"
    raw = build_event(args, app_id)
    timestamp = json.loads(raw)["timestamp"]
    headers = {SIGNATURE_HEADER: sign_event(app_id, raw, timestamp, secret),
               "Content-Type": "application/json"}
    try:
        resp = httpx.post(url, content=raw, headers=headers, timeout=10)
    except httpx.HTTPError as err:
        print(f"Không gửi được tới {url}: {err}", file=sys.stderr)
        return 1
    print(raw.decode())
    print(f"-> HTTP {resp.status_code} {resp.text}")
    return 0 if resp.status_code == 200 else 1


def cmd_fake_oa(args: argparse.Namespace) -> int:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path.endswith("/v3.0/oa/message/cs"):
                body = json.loads(raw)
                print(f"--- reply to {body['recipient']['user_id']}:\n{body['message']['text']}\n",
                      flush=True)
                out = {"error": 0, "message": "Success", "data": {"message_id": uuid.uuid4().hex}}
            elif self.path.endswith("/v4/oa/access_token"):
                out = {"access_token": "local-" + uuid.uuid4().hex[:8],
                       "refresh_token": "local-" + uuid.uuid4().hex[:8], "expires_in": "90000"}
            else:
                out = {"error": 404, "message": "unknown endpoint"}
            data = json.dumps(out).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"OA API giả lập tại http://127.0.0.1:{args.port} (Ctrl+C để dừng)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    send = sub.add_parser("send", help="sign and send one event to a running app")
    send.add_argument("--url", help="webhook URL (default: http://HOIDAP_HOST:HOIDAP_PORT/webhooks/zalo)")
    send.add_argument("--event", default="user_send_text",
                      choices=["user_send_text", "follow", "user_send_sticker", "user_seen_message"])
    send.add_argument("--text", default="Phường Quang Trung đề ra bao nhiêu chỉ tiêu chủ yếu?")
    send.add_argument("--user", default="1001", help="sender.id (replies go to this user)")
    send.add_argument("--msg-id", help="message.msg_id (reuse one to see deduplication)")
    send.add_argument("--age", type=int, default=0, help="make the timestamp this many seconds old")
    send.add_argument("--secret", help="sign with this key instead of ZALO_OA_SECRET_KEY")
    send.set_defaults(func=cmd_send)
    fake = sub.add_parser("fake-oa", help="stand in for the OA API and print the replies")
    fake.add_argument("--port", type=int, default=8089)
    fake.set_defaults(func=cmd_fake_oa)
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("send", "fake-oa", "-h", "--help"):
        argv.insert(0, "send")  # "send" is the default command
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
