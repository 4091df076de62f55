"""The answers of a form: read from a page's POST, cleaned per field type, validated.

`validate` is the one validation: the portal page, the counter intake and the API call it
with the raw answers (strings from a page, JSON from the API) and get the clean data and
every error at once (each a DomainError naming its field's path, e.g. "con.0.ho_ten").
Hidden sections and fields (logic.decide) are dropped from the data; a locked field keeps
its verified prefilled value whatever was posted, and a posted change is refused.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from jsonschema import Draft202012Validator

from motcua.core.errors import DomainError, ValidationFailed
from motcua.core.identifiers import validate_personal_id, validate_tax_code
from motcua.core.text import nfc
from motcua.core.validation import normalize_email, normalize_phone

from . import units
from .definitions import item_path, options_of
from .logic import MISSING, Decision, decide, filled, value_at

PREFIX = "f."  # the page's input names: "f." + the data path ("f.con.0.ho_ten")
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")
_MONEY_SEPARATORS = re.compile(r"[\s.,]")


@dataclass
class Prefilled:
    """A value filled in for the applicant: `verified` when it comes from the identity
    login (shown "Đã xác thực từ VNeID"); `locked` ones cannot be changed."""

    value: Any
    verified: bool = False
    locked: bool = False
    source: str = ""


@dataclass
class Result:
    data: dict[str, Any]
    errors: list[DomainError] = field(default_factory=list)
    decision: Decision | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _err(code: str, path: str, vi: str, en: str) -> ValidationFailed:
    return ValidationFailed(code, vi, en, field=path)


# ---------------------------------------------------------------------------- reading a page


def read_post(document: dict[str, Any], post: Mapping[str, Any]) -> dict[str, Any]:
    """The raw answers of a page's POST (a QueryDict), nested as the data: strings, lists
    for multichoice, the admin unit's parts, and for a group as many items as the page
    counted (`n.<group>`)."""
    raw: dict[str, Any] = {}
    getlist = getattr(post, "getlist", None)
    for section in document["layout"]:
        for f in section["fields"]:
            if f["type"] == "group":
                try:
                    count = max(0, min(int(post.get(f"n.{f['path']}", "0")), 200))
                except ValueError:
                    count = 0
                items = []
                for i in range(count):
                    item: dict[str, Any] = {}
                    for sub in f["fields"]:
                        name = f"{PREFIX}{f['path']}.{i}.{item_path(f, sub)}"
                        _put(item, item_path(f, sub), _read_one(sub, name, post, getlist))
                    items.append(item)
                _put(raw, f["path"], items)
            else:
                _put(raw, f["path"], _read_one(f, PREFIX + f["path"], post, getlist))
    return raw


def _read_one(f: dict[str, Any], name: str, post: Mapping[str, Any], getlist: Any) -> Any:
    if f["type"] == "multichoice":
        return list(getlist(name)) if getlist else post.get(name, [])
    if f["type"] == "admin_unit":
        return {
            "province": post.get(f"{name}.province", ""),
            "code": post.get(f"{name}.code", ""),
            "former": post.get(f"{name}.former", "") == "1",
            "q": post.get(f"{name}.q", ""),
        }
    if f["type"] == "boolean":
        return post.get(name, "") in ("1", "true", "on")
    return post.get(name, "")


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


# ---------------------------------------------------------------------------- cleaning


def _parse_date(value: Any, path: str) -> str:
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise _err(
        "invalid_date",
        path,
        "Ngày không hợp lệ: ghi theo dạng ngày/tháng/năm, ví dụ 05/09/2024.",
        "Invalid date: write it as dd/mm/yyyy, e.g. 05/09/2024.",
    )


def _clean_money(value: Any, path: str) -> int:
    if isinstance(value, bool):
        raise _err("invalid_money", path, "Số tiền không hợp lệ.", "Invalid amount.")
    if isinstance(value, int):
        amount = value
    else:
        text = _MONEY_SEPARATORS.sub("", str(value)).removesuffix("đ")
        if not text.isascii() or not text.isdigit():
            raise _err(
                "invalid_money",
                path,
                "Số tiền phải là số đồng nguyên, ví dụ 1.500.000.",
                "The amount must be a whole number of đồng, e.g. 1.500.000.",
            )
        amount = int(text)
    if amount < 0:
        raise _err(
            "invalid_money", path, "Số tiền không được âm.", "The amount cannot be negative."
        )
    return amount


def _clean_choice(f: dict[str, Any], value: Any, path: str) -> Any:
    for option in options_of(f):
        if str(option["value"]) == str(value):
            return option["value"]
    raise _err(
        "invalid_choice",
        path,
        "Giá trị đã chọn không có trong danh sách.",
        "The value chosen is not in the list.",
    )


def clean_value(f: dict[str, Any], value: Any, path: str, *, today: dt.date) -> Any:
    """One field's value, cleaned for its type; raises a DomainError naming `path`.
    Empty is returned as None (whether it may be empty is the logic's to say)."""
    kind = f["type"]
    if kind == "boolean":
        if isinstance(value, bool) or value is None:
            return value
        return str(value).lower() in ("1", "true", "on")
    if kind == "multichoice":
        values = value if isinstance(value, list) else [value] if value else []
        return [_clean_choice(f, v, path) for v in values if str(v).strip()] or None
    if kind == "admin_unit":
        return units.clean(value, path, today=today)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "money":
        return _clean_money(value, path)
    text = unicodedata.normalize("NFC", str(value)).strip()
    if kind == "textarea":
        return text
    if kind == "text":
        return nfc(text)
    if kind == "name":
        name = nfc(text)
        if not _NAME.match(name):
            raise _err(
                "invalid_name",
                path,
                "Họ tên chỉ gồm chữ cái và dấu cách, ví dụ Nguyễn Thị Mai.",
                "A name has letters and spaces only, e.g. Nguyễn Thị Mai.",
            )
        return name
    if kind == "date":
        return _parse_date(text, path)
    if kind == "personal_number":
        return validate_personal_id(text, field=path)
    if kind == "tax_code":
        return validate_tax_code(text, field=path)
    if kind == "phone":
        return normalize_phone(text, field=path) or None
    if kind == "email":
        return normalize_email(text, field=path) or None
    if kind in ("choice", "ethnic_group", "nationality", "result_delivery"):
        return _clean_choice(f, text, path)
    return text


def _required_error(f: dict[str, Any], path: str) -> ValidationFailed:
    label = f["label"]
    return _err(
        "field_required",
        path,
        f"Cần nhập «{label['vi']}».",
        f"«{label.get('en') or label['vi']}» is required.",
    )


# ---------------------------------------------------------------------------- validating


@functools.cache
def _shape_validator(schema_json: str) -> Draft202012Validator:
    """The data schema without its `required` lists: what is required is the logic's to
    decide (a required field of a hidden section is not asked for)."""
    return Draft202012Validator(_strip_required(json.loads(schema_json)))


def _strip_required(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_required(v) for k, v in node.items() if k != "required"}
    if isinstance(node, list):
        return [_strip_required(v) for v in node]
    return node


def validate(
    document: dict[str, Any],
    raw: dict[str, Any],
    *,
    prefill: Mapping[str, Prefilled] | None = None,
    today: dt.date | None = None,
) -> Result:
    """Clean every answer and report every error at once (see the module text)."""
    today = today or timezone.localdate()
    prefill = prefill or {}
    errors: list[DomainError] = []
    data: dict[str, Any] = {}
    # Locked values first: the logic must see the verified value, not a posted one.
    raw = json.loads(json.dumps(raw, default=str))
    for path, pre in prefill.items():
        if not pre.locked:
            continue
        posted = value_at(raw, path)
        if filled(posted) and str(posted).strip() != str(pre.value):
            errors.append(
                _err(
                    "locked_field_changed",
                    path,
                    "Giá trị này đã được xác thực từ VNeID và không được sửa; đã giữ giá trị "
                    "đã xác thực.",
                    "This value was verified through VNeID and cannot be changed; the "
                    "verified value was kept.",
                )
            )
        _put(raw, path, pre.value)
    # The logic reads answers of the right types (a choice's value, a boolean).
    typed = _typed(document, raw, today)
    decision = decide(document, typed)
    for section in document["layout"]:
        if section["key"] not in decision.sections:
            continue
        for f in section["fields"]:
            if f["path"] not in decision.fields:
                continue
            if f["type"] == "group":
                _validate_group(f, raw, decision, data, errors, today)
                continue
            value = _clean_into(f, value_at(raw, f["path"]), f["path"], errors, today)
            if _empty(f, value) and f["path"] in decision.required:
                errors.append(_required_error(f, f["path"]))
            if value is not None:
                _put(data, f["path"], value)
    if not errors:
        for e in _shape_validator(json.dumps(document["schema"], sort_keys=True)).iter_errors(data):
            path = ".".join(str(p) for p in e.absolute_path)
            errors.append(
                _err(
                    "schema_mismatch",
                    path,
                    f"Giá trị không đúng quy định của tờ khai: {e.message}",
                    f"The value does not match the form's rules: {e.message}",
                )
            )
    return Result(data=data, errors=errors, decision=decide(document, data))


def _empty(f: dict[str, Any], value: Any) -> bool:
    """Not answered: nothing, or an unticked box (a required box must be ticked)."""
    return value is None or (f["type"] == "boolean" and value is False)


def _clean_into(
    f: dict[str, Any], value: Any, path: str, errors: list[DomainError], today: dt.date
) -> Any:
    if value is MISSING:
        value = None
    try:
        return clean_value(f, value, path, today=today)
    except DomainError as exc:
        errors.append(exc)
        return MISSING


def _validate_group(
    f: dict[str, Any],
    raw: dict[str, Any],
    decision: Decision,
    data: dict[str, Any],
    errors: list[DomainError],
    today: dt.date,
) -> None:
    items = value_at(raw, f["path"])
    items = items if isinstance(items, list) else []
    out = []
    for i, item in enumerate(items):
        item = item if isinstance(item, dict) else {}
        shown, required = (
            decision.items[f["path"]][i] if i < len(decision.items[f["path"]]) else (set(), set())
        )
        clean: dict[str, Any] = {}
        for sub in f["fields"]:
            rel = item_path(f, sub)
            full = f"{f['path']}[].{rel}"
            if full not in shown:
                continue
            where = f"{f['path']}.{i}.{rel}"
            value = _clean_into(sub, value_at(item, rel), where, errors, today)
            if _empty(sub, value) and full in required:
                errors.append(_required_error(sub, where))
            if value is not None and value is not MISSING:
                _put(clean, rel, value)
        out.append(clean)
    low, high = f.get("min_items", 0), f.get("max_items")
    if f["path"] in decision.required:
        low = max(low, 1)
    if len(out) < low:
        errors.append(
            _err(
                "group_too_few",
                f["path"],
                f"Cần khai ít nhất {low} mục «{f['label']['vi']}».",
                f"At least {low} item(s) of «{f['label'].get('en') or f['label']['vi']}» needed.",
            )
        )
    if high is not None and len(out) > high:
        errors.append(
            _err(
                "group_too_many",
                f["path"],
                f"Khai nhiều nhất {high} mục «{f['label']['vi']}».",
                f"At most {high} item(s) of «{f['label'].get('en') or f['label']['vi']}».",
            )
        )
    if out:
        _put(data, f["path"], out)


def _typed(document: dict[str, Any], raw: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The answers cleaned where they can be, errors ignored: what the logic reads."""
    from .definitions import walk

    typed: dict[str, Any] = {}
    for p in walk(document):
        if p.group is not None:
            continue
        value = value_at(raw, p.path)
        if p.field["type"] == "group":
            items = []
            for item in value if isinstance(value, list) else []:
                clean: dict[str, Any] = {}
                for sub in p.field["fields"]:
                    rel = item_path(p.field, sub)
                    try:
                        v = clean_value(
                            sub,
                            value_at(item, rel) if isinstance(item, dict) else None,
                            rel,
                            today=today,
                        )
                    except DomainError:
                        v = None
                    if v is not None:
                        _put(clean, rel, v)
                items.append(clean)
            _put(typed, p.path, items)
            continue
        if p.field["type"] == "admin_unit":
            # A condition reads whether it is filled, not the unit: no lookup needed.
            if isinstance(value, dict) and value.get("code"):
                _put(typed, p.path, {"code": value["code"]})
            continue
        try:
            v = clean_value(p.field, None if value is MISSING else value, p.path, today=today)
        except DomainError:
            v = None
        if v is not None:
            _put(typed, p.path, v)
    return typed
