"""Writes of the catalog: the internal process (quy trình nội bộ) of a procedure version.

Import and export of whole records live in `motcua.catalog.importer`.

The rule enforced here: the internal process of a procedure breaks the statutory time
limit (thời hạn giải quyết) into ordered steps, each owned by a role of the receiving
(one-stop counter) or settling agency, and the steps together may not take longer than
the statutory limit. Source: the one-stop mechanism, Decree 118/2025/NĐ-CP (in force
01/07/2025; before it Decree 61/2018/NĐ-CP + 107/2021/NĐ-CP). The exact article is not
confirmed in our reference (docs: one-stop-reference §1, open question 1).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import transaction

from motcua.core.errors import ValidationFailed
from motcua.core.text import nfc
from motcua.org.enums import Role

from .enums import WORKING_HOURS_PER_DAY, AgencyRole, TimeUnit
from .models import ProcedureVersion, ProcessStep

PROCESS_AGENCY_ROLES = (AgencyRole.RECEIVING.value, AgencyRole.SETTLING.value)

# Assumed limit for versions whose record states none (6 real records: chứng thực, trích
# lục, nuôi con nuôi): the default process is sized for 5 working days.
DEFAULT_LIMIT_DAYS = Decimal(5)

_QUARTER = Decimal("0.25")
_MIN_STEP = Decimal("0.5")

# (name, role, agency_role, share of the statutory hours)
DEFAULT_PROCESS = (
    ("Tiếp nhận, chuyển hồ sơ", Role.COUNTER, AgencyRole.RECEIVING, Decimal("0.05")),
    ("Thẩm định, xử lý", Role.SPECIALIST, AgencyRole.SETTLING, Decimal("0.65")),
    ("Phê duyệt, ký kết quả", Role.LEADER, AgencyRole.SETTLING, Decimal("0.20")),
    ("Trả kết quả", Role.COUNTER, AgencyRole.RECEIVING, Decimal("0.10")),
)


def hours_for_limit(
    value: Decimal | int | None, unit: str, hours_per_day: Decimal = WORKING_HOURS_PER_DAY
) -> Decimal | None:
    """The statutory limit in working hours; None when the record states no limit.

    Working days × `hours_per_day`; working hours as they are. Calendar days are also
    counted × `hours_per_day`: a span of N calendar days holds at most N working days, so
    this is an upper bound on the working hours really available (the exact figure needs
    the work calendar and a start date, which a process template does not have).
    """
    if value is None:
        return None
    value = Decimal(value)
    if unit == TimeUnit.WORKING_HOURS:
        return value
    return value * hours_per_day


def statutory_hours(
    version: ProcedureVersion, hours_per_day: Decimal = WORKING_HOURS_PER_DAY
) -> Decimal | None:
    """The statutory limit of `version` in working hours (see `hours_for_limit`)."""
    return hours_for_limit(version.time_limit_value, version.time_limit_unit, hours_per_day)


def default_process_for_hours(limit_hours: Decimal | None) -> list[dict[str, Any]]:
    """A 4-step process sharing `limit_hours` 5 % / 65 % / 20 % / 10 %.

    Each share is rounded down to a quarter hour with a floor of 0.5 h; what the floors
    add beyond the limit is taken from the longest step, so the sum never exceeds the
    limit. Limits under 2 h cannot give every step 0.5 h: there the shares are kept
    unrounded (to the hundredth, rounded down). No limit → 5 working days.
    """
    total = limit_hours if limit_hours is not None else DEFAULT_LIMIT_DAYS * WORKING_HOURS_PER_DAY
    if total < _MIN_STEP * len(DEFAULT_PROCESS):
        hours = [
            (total * share).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            for *_, share in DEFAULT_PROCESS
        ]
    else:
        hours = [
            max(_MIN_STEP, ((total * share) / _QUARTER).to_integral_value(ROUND_DOWN) * _QUARTER)
            for *_, share in DEFAULT_PROCESS
        ]
        excess = sum(hours) - total
        if excess > 0:
            longest = hours.index(max(hours))
            hours[longest] -= excess
    return [
        {
            "name": name,
            "role": role.value,
            "agency_role": agency_role.value,
            "duration_hours": h,
        }
        for (name, role, agency_role, _), h in zip(DEFAULT_PROCESS, hours, strict=True)
    ]


def default_process_for(version: ProcedureVersion) -> list[dict[str, Any]]:
    """The default internal process of `version` (see `default_process_for_hours`)."""
    return default_process_for_hours(statutory_hours(version))


def process_errors(
    steps: Any, limit_hours: Decimal | None, *, prefix: str = "steps"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Check a process; return (clean steps, errors). Each error names `prefix[i].key`.

    Rules: at least one step; a name; a role of `motcua.org.enums.Role`; the agency role
    `receiving` or `settling`; a duration > 0 h; the total within `limit_hours` when the
    version has a limit.
    """
    errors: list[dict[str, Any]] = []
    clean: list[dict[str, Any]] = []

    def err(field: str, vi: str, en: str) -> None:
        errors.append({"field": field, "message": vi, "message_en": en})

    if not isinstance(steps, list) or not steps:
        err(prefix, "Quy trình phải có ít nhất một bước.", "A process needs at least one step.")
        return clean, errors
    for i, step in enumerate(steps):
        at = f"{prefix}[{i}]"
        if not isinstance(step, dict):
            err(at, f"Bước {i + 1} không hợp lệ.", f"Step {i + 1} is not an object.")
            continue
        name = nfc(step.get("name")) if isinstance(step.get("name"), str) else None
        if not name:
            err(f"{at}.name", f"Bước {i + 1} thiếu tên.", f"Step {i + 1} has no name.")
        elif len(name) > 255:
            err(f"{at}.name", f"Tên bước {i + 1} quá dài.", f"Step {i + 1}: name too long.")
        role = step.get("role")
        if role not in Role.values:
            err(
                f"{at}.role",
                f"Bước {i + 1}: vai trò '{role}' không hợp lệ (một trong {', '.join(Role.values)}).",
                f"Step {i + 1}: unknown role '{role}' (one of {', '.join(Role.values)}).",
            )
        agency_role = step.get("agency_role")
        if agency_role not in PROCESS_AGENCY_ROLES:
            err(
                f"{at}.agency_role",
                f"Bước {i + 1}: đơn vị thực hiện phải là receiving hoặc settling.",
                f"Step {i + 1}: agency_role must be receiving or settling.",
            )
        try:
            duration = Decimal(str(step.get("duration_hours")))
            if not duration.is_finite():
                raise ArithmeticError
        except (ArithmeticError, ValueError):
            duration = None
        if duration is None or isinstance(step.get("duration_hours"), bool):
            err(
                f"{at}.duration_hours",
                f"Bước {i + 1}: thời gian phải là số giờ.",
                f"Step {i + 1}: duration_hours must be a number of hours.",
            )
            continue
        if duration <= 0:
            err(
                f"{at}.duration_hours",
                f"Bước {i + 1}: thời gian phải lớn hơn 0.",
                f"Step {i + 1}: duration_hours must be greater than 0.",
            )
        elif duration != duration.quantize(Decimal("0.01")) or duration >= 10**5:
            err(
                f"{at}.duration_hours",
                f"Bước {i + 1}: thời gian tối đa 2 chữ số thập phân, dưới 100.000 giờ.",
                f"Step {i + 1}: duration_hours takes at most 2 decimals, below 100000.",
            )
        clean.append(
            {"name": name, "role": role, "agency_role": agency_role, "duration_hours": duration}
        )
    if not errors and limit_hours is not None:
        total = sum(s["duration_hours"] for s in clean)
        if total > limit_hours:
            err(
                prefix,
                f"Tổng thời gian các bước ({total} giờ) vượt thời hạn giải quyết "
                f"({limit_hours} giờ làm việc).",
                f"The steps take {total} h, more than the statutory limit of "
                f"{limit_hours} working hours.",
            )
    return clean, errors


