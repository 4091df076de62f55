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
        },
        url=f"{base}/merchant_webapi/settlement/",
    )
