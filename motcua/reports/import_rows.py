"""One row of the historical import (docs/import-format.md) as a pydantic model.

Each column is read by its own validator, so every bad column of a row is reported at
once; the procedure, the agencies and the codes already in the database come from
`Lookups`, read once for the whole file and passed as the validation context. The rules
between columns (motcua.reports.import_rules) are checked once every column reads well,
and the first rule broken is reported: the later ones are mostly its consequences.

Each error is a `PydanticCustomError` whose type is the error's stable code and whose
context carries the column and the message in Vietnamese and English (`RowError`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from motcua.catalog.enums import Channel
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.dossiers.enums import PaidOnline
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.org.models import Agency

from .import_rules import bad, rules_broken, version_in_force


@dataclass
class RowError:
    line: int
    column: str
    code: str
    message: str
    message_en: str

    def __str__(self) -> str:
        where = f", cột {self.column}" if self.column else ""
        return f"Dòng {self.line}{where}: {self.message} ({self.message_en})"


def row_errors(line: int, exc: ValidationError) -> list[RowError]:
    """The errors of one row; each names its column."""
    out = []
    for e in exc.errors(include_url=False, include_input=False):
        ctx = e.get("ctx") or {"vi": "thiếu giá trị bắt buộc", "en": "a value is required"}
        column = ctx.get("column") or (str(e["loc"][0]) if e["loc"] else "")
        code = "required" if e["type"] == "missing" else e["type"]
        out.append(RowError(line, column, code, ctx["vi"], ctx["en"]))
    return out


class Lookups:
    """Procedures, versions and agencies, read once for the whole file."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        proc_codes = {(r.get("procedure_code") or "").strip() for r in rows}
        agency_codes = {
            (r.get(c) or "").strip()
            for r in rows
            for c in ("receiving_agency_code", "settling_agency_code")
        }
        self.procedures = {
            p.code: p
            for p in Procedure.objects.filter(code__in=proc_codes)
            .select_related("field")
            .prefetch_related("versions", "versions__fees", "versions__steps")
        }
        self.agencies = {a.code: a for a in Agency.objects.filter(code__in=agency_codes)}
        codes = sorted({(r.get("code") or "").strip() for r in rows})
        self.existing: set[str] = set()
        for start in range(0, len(codes), 2000):  # bounded IN lists (SQLite's limit)
            chunk = codes[start : start + 2000]
            self.existing |= {
                code
                for code in Dossier.objects.filter(code__in=chunk).values_list("code", flat=True)
                if code
            }
            self.existing |= set(
                DossierEvent.objects.filter(
                    seq=1, data__imported=True, data__legacy_code__in=chunk
                ).values_list("data__legacy_code", flat=True)
            )

    def version(self, procedure: Procedure, day: dt.date) -> ProcedureVersion | None:
        best = None
        for v in procedure.versions.all():
            if v.effective_from <= day and (v.effective_to is None or day <= v.effective_to):
                key = (v.effective_from, v.number)
                if best is None or key > (best.effective_from, best.number):
                    best = v
        return best


def _lookups(info: ValidationInfo) -> Lookups:
    assert isinstance(info.context, Lookups)
    return info.context


def _cell(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str | None) else str(value).strip()


# ---------------------------------------------------------------------- columns


def _code(value: Any, info: ValidationInfo) -> str:
    code = _cell(value)
    if not code:
        raise bad("code", "required", "thiếu mã hồ sơ", "the dossier code is required")
    if len(code) > 48:
        raise bad("code", "code_too_long", "mã hồ sơ dài quá 48 ký tự", "code over 48 characters")
    if code in _lookups(info).existing:
        raise bad(
            "code",
            "duplicate_in_db",
            f"mã hồ sơ {code} đã có trong hệ thống",
            f"dossier {code} already exists",
        )
    return code


def _procedure(value: Any, info: ValidationInfo) -> Procedure:
    pcode = _cell(value)
    procedure = _lookups(info).procedures.get(pcode)
    if procedure is None:
        raise bad(
            "procedure_code",
            "unknown_procedure",
            f"không có thủ tục mã '{pcode}'",
            f"no procedure with code '{pcode}'",
        )
    return procedure


def _agency(value: Any, info: ValidationInfo, *, column: str) -> Agency:
    acode = _cell(value)
    agency = _lookups(info).agencies.get(acode)
    if agency is None:
        raise bad(
            column, "unknown_agency", f"không có cơ quan mã '{acode}'", f"no agency '{acode}'"
        )
    return agency


