"""The import record as pydantic models: one validator per normalization, every bad field
of a record reported at once.

Each validator raises `_fail(...)`, a `PydanticCustomError` carrying its errors as
(sub-path, Vietnamese, English): one, or every bad item of the record's own `limits` or
`process`. Pydantic collects the errors of every field, component and fee; `records.py`
names each `records[i].<path>` in the import report.

Fields are declared in the order the report lists their errors. A field that depends on
another one (the limits on the channels and the `time_limit`, the process on the limits)
comes after it and reads it from `info.data`, where a field that failed is absent.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from motcua.core.errors import ValidationFailed
from motcua.core.text import fold, nfc

from ..enums import Channel, Level, OnlineLevel, TimeUnit
from ..fees import fee_item_problems
from ..limits import Limit, parse_cutoff, process_hours, read_time_limit
from ..services import clean_time_limit, process_errors
from .feetext import DEFAULTS as FEE_DEFAULTS
from .feetext import KEYS as feetext_keys
from .feetext import derive

_UNITS = {
    "ngay lam viec": TimeUnit.WORKING_DAYS,
    "working days": TimeUnit.WORKING_DAYS,
    "gio": TimeUnit.WORKING_HOURS,
    "gio lam viec": TimeUnit.WORKING_HOURS,
    "working hours": TimeUnit.WORKING_HOURS,
    "ngay": TimeUnit.CALENDAR_DAYS,
    "calendar days": TimeUnit.CALENDAR_DAYS,
    "trong ngay": TimeUnit.SAME_DAY,
    "same day": TimeUnit.SAME_DAY,
}
_CHANNELS = {
    "truc tiep": Channel.COUNTER,
    "truc tuyen": Channel.ONLINE,
    "buu chinh": Channel.POST,
    "qua buu chinh cong ich": Channel.POST,
}
_ONLINE = {
    "full": OnlineLevel.FULL,
    "toan trinh": OnlineLevel.FULL,
    "partial": OnlineLevel.PARTIAL,
    "mot phan": OnlineLevel.PARTIAL,
    "none": OnlineLevel.NONE,
    "khong": OnlineLevel.NONE,
}
# The fields validated before `limits`: when one of them failed, the record is rejected and
# channels left without a limit are not worth reporting as unread.
_BEFORE_LIMITS = ("code", "name", "field", "field_code", "level", "time_limit", "channels")

Problem = tuple[str, str, str]  # (sub-path after the field's own path, Vietnamese, English)


@dataclass
class Context:
    """What the validators report besides errors: notes and unread limits (`ImportReport`)."""

    index: int
    code: str | None  # the record's code as given, for the unread limits
    notes: list[str]
    unread_limits: list[dict[str, Any]]

    def unread(self, key: str, vi: str, en: str) -> None:
        self.unread_limits.append(
            {
                "index": self.index,
                "code": self.code,
                "field": f"records[{self.index}].{key}",
                "message": vi,
                "message_en": en,
            }
        )


def _fail(vi: str, en: str, sub: str = "") -> PydanticCustomError:
    return _fail_all([(sub, vi, en)])


def _fail_all(problems: list[Problem]) -> PydanticCustomError:
    return PydanticCustomError("catalog_record", "invalid record field", {"errors": problems})


def _context(info: ValidationInfo) -> Context:
    assert isinstance(info.context, Context)
    return info.context


# ---------------------------------------------------------------------- plain values


def _text(*, required: bool = False, max_length: int | None = None) -> PlainValidator:
    def check(value: Any, info: ValidationInfo) -> str:
        key = info.field_name
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise _fail(f"Thiếu '{key}'.", f"'{key}' is required.")
            return ""
        if not isinstance(value, str):
            raise _fail(f"'{key}' phải là chuỗi.", f"'{key}' must be a string.")
        value = nfc(value) or ""
        if max_length and len(value) > max_length:
            raise _fail(f"'{key}' dài quá {max_length} ký tự.", f"'{key}' exceeds {max_length}.")
        return value

    return PlainValidator(check)


def _multiline(value: Any) -> str:
    """NFC, but keep line breaks of long texts (trình tự, điều kiện)."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""


def _optional_nfc(value: Any) -> str | None:
    return nfc(value) if isinstance(value, str) else None


def _text_list(value: Any, info: ValidationInfo) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        key = info.field_name
        raise _fail(f"'{key}' phải là danh sách chuỗi.", f"'{key}' must be strings.")
    return [nfc(v) or "" for v in value if v.strip()]


def _boolean(default: bool) -> PlainValidator:
    def check(value: Any, info: ValidationInfo) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            key = info.field_name
            raise _fail(f"'{key}' phải là true/false.", f"'{key}' must be a boolean.")
        return value

    return PlainValidator(check)


