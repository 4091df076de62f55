"""Middleware of the project."""

from __future__ import annotations

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
