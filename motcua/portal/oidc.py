"""The portal's pages for logging in with VNeID / the national portal's SSO (OIDC).

`/dang-nhap/vneid/` starts the login (a plain link from the login page: no JavaScript),
`/dang-nhap/vneid/ve/` is where the provider sends the person back. The protocol is in
`motcua.org.oidc`, the account binding in `motcua.org.identity`; these views keep the
pending login in the session (single use, by state) and turn every refusal into a
Vietnamese page naming the problem plus a `login_failed` security event.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from motcua.core.errors import DomainError
from motcua.core.seclog import security_event
from motcua.core.templatetags.bilingual import pick
from motcua.org import oidc
from motcua.org.identity import applicant_from_oidc

SESSION_KEY = "oidc_pending"
MAX_PENDING = 5  # logins started in other tabs that may still come back


class PortalLoginView(LoginView):
    """Django's login page, with the national identity button when a provider is set."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = oidc.config() is not None
        return context


def _redirect_uri(request: HttpRequest) -> str:
    configured = str(getattr(settings, "MOTCUA_OIDC_REDIRECT_URI", "") or "")
    return configured or request.build_absolute_uri(reverse("portal:oidc_callback"))


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:my_dossiers")


def _failure(request: HttpRequest, exc: DomainError) -> HttpResponse:
    security_event(
        "login_failed",
        request=request,
        level=logging.WARNING,
        channel="oidc",
        reason=exc.code,
    )
    return render(
        request,
        "portal/oidc_error.html",
        {"message": pick(exc.message, exc.message_en), "reason": exc.code},
        status=exc.status,
    )


def oidc_start(request: HttpRequest) -> HttpResponse:
    cfg = oidc.config()
    if cfg is None:
        return _failure(
            request,
            oidc.OidcFailure(
                "not_configured",
                "Hệ thống chưa cấu hình đăng nhập bằng định danh quốc gia.",
                "Login with the national identity is not configured.",
                status=404,
            ),
        )
    try:
        url, pending = oidc.begin(cfg, _redirect_uri(request))
    except DomainError as exc:
        return _failure(request, exc)
    pending["next"] = _safe_next(request, request.GET.get("next", ""))
    waiting = dict(request.session.get(SESSION_KEY) or {})
    waiting[pending["state"]] = pending
    # Keep the newest few: a login left unfinished in another tab is forgotten in time.
    newest = sorted(waiting.values(), key=lambda p: p.get("created", 0))[-MAX_PENDING:]
    request.session[SESSION_KEY] = {p["state"]: p for p in newest}
    return redirect(url)


def oidc_callback(request: HttpRequest) -> HttpResponse:
    cfg = oidc.config()
    state = request.GET.get("state", "")
    waiting = dict(request.session.get(SESSION_KEY) or {})
    pending = waiting.pop(state, None) if state else None
    if pending is not None:
        request.session[SESSION_KEY] = waiting  # single use, whatever happens next
    try:
        if cfg is None:
            raise oidc.OidcFailure(
                "not_configured",
                "Hệ thống chưa cấu hình đăng nhập bằng định danh quốc gia.",
                "Login with the national identity is not configured.",
                status=404,
            )
        pending = oidc.check_pending(pending, state)
        error = request.GET.get("error", "")
        if error:
            denied = error == "access_denied"
            raise oidc.OidcFailure(
                "provider_denied" if denied else "provider_error",
                "Bạn đã từ chối hoặc hủy đăng nhập tại nhà cung cấp định danh."
                if denied
                else f"Nhà cung cấp định danh báo lỗi: {error[:80]}.",
                "You declined or cancelled the login at the identity provider."
                if denied
                else f"The identity provider reported an error: {error[:80]}.",
            )
        claims = oidc.finish(cfg, _redirect_uri(request), pending, request.GET.get("code", ""))
        identity = oidc.identity_from_claims(cfg, claims)
        applicant, created = applicant_from_oidc(identity=identity)
    except DomainError as exc:
        return _failure(request, exc)
    # The security log's `login` line is written by login() (core/signals.py), once, with
    # this channel and these fields.
    request.login_channel = "oidc"  # type: ignore[attr-defined]
    request.login_fields = {"issuer": identity.issuer, "created": created}  # type: ignore[attr-defined]
    login(request, applicant.user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(_safe_next(request, str(pending.get("next", ""))))
