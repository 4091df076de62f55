"""Withdrawal and stop: the applicant asks to withdraw the dossier (→ 7) and the agency
stops processing (7 → 8; Mẫu 05 of Circular 03/2025)."""

from __future__ import annotations

import datetime as dt

from motcua.core.types import Actor

from ..enums import Action
from ..models import Book, Dossier
from ._base import _book_number, _issuer, _require_text, transition
from ._clock import _end_open_pause, _leave_steps


def dossier_request_withdrawal(
    *,
    dossier_id: int,
    actor: Actor,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The applicant asks to withdraw the dossier (→ 7)."""
    reason = _require_text(reason, "reason", "lý do rút hồ sơ", "The reason for withdrawal")
    with transition(Action.REQUEST_WITHDRAWAL, dossier_id, actor, at, expected_version) as step:
        step.reason = reason
    return step.dossier


def dossier_stop(
    *,
    dossier_id: int,
    actor: Actor,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Stop processing after a withdrawal request (7 → 8; Mẫu 05 of Circular 03/2025).

    A pause still open (waiting for a supplement or a payment) ends at the stop and moves
    the appointment like any pause, so the stop is judged with the applicant's time left out.
    """
    reason = _require_text(reason, "reason", "lý do dừng xử lý", "The reason for stopping")
    with transition(Action.STOP, dossier_id, actor, at, expected_version) as step:
        dossier = step.dossier
        data = _end_open_pause(dossier, step.at)
        _leave_steps(dossier, actor, step.at, reason)
        dossier.paused_at = None
        dossier.stopped_at = step.at
        number = _book_number(_issuer(step), step.at, Book.STOP_NOTICE)
        step.reason, step.data = reason, {**data, "number": number}
    return step.dossier
