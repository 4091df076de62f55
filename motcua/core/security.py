"""Response headers that the settings cannot set alone (issue 10, "What the server sends").

Django's SecurityMiddleware sends HSTS, nosniff, the referrer and opener policies and the
https redirect; django-csp sends the Content-Security-Policy. The two middlewares here add
what is left: the Permissions-Policy, and `Cache-Control: no-store` on every answer that
may carry personal data — which, short of reading every page, is every answer except the
public ones listed in `settings.MOTCUA_CACHEABLE_PATHS` given to an anonymous client.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

GetResponse = Callable[[HttpRequest], HttpResponseBase]

# No page of the site uses these browser features; a script that got in could not either,
# nor could a page that frames ours (frame-ancestors 'none' forbids that anyway). Only
# features Chromium and Firefox know: an unknown name is logged as an error in the console.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
)


class PermissionsPolicyMiddleware:
    """Every answer says that no browser feature above may be used."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def cacheable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether a shared or browser cache may keep this answer: a GET or HEAD answered 200,
    under a public path, for a client that is not logged in (no session user, no API token)
    and that the answer gives no cookie (a new CSRF or session cookie is the client's own).
    The public pages are the same for every anonymous visitor; a logged-in visitor's copy
    carries at least their name in the page header."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return False
    if not request.path_info.startswith(tuple(settings.MOTCUA_CACHEABLE_PATHS)):
        return False
    if response.cookies or "HTTP_AUTHORIZATION" in request.META:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


class NoStoreMiddleware:
    """`Cache-Control: no-store` (with Django's never-cache companions: no-cache,
    must-revalidate, private, max-age=0 and an Expires in the past) on every answer that
    `cacheable` does not let through, whatever the view set: a page, a file or an API
    answer with personal data is never kept by a proxy or left in the browser's cache."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not cacheable(request, response):
            add_never_cache_headers(response)
        return response
