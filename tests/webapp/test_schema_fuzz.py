"""Schemathesis against the app's own OpenAPI schema, in process (ASGI): every generated
request (examples, boundary/negative coverage cases, random fuzzing) must get a response that
is not a 5xx and conforms to the schema (status code, content type, headers, body).

The app is the real one over the seed index with admin routes enabled (a token that the
generated requests do not know, so they exercise the 401 paths, never a reindex) and the Zalo
webhook configured (unsigned calls: 401). Examples per operation: HOIDAP_FUZZ_EXAMPLES
(default 20; the standalone pass in the report used 300). The number of cases is printed.
"""
from __future__ import annotations

import collections
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis

from settings import Settings

MAX_EXAMPLES = int(os.environ.get("HOIDAP_FUZZ_EXAMPLES", "20"))
CASES: collections.Counter[str] = collections.Counter()
STATUSES: collections.Counter[int] = collections.Counter()


def _app():
    """The app without a service: the OpenAPI schema does not depend on it, and schemathesis
    needs the schema when the tests are collected. The real service is swapped in below."""
    from app import create_app

    tmp = Path(tempfile.mkdtemp(prefix="hoidap-fuzz-"))
    settings = Settings(data_dir=tmp / "data", index_dir=tmp / "index", corpus_dir=tmp / "corpus",
                        admin_token="fuzz-token-never-sent", zalo_app_id="fuzz-app",
                        zalo_oa_secret_key="fuzz-secret")
    return create_app(settings)


def _config() -> schemathesis.Config:
    """Every built-in check, with one addition: a body over the byte limit is refused with 413
    (documented on every operation), which is a rejection like 422 for schemathesis' negative
    and positive data checks. (The schema allows, say, 40 turns of history of 8,000 characters;
    the app takes 64 KiB.)"""
    from schemathesis.config._checks import (
        NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES as rejected, POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES as accepted,
    )

    return schemathesis.Config.from_dict({
        "checks": {"negative_data_rejection": {"expected-statuses": [*rejected, "413"]},
                   "positive_data_acceptance": {"expected-statuses": [*accepted, "413"]}},
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
    })


class _OneLifespan:
    """The app without its lifespan. schemathesis starts and stops an ASGI app's lifespan around
    every test (one per operation); the app's is one-shot like a server process's (stopping it
    closes the Zalo bot and the feedback store for good), and with the service given up front
    it has nothing to start."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            return await self.app(scope, receive, send)
        while (message := await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})


APP = _app()
schema = schemathesis.openapi.from_dict(APP.openapi(), config=_config())
schema.app = _OneLifespan(APP)


@pytest.fixture(scope="module", autouse=True)
def _real_service(seed_service):
    """The real service over the seed index, put in with the same hot swap the admin uses.
    (``schemathesis.pytest.from_fixture`` would be the natural way, but it breaks on pytest 9.)"""
    APP.state.holder.reload(lambda _old: seed_service)
    yield
    shutil.rmtree(APP.state.settings.data_dir.parent, ignore_errors=True)


@schema.parametrize()
def test_no_server_error_and_responses_match_the_schema(case):
    CASES[case.operation.label] += 1
    response = case.call()
    STATUSES[response.status_code] += 1
    case.validate_response(response)  # every check enabled by default, not_a_server_error included


def test_zz_report_the_number_of_cases(capsys):
    """Runs after the fuzz test (file order): at least one case per operation, and the count."""
    total = sum(CASES.values())
    with capsys.disabled():
        print(f"\nschemathesis: {total} cases over {len(CASES)} operations "
              f"(max_examples={MAX_EXAMPLES}); statuses {dict(sorted(STATUSES.items()))}")
        for label, n in sorted(CASES.items()):
            print(f"  {n:5d}  {label}")
    assert len(CASES) >= 8 and total >= 8 * 5
    assert not [s for s in STATUSES if s >= 500]
