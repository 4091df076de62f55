"""Preconditions beyond the transition table, in one place: the services enforce them and
the pages and API use them to offer only the actions that will succeed.

Each function returns the refusal (an IllegalTransition) or None. See docs/rules.md for the
settings and their legal status.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings

from motcua.catalog.enums import AgencyRole
from motcua.catalog.models import ProcessStep
from motcua.core.errors import IllegalTransition, ValidationFailed
from motcua.core.text import fold

from . import deadlines, timing

if TYPE_CHECKING:
    from motcua.catalog.models import ProcedureVersion

    from .models import Dossier


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def supplement_refusal(dossier: Dossier) -> IllegalTransition | None:
    """At most MOTCUA_MAX_SUPPLEMENT_REQUESTS supplement requests (default 1)."""
    limit = _setting("MOTCUA_MAX_SUPPLEMENT_REQUESTS", 1)
    if dossier.supplement_count < limit:
        return None
    return IllegalTransition(
        "supplement_limit",
        f"Hồ sơ đã được yêu cầu bổ sung {dossier.supplement_count} lần (tối đa {limit}).",
        f"The dossier was already asked to supplement {dossier.supplement_count} "
        f"time(s) (limit {limit}).",
        field="action",
    )


def apology_refusal(dossier: Dossier, at: dt.datetime) -> IllegalTransition | None:
    """At most MOTCUA_MAX_APOLOGIES apologies (default 1), made at least the regime's lead
    before the appointment: MOTCUA_APOLOGY_MIN_LEAD_DAYS_2018 / _2025 working days (default
    1 each; "at least 1 day before" is 2018 practice, the 2025 value UNCONFIRMED), measured
    as working time on the settling agency's calendar (docs/rules.md)."""
    limit = _setting("MOTCUA_MAX_APOLOGIES", 1)
    if dossier.apology_count >= limit:
        return IllegalTransition(
            "apology_limit",
            f"Hồ sơ đã được hẹn lại {dossier.apology_count} lần (tối đa {limit}).",
            f"The dossier was already re-appointed {dossier.apology_count} time(s) "
            f"(limit {limit}).",
            field="action",
        )
    if dossier.due_at is None or at >= dossier.due_at:
        return IllegalTransition(
            "deadline_passed",
            "Đã quá thời điểm được xin lỗi, hẹn lại: phải thực hiện trước hạn trả kết quả.",
            "Too late to apologize and re-appoint: it must be done before the deadline.",
            field="at",
        )
    days = deadlines.apology_min_lead_days(dossier.rule_set)
    if days > 0:
        calendar = timing.calendar_for(dossier.settling_agency_id)
        needed = int(days * Decimal(str(calendar.hours_per_day)) * 3600)
        if calendar.working_seconds_between(at, dossier.due_at) < needed:
            return IllegalTransition(
                "apology_too_late",
                f"Phải xin lỗi, hẹn lại ít nhất {_days_text(days)} ngày làm việc trước hạn "
                "trả kết quả.",
                f"The apology must be made at least {days} working day(s) before the deadline.",
                field="at",
                data={"min_lead_working_days": str(days), "rule_set": dossier.rule_set},
            )
    return None


def _days_text(days: Decimal) -> str:
    return format(days.normalize(), "f").replace(".", ",")


# ---------------------------------------------------------------- financial obligation

_PAYMENT_PAUSES: dict[int, bool] = {}


def payment_pauses_clock(version: ProcedureVersion | None, field_name: str) -> bool:
    """Whether the time waiting for the applicant's payment (status 6) pauses the clock.

    The procedure version's own choice (`payment_pauses_clock`, set in the admin) wins;
    otherwise MOTCUA_PAYMENT_PAUSES_CLOCK: "land" (default) pauses for procedures of the
    land field (lĩnh vực "Đất đai": the time to fulfil the financial obligation is not
    counted in land procedures), "all" always, "none" never. UNCONFIRMED outside land
    (docs/rules.md).
    """
    own = getattr(version, "payment_pauses_clock", None)
    if own is not None:
        return bool(own)
    mode = str(getattr(settings, "MOTCUA_PAYMENT_PAUSES_CLOCK", "land")).lower()
    if mode in ("all", "1", "true"):
        return True
    if mode in ("none", "0", "false"):
        return False
    return "dat dai" in fold(field_name or "")


def dossier_payment_pauses_clock(dossier: Dossier) -> bool:
    """`payment_pauses_clock` for a dossier, cached per procedure version (cleared when a
    version or a field changes)."""
    key = dossier.procedure_version_id
    cached = _PAYMENT_PAUSES.get(key)
    if cached is None:
        from motcua.catalog.models import ProcedureVersion

        version = ProcedureVersion.objects.select_related("procedure__field").get(pk=key)
        cached = payment_pauses_clock(version, version.procedure.field.name)
        if len(_PAYMENT_PAUSES) > 10_000:
            _PAYMENT_PAUSES.clear()
        _PAYMENT_PAUSES[key] = cached
    return cached


