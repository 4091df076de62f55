"""The id of the request being served, for the audit trail and the logs.

Several application servers answer one province behind nginx (docs/deploy.md): the id ties
an audit entry to the access log line of the request that made it. nginx passes its own
(`proxy_set_header X-Request-ID $request_id;`); without one a random id is made. The id
is echoed in the response's `X-Request-ID` header.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

current_request_id: ContextVar[str] = ContextVar("motcua_request_id", default="")

_HEADER = "HTTP_X_REQUEST_ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get(_HEADER, "")
        rid = given if _VALID.match(given) else uuid.uuid4().hex
        token = current_request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = rid
        return response
