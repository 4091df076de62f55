"""Writes of the catalog: the internal process (quy trình nội bộ) of a procedure version,
and the time limits an administrator sets by hand (`time_limit_set`).

Import and export of whole records live in `motcua.catalog.importer`; it creates and
closes versions through `version_record_created` / `version_close` and changes a process
through `process_set_steps`, so that every change of a version, its limits or its process
is in the audit trail (`motcua.core.audit`), with who, when, before → after.

The rule enforced here: the internal process of a procedure breaks the statutory time
limit (thời hạn giải quyết) into ordered steps, each owned by a role of the receiving
(one-stop counter) or settling agency, and the steps together may not take longer than
the statutory limit. Source: the one-stop mechanism, Decree 118/2025/NĐ-CP (in force
01/07/2025; before it Decree 61/2018/NĐ-CP + 107/2021/NĐ-CP). The exact article is not
confirmed in our reference (docs: one-stop-reference §1, open question 1).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.core.audit import AuditAction, record, snapshot
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor
from motcua.org.enums import Role

from . import hooks
from . import limits as limits_mod
from .enums import WORKING_HOURS_PER_DAY, AgencyRole, Channel, TimeUnit
from .limits import Limit
from .models import (
    LinkedMember,
    LinkedProcedure,
    Procedure,
    ProcedureTimeLimit,
    ProcedureVersion,
    ProcessStep,
    new_limits_stamp,
)

PROCESS_AGENCY_ROLES = (AgencyRole.RECEIVING.value, AgencyRole.SETTLING.value)

_QUARTER = Decimal("0.25")
_MIN_STEP = Decimal("0.5")

# (name, role, agency_role, share of the statutory hours)
DEFAULT_PROCESS = (
    ("Tiếp nhận, chuyển hồ sơ", Role.COUNTER, AgencyRole.RECEIVING, Decimal("0.05")),
    ("Thẩm định, xử lý", Role.SPECIALIST, AgencyRole.SETTLING, Decimal("0.65")),
    ("Phê duyệt, ký kết quả", Role.LEADER, AgencyRole.SETTLING, Decimal("0.20")),
    ("Trả kết quả", Role.COUNTER, AgencyRole.RECEIVING, Decimal("0.10")),
)


def statutory_hours(
    version: ProcedureVersion, hours_per_day: Decimal = WORKING_HOURS_PER_DAY
) -> Decimal | None:
    """The working hours the internal process of `version` must fit: the shortest of its
    channels' limits (`limits.process_hours`); None when it has no limit.

    Working days × `hours_per_day`; working hours as they are. Calendar days are also
    counted × `hours_per_day`: a span of N calendar days holds at most N working days, so
    this is an upper bound on the working hours really available (the exact figure needs
    the work calendar and a start date, which a process template does not have).
    """
    return limits_mod.process_hours(limits_mod.limits_of(version).values(), hours_per_day)


def default_process_for_hours(limit_hours: Decimal | None) -> list[dict[str, Any]]:
    """A 4-step process sharing `limit_hours` 5 % / 65 % / 20 % / 10 %.

    Each share is rounded down to a quarter hour with a floor of 0.5 h; what the floors
    add beyond the limit is taken from the longest step, so the sum never exceeds the
    limit. Limits under 2 h cannot give every step 0.5 h: there the shares are kept
    unrounded (to the hundredth, rounded down). No limit → no steps: a version without a
    limit takes no dossiers, and `time_limit_set` gives it its process with its limit.
    """
    if limit_hours is None:
        return []
    total = limit_hours
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

    if not isinstance(steps, list) or (not steps and limit_hours is not None):
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
    along it (create a new version instead). Writes no audit entry: its callers do
    (`process_set_steps`, `time_limit_set`, `version_record_created`)."""
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


