"""The apology and the rating: the leader apologizes and sets a new appointment before
the deadline passes (Mẫu 04; the status stays), and the applicant rates the service once
the result is returned (reference §1.6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils import timezone

from motcua.core.errors import ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor

from .. import rules
from ..enums import Action, Rating
from ..models import Book, Dossier
from ._base import _book_number, _issuer, _require_text, transition


def dossier_apologize(
    *,
    dossier_id: int,
    actor: Actor,
    reason: str,
    new_due_at: dt.datetime,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Apologize and set a new appointment before the deadline passes (Mẫu 04).

    The reason is required; the new date must be later than the current one; at most
    MOTCUA_MAX_APOLOGIES apologies per dossier (default 1, 2018 practice, UNCONFIRMED);
    the apology must come at least the regime's lead before the deadline
    (MOTCUA_APOLOGY_MIN_LEAD_DAYS_2018 / _2025 working days, default 1: rules.apology_refusal).
    Whether the dossier is then judged against the new date or the first one is
    MOTCUA_REAPPOINTMENT_JUDGED_AGAINST (deadlines.judged_due).
    """
    reason = _require_text(reason, "reason", "lý do chậm trả kết quả", "The reason for the delay")
    if new_due_at is None or timezone.is_naive(new_due_at):
        raise ValidationFailed(
            "invalid_new_due_at",
            "Ngày hẹn mới phải có ngày, giờ và múi giờ.",
            "The new date needs a date, time and time zone.",
            field="new_due_at",
        )
    with transition(Action.APOLOGIZE, dossier_id, actor, at, expected_version) as step:
        dossier = step.dossier
        refusal = rules.apology_refusal(dossier, step.at)
        if refusal is not None:
            raise refusal
        old = dossier.due_at
        if old is None or new_due_at <= old:
            raise ValidationFailed(
                "new_due_not_later",
                "Ngày hẹn mới phải sau ngày hẹn hiện tại.",
                "The new date must be later than the current appointment.",
                field="new_due_at",
            )
        dossier.due_at = new_due_at
        dossier.apology_count += 1
        number = _book_number(_issuer(step), step.at, Book.APOLOGY)
        step.reason = reason
        step.data = {
            "old_due_at": old.isoformat(),
            "new_due_at": new_due_at.isoformat(),
            "number": number,
        }
    return step.dossier


def dossier_rate(
    *,
    dossier_id: int,
    actor: Actor,
    rating: int,
    criteria: Mapping[str, int] | None = None,
    comment: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The applicant rates the service once the result is returned (reference §1.6)."""
    if rating not in Rating.values:
        raise ValidationFailed(
            "invalid_rating",
            "Đánh giá phải là 1 (hài lòng), 0 hoặc -1.",
            "The rating must be 1 (satisfied), 0 or -1.",
            field="rating",
        )
    with transition(Action.RATE, dossier_id, actor, at, expected_version) as step:
        refusal = rules.rating_refusal(step.dossier)
        if refusal is not None:
            raise refusal
        step.dossier.rating = rating
        step.reason = nfc(comment) or ""
        step.data = {"rating": rating, "criteria": dict(criteria or {})}
    return step.dossier
