"""The demo's timestamp authority: `motcua.devtools.tsa` as a companion process.

`motcua demo --serve` starts it (demo/companions.py) unless a real authority is configured
(MOTCUA_TSA_URL set): results the demo's leaders sign are then PAdES-B-LT with an RFC 3161
timestamp, as with the Government Cipher Committee's service (Decree 68/2024). The
development PKI (var/pki) is made first if missing; the process also serves its CRLs.
"""

from __future__ import annotations

import sys

from django.conf import settings

from .companions import Companion, free_port


def timestamp_authority() -> Companion | None:
    if settings.MOTCUA_TSA_URL:
        return None  # a real authority is configured: use it
    from motcua.signing import pki

    directory = pki.ensure()
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    return Companion(
        name="Máy chủ cấp dấu thời gian thử nghiệm (test timestamp authority, RFC 3161)",
        argv=[
            sys.executable,
            "-m",
            "motcua.devtools.tsa",
            "--port",
            str(port),
            "--pki-dir",
            str(directory),
        ],
        port=port,
        settings={"MOTCUA_TSA_URL": url},
        url=url,
    )
