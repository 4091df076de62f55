"""Request helpers shared by the API and the pages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The caller's address for per-client limits: REMOTE_ADDR, or — behind a reverse proxy
    that sets it — the request header named by MOTCUA_CLIENT_IP_HEADER (e.g.
    "HTTP_X_REAL_IP"; trust it only when every request comes through that proxy)."""
    header: str = getattr(settings, "MOTCUA_CLIENT_IP_HEADER", "")
    if header:
        value = request.META.get(header, "")
        if value:
            return str(value).split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")
