"""The demo's SMS and Zalo provider: `motcua.devtools.sms_gateway` as a companion process.

`motcua demo --serve` starts it unless a real SMS provider is configured (MOTCUA_SMS_URL
set), and points the SMS and Zalo ZNS adapters at it (docs/notifications.md): the demo's
applicants get their SMS (and Zalo, when chosen) there; `GET <url>/_received` lists them.
"""

from __future__ import annotations

import json
import secrets
import sys

from django.conf import settings

from .companions import Companion, free_port

# The ZNS template ids the demo's provider is told of (any non-empty id is accepted there).
DEMO_ZNS_TEMPLATES = {
    "receipt": "301001",
    "supplement_request": "301002",
    "payment_request": "301003",
    "result_ready": "301004",
    "apology": "301005",
}


def sms_gateway() -> Companion | None:
    if settings.MOTCUA_SMS_URL:
        return None  # a real provider is configured: use it
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    key, secret, token = (secrets.token_urlsafe(12) for _ in range(3))
    return Companion(
        name="Nhà cung cấp SMS và Zalo thử nghiệm (test SMS / Zalo ZNS provider)",
        argv=[
            sys.executable,
            "-m",
            "motcua.devtools.sms_gateway",
            "--port",
            str(port),
            f"--api-key={key}",
            f"--secret-key={secret}",
            f"--token={token}",
        ],
        port=port,
        settings={
            "MOTCUA_SMS_URL": f"{url}/MainService.svc/json/SendMultipleMessage_V4_post_json/",
            "MOTCUA_SMS_API_KEY": key,
            "MOTCUA_SMS_SECRET_KEY": secret,
            "MOTCUA_SMS_BRANDNAME": "MOTCUA-DEMO",
            "MOTCUA_ZALO_URL": f"{url}/message/template",
            "MOTCUA_ZALO_ACCESS_TOKEN": token,
            "MOTCUA_ZALO_TEMPLATE_IDS": json.dumps(DEMO_ZNS_TEMPLATES),
        },
        url=f"{url}/_received",
    )