STEP_AUDITED = ("order", "name", "role", "agency_role", "duration_hours")
# What the trail keeps of a version when it is created (its published text is the version
# itself, which an import never rewrites: a changed record is a new version).
VERSION_AUDITED = (
    "procedure",
    "number",
    "effective_from",
    "effective_to",
    "name",
    "online_level",
    "eligible_full_online",
    "paper_result_required",
    "payment_pauses_clock",
    "publication_decision",
    "publication_decision_date",
    "legal_basis_effective_date",
    "published_on",
)
# What an administrator may change on a version in place (the admin's form): its validity
# and what the province decides or completes (service level, paper result, the payment
# pause, agency wording). The record's text, components and fees are not edited in place;
# note that the import compares most of these too, so re-importing a record that differs
# from the version makes a new version, as before.
VERSION_CHANGEABLE = frozenset(
    {
        "effective_from",
        "effective_to",
        "online_level",
        "eligible_full_online",
        "paper_result_required",
        "payment_pauses_clock",
        "publication_decision",
        "publication_decision_date",
        "legal_basis_effective_date",
        "published_on",
        "deciding_agency_text",
        "receiving_agency_text",
        "settling_agency_text",
    }
)


def _steps_json(steps: Any) -> list[dict[str, Any]]:
    return [snapshot(step, STEP_AUDITED) for step in steps]


def _limits_json(version: ProcedureVersion) -> dict[str, Any]:
    return {
        str(r.channel): _json(Limit(r.channel, r.value, r.unit, r.cutoff))
        for r in version.time_limits.order_by("channel")
    }


@transaction.atomic
def process_set_steps(
    *,
    version: ProcedureVersion,
    steps: list[dict[str, Any]],
    actor: Actor = None,
    reason: str = "",
) -> list[ProcessStep]:
    """Replace the internal process of `version` by `steps` (dicts: name, role, agency_role,
    duration_hours), after checking them (see `process_errors`).

    Raises ValidationFailed naming the first bad step (`steps[i].field`); every error is in
    `data["errors"]`. Nothing is changed on refusal. The change (steps before → after) is
    in the audit trail; the same steps again write nothing.
    """
    version = (
        ProcedureVersion.objects.select_for_update(of=("self",))
        .select_related("procedure")
        .get(pk=version.pk)
    )
    clean, errors = process_errors(steps, statutory_hours(version))
    if errors:
        _raise(errors)
    before = _steps_json(version.steps.order_by("order"))
    written = write_process_steps(version, clean)
    # Read back: decimals as the database keeps them ("1.50", not the "1.5" given).
    after = _steps_json(version.steps.order_by("order"))
    record(
        actor=actor,
        action=AuditAction.CHANGED,
        operation="process_set_steps",
        obj=version,
        before={"steps": before},
        after={"steps": after},
        reason=nfc(reason) or "",
    )
    return written


def version_record_created(*, version: ProcedureVersion, actor: Actor = None) -> None:
    """Write the creation of `version` (by the import) to the audit trail: its head, its
    limits and its process, as created, and tell the listeners (`hooks.version_created`).
    Call it in the transaction that created it, once its limits and steps are written."""
    record(
        actor=actor,
        action=AuditAction.CREATED,
        operation="catalog_import",
        obj=version,
        before=None,
        after={
            **snapshot(version, VERSION_AUDITED),
            "time_limits": _limits_json(version),
            "steps": _steps_json(version.steps.order_by("order")),
        },
    )
    hooks.dispatch_version_created(version=version, actor=actor)


@transaction.atomic
def version_close(
    *, version: ProcedureVersion, effective_to: dt.date, actor: Actor = None, reason: str = ""
) -> ProcedureVersion:
    """End `version` on `effective_to` (its last day), as the import does the day before a
    new version takes effect. A version already ending on or before that day is left."""
    if version.effective_to is not None and version.effective_to <= effective_to:
        return version
    before = {"effective_to": version.effective_to}
    version.effective_to = effective_to
    version.save(update_fields=["effective_to"])
    record(
        actor=actor,
        action=AuditAction.ENDED,
        operation="version_close",
        obj=version,
        before=before,
        after={"effective_to": version.effective_to},
        reason=nfc(reason) or "",
    )
    return version