def moment(text: str, column: str) -> dt.datetime | None:
    """An ISO 8601 moment with its UTC offset; an empty cell is None."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise bad(
            column,
            "bad_time",
            f"thời điểm '{text}' không đúng ISO 8601 (vd 2025-03-04T09:15:00+07:00)",
            f"'{text}' is not an ISO 8601 moment (e.g. 2025-03-04T09:15:00+07:00)",
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise bad(
            column,
            "missing_offset",
            f"thời điểm '{text}' thiếu múi giờ (vd +07:00)",
            f"'{text}' has no UTC offset (e.g. +07:00)",
        )
    return value


def required_moment(text: str, column: str) -> dt.datetime:
    value = moment(text, column)
    if value is None:
        raise bad(column, "required", "thiếu giá trị bắt buộc", "a value is required")
    return value


def _submitted(value: Any) -> dt.datetime:
    return required_moment(_cell(value), "submitted_at")


def _moment(value: Any, info: ValidationInfo) -> dt.datetime | None:
    return moment(_cell(value), str(info.field_name))


def _moments(value: Any, info: ValidationInfo) -> list[dt.datetime]:
    """Moments separated by ';' (supplement requests, completions), in order."""
    text, column = _cell(value), str(info.field_name)
    return [required_moment(part.strip(), column) for part in text.split(";")] if text else []


def _choice(
    allowed: Iterable[int], what: str, what_en: str, *, optional: bool = False
) -> PlainValidator:
    """One of `allowed` integers (empty is None when `optional`)."""
    allowed = list(allowed)
    shown = ", ".join(str(a) for a in allowed)

    def check(value: Any, info: ValidationInfo) -> int | None:
        text = _cell(value)
        if optional and not text:
            return None
        try:
            number: int | None = int(text)
        except ValueError:
            number = None
        if number not in allowed:
            column = str(info.field_name)
            raise bad(
                column,
                f"bad_{column}",
                f"{what} '{text}' không hợp lệ (nhận {shown})",
                f"{what_en} '{text}' is invalid (expected {shown})",
            )
        return number

    return PlainValidator(check)


_FLAG = _choice((0, 1), "giá trị cờ", "flag")


def _fee(value: Any) -> int:
    text = _cell(value) or "0"
    if not text.isdigit():
        raise bad(
            "fee_vnd",
            "bad_fee_vnd",
            f"phí '{text}' phải là số nguyên đồng không âm",
            f"fee '{text}' must be a non-negative whole number of đồng",
        )
    return int(text)


# ---------------------------------------------------------------------- the row


class RowIn(BaseModel):
    """One CSV row; fields in the order of the columns (`COLUMNS`), named by them."""

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True)

    code: Annotated[str, PlainValidator(_code)]
    # (validated by `_lookup` below: Annotated[<model>, …] means something else to mypy's
    # Django plugin)
    procedure: Procedure = Field(alias="procedure_code")
    receiving: Agency = Field(alias="receiving_agency_code")
    settling: Agency = Field(alias="settling_agency_code")
    channel: Annotated[int, _choice(Channel.values, "kênh", "channel")]
    submitted_at: Annotated[dt.datetime, PlainValidator(_submitted)]
    received_at: Annotated[dt.datetime | None, PlainValidator(_moment)]
    due_at: Annotated[dt.datetime | None, PlainValidator(_moment)]
    finished_at: Annotated[dt.datetime | None, PlainValidator(_moment)]
    returned_at: Annotated[dt.datetime | None, PlainValidator(_moment)]
    status: Annotated[int, _choice(range(1, 11), "trạng thái", "status")]
    supplement_requested_at: Annotated[list[dt.datetime], PlainValidator(_moments)]
    supplement_completed_at: Annotated[list[dt.datetime], PlainValidator(_moments)]
    fee_vnd: Annotated[int, PlainValidator(_fee)]
    paid_online: Annotated[int, _choice(PaidOnline.values, "thanh toán trực tuyến", "paid_online")]
    electronic_result: Annotated[int, _FLAG]
    digitized: Annotated[int, _FLAG]
    reused: Annotated[int, _FLAG]
    rating: Annotated[int | None, _choice((1, 0, -1), "đánh giá", "rating", optional=True)]

    _version: ProcedureVersion | None = PrivateAttr(None)

    @field_validator("procedure", "receiving", "settling", mode="plain")
    @classmethod
    def _lookup(cls, value: Any, info: ValidationInfo) -> Procedure | Agency:
        if info.field_name == "procedure":
            return _procedure(value, info)
        return _agency(value, info, column=f"{info.field_name}_agency_code")

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> RowIn:
        """The first rule between columns that the row breaks, if any."""
        for problem in rules_broken(self):
            raise problem
        self._version = version_in_force(self, _lookups(info))
        return self

    def parsed(self, line: int) -> Parsed:
        version = self._version
        assert version is not None
        requests, completions = self.supplement_requested_at, self.supplement_completed_at
        return Parsed(
            line=line,
            code=self.code,
            procedure=self.procedure,
            version=version,
            receiving=self.receiving,
            settling=self.settling,
            channel=self.channel,
            status=self.status,
            submitted_at=self.submitted_at,
            received_at=self.received_at,
            due_at=self.due_at,
            finished_at=self.finished_at,
            returned_at=self.returned_at,
            supplements=[
                (ask, completions[i] if i < len(completions) else None)
                for i, ask in enumerate(requests)
            ],
            fee_vnd=self.fee_vnd,
            paid_online=self.paid_online,
            electronic_result=bool(self.electronic_result),
            digitized=bool(self.digitized),
            reused=bool(self.reused),
            rating=self.rating,
            steps=sorted(version.steps.all(), key=lambda s: s.order),
        )


@dataclass
class Parsed:
    line: int
    code: str
    procedure: Procedure
    version: ProcedureVersion
    receiving: Agency
    settling: Agency
    channel: int
    status: int
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    supplements: list[tuple[dt.datetime, dt.datetime | None]]
    fee_vnd: int
    paid_online: int
    electronic_result: bool
    digitized: bool
    reused: bool
    rating: int | None
    steps: list[Any] = field(default_factory=list)  # the version's internal process
    # Filled by the plan (a motcua.dossiers.replay.Life):
    life: Any = None
