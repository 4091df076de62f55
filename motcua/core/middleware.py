"""Middleware of the project."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

API_PREFIX = "/api/"


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's language negotiation, for the pages only: the JSON API carries every message
    in both languages (`message` in Vietnamese, `message_en` in English), so /api/ requests —
    the busiest path — skip the negotiation and its Vary / Content-Language headers."""

    def process_request(self, request):
        if request.path_info.startswith(API_PREFIX):
            return None
        return super().process_request(request)

    def process_response(self, request, response):
        if request.path_info.startswith(API_PREFIX):
            return response
        return super().process_response(request, response)


NUL = "\x00"
BAD_MULTIPART = "\x00multipart"  # _nul_field's answer for a body that cannot be parsed


def _nul_field(request) -> str | None:
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
    any multipart body that cannot be parsed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = _nul_field(request)
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
