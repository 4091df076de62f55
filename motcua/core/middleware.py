"""Middleware of the project."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"

GetResponse = Callable[[HttpRequest], HttpResponseBase]


def page_language(request: HttpRequest) -> str:
    """Vietnamese unless the visitor chose English with the language switch (the cookie that
    Django's `set_language` view sets). The browser's Accept-Language is never read: a
    Vietnamese public service speaks Vietnamese to everyone who has not asked otherwise."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen and chosen in dict(settings.LANGUAGES):
        return chosen
    return str(settings.LANGUAGE_CODE)


class LocaleMiddleware:
    """The language of the pages: the cookie of the language switch, else Vietnamese.

    The JSON API carries every message in both languages (`message` in Vietnamese,
    `message_en` in English), so /api/ requests — the busiest path — skip this and its
    Vary / Content-Language headers."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        language = page_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


NUL = "\x00"
BAD_MULTIPART = "\x00multipart"  # _nul_field's answer for a body that cannot be parsed


def _nul_field(request: HttpRequest) -> str | None:
    """The name of the first request field holding a NUL character, which no text column
    of PostgreSQL can store (and no real input contains); files are not looked at."""
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            return key.replace(NUL, "")
    ctype = request.content_type or ""
    if request.method == "POST" and ctype.startswith(("multipart/", "application/x-www-form")):
        try:
            fields = request.POST
        except MultiPartParserError:
            return BAD_MULTIPART
        for key, values in fields.lists():
            if NUL in key or any(NUL in v for v in values):
                return key.replace(NUL, "")
    elif ctype == "application/json" and b"\\u0000" in request.body:
        return "body"
    return None


class RejectNulMiddleware:
    """Refuse, with a 400 naming the field, any request whose fields contain a NUL
    character, before it reaches a query (PostgreSQL would fail on it with a 500), and
    any multipart body that cannot be parsed. Under /api/, a body past Django's limits
    (DATA_UPLOAD_MAX_MEMORY_SIZE, _NUMBER_FIELDS, _NUMBER_FILES) is a JSON 413."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            field = _nul_field(request)
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
            if not request.path_info.startswith(API_PREFIX):
                raise  # Django's own 400 page
            # The API answers in its error shape: 413, as its OpenAPI document says.
            body = {
                "code": "body_too_large",
                "message": "Nội dung yêu cầu quá lớn hoặc có quá nhiều trường / tệp.",
                "message_en": "The request body is too large or has too many fields / files.",
                "field": "body",
            }
            return JsonResponse({"error": body}, status=413)
        if field is None:
            return self.get_response(request)
        code = "invalid_input"
        message = f"Trường '{field}' chứa ký tự không hợp lệ (NUL)."
        message_en = f"Field '{field}' contains an invalid character (NUL)."
        if field == BAD_MULTIPART:
            code, field = "invalid_body", "body"
            message = "Nội dung multipart không đọc được (thiếu hoặc sai boundary)."
            message_en = "The multipart body cannot be read (missing or bad boundary)."
        if request.path_info.startswith(API_PREFIX):
            body = {
                "code": code,
                "message": message,
                "message_en": message_en,
                "field": field,
            }
            return JsonResponse({"error": body}, status=400)
        return HttpResponse(
            f"{message}\n{message_en}\n", status=400, content_type="text/plain; charset=utf-8"
        )
