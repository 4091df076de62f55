"""Officers' second factor (TOTP, django-otp): who must prove it, and where it is asked.

A staff account — an administrator (is_staff, superuser) or a holder of a staff role in
force, the accounts `motcua.org.sessions.is_staff_account` names — logs in with its
password and is then only half logged in: `StaffOTPMiddleware` sends every page it opens
to the verification page (or, without a confirmed authenticator, to enrolment), and the API
treats its session as anonymous, until a code from its authenticator app (or one of its
one-time recovery codes) is accepted (`motcua.org.services.staff_otp_verify`). The
session then carries the device that proved it (django-otp's `OTPMiddleware`,
`request.user.is_verified()`). Citizens are never asked. MOTCUA_STAFF_OTP=off turns the
requirement off (development only). The admin site also refuses an unverified user
(`StaffAdminSite`), should the middleware ever be bypassed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.errors import DomainError

from .sessions import is_staff_account

# The pages of the second factor (motcua/org/urls.py), open to a half-logged-in officer.
OTP_PREFIX = "/xac-thuc-hai-lop/"
VERIFY_URL = OTP_PREFIX
ENROL_URL = OTP_PREFIX + "dang-ky/"
RECOVERY_URL = OTP_PREFIX + "ma-du-phong/"
# What a half-logged-in officer may still open: the second-factor pages, logging out, the
# language switch and static files.
EXEMPT_PREFIXES = (OTP_PREFIX, "/dang-xuat/", "/i18n/", "/static/", "/favicon.ico")
API_PREFIX = "/api/"
TOTP_NAME = "Ứng dụng xác thực"
RECOVERY_NAME = "Mã dự phòng"

GetResponse = Callable[[HttpRequest], HttpResponseBase]


def otp_required() -> bool:
    return getattr(settings, "MOTCUA_STAFF_OTP", "required") != "off"


def needs_second_factor(user: Any) -> bool:
    """Whether `user` must prove a second factor (a staff account, the requirement on)."""
    return otp_required() and is_staff_account(user)


def is_verified(user: Any) -> bool:
    """Whether this request's user proved a second factor in this session."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def half_logged_in(user: Any) -> bool:
    """A staff account past its password but not yet past its second factor."""
    return bool(
        getattr(user, "is_authenticated", False)
        and needs_second_factor(user)
        and not is_verified(user)
    )


def confirmed_totp(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: Any) -> int:
    return sum(d.token_set.count() for d in StaticDevice.objects.filter(user_id=user.pk))


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """The `next` of the request if it points into this site, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


_CODE_SEPARATORS = re.compile(r"[\s\-]+")


def normalize_code(code: str | None) -> str:
    """A code as typed (spaces, dashes, capitals) to the form compared."""
    return _CODE_SEPARATORS.sub("", code or "").lower()


class OtpError(DomainError):
    status = 401


def otp_required_error() -> OtpError:
    return OtpError(
        "otp_required",
        "Tài khoản cán bộ phải nhập mã xác thực hai lớp (6 chữ số từ ứng dụng xác thực, "
        "hoặc một mã dự phòng).",
        "A staff account must give its second-factor code (6 digits from the authenticator "
        "app, or a recovery code).",
        field="otp",
    )


def otp_not_enrolled_error() -> OtpError:
    return OtpError(
        "otp_not_enrolled",
        "Tài khoản cán bộ chưa đăng ký ứng dụng xác thực: xin đăng nhập trên trang web để "
        "đăng ký trước.",
        "This staff account has no authenticator yet: log in on the web site to enrol first.",
        field="otp",
    )


def otp_invalid_error() -> OtpError:
    return OtpError(
        "otp_invalid",
        "Mã xác thực không đúng hoặc đã được dùng. Xin nhập mã mới nhất trong ứng dụng "
        "xác thực (hoặc một mã dự phòng chưa dùng).",
        "The code is wrong or was already used. Enter the latest code from the "
        "authenticator app (or an unused recovery code).",
        field="otp",
    )


def otp_throttled_error(seconds: int) -> OtpError:
    return OtpError(
        "otp_throttled",
        f"Đã nhập sai mã quá nhiều lần liên tiếp. Xin đợi {seconds} giây rồi thử lại.",
        f"Too many wrong codes in a row. Wait {seconds} seconds and try again.",
        field="otp",
        status=429,
        data={"retry_after_seconds": seconds},
    )


class StaffOTPMiddleware:
    """Holds a half-logged-in staff account at the second factor (see the module docstring).

    Pages: redirected to verification (or enrolment), then back where they were going.
    The API: the session counts as anonymous (a bearer token still works: it was issued
    against a code)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path
        if not path.startswith(EXEMPT_PREFIXES) and half_logged_in(request.user):
            if path.startswith(API_PREFIX):
                request.user = AnonymousUser()
            else:
                target = VERIFY_URL if confirmed_totp(request.user) else ENROL_URL
                return HttpResponseRedirect(
                    target + "?" + urlencode({"next": request.get_full_path()})
                )
        return self.get_response(request)


class StaffAdminSite(AdminSite):
    """The admin: a staff account that has not proved its second factor is not let in."""

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        return not needs_second_factor(request.user) or is_verified(request.user)
