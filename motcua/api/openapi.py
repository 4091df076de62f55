"""The OpenAPI document tells every answer an operation can give (issue 10).

One rule, `error_statuses`, derives the error statuses of an operation from what it
declares: the authentication it needs, its parameters (path ids), its body, and what a
route states with `declare(...)` (a transition, a throttle, a permission check). Every
error answer has one body, the component `Error` (motcua.core.errors.DomainError.as_dict
and the handlers in motcua.api.api), described in Vietnamese first, then English.

`declare` also carries request bodies the view reads itself (a JSON schema, or a
multipart form with files): they are rendered with the document's components, so that a
client generator produces a working call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

ERROR_COMPONENT = "Error"
ERROR_REF = f"#/components/schemas/{ERROR_COMPONENT}"
DECLARED = "x-motcua"  # the openapi_extra key `declare` fills; removed from the document

# The one error body (motcua.core.errors.DomainError.as_dict; api.api._error).
ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_COMPONENT,
    "description": "Lỗi (error): mã máy, thông báo tiếng Việt, thông báo tiếng Anh.",
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "message_en"],
            "additionalProperties": False,
            "properties": {
                "code": {
                    "type": "string",
                    "minLength": 1,
                    "description": "mã lỗi ổn định (stable machine code)",
                },
                "message": {"type": "string", "description": "thông báo tiếng Việt"},
                "message_en": {"type": "string", "description": "the message in English"},
                "field": {
                    "type": "string",
                    "description": "trường gây lỗi (the offending field)",
                },
                "data": {
                    "type": "object",
                    "description": "chi tiết (details), e.g. errors, retry_after_minutes",
                },
                "details": {
                    "type": "array",
                    "items": {"type": "object"},
                    "description": "lỗi kiểm tra dữ liệu (the validation errors), 422",
                },
            },
        }
    },
}

# Vietnamese first, English second.
DESCRIPTIONS: dict[int, str] = {
    400: "Yêu cầu sai định dạng: JSON hoặc multipart không đọc được, ký tự NUL trong một "
    "trường (Malformed request: unreadable JSON or multipart body, a NUL character in a "
    "field).",
    401: "Chưa đăng nhập: thiếu khóa API, khóa sai, đã thu hồi hoặc hết hạn; hay sai tên "
    "đăng nhập / mật khẩu (Not authenticated: no, wrong, revoked or expired token; or "
    "wrong credentials).",
    403: "Không có quyền thực hiện thao tác, hoặc phiên đăng nhập (cookie) thiếu mã CSRF "
    "(Not allowed to perform this action, or a session request without its CSRF token).",
    404: "Không tìm thấy, hoặc người gọi không được xem (Not found, or not visible to the caller).",
    409: "Trạng thái hồ sơ không cho phép thao tác này, hoặc hồ sơ đã đổi (expected_version "
    "cũ) (The dossier's state does not allow this action, or it changed: stale "
    "expected_version).",
    413: "Nội dung yêu cầu quá lớn (The request body is too large).",
    415: "Thao tác này nhận nội dung JSON (This operation takes a JSON body).",
    422: "Dữ liệu không hợp lệ; error.field nêu trường sai (Invalid input; error.field "
    "names the field).",
    429: "Quá nhiều lần thử sai; thử lại sau (Too many failed attempts; try again later).",
}

FILE = {"type": "string", "format": "binary"}
FILES = {"type": "array", "items": FILE}
COMPONENT_FILES = r"^component_[0-9]{1,18}$"


@dataclass(frozen=True)
class Multipart:
    """A multipart/form-data body: the fields of `form` (a Schema) plus files. `files`:
    name → True for several files under that name, False for one; `pattern_files`: a
    name pattern → the same; `extra`: more (pattern) properties as JSON schemas."""

    form: type[Schema]
    files: dict[str, bool] = field(default_factory=dict)
    pattern_files: dict[str, bool] = field(default_factory=dict)
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    pattern_extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    required_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Declared:
    """What a route states that the generated operation cannot show by itself."""

    transition: bool = False  # changes a dossier's state under expected_version: 409
    throttled: bool = False  # refuses a caller after repeated failures: 429
    forbidden: bool = False  # checks a permission beyond authentication: 403
    credentials: bool = False  # checks a username and password itself: 401
    not_found: bool = False  # looks up a record named in its query (a code): 404
    json: type[Schema] | None = None  # a JSON body the view parses itself
    multipart: Multipart | None = None  # a multipart body the view parses itself


def declare(**kw: Any) -> dict[str, Any]:
    """openapi_extra for a route: see `Declared`."""
    return {DECLARED: Declared(**kw)}


UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def error_statuses(
    *,
    auth: bool,
    method: str,
    path_params: bool,
    params: bool,
    body: bool,
    ninja_json_body: bool,
    declared: Declared,
) -> list[int]:
    """The error statuses an operation can answer, from what it declares.

    400: every operation (a NUL character in any query field or body is refused before
    the view; a body that is not JSON or a broken multipart). 401: it needs
    authentication, or checks credentials itself. 403: it checks a permission, or it
    takes the session cookie on a method that changes something (CSRF). 404: a path id, or
    a record named in the query.
    409: a transition. 413: it reads a body. 415: ninja parses its JSON body (a form
    cannot be read as JSON). 422: it takes parameters or a body. 429: it is throttled."""
    out = {400}
    if auth or declared.credentials:
        out.add(401)
    if auth and method in UNSAFE:
        out.add(403)
    if declared.forbidden:
        out.add(403)
    if path_params or declared.not_found:
        out.add(404)
    if declared.transition:
        out.add(409)
    if body:
        out.add(413)
    if ninja_json_body:
        out.add(415)
    if params or body:
        out.add(422)
    if declared.throttled:
        out.add(429)
    return sorted(out)


def error_response(status: int) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
    }


# RejectNulMiddleware refuses a NUL character in any field (400, documented on every
# operation); a string parameter's schema says so, so that a client — and schemathesis'
# positive-data check — knows a NUL-free string is what "valid" means.
NO_NUL = "^[^\\u0000]*$"


def _forbid_nul(schema: dict[str, Any]) -> None:
    for member in schema.get("anyOf", []):
        _forbid_nul(member)
    if schema.get("type") == "string" and not {"pattern", "enum", "format"} & schema.keys():
        schema["pattern"] = NO_NUL


class MotcuaOpenAPISchema(OpenAPISchema):
    def operation_details(self, operation: Operation) -> dict[str, Any]:
        result = super().operation_details(operation)
        raw = result.pop(DECLARED, None) or {}
        # A Declared from `declare`, or the same as a plain dict from an app that sits
        # beside this one in the import layers (motcua.workcalendar).
        declared = raw if isinstance(raw, Declared) else Declared(**raw)
        if declared.json is not None:
            schema, _ = self._create_schema_from_model(cast(Any, declared.json), remove_level=False)
            result["requestBody"] = {
                "content": {"application/json": {"schema": schema}},
                "required": bool(schema.get("required")),
            }
        if declared.multipart is not None:
            body = result.setdefault("requestBody", {})
            form = self._multipart(declared.multipart)
            body.setdefault("content", {})["multipart/form-data"] = {"schema": form}
            body["required"] = body.get("required", False) or bool(form.get("required"))
        self.schemas[ERROR_COMPONENT] = ERROR_SCHEMA
        parameters = result.get("parameters", [])
        for parameter in parameters:
            _forbid_nul(parameter.get("schema") or {})
        ninja_json_body = any(m.__ninja_param_source__ == "body" for m in operation.models)
        statuses = error_statuses(
            auth=bool(result.get("security")),
            method=operation.methods[0],
            path_params=any(p.get("in") == "path" for p in parameters),
            params=any(p.get("in") in ("path", "query", "header") for p in parameters),
            body="requestBody" in result,
            ninja_json_body=ninja_json_body,
            declared=declared,
        )
        responses = result["responses"]
        for status in statuses:
            responses.setdefault(status, error_response(status))
        result["responses"] = dict(sorted(responses.items()))
        return result

    def _multipart(self, spec: Multipart) -> dict[str, Any]:
        schema, _ = self._create_schema_from_model(cast(Any, spec.form), remove_level=False)
        schema = {**schema, "properties": dict(schema.get("properties", {}))}
        for name, many in spec.files.items():
            schema["properties"][name] = FILES if many else FILE
        schema["properties"].update(spec.extra)
        patterns = {p: (FILES if many else FILE) for p, many in spec.pattern_files.items()}
        patterns.update(spec.pattern_extra)
        if patterns:
            schema["patternProperties"] = patterns
        if spec.required_files:
            schema["required"] = sorted({*schema.get("required", []), *spec.required_files})
        schema["title"] = f"{spec.form.__name__}Multipart"
        return schema


class MotcuaNinjaAPI(NinjaAPI):
    """The NinjaAPI whose document lists every error answer (MotcuaOpenAPISchema)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return MotcuaOpenAPISchema(api=self, path_prefix=path_prefix)