@transaction.atomic
def version_change(
    *, version: ProcedureVersion, actor: Actor = None, reason: str = "", **changes: Any
) -> ProcedureVersion:
    """Change in place what an administrator may change on a version (`VERSION_CHANGEABLE`:
    its validity, service level, whether a paper result is required, whether waiting for
    payment pauses the clock, agency wording). Its record, limits and process have their
    own ways (a new version by import, `time_limit_set`, `process_set_steps`).

    Rules: `effective_to` not before `effective_from`; at most one open-ended version of a
    procedure (the database's constraint, reported on `effective_to`). Only the fields that
    change are written to the audit trail.
    """
    unknown = set(changes) - VERSION_CHANGEABLE
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationFailed(
            "field_not_changeable",
            f"Không sửa trực tiếp trường '{field}' của phiên bản: hãy nhập phiên bản mới.",
            f"The version's field '{field}' is not changed in place: import a new version.",
            field=field,
        )
    version = (
        ProcedureVersion.objects.select_for_update(of=("self",))
        .select_related("procedure")
        .get(pk=version.pk)
    )
    names = sorted(changes)
    before = snapshot(version, names)
    for field, value in changes.items():
        if isinstance(value, str):
            value = nfc(value) or ""
        setattr(version, field, value)
    if version.effective_to is not None and version.effective_to < version.effective_from:
        raise ValidationFailed(
            "invalid_validity",
            "Ngày hết hiệu lực không được trước ngày có hiệu lực.",
            "The end of validity cannot come before its start.",
            field="effective_to",
        )
    try:
        with transaction.atomic():
            version.save(update_fields=names or None)
    except IntegrityError:
        raise ValidationFailed(
            "another_version_open",
            f"Thủ tục {version.procedure.code} đã có một phiên bản khác chưa hết hiệu lực.",
            f"Procedure {version.procedure.code} already has another open-ended version.",
            field="effective_to",
        ) from None
    after = snapshot(version, names)
    ended = before.get("effective_to", 0) is None and after.get("effective_to") is not None
    record(
        actor=actor,
        action=AuditAction.ENDED if ended else AuditAction.CHANGED,
        operation="version_change",
        obj=version,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
        reason=nfc(reason) or "",
    )
    return version


# ---------------------------------------------------------------------------- time limits

_MAX_VALUE = Decimal(10) ** 5


def _limit_error(code: str, field: str, vi: str, en: str) -> ValidationFailed:
    return ValidationFailed(code, vi, en, field=field)


def clean_time_limit(
    *, value: Any, unit: Any, cutoff: Any = None, channel: int = Channel.COUNTER
) -> Limit:
    """Check one limit as an administrator gives it; ValidationFailed naming the field.

    A same-day limit takes no number and a cut-off hour (default MOTCUA_SAME_DAY_CUTOFF);
    every other unit a positive number (calendar days: whole days, since the Civil Code
    counts whole days, Điều 147–148) and no cut-off.
    """
    if unit not in TimeUnit.values:
        allowed = ", ".join(TimeUnit.values)
        raise _limit_error(
            "invalid_time_unit",
            "unit",
            f"Đơn vị thời hạn '{unit}' không hợp lệ (một trong {allowed}).",
            f"Unknown time limit unit '{unit}' (one of {allowed}).",
        )
    if unit == TimeUnit.SAME_DAY:
        if value not in (None, ""):
            raise _limit_error(
                "invalid_time_limit",
                "value",
                "Thời hạn 'trong ngày' không kèm số ngày.",
                "A same-day limit takes no value.",
            )
        hour = limits_mod.parse_cutoff(cutoff) if cutoff not in (None, "") else None
        return Limit(channel, None, TimeUnit.SAME_DAY, hour or limits_mod.default_cutoff())
    if cutoff not in (None, ""):
        raise _limit_error(
            "invalid_time_limit",
            "cutoff",
            "Chỉ thời hạn 'trong ngày' mới có giờ chốt.",
            "Only a same-day limit has a cut-off hour.",
        )
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _limit_error(
            "invalid_time_limit",
            "value",
            "Cần nhập thời hạn (một số).",
            "The time limit (a number) is required.",
        )
    try:
        number = Decimal(str(value).strip().replace(",", "."))
        if isinstance(value, bool) or not number.is_finite():
            raise ArithmeticError
    except (ArithmeticError, ValueError):
        raise _limit_error(
            "invalid_time_limit",
            "value",
            f"Thời hạn '{value}' không phải là số.",
            f"The time limit '{value}' is not a number.",
        ) from None
    if number <= 0 or number >= _MAX_VALUE or number != number.quantize(Decimal("0.01")):
        raise _limit_error(
            "invalid_time_limit",
            "value",
            "Thời hạn phải là số dương, dưới 100.000, tối đa 2 chữ số thập phân.",
            "The time limit must be positive, below 100000, with at most 2 decimals.",
        )
    if unit == TimeUnit.CALENDAR_DAYS and number != number.to_integral_value():
        raise _limit_error(
            "invalid_time_limit",
            "value",
            "Thời hạn tính theo ngày phải là số ngày nguyên.",
            "A limit in calendar days must be a whole number of days.",
        )
    return Limit(channel, number.quantize(Decimal("0.01")), unit, None)


