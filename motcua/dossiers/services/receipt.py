"""Receipt: an online dossier is received (1 → 2: the appointment, Mẫu 01, and the first
process step) or refused with the reason in writing (1 → 3, Mẫu 03). Intake (submission)
ends with the same two acts."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from motcua.catalog import fees
from motcua.catalog.models import ProcedureVersion
from motcua.core import rows
from motcua.core.types import Actor

from .. import codes, deadlines, rules, timing
from ..digitized import is_digitized
from ..enums import Action
from ..models import Book, Dossier
from ._base import Transition, _book_number, _issuer, _require_text, transition
from ._clock import _open_step


def _version_of(dossier: Dossier) -> ProcedureVersion:
    """The dossier's procedure version, loaded once and cached on it."""
    field = Dossier._meta.get_field("procedure_version")
    if not field.is_cached(dossier):
        version = rows.load(ProcedureVersion, dossier.procedure_version_id)
        field.set_cached_value(dossier, version)
    return dossier.procedure_version


def _receive(step: Transition) -> None:
    """Give the code (a dossier imported without one), the appointment and open the first
    process step; the receipt book numbers Mẫu 01. The fees due are the assessment made at
    submission (catalog.fees), not recomputed here."""
    dossier, at = step.dossier, step.at
    version = _version_of(dossier)
    if dossier.code is None:  # a dossier imported without a code
        dossier.code = codes.code_next(dossier.receiving_agency, at)
    number = _book_number(dossier.receiving_agency_id, at, Book.RECEIPT)
    dossier.received_at = at
    dossier.rule_set = deadlines.dossier_rule_set(at, dossier.submitted_at)
    due = timing.appointment(
        version, dossier.settling_agency, at, dossier.channel, dossier.procedure.code
    )
    dossier.due_at = dossier.original_due_at = due
    if dossier.fee_assessment is None:
        # A dossier that came without one (imported, or from before assessments were
        # kept): assessed now, once, as on the day it was submitted.
        assessment = fees.quote(
            version,
            channel=dossier.channel,
            on_date=timezone.localdate(dossier.submitted_at or at),
        )
        dossier.fee_assessment = assessment.as_json()
        dossier.fee_due_vnd = assessment.total_vnd
    dossier.digitized = is_digitized(dossier.pk, dossier.channel)
    steps = rules.process_steps(dossier)
    _open_step(dossier, steps[0] if steps else None, at)
    step.data = {"code": dossier.code, "due_at": due.isoformat(), "number": number}


def _refuse(step: Transition, reason: str) -> None:
    """Refuse with the reason in writing; the refusal book numbers Mẫu 03."""
    reason = _require_text(reason, "reason", "lý do từ chối", "The reason for refusal")
    step.dossier.refusal_reason = reason
    step.dossier.finished_at = step.at
    number = _book_number(_issuer(step), step.at, Book.REFUSAL)
    step.reason, step.data = reason, {"number": number}


def dossier_receive(
    *,
    dossier_id: int,
    actor: Actor,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Receive an online dossier (1 → 2): assign the code, compute the appointment
    (Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả) and open the first process step."""
    with transition(Action.RECEIVE, dossier_id, actor, at, expected_version) as step:
        _receive(step)
    return step.dossier


def dossier_refuse(
    *,
    dossier_id: int,
    actor: Actor,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Refuse at receipt with the reason in writing (1 → 3; Mẫu 03)."""
    reason = _require_text(reason, "reason", "lý do từ chối", "The reason for refusal")
    with transition(Action.REFUSE, dossier_id, actor, at, expected_version) as step:
        _refuse(step, reason)
    return step.dossier
