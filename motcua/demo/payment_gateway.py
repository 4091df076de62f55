"""The payment gateway simulator (motcua.payments.simulator) as a companion of `motcua demo
--serve`: a fresh terminal code and hash secret per run (no secret in the repository), the
IPN URL the demo server's own (MOTCUA_PUBLIC_URL + /thanh-toan/vnpay/ipn/)."""

from __future__ import annotations

import secrets
import sys

from django.conf import settings

from .companions import Companion, free_port


def gateway_simulator() -> Companion:
    port = free_port()
    tmn_code = "MOTCUA" + secrets.token_hex(1).upper()
    secret = secrets.token_hex(32)
    public = str(getattr(settings, "MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000")).rstrip("/")
    base = f"http://127.0.0.1:{port}"
    return Companion(
        name="Cổng thanh toán mô phỏng (payment gateway simulator)",
        argv=[
            sys.executable,
            "-m",
            "motcua.payments.simulator",
            "--port",
            str(port),
            "--tmn-code",
            tmn_code,
            "--hash-secret",
            secret,
            "--ipn-url",
            f"{public}/thanh-toan/vnpay/ipn/",
        ],
        port=port,
        settings={
            "MOTCUA_VNPAY_TMN_CODE": tmn_code,
            "MOTCUA_VNPAY_HASH_SECRET": secret,
            "MOTCUA_VNPAY_PAY_URL": f"{base}/paymentv2/vpcpay.html",
            "MOTCUA_VNPAY_API_URL": f"{base}/merchant_webapi/api/transaction",
            # reconciliation (đối soát): the simulator's daily settlement file
            "MOTCUA_VNPAY_SETTLEMENT_URL": f"{base}/merchant_webapi/settlement/{{date}}.csv",
        },
        url=f"{base}/merchant_webapi/settlement/",
    )


def national_platform_simulator() -> Companion:
    """The national portal's payment platform simulator (motcua.payments.dvcqg_simulator):
    a fresh partner code and hash key per run; its callback goes to the demo server, and
    its checkout page links back to the portal's return page."""
    port = free_port()
    partner = "MOTCUA-DEMO-" + secrets.token_hex(2).upper()
    key = secrets.token_hex(32)
    public = str(getattr(settings, "MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000")).rstrip("/")
    base = f"http://127.0.0.1:{port}"
    return Companion(
        name="Nền tảng thanh toán quốc gia mô phỏng (national payment platform simulator)",
        argv=[
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
            f"{public}/thanh-toan/dvcqg/dpnhankqthanhtoanhs/",
            "--return-url",
            f"{public}/thanh-toan/dvcqg/ket-qua/",
        ],
        port=port,
        settings={
            "MOTCUA_DVCQG_PARTNER_CODE": partner,
            "MOTCUA_DVCQG_HASH_KEY": key,
            "MOTCUA_DVCQG_INIT_URL": f"{base}/api/khoitao",
            "MOTCUA_DVCQG_QUERY_URL": f"{base}/api/laybienlai",
        },
    )
