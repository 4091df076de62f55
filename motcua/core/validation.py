"""Input checks on people's details, the same at every door: online submission (portal and
API), counter intake, registration.

`validate_party` is the one validator: it checks every field it is given and reports every
error at once: one error as it is, several as one `ValidationFailed` (`invalid_input`) whose
`data["errors"]` lists each field's error (`code`, `message`, `message_en`, `field`);
`field` of the whole error names the first one.
Pages show each error next to its field; the API returns the list.

Rules:
- the name is required (NFC, whitespace collapsed);
- e-mail: Django's e-mail validator;
- phone: Vietnamese numbers: a mobile number is 10 digits starting 03, 05, 07, 08 or 09;
  a landline 11 digits starting 02 (area code 02x/02xx). `+84` (or `0084`) is accepted and
  normalized to the leading 0; spaces, dots, dashes and brackets are ignored;
- personal identification number and tax code: motcua.core.identifiers (structure, province
  code, check digit). An `id_number` that may be either is read as a personal number when it
  is 12 digits, else as a tax code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from .errors import DomainError, ValidationFailed
from .identifiers import validate_personal_id, validate_tax_code
from .text import nfc

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_MOBILE = re.compile(r"^0[35789]\d{8}$")
_LANDLINE = re.compile(r"^02\d{9}$")

UNSET: Any = object()


def normalize_phone(value: str | None, *, field: str = "phone") -> str:
    """The phone number in national form (0…), or "" when empty; raises when malformed."""
    raw = _PHONE_SEPARATORS.sub("", value or "")
    if not raw:
        return ""
    number = raw
    if number.startswith("+84"):
        number = "0" + number[3:]
    elif number.startswith("0084"):
        number = "0" + number[4:]
    if number.isascii() and (_MOBILE.match(number) or _LANDLINE.match(number)):
        return number
    raise ValidationFailed(
        "invalid_phone",
        "Số điện thoại không hợp lệ: di động gồm 10 chữ số bắt đầu bằng 03, 05, 07, 08 hoặc 09; "
        "cố định gồm 11 chữ số bắt đầu bằng 02; có thể viết +84 thay cho số 0 đầu.",
        "Invalid phone number: a mobile number has 10 digits starting 03, 05, 07, 08 or 09; a "
        "landline 11 digits starting 02; +84 may replace the leading 0.",
        field=field,
    )


def normalize_email(value: str | None, *, field: str = "email") -> str:
    email = (value or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(
            "invalid_email",
            "Địa chỉ thư điện tử không hợp lệ (ví dụ đúng: ten@example.vn).",
            "Invalid e-mail address (a valid one: name@example.vn).",
            field=field,
        ) from None
    return email


def require_name(value: str | None, *, field: str = "name") -> str:
    name = nfc(value or "") or ""
    if not name:
        raise ValidationFailed(
            "name_required",
            "Cần nhập họ tên (hoặc tên tổ chức).",
            "The name (or the organisation's name) is required.",
            field=field,
        )
    return name


def normalize_id_number(value: str | None, *, field: str = "id_number") -> str:
    """A personal identification number (12 digits) or a tax code, checked; "" when empty."""
    raw = re.sub(r"\s", "", value or "")
    if not raw:
        return ""
    if raw.isascii() and raw.isdigit() and len(raw) == 12:
        return validate_personal_id(raw, field=field)
    if raw.isascii() and raw.isdigit() and len(raw) < 10:
        raise ValidationFailed(
            "invalid_id_number",
            f"Số định danh cá nhân (12 chữ số) hoặc mã số thuế (10 chữ số) không hợp lệ: "
            f"'{raw}' chỉ có {len(raw)} chữ số.",
            f"Invalid personal identification number (12 digits) or tax code (10 digits): "
            f"'{raw}' has only {len(raw)} digits.",
            field=field,
        )
    return validate_tax_code(raw, field=field)


class FieldErrors:
    """Collects the errors of several checks, to raise them together."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def check(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            self.add(exc)
            return None

    def add(self, exc: DomainError) -> None:
        nested = exc.data.get("errors") if isinstance(exc.data, dict) else None
        if exc.code == "invalid_input" and nested:
            self.errors.extend(errors_from(exc))
        else:
            self.errors.append(exc)

    def raise_if_any(self) -> None:
        if self.errors:
            raise combined(self.errors)


