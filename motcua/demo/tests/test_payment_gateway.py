"""`motcua demo --serve` starts the payment gateway simulator: its own process, answering on
its port, with the settings pointing motcua at it (a fresh secret per run)."""

from __future__ import annotations

import json
import os
import urllib.request

from django.conf import settings

from motcua.demo import companions
from motcua.demo.payment_gateway import gateway_simulator, national_platform_simulator

KEYS = (
    "MOTCUA_VNPAY_TMN_CODE",
    "MOTCUA_VNPAY_HASH_SECRET",
    "MOTCUA_VNPAY_PAY_URL",
    "MOTCUA_VNPAY_API_URL",
    "MOTCUA_VNPAY_SETTLEMENT_URL",
    "MOTCUA_DVCQG_PARTNER_CODE",
    "MOTCUA_DVCQG_HASH_KEY",
    "MOTCUA_DVCQG_INIT_URL",
    "MOTCUA_DVCQG_QUERY_URL",
)


def test_the_demo_starts_the_gateway_simulator():
    assert "motcua.demo.payment_gateway.gateway_simulator" in companions.FACTORIES
    before = {k: getattr(settings, k) for k in KEYS}
    env_before = {k: os.environ.get(k) for k in KEYS}
    first, second = gateway_simulator(), gateway_simulator()
    assert first.settings["MOTCUA_VNPAY_HASH_SECRET"] != second.settings["MOTCUA_VNPAY_HASH_SECRET"]
    ipn = first.argv[first.argv.index("--ipn-url") + 1]
    assert ipn == settings.MOTCUA_PUBLIC_URL.rstrip("/") + "/thanh-toan/vnpay/ipn/"
    proc = companions.start(first)
    try:
        with urllib.request.urlopen(  # noqa: S310 (our own simulator on 127.0.0.1)
            f"http://127.0.0.1:{first.port}/_control/health", timeout=10
        ) as r:
            assert json.loads(r.read()) == {"ok": True}
        assert (
            f"http://127.0.0.1:{first.port}/paymentv2/vpcpay.html"
        ) == settings.MOTCUA_VNPAY_PAY_URL
    finally:
        companions._stop(proc)
        for k, v in before.items():
            setattr(settings, k, v)
        for k, v in env_before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert proc.poll() is not None


def test_the_demo_starts_the_national_platform_simulator():
    assert "motcua.demo.payment_gateway.national_platform_simulator" in companions.FACTORIES
    assert "{date}" in gateway_simulator().settings["MOTCUA_VNPAY_SETTLEMENT_URL"]
    before = {k: getattr(settings, k) for k in KEYS}
    env_before = {k: os.environ.get(k) for k in KEYS}
    first = national_platform_simulator()
    callback = first.argv[first.argv.index("--callback-url") + 1]
    assert callback == (
        settings.MOTCUA_PUBLIC_URL.rstrip("/") + "/thanh-toan/dvcqg/dpnhankqthanhtoanhs/"
    )
    back = first.argv[first.argv.index("--return-url") + 1]
    assert back == settings.MOTCUA_PUBLIC_URL.rstrip("/") + "/thanh-toan/dvcqg/ket-qua/"
    proc = companions.start(first)
    try:
        with urllib.request.urlopen(  # noqa: S310 (our own simulator on 127.0.0.1)
            f"http://127.0.0.1:{first.port}/_control/health", timeout=10
        ) as r:
            assert json.loads(r.read()) == {"ok": True}
        assert f"http://127.0.0.1:{first.port}/api/khoitao" == settings.MOTCUA_DVCQG_INIT_URL
    finally:
        companions._stop(proc)
        for k, v in before.items():
            setattr(settings, k, v)
        for k, v in env_before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert proc.poll() is not None