def _level(value: Any) -> str:
    key = fold(value).removeprefix("cap ") if isinstance(value, str) else None
    if key not in Level.values:
        raise _fail("Cấp thực hiện phải là xã, tỉnh hoặc bộ.", "level must be xã/tỉnh/bộ.")
    return key


def _channel(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value in Channel.values:
        return value
    if isinstance(value, str) and fold(value) in _CHANNELS:
        return _CHANNELS[fold(value)].value
    raise _fail(
        f"Cách thức '{value}' không hợp lệ.",
        f"Unknown channel '{value}' (trực tiếp / trực tuyến / bưu chính).",
    )


def _some_channels(value: Any) -> Any:
    if not isinstance(value, list) or not value:
        raise _fail("Cần ít nhất một cách thức thực hiện.", "At least one channel.")
    return value


def _online_level(value: Any) -> str | None:
    """None when the record does not say (the default follows the channels)."""
    if value is None:
        return None
    if isinstance(value, str) and fold(value) in _ONLINE:
        return _ONLINE[fold(value)].value
    raise _fail("Mức độ trực tuyến không hợp lệ.", "online_level: full/partial/none.")


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _fail("Ngày hiệu lực sai định dạng.", "effective_from: YYYY-MM-DD.") from None


def _components(value: Any) -> Any:
    """None → []; anything but a list is an error."""
    if value is not None and not isinstance(value, list):
        raise _fail("'components' phải là danh sách.", "components must be a list.")
    return value or []


def _count(key: str) -> PlainValidator:
    """A number of copies (bản chính, bản sao): a whole number ≥ 0; null is 0."""

    def check(value: Any) -> int:
        n = 0 if value is None else value
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 32767:
            raise _fail("Số bản phải là số nguyên ≥ 0.", f"{key}: integer ≥ 0.")
        return n

    return PlainValidator(check)


# ---------------------------------------------------------------------- time limit


def decimal_of(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _limit_value(value: Any) -> Decimal | None:
    if value is None:
        return None
    d = decimal_of(value)
    if d is None or d <= 0 or d >= 10**5 or d != d.quantize(Decimal("0.01")):
        raise _fail(
            "Thời hạn phải là số dương (tối đa 2 chữ số thập phân).",
            "time_limit.value must be a positive number with at most 2 decimals.",
        )
    return d.quantize(Decimal("0.01"))


def _limit_unit(value: Any) -> str | None:
    """The unit's code; None when the record leaves it null."""
    if value is None:
        return None
    if isinstance(value, str) and value in TimeUnit.values:
        return value
    if isinstance(value, str) and fold(value).replace("_", " ") in _UNITS:
        return _UNITS[fold(value)].value
    raise _fail(f"Đơn vị thời hạn '{value}' không hợp lệ.", f"Unknown time_limit.unit '{value}'.")


class _Lenient(BaseModel):
    """A model whose every field is validated, given or not: an absent key reads as null,
    so each validator decides what null means (required, a default, none)."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _absent_is_null(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        keys = (f.alias or name for name, f in cls.model_fields.items())
        return dict.fromkeys(keys) | value


class TimeLimitIn(_Lenient):
    """`time_limit`: {value, unit, text} as the portal states it."""

    value: Annotated[Decimal | None, PlainValidator(_limit_value)]
    unit: Annotated[str | None, PlainValidator(_limit_unit)]
    text: Annotated[str, PlainValidator(_multiline)]

    @model_validator(mode="after")
    def _note_null_unit(self, info: ValidationInfo) -> TimeLimitIn:
        if self.unit is None and self.value is not None:
            ctx = _context(info)
            code = ctx.code and nfc(ctx.code)
            ctx.notes.append(
                f"records[{ctx.index}] {code or ''}: time_limit.unit is null → read as working days"
            )
        return self


def _time_limit_object(value: Any) -> Any:
    value = value or {}
    if not isinstance(value, dict):
        raise _fail("'time_limit' phải là đối tượng.", "time_limit must be an object.")
    return value


def _limits_read(info: ValidationInfo) -> list[dict[str, Any]]:
    """The limits read from `time_limit` (`limits.read_time_limit`); what cannot be read
    goes to the report's unread limits, never filled in."""
    tl = info.data.get("time_limit") or TimeLimitIn.model_construct(value=None, unit=None, text="")
    offered = sorted(set(info.data.get("channels", [])))
    reading = read_time_limit(tl.value, tl.unit, tl.text, offered)
    if reading.problem:
        _context(info).unread("time_limit", reading.problem_vi or "", reading.problem)
    return [
        {"channel": x.channel, "value": x.value, "unit": x.unit, "cutoff": x.cutoff}
        for x in reading.limits
    ]


def _limit_given(item: Any, seen: set[int]) -> tuple[dict[str, Any] | None, Problem | None]:
    """One of the record's own limits, checked as an administrator's limit is."""
    if not isinstance(item, dict) or item.get("channel") not in Channel.values:
        return None, (".channel", "Cách thức phải là 1, 2 hoặc 3.", "channel: 1, 2 or 3.")
    if item["channel"] in seen:
        return None, (".channel", "Cách thức bị lặp.", "The channel repeats.")
    try:
        if item.get("cutoff") is not None:
            parse_cutoff(item["cutoff"])
        limit = clean_time_limit(
            value=item.get("value"),
            unit=item.get("unit"),
            cutoff=item.get("cutoff"),
            channel=item["channel"],
        )
    except ValidationFailed as exc:
        return None, (f".{exc.field or 'value'}", exc.message, exc.message_en)
    seen.add(limit.channel)
    return {
        "channel": limit.channel,
        "value": limit.value,
        "unit": limit.unit,
        "cutoff": limit.cutoff,
    }, None


def _limits_given(given: Any, info: ValidationInfo) -> list[dict[str, Any]]:
    if not isinstance(given, list):
        raise _fail("'limits' phải là danh sách.", "limits must be a list.")
    out: dict[int, dict[str, Any]] = {}
    problems: list[Problem] = []
    for j, item in enumerate(given):
        limit, problem = _limit_given(item, set(out))
        if problem is not None:
            problems.append((f"[{j}]{problem[0]}", problem[1], problem[2]))
        elif limit is not None:
            out[limit["channel"]] = limit
    if problems:
        raise _fail_all(problems)
    missing = [ch for ch in sorted(set(info.data.get("channels", []))) if ch not in out]
    if missing and all(key in info.data for key in _BEFORE_LIMITS):
        _context(info).unread(
            "limits",
            "không có thời hạn cho cách thức "
            + ", ".join(Channel(ch).label.lower() for ch in missing),
            "no time limit for channel(s) " + ", ".join(Channel(ch).name.lower() for ch in missing),
        )
    return [out[ch] for ch in sorted(out)]


def _limits(given: Any, info: ValidationInfo) -> list[dict[str, Any]]:
    """The limits per channel: the record's own `limits` (our export writes them) when
    present, else read from `time_limit`."""
    return _limits_read(info) if given is None else _limits_given(given, info)


# ---------------------------------------------------------------------- items


def _is_optional(name: str) -> bool:
    key = fold(name)
    return key.startswith("truong hop") or "neu co" in key


def _named(value: Any, what_vi: str, what_en: str) -> Any:
    """An item must be an object with a non-empty `name` (else that is its only error)."""
    name = value.get("name") if isinstance(value, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise _fail(f"{what_vi} thiếu tên.", f"A {what_en} needs a name.", ".name")
    return value


def _bool_or_none(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


class ComponentIn(_Lenient):
    """Thành phần hồ sơ: {name, original, copy, form, group, case?, required?}."""

    name: Annotated[str, AfterValidator(lambda v: nfc(v) or "")]
    original: Annotated[int, _count("original")]
    copies: Annotated[int, _count("copy")] = Field(alias="copy")
    form: Annotated[str, PlainValidator(lambda v: _optional_nfc(v) or "")]
    group: Annotated[str, PlainValidator(lambda v: _optional_nfc(v) or "")]
    case: Annotated[str | None, PlainValidator(_optional_nfc)]
    # Unless the record says: False when it makes it conditional ("Trường hợp …", "(nếu có)").
    required: Annotated[bool | None, PlainValidator(_bool_or_none)]

    @model_validator(mode="before")
    @classmethod
    def _has_name(cls, value: Any) -> Any:
        return _named(value, "Thành phần hồ sơ", "component")

    @field_validator("form")
    @classmethod
    def _form_length(cls, value: str) -> str:
        if len(value) > 500:
            raise _fail("Tên mẫu dài quá 500 ký tự.", "form exceeds 500 characters.")
        return value

    def canonical(self, case: str) -> dict[str, Any]:
        return {
            "name": self.name,
            "original": self.original,
            "copy": self.copies,
            "required": not _is_optional(self.name) if self.required is None else self.required,
            "form": self.form,
            "group": self.group,
            "case": case if self.case is None else self.case,
        }


def _amount(value: Any) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise _fail(
            "Số tiền phải là số nguyên đồng ≥ 0 hoặc null.",
            "amount_vnd must be a whole number of đồng ≥ 0, or null.",
        )
    return value


def _fee_name(value: str) -> str:
    value = nfc(value) or ""
    if len(value) > 500:
        raise _fail("Tên khoản phí quá dài.", "Fee name exceeds 500 characters.")
    return value


def _as_given(value: Any) -> Any:
    return value


class FeeIn(_Lenient):
    """Phí, lệ phí: {name, amount_vnd (null = no figure), note}, and our own keys (the
    export writes them): kind, computation, unit, answer_key, multiplier_key, bands,
    minimum_vnd, maximum_vnd, channels, legal_basis_number, legal_basis_text. Without
    `computation` they are read from the name and note (`feetext.derive`)."""

    # (the amount first: the order of the errors of a fee)
    amount_vnd: Annotated[int | None, PlainValidator(_amount)]
    name: Annotated[str, AfterValidator(_fee_name)]
    note: Annotated[str, PlainValidator(lambda v: _optional_nfc(v) or "")]
    computation: Annotated[Any, PlainValidator(_as_given)]
    kind: Annotated[Any, PlainValidator(_as_given)]
    unit: Annotated[Any, PlainValidator(_as_given)]
    answer_key: Annotated[Any, PlainValidator(_as_given)]
    multiplier_key: Annotated[Any, PlainValidator(_as_given)]
    bands: Annotated[Any, PlainValidator(_as_given)]
    minimum_vnd: Annotated[Any, PlainValidator(_as_given)]
    maximum_vnd: Annotated[Any, PlainValidator(_as_given)]
    channels: Annotated[Any, PlainValidator(_as_given)]
    legal_basis_number: Annotated[Any, PlainValidator(_as_given)]
    legal_basis_text: Annotated[Any, PlainValidator(_as_given)]

    @model_validator(mode="before")
    @classmethod
    def _has_name(cls, value: Any) -> Any:
        return _named(value, "Khoản phí", "fee")

    @model_validator(mode="after")
    def _sound(self) -> FeeIn:
        problems = fee_item_problems(self.spec())
        if problems:
            raise _fail_all([(f".{f}", vi, en) for f, vi, en in problems])
        return self

    def spec(self) -> dict[str, Any]:
        """The computation fields: as given (our export), else read from the wording."""
        if self.computation is None:
            return derive(self.name, self.note, self.amount_vnd)
        given = {k: getattr(self, k) for k in feetext_keys}
        out = {k: (v if given[k] is None else given[k]) for k, v in FEE_DEFAULTS.items()}
        for key in ("kind", "unit", "answer_key", "multiplier_key", "legal_basis_number"):
            out[key] = nfc(str(out[key])) or ""
        out["legal_basis_text"] = nfc(str(out["legal_basis_text"])) or ""
        return out

    def canonical(self) -> dict[str, Any]:
        return {"name": self.name, "amount_vnd": self.amount_vnd, "note": self.note, **self.spec()}


def _fees(value: Any) -> Any:
    """null = no information (kept as None); anything but a list is an error."""
    if value is not None and not isinstance(value, list):
        raise _fail("'fees' phải là danh sách.", "fees must be a list.")
    return value


def _process(value: Any, info: ValidationInfo) -> list[dict[str, Any]] | None:
    """The internal process, when the record gives one: it must fit the shortest limit."""
    if value is None:
        return None
    limits = info.data.get("limits", [])
    steps, errors = process_errors(value, process_hours(Limit(**x) for x in limits), prefix="")
    if errors:
        raise _fail_all([(e["field"], e["message"], e["message_en"]) for e in errors])
    return steps


# ---------------------------------------------------------------------- the record


class RecordIn(_Lenient):
    """One record of the import file (see the package's docstring for the keys)."""

    code: Annotated[str, _text(required=True, max_length=40)]
    name: Annotated[str, _text(required=True, max_length=1000)]
    field: Annotated[str, _text(required=True, max_length=255)]
    field_code: Annotated[str, _text(max_length=40)]
    level: Annotated[str, PlainValidator(_level)]
    time_limit: Annotated[TimeLimitIn, BeforeValidator(_time_limit_object)]
    channels: Annotated[
        list[Annotated[int, PlainValidator(_channel)]], BeforeValidator(_some_channels)
    ]
    limits: Annotated[list[dict[str, Any]], PlainValidator(_limits)]
    components: Annotated[list[ComponentIn], BeforeValidator(_components)]
    fees: Annotated[list[FeeIn] | None, BeforeValidator(_fees)]
    online_level: Annotated[str | None, PlainValidator(_online_level)]
    effective_from: Annotated[dt.date | None, PlainValidator(_date)]
    process: Annotated[list[dict[str, Any]] | None, PlainValidator(_process)]
    subjects: Annotated[list[str], PlainValidator(_text_list)]
    paper_result_required: Annotated[bool, _boolean(True)]
    legal_basis: Annotated[list[str], PlainValidator(_text_list)]
    eligible_full_online: Annotated[bool, _boolean(False)]
    deciding_agency: Annotated[str, _text()]
    receiving_agency: Annotated[str, _text()]
    agency: Annotated[str, _text()]
    publication_decision: Annotated[str, _text(max_length=255)]
    steps_text: Annotated[str, PlainValidator(_multiline)]
    result: Annotated[str, PlainValidator(_multiline)]
    conditions: Annotated[str, PlainValidator(_multiline)]
