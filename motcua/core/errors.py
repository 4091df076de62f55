"""The one application error type.

Every refusal of the domain is a `DomainError` with a stable machine code, a Vietnamese
message (first language) and an English one, the offending field where there is one,
and the HTTP status the API answers with. The API turns it into one JSON shape:

    {"error": {"code": "...", "message": "...", "message_en": "...", "field": "..."}}
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        message_en: str,
        *,
        field: str | None = None,
        status: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message = message
        self.message_en = message_en
        self.field = field
        self.data = data or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
        }
        if self.field:
            body["field"] = self.field
        if self.data:
            body["data"] = self.data
        return {"error": body}


class ValidationFailed(DomainError):
    """Bad input: a 400/422 naming the field."""

    status = 422


class NotFound(DomainError):
    status = 404

    def __init__(self, what: str, what_en: str, **kw: Any) -> None:
        super().__init__("not_found", f"Không tìm thấy {what}.", f"{what_en} not found.", **kw)


class PermissionDenied(DomainError):
    status = 403

    def __init__(
        self,
        message: str = "Bạn không có quyền thực hiện thao tác này.",
        message_en: str = "You are not allowed to perform this action.",
        code: str = "forbidden",
        **kw: Any,
    ) -> None:
        super().__init__(code, message, message_en, **kw)


class IllegalTransition(DomainError):
    """The dossier is not in a state that allows the action."""

    status = 409


class Conflict(DomainError):
    """Another user changed the same record at the same time."""

    status = 409
