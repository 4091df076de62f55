"""The JSON API: one NinjaAPI, routers wired from each bounded context.

Every error leaves in one shape (see motcua.core.errors.DomainError.as_dict):
    {"error": {"code": "...", "message": "...", "message_en": "...", "field": "..."}}
"""

from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from ninja import Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from motcua.core.errors import DomainError
from motcua.core.seclog import note_refusal

from .openapi import MotcuaNinjaAPI

# Its OpenAPI document lists every error answer of every operation (motcua.api.openapi).
api = MotcuaNinjaAPI(
    title="motcua API",
    version="1.0.0",
    description="API của hệ thống một cửa điện tử motcua / the motcua one-stop API",
    urls_namespace="api",
    # Swagger UI from ninja's static files (ninja is in INSTALLED_APPS); no online validator
    # badge, which would call validator.swagger.io: the page works without internet.
    docs=Swagger(settings={"validatorUrl": None}),
)


def _error(request, status: int, code: str, vi: str, en: str, field: str | None = None, **extra):
    body = {"code": code, "message": vi, "message_en": en}
    if field:
        body["field"] = field
    body.update(extra)
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    if exc.status == 403:  # the security log's line names the code (core.seclog)
        note_refusal(request, exc.code, field=exc.field)
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "form")]
    field = ".".join(loc) or None
    msg = first.get("msg", "invalid")
    return _error(
        request,
        422,
        "invalid_input",
        f"Dữ liệu không hợp lệ ở trường '{field}': {msg}."
        if field
        else f"Dữ liệu không hợp lệ: {msg}.",
        f"Invalid input in field '{field}': {msg}." if field else f"Invalid input: {msg}.",
        field,
        details=exc.errors,
    )


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request, exc):
    return _error(
        request,
        400,
        "invalid_body",
        "Nội dung multipart không đọc được (thiếu hoặc sai boundary).",
        "The multipart body cannot be read (missing or bad boundary).",
        "body",
    )


@api.exception_handler(RawPostDataException)
def _form_to_json_endpoint(request, exc):
    # A form or multipart body sent to an operation that reads JSON: the body was already
    # parsed as a form (motcua.core.middleware.RejectNulMiddleware looks at every form for
    # NUL characters), so it cannot be read as JSON. Say so instead of failing with a 500.
    return _error(
        request,
        415,
        "unsupported_media_type",
        "Thao tác này nhận nội dung JSON (Content-Type: application/json).",
        "This operation takes a JSON body (Content-Type: application/json).",
        "body",
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return _error(request, 401, "unauthenticated", "Bạn cần đăng nhập.", "Authentication required.")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", "Không tìm thấy.", "Not found.")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 403:  # ninja's CSRF check of a session-authenticated call
        note_refusal(request, "http_403", detail=str(exc))
    return _error(request, exc.status_code, "http_error", str(exc), str(exc))


# Routers of each bounded context are added below (one line each).
api.add_router("/calendar", "motcua.workcalendar.api.router")
api.add_router("/catalog", "motcua.catalog.api.router")
api.add_router("/auth", "motcua.api.auth.router")
api.add_router("/dossiers", "motcua.dossiers.api.router")
api.add_router("/eforms", "motcua.eforms.api.router")
api.add_router("/indicators", "motcua.indicators.api.router")
api.add_router("/receipts", "motcua.documents.api.router")
api.add_router("/notifications", "motcua.notifications.api.router")
api.add_router("/linked", "motcua.linked.api.router")
api.add_router("/feedback", "motcua.feedback.api.router")