def combined(errors: Iterable[DomainError]) -> DomainError:
    """One error for all: a single error is raised as it is; several become one
    ValidationFailed (`invalid_input`) listing each in data["errors"] (errors_from reads
    both)."""
    errors = list(errors)
    if len(errors) == 1:
        return errors[0]
    listing = [{**e.as_dict()["error"], "field": e.field or ""} for e in errors]
    return ValidationFailed(
        "invalid_input",
        f"Có {len(errors)} trường chưa hợp lệ: "
        + "; ".join(f"{e.field}: {e.message}" for e in errors),
        f"{len(errors)} fields are invalid: "
        + "; ".join(f"{e.field}: {e.message_en}" for e in errors),
        field=errors[0].field,
        data={"errors": listing},
    )


def errors_from(exc: DomainError) -> list[DomainError]:
    """The individual errors of a (possibly combined) error, for pages that show each
    next to its field."""
    listing = exc.data.get("errors") if isinstance(exc.data, dict) else None
    if not listing:
        return [exc]
    return [
        DomainError(
            item.get("code", exc.code),
            item.get("message", ""),
            item.get("message_en", ""),
            field=item.get("field") or None,
            status=exc.status,
        )
        for item in listing
    ]


def validate_party(
    *,
    prefix: str = "",
    name: str | None = UNSET,
    id_number: str | None = UNSET,
    id_required: bool = False,
    personal_id: str | None = UNSET,
    tax_code: str | None = UNSET,
    phone: str | None = UNSET,
    email: str | None = UNSET,
    address: str | None = UNSET,
    errors: FieldErrors | None = None,
) -> dict[str, str]:
    """Check a person's or organisation's details; return the normalized ones given.

    Only the fields passed are checked (UNSET = not part of this form). The name is
    required when passed; `id_number` (personal number or tax code) when `id_required`;
    `personal_id` and `tax_code` are required when passed (the caller passes the one the
    account kind needs). Every error is collected; with `errors` the caller adds its own
    checks and raises once, otherwise this raises when any failed.
    """
    own = errors is None
    errs = errors if errors is not None else FieldErrors()
    out: dict[str, str] = {}
    if name is not UNSET:
        out["name"] = errs.check(require_name, name, field=f"{prefix}name") or ""
    if id_number is not UNSET:
        if id_required and not (id_number or "").strip():
            errs.add(
                ValidationFailed(
                    "id_number_required",
                    "Cần nhập số định danh cá nhân hoặc mã số thuế.",
                    "The personal identification number or tax code is required.",
                    field=f"{prefix}id_number",
                )
            )
            out["id_number"] = ""
        else:
            out["id_number"] = (
                errs.check(normalize_id_number, id_number, field=f"{prefix}id_number") or ""
            )
    if personal_id is not UNSET:
        out["personal_id"] = (
            errs.check(validate_personal_id, personal_id, field=f"{prefix}personal_id") or ""
        )
    if tax_code is not UNSET:
        out["tax_code"] = errs.check(validate_tax_code, tax_code, field=f"{prefix}tax_code") or ""
    if phone is not UNSET:
        out["phone"] = errs.check(normalize_phone, phone, field=f"{prefix}phone") or ""
    if email is not UNSET:
        out["email"] = errs.check(normalize_email, email, field=f"{prefix}email") or ""
    if address is not UNSET:
        out["address"] = nfc(address or "") or ""
    if own:
        errs.raise_if_any()
    return out