def current_version(procedure: Procedure | str) -> ProcedureVersion:
    """The version of `procedure` in force today, else its latest: the one an administrator
    completes."""
    if not isinstance(procedure, Procedure):
        found = Procedure.objects.filter(code=str(procedure).strip()).first()
        if found is None:
            raise NotFound(f"thủ tục {procedure}", f"Procedure {procedure}", field="procedure")
        procedure = found
    version = procedure.version_on(timezone.localdate())
    if version is None:
        version = procedure.versions.order_by("-number").first()
    if version is None:
        raise NotFound(
            f"phiên bản của thủ tục {procedure.code}",
            f"A version of procedure {procedure.code}",
            field="procedure",
        )
    return version


@transaction.atomic
def time_limit_set(
    *,
    version: ProcedureVersion,
    channels: list[int] | None,
    value: Any,
    unit: str,
    cutoff: Any = None,
    source: str = "",
    actor: Actor = None,
    at: dt.datetime | None = None,
) -> list[ProcedureTimeLimit]:
    """Set the time limit of `version` for `channels` (None: all three) by hand, with the
    legal source it comes from, and record who did it, when, and before → after (the audit
    trail: the changed channels' limits, and the process when it is replaced; the source is
    the entry's reason).

    The one way an administrator completes a version whose record states no limit (the
    admin and `motcua catalog set-limit` both call it). Rules:
    - the limit is checked as `clean_time_limit` says;
    - a limit the version already states for a channel stays as it is once dossiers were
      received under the version (`version_in_use`): their appointment came from it; a new
      version (import) changes it. A missing limit may always be added;
    - the internal process must fit the new limits: a version without steps, or whose steps
      no longer fit, gets the default process for them.
    """
    at = at or timezone.now()
    chosen = sorted({int(c) for c in (channels or Channel.values)})
    for ch in chosen:
        if ch not in Channel.values:
            raise _limit_error(
                "invalid_channel",
                "channel",
                f"Cách thức '{ch}' không hợp lệ (1 trực tiếp, 2 trực tuyến, 3 bưu chính).",
                f"Unknown channel '{ch}' (1 counter, 2 online, 3 post).",
            )
    clean = {
        ch: clean_time_limit(value=value, unit=unit, cutoff=cutoff, channel=ch) for ch in chosen
    }
    source = nfc(source or "").strip()
    given = version
    version = (
        ProcedureVersion.objects.select_for_update(of=("self",))
        .select_related("procedure")
        .get(pk=version.pk)
    )
    rows = {r.channel: r for r in ProcedureTimeLimit.objects.filter(version=version)}
    before = {ch: Limit(r.channel, r.value, r.unit, r.cutoff) for ch, r in rows.items()}
    changed = [ch for ch in chosen if before.get(ch) != clean[ch]]
    if not changed:
        return [rows[ch] for ch in chosen]
    in_use = version.dossiers.exists()
    replaced = [ch for ch in changed if ch in before]
    if replaced and in_use:
        raise ValidationFailed(
            "version_in_use",
            f"Đã có hồ sơ tiếp nhận theo phiên bản {version.number} của thủ tục "
            f"{version.procedure.code}: không sửa thời hạn đã có; hãy nhập phiên bản mới.",
            f"Dossiers were received under version {version.number} of procedure "
            f"{version.procedure.code}: its stated limit stays; import a new version.",
            field="version",
        )
    for ch in changed:
        limit = clean[ch]
        row = rows.get(ch) or ProcedureTimeLimit(version=version, channel=ch)
        row.value, row.unit, row.cutoff = limit.value, limit.unit, limit.cutoff
        row.save()
        rows[ch] = row
    version.time_limits_stamp = new_limits_stamp()
    version.save(update_fields=["time_limits_stamp"])
    # The caller's instance reads the new limits too (the cache is keyed by the stamp).
    given.time_limits_stamp = version.time_limits_stamp
    after = {ch: Limit(r.channel, r.value, r.unit, r.cutoff) for ch, r in rows.items()}
    hours = limits_mod.process_hours(after.values())
    steps = list(version.steps.order_by("order"))
    before_json: dict[str, Any] = {
        "time_limits": {str(ch): _json(before.get(ch)) for ch in changed}
    }
    after_json: dict[str, Any] = {"time_limits": {str(ch): _json(after[ch]) for ch in changed}}
    if not steps or (hours is not None and sum(s.duration_hours for s in steps) > hours):
        before_json["steps"] = _steps_json(steps)
        write_process_steps(version, default_process_for_hours(hours))
        after_json["steps"] = _steps_json(version.steps.order_by("order"))
    record(
        actor=actor,
        action=AuditAction.CHANGED,
        operation="time_limit_set",
        obj=version,
        before=before_json,
        after=after_json,
        reason=source,
        at=at,
    )
    return [rows[ch] for ch in chosen]