def _raise(errors: list[dict[str, Any]]) -> None:
    first = errors[0]
    raise ValidationFailed(
        "process_invalid",
        first["message"],
        first["message_en"],
        field=first["field"],
        data={"errors": errors},
    )


def write_process_steps(
    version: ProcedureVersion, clean: list[dict[str, Any]]
) -> list[ProcessStep]:
    """Replace the steps of `version` by `clean` (already checked by `process_errors`).

    A version that dossiers were received under keeps its process: they are being settled
    along it (create a new version instead)."""
    if version.dossiers.exists():
        raise ValidationFailed(
            "version_in_use",
            "Đã có hồ sơ tiếp nhận theo phiên bản này: hãy tạo phiên bản mới để đổi quy trình.",
            "Dossiers were received under this version: create a new version to change "
            "its process.",
            field="steps",
        )
    version.steps.all().delete()
    return ProcessStep.objects.bulk_create(
        ProcessStep(version=version, order=i, **step) for i, step in enumerate(clean, start=1)
    )


@transaction.atomic
def process_set_steps(
    *, version: ProcedureVersion, steps: list[dict[str, Any]], actor=None
) -> list[ProcessStep]:
    """Replace the internal process of `version` by `steps` (dicts: name, role, agency_role,
    duration_hours), after checking them (see `process_errors`).

    Raises ValidationFailed naming the first bad step (`steps[i].field`); every error is in
    `data["errors"]`. Nothing is changed on refusal. `actor` is accepted for the audit trail
    the core app will provide; no event table exists yet.
    """
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    clean, errors = process_errors(steps, statutory_hours(version))
    if errors:
        _raise(errors)
    return write_process_steps(version, clean)
