"""The demo's national portal: `motcua.devtools.national_portal` as a companion process.

`motcua demo --serve` starts it (demo/companions.py) unless a real endpoint is configured
(MOTCUA_NATIONAL_SYNC_URL set), and points the sync at it: every dossier created or moved
in the demo is sent there through the outbox (docs/integration.md), checked as the portal
would, and shown as delivered (or refused) in the dossier page's sync log and on the
outbox page. What it received is kept in var/national_portal.sqlite3.
"""

from __future__ import annotations

import secrets
import sys

from django.conf import settings

from .companions import Companion, free_port

DEMO_UNIT = "000.00.00.H27"  # the demo province's unit code (madonvi, dstcode)


def national_portal() -> Companion | None:
    if settings.MOTCUA_NATIONAL_SYNC_URL:
        return None  # a real endpoint is configured: use it
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    password = secrets.token_urlsafe(18)  # made at each start, never written down
    var = settings.VAR_DIR
    var.mkdir(parents=True, exist_ok=True)
    return Companion(
        name="Cổng Dịch vụ công quốc gia thử nghiệm nhận đồng bộ hồ sơ (test national portal)",
        argv=[
            sys.executable,
            "-m",
            "motcua.devtools.national_portal",
            "--port",
            str(port),
            "--username",
            "motcua-demo",
            f"--password={password}",
            "--dstcode",
            DEMO_UNIT,
            "--db",
            str(var / "national_portal.sqlite3"),
        ],
        port=port,
        settings={
            "MOTCUA_NATIONAL_SYNC_URL": url,
            "MOTCUA_NATIONAL_SYNC_USERNAME": "motcua-demo",
            "MOTCUA_NATIONAL_SYNC_PASSWORD": password,
            "MOTCUA_NATIONAL_SYNC_DSTCODE": DEMO_UNIT,
        },
        url=url,
    )
