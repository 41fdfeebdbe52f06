"""scripts/zalo_send_sample.py signs events the way the webhook checks them."""
from __future__ import annotations

import importlib.util

from settings import ROOT
from tests.webapp.zalo.support import APP_ID, OA_SECRET, AppServer, wait_until

_spec = importlib.util.spec_from_file_location("zalo_send_sample", ROOT / "scripts" / "zalo_send_sample.py")
sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sample)


def test_the_sample_script_sends_a_signed_event_that_gets_a_reply(make_bot, oa, monkeypatch, capsys):
    monkeypatch.setenv("ZALO_APP_ID", APP_ID)
    monkeypatch.setenv("ZALO_OA_SECRET_KEY", OA_SECRET)
    bot = make_bot()
    with AppServer(bot) as app:
        assert sample.main(["--url", app.webhook, "--msg-id", "sample-1"]) == 0
        assert sample.main(["send", "--url", app.webhook, "--secret", "wrong"]) == 1
        assert sample.main(["--url", app.webhook, "--age", "600"]) == 1
        assert sample.main(["--url", app.webhook, "--msg-id", "sample-1"]) == 0   # duplicate, 200
        wait_until(lambda: len(oa.delivered()) == 1 and bot.busy() == 0, 30, "the reply")
    out = capsys.readouterr().out
    assert out.count("-> HTTP 401") == 2 and '"duplicate":true' in out
    assert oa.delivered()[0].user_id == "1001" and "Nguồn:" in oa.delivered()[0].text


def test_the_sample_script_refuses_to_run_without_the_keys(monkeypatch, capsys):
    monkeypatch.setenv("ZALO_APP_ID", "")
    monkeypatch.setenv("ZALO_OA_SECRET_KEY", "")
    assert sample.main(["--url", "http://127.0.0.1:9/webhooks/zalo"]) == 2
    assert "ZALO_APP_ID" in capsys.readouterr().err
