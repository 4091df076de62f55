"""The demo's identity provider: `motcua.devtools.idp` as a companion process.

`motcua demo --serve` starts it (demo/companions.py) unless a real provider is configured
(MOTCUA_OIDC_ISSUER set), and points the login at it: the portal's login page then shows
the VNeID button, and the provider's page offers the demo citizen Nguyễn Văn An and the
demo company (their local accounts get linked, keeping their demo password), a new
citizen and a new cooperative (their accounts are created on first login). The provider
listens on 127.0.0.1, so the button works from the demo machine's own browser.
"""

from __future__ import annotations

import secrets
import sys

from django.conf import settings

from .companions import Companion, free_port

CALLBACK_PATH = "/dang-nhap/vneid/ve/"


def identity_provider() -> Companion | None:
    if getattr(settings, "MOTCUA_OIDC_ISSUER", ""):
        return None  # a real provider is configured: use it
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    redirect_uri = str(settings.MOTCUA_PUBLIC_URL).rstrip("/") + CALLBACK_PATH
    secret = secrets.token_urlsafe(24)  # made at each start, never written down
    return Companion(
        name="Nhà cung cấp định danh thử nghiệm thay VNeID (test identity provider)",
        argv=[
            sys.executable,
            "-m",
            "motcua.devtools.idp",
            "--port",
            str(port),
            "--client-id",
            "motcua-demo",
            # One word: token_urlsafe may start with "-", which argparse would take for an
            # option (the demo's provider then refused to start, about one run in 64).
            f"--client-secret={secret}",
            "--redirect-uri",
            redirect_uri,
        ],
        port=port,
        settings={
            "MOTCUA_OIDC_ISSUER": issuer,
            "MOTCUA_OIDC_CLIENT_ID": "motcua-demo",
            "MOTCUA_OIDC_CLIENT_SECRET": secret,
            "MOTCUA_OIDC_REDIRECT_URI": redirect_uri,
            # The demo's local logins (congdan, doanhnghiep) keep working after a link.
            "MOTCUA_OIDC_KEEP_LOCAL_PASSWORD": True,
        },
        url=issuer,
    )
