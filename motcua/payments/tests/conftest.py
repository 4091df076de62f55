"""The gateway simulator as its own process (python -m motcua.payments.simulator) on a free
port, sending its IPNs to Django's live server: the protocol end to end, nothing mocked."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest

from motcua.demo.companions import _answers, free_port
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.conftest import advance
from motcua.dossiers.tests.factories import make_world


@dataclass
class Sim:
    base: str
    tmn_code: str
    secret: str

    def control(self, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base + path, data=data, method="GET" if data is None else "POST"
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read().decode())

    def mode(self, mode: str, **kw):
        return self.control("/_control/mode", {"mode": mode, **kw})

    def ipn_log(self, txn_ref: str) -> list[dict]:
        return [e for e in self.control("/_control/ipn-log") if e["txn_ref"] == txn_ref]


@pytest.fixture(scope="session")
def simulator(live_server):
    port = free_port()
    tmn, secret = "MOTCUAT1", secrets.token_hex(32)
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "motcua.payments.simulator",
            "--port",
            str(port),
            "--tmn-code",
            tmn,
            "--hash-secret",
            secret,
            "--ipn-url",
            f"{live_server.url}/thanh-toan/vnpay/ipn/",
        ]
    )
    deadline = time.monotonic() + 30
    while not _answers("127.0.0.1", port):
        assert proc.poll() is None, "the simulator exited"
        assert time.monotonic() < deadline, "the simulator does not answer"
        time.sleep(0.05)
    yield Sim(f"http://127.0.0.1:{port}", tmn, secret)
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def gw(simulator, settings, transactional_db):
    settings.MOTCUA_VNPAY_TMN_CODE = simulator.tmn_code
    settings.MOTCUA_VNPAY_HASH_SECRET = simulator.secret
    settings.MOTCUA_VNPAY_PAY_URL = simulator.base + "/paymentv2/vpcpay.html"
    settings.MOTCUA_VNPAY_API_URL = simulator.base + "/merchant_webapi/api/transaction"
    settings.MOTCUA_VNPAY_EXPIRE_MINUTES = 15
    simulator.mode("normal")
    return simulator


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def waiting(world):
    """A dossier of the world's citizen waiting for its 8.000 đồng (status 6)."""
    return advance(world, Status.FINANCIAL_OBLIGATION)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browse(url: str, data: dict | None = None) -> tuple[int, str, str]:
    """(status, body, Location) of one request as a browser would send it, redirects not
    followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    body = None if data is None else urllib.parse.urlencode(data).encode()
    try:
        with opener.open(url, data=body, timeout=60) as r:
            return r.status, r.read().decode(), r.headers.get("Location", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers.get("Location", "")


def checkout(url: str, outcome: str, bank: str = "NCB", card: str = "ATM") -> tuple[str, str]:
    """Open the gateway's page at `url` and press a button: (txn_ref, the return URL)."""
    status, page, _ = browse(url)
    assert status == 200, page
    ref = re.search(r'name="txn_ref" value="([^"]+)"', page).group(1)
    base = url.split("/paymentv2/")[0]
    status, body, location = browse(
        base + "/paymentv2/pay", {"txn_ref": ref, "outcome": outcome, "bank": bank, "card": card}
    )
    assert status == 302, body
    return ref, location


# ------------------------------------------- the national portal's payment platform


@dataclass
class Platform:
    base: str
    partner: str
    key: str

    def control(self, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base + path, data=data, method="GET" if data is None else "POST"
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read().decode())

    def callbacks(self, ref: str) -> list[dict]:
        return [e for e in self.control("/_control/log") if e["ref"] == ref]


@pytest.fixture(scope="session")
def platform_process(live_server):
    """The national platform simulator in its own process, its callback and return to the
    live server."""
    port = free_port()
    partner, key = "MOTCUA-DVCQG", secrets.token_hex(24)
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "motcua.payments.dvcqg_simulator",
            "--port",
            str(port),
            "--partner-code",
            partner,
            "--hash-key",
            key,
            "--callback-url",
            f"{live_server.url}/thanh-toan/dvcqg/dpnhankqthanhtoanhs/",
            "--return-url",
            f"{live_server.url}/thanh-toan/dvcqg/ket-qua/",
        ]
    )
    deadline = time.monotonic() + 30
    while not _answers("127.0.0.1", port):
        assert proc.poll() is None, "the simulator exited"
        assert time.monotonic() < deadline, "the simulator does not answer"
        time.sleep(0.05)
    yield Platform(f"http://127.0.0.1:{port}", partner, key)
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def platform(platform_process, settings, transactional_db):
    p = platform_process
    settings.MOTCUA_DVCQG_PARTNER_CODE = p.partner
    settings.MOTCUA_DVCQG_HASH_KEY = p.key
    settings.MOTCUA_DVCQG_INIT_URL = p.base + "/api/khoitao"
    settings.MOTCUA_DVCQG_QUERY_URL = p.base + "/api/laybienlai"
    p.control("/_control/mode", {"mode": "normal"})
    return p
