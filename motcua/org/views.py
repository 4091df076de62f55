"""The officers' second-factor pages (motcua.org.otp): verification after the password,
enrolment of an authenticator app, recovery codes. Vietnamese first; no JavaScript."""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from motcua.core.errors import DomainError
from motcua.core.seclog import security_event

from . import services
from .otp import (
    ENROL_URL,
    RECOVERY_URL,
    VERIFY_URL,
    confirmed_totp,
    is_verified,
    needs_second_factor,
    recovery_codes_left,
    safe_next,
)


def _verified(request: HttpRequest, device: Any, how: str, next_url: str) -> HttpResponseBase:
    """The session now carries the device that proved the second factor; a new session
    key, as at any gain of privilege."""
    request.session.cycle_key()
    otp_login(request, device)
    security_event(
        "otp_verified",
        request=request,
        channel="web",
        second_factor=how,
    )
    return HttpResponseRedirect(next_url)


def _kind(device: Any) -> str:
    return "recovery_code" if device.__class__.__name__ == "StaticDevice" else "totp"


def _gate(request: HttpRequest) -> HttpResponseBase | None:
    """Who may open these pages: a logged-in staff account (others have nothing to do
    here)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not needs_second_factor(request.user):
        return HttpResponseRedirect(safe_next(request))
    return None


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponseBase:
    """After the password: a code from the authenticator app, or a recovery code."""
    gate = _gate(request)
    if gate is not None:
        return gate
    next_url = safe_next(request)
    if is_verified(request.user):
        return HttpResponseRedirect(next_url)
    if confirmed_totp(request.user) is None:
        return HttpResponseRedirect(f"{ENROL_URL}?{urlencode({'next': next_url})}")
    error: DomainError | None = None
    if request.method == "POST":
        try:
            device = services.staff_otp_verify(
                user=request.user,  # type: ignore[arg-type]
                code=request.POST.get("otp", ""),
            )
        except DomainError as exc:
            error = exc
            security_event("otp_failed", request=request, channel="web", reason=exc.code)
        else:
            return _verified(request, device, _kind(device), next_url)
    return render(
        request,
        "org/otp_verify.html",
        {"error": error, "next": next_url},
        status=200 if error is None else error.status,
    )


def _secret_text(device: Any) -> str:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponseBase:
    """A staff account without an authenticator: scan the QR code (or type the secret),
    confirm with a code, then keep the recovery codes shown once."""
    gate = _gate(request)
    if gate is not None:
        return gate
    next_url = safe_next(request)
    user: Any = request.user
    if confirmed_totp(user) is not None:
        return HttpResponseRedirect(
            RECOVERY_URL if is_verified(user) else f"{VERIFY_URL}?{urlencode({'next': next_url})}"
        )
    error: DomainError | None = None
    if request.method == "POST":
        try:
            device, codes = services.staff_otp_enrol_confirm(
                user=user, code=request.POST.get("otp", "")
            )
        except DomainError as exc:
            error = exc
            security_event("otp_failed", request=request, channel="web", reason=exc.code)
        else:
            request.session.cycle_key()
            otp_login(request, device)
            security_event("otp_enrolled", request=request, channel="web")
            security_event("otp_verified", request=request, channel="web", second_factor="totp")
            return render(
                request,
                "org/otp_recovery_codes.html",
                {"codes": codes, "next": next_url, "first": True},
            )
    device = services.staff_otp_enrol_start(user=user)
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "org/otp_enrol.html",
        {
            "error": error,
            "next": next_url,
            "qr": qr.png_data_uri(scale=5, border=2),
            "secret": _secret_text(device),
        },
        status=200 if error is None else error.status,
    )


@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse | HttpResponseBase:
    """How many recovery codes are left; a new set (the old one stops working)."""
    gate = _gate(request)
    if gate is not None:
        return gate
    user: Any = request.user
    if not is_verified(user):
        return HttpResponseRedirect(f"{VERIFY_URL}?next={RECOVERY_URL}")
    if request.method == "POST":
        codes = services.staff_recovery_codes_new(user=user)
        security_event("otp_recovery_codes", request=request, channel="web")
        return render(
            request,
            "org/otp_recovery_codes.html",
            {"codes": codes, "next": "/", "first": False},
        )
    return render(request, "org/otp_recovery.html", {"left": recovery_codes_left(user)})