def settlement_refusal(amount_vnd: Any, fee_due_vnd: int) -> ValidationFailed | None:
    """Whether `amount_vnd` settles an obligation of `fee_due_vnd`: a positive whole number
    of đồng covering what is due. The one rule every channel's settlement goes through
    (the services' `_settle`, the bulk writers' `replay.Life.confirm_payment`)."""
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        return ValidationFailed(
            "invalid_amount",
            "Số tiền phải là số nguyên dương (đồng).",
            "The amount must be a positive whole number of đồng.",
            field="amount_vnd",
        )
    if amount_vnd < fee_due_vnd:
        return ValidationFailed(
            "amount_too_small",
            f"Số tiền nộp phải bằng số phải nộp ({fee_due_vnd:,} đồng).".replace(",", "."),
            f"The amount paid must equal the amount due ({fee_due_vnd} VND).",
            field="amount_vnd",
        )
    return None


def paid_online_for(channel: str) -> int:
    """DuocThanhToanTrucTuyen (indicator 3.6) of a payment taken through `channel`: 1 when
    the national portal's payment platform took it, 2 when the province's own online
    channels did (its gateway, a VietQR transfer to the collecting account from the
    portal's payment page), 0 at the counter. The one place this is decided: the dossier
    services store it from here, for every channel."""
    from .enums import PaidOnline, PaymentChannel

    table = {
        PaymentChannel.NATIONAL_PLATFORM: PaidOnline.NATIONAL_PORTAL,
        PaymentChannel.GATEWAY: PaidOnline.PROVINCIAL_PORTAL,
        PaymentChannel.VIETQR_TRANSFER: PaidOnline.PROVINCIAL_PORTAL,
        PaymentChannel.COUNTER_CASH: PaidOnline.NO,
        PaymentChannel.COUNTER_POS: PaidOnline.NO,
    }
    return int(table[PaymentChannel(channel)])


def rating_refusal(dossier: Dossier) -> IllegalTransition | None:
    if dossier.rating is None:
        return None
    return IllegalTransition(
        "already_rated",
        "Hồ sơ đã được đánh giá.",
        "The dossier was already rated.",
        field="rating",
    )


# ---------------------------------------------------------------- the internal process

_STEPS_CACHE: dict[int, list[ProcessStep]] = {}


def process_steps(dossier: Dossier) -> list[ProcessStep]:
    """The internal process of the dossier's version, cached per process: the steps of a
    version that dossiers were received under cannot change (catalog.services refuses it and
    the foreign keys protect them), and any change to a step clears the cache."""
    steps = _STEPS_CACHE.get(dossier.procedure_version_id)
    if steps is None:
        steps = list(
            ProcessStep.objects.filter(version_id=dossier.procedure_version_id).order_by("order")
        )
        if len(_STEPS_CACHE) > 10_000:
            _STEPS_CACHE.clear()
        _STEPS_CACHE[dossier.procedure_version_id] = steps
    return steps


def steps_cache_clear(**_kwargs: Any) -> None:
    _STEPS_CACHE.clear()
    _PAYMENT_PAUSES.clear()


def is_return_step(steps: list[ProcessStep], index: int) -> bool:
    """The trailing counter step(s) on the receiving side return the result."""
    return all(
        s.agency_role == AgencyRole.RECEIVING and s.role == "counter" for s in steps[index:]
    ) and any(s.agency_role == AgencyRole.SETTLING for s in steps[:index])


def _current_index(dossier: Dossier, steps: list[ProcessStep]) -> int | None:
    return next((i for i, s in enumerate(steps) if s.pk == dossier.current_step_id), None)


def forward_refusal(dossier: Dossier) -> IllegalTransition | None:
    """A forward needs a next step that still processes (the result step is approved)."""
    steps = process_steps(dossier)
    index = _current_index(dossier, steps)
    if index is None or index + 1 >= len(steps) or is_return_step(steps, index + 1):
        return IllegalTransition(
            "approve_instead",
            "Đây là bước cuối của xử lý: hãy phê duyệt kết quả thay vì chuyển bước.",
            "This is the last processing step: approve the result instead of forwarding.",
            field="action",
        )
    return None


def approve_refusal(dossier: Dossier) -> IllegalTransition | None:
    """Approval comes at the last processing step (only the return step may follow)."""
    steps = process_steps(dossier)
    index = _current_index(dossier, steps)
    if index is None or (index + 1 < len(steps) and not is_return_step(steps, index + 1)):
        return IllegalTransition(
            "steps_remaining",
            "Hồ sơ còn bước xử lý chưa thực hiện: hãy chuyển bước tiếp theo.",
            "Processing steps remain: forward the dossier to the next step.",
            field="action",
        )
    return None