def _json(limit: Limit | None) -> dict[str, Any] | None:
    if limit is None:
        return None
    d = limit.as_dict()
    d["value"] = str(d["value"]) if d["value"] is not None else None
    return d


# ---------------------------------------------------------------------------- linked chains

LINKED_AUDITED = ("procedure", "active", "source", "confidence")
LINKED_MEMBER_AUDITED = (
    "order",
    "procedure",
    "agency_kind",
    "start",
    "data_keys",
    "takes_previous_result",
    "result_component",
)


def linked_chain_snapshot(linked_id: int | None) -> dict[str, Any] | None:
    """A linked procedure's chain as stored (its fields and its members in order), for the
    audit trail; None when it does not exist yet. Locks the chain's row."""
    if linked_id is None:
        return None
    linked = LinkedProcedure.objects.select_for_update().filter(pk=linked_id).first()
    if linked is None:
        return None
    return {
        **snapshot(linked, LINKED_AUDITED),
        "members": [
            {"id": m.pk, **snapshot(m, LINKED_MEMBER_AUDITED)}
            for m in LinkedMember.objects.filter(linked=linked).order_by("order", "pk")
        ],
    }


def linked_chain_record(
    *, linked: LinkedProcedure, before: dict[str, Any] | None, actor: Actor = None
) -> None:
    """Write a staff edit of a linked chain (the procedure's fields and its members, edited
    together in the admin) to the audit trail: before → after, in the edit's transaction
    (the admin's view is atomic). Saving without a change writes nothing."""
    after = linked_chain_snapshot(linked.pk)
    record(
        actor=actor,
        action=AuditAction.CHANGED if before is not None else AuditAction.CREATED,
        operation="linked_chain_change",
        obj=linked,
        before=before,
        after=after,
    )


def linked_chain_delete(*, linked: LinkedProcedure, actor: Actor = None) -> None:
    """Delete a linked chain (refused by the database while applications point to it),
    written to the audit trail with what it was."""
    with transaction.atomic():
        before = linked_chain_snapshot(linked.pk)
        pk = linked.pk
        linked.delete()
        record(
            actor=actor,
            action=AuditAction.DELETED,
            operation="linked_chain_delete",
            obj=linked,
            before=before,
            after=None,
            object_id=pk,
        )
