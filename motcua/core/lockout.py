"""Login throttling (django-axes): the client's address and the answer to a locked login.

Every login — the portal's, the admin's and `POST /api/auth/token` — goes through
`django.contrib.auth.authenticate(request, ...)`, where axes' backend refuses a locked
account or address and axes' signal handler counts each failure (docs/security.md,
"Login throttling"). This module only tells axes where the caller is and answers a
locked caller: JSON in the API's error shape under /api/, a page elsewhere.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from motcua.core.errors import DomainError
from motcua.core.http import client_address


class LoginLocked(DomainError):
    """Too many failed logins for this account or from this address."""

    status = 429

    def __init__(self) -> None:
        minutes = cooloff_minutes()
        super().__init__(
            "login_locked",
            f"Đăng nhập tạm thời bị khóa do nhập sai quá nhiều lần. Xin thử lại sau "
            f"{minutes} phút hoặc liên hệ quản trị viên để được mở khóa.",
            f"Login is temporarily locked after too many failed attempts. Try again in "
            f"{minutes} minutes or ask an administrator to unlock it.",
            data={"retry_after_minutes": minutes},
        )


def cooloff_minutes() -> int:
    return int(getattr(settings, "MOTCUA_LOGIN_COOLOFF_MINUTES", 15))


def axes_client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the same address the other per-client limits use, or None
    when it is not an IP address (a request built without REMOTE_ADDR, as `force_login`
    does, or a malformed proxy header): axes stores it in an IP column, which PostgreSQL
    checks, and those callers then share one counter."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with a Vietnamese message (English second)."""
    error = LoginLocked()
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error.as_dict(), status=error.status)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"error": error, "minutes": cooloff_minutes()},
            status=error.status,
        )
    response["Retry-After"] = str(cooloff_minutes() * 60)
    return response
