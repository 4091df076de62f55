"""The clock of a dossier shared by several phases: the steps of the internal process (the
handovers of the control sheet, Mẫu 05) and the pauses that stop the clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.catalog.enums import AgencyRole
from motcua.catalog.models import ProcessStep
from motcua.core import rows
from motcua.core.types import Actor
from motcua.org.models import Agency

from .. import deadlines, timing
from ..models import Dossier, Handover, Pause


def _agency(dossier: Dossier, side: str) -> Agency:
    return dossier.receiving_agency if side == AgencyRole.RECEIVING else dossier.settling_agency


def _step_agency(dossier: Dossier, step: ProcessStep) -> Agency:
    return _agency(dossier, step.agency_role)


def _open_step(dossier: Dossier, step: ProcessStep | None, at: dt.datetime) -> None:
    dossier.current_step = step
    if step is None:
        dossier.current_step_started_at = None
        dossier.current_step_due_at = None
        return
    agency = _step_agency(dossier, step)
    due = timing.step_due(agency, at, step.duration_hours)
    dossier.current_step_started_at = at
    dossier.current_step_due_at = due
    rows.insert(
        Handover,
        {
            "dossier_id": dossier.pk,
            "step_id": step.pk,
            "agency_id": agency.pk,
            "started_at": at,
            "due_at": due,
            "finished_at": None,
            "finished_by_id": None,
            "outcome": "",
            "note": "",
        },
    )


def _close_step(dossier: Dossier, actor: Actor, at: dt.datetime, note: str = "") -> str | None:
    """Close the open handover of the control sheet; returns its outcome.

    The open handover's deadline is the dossier's current step deadline, so one UPDATE does.
    """
    if dossier.current_step_id is None or dossier.current_step_due_at is None:
        return None
    outcome = timing.classify(at, dossier.current_step_due_at)
    rows.update(
        Handover,
        {"dossier_id": dossier.pk, "finished_at": None},
        {
            "finished_at": at,
            "finished_by_id": actor.pk if actor is not None and actor.is_authenticated else None,
            "outcome": outcome,
            "note": note,
        },
    )
    return outcome


def _leave_steps(dossier: Dossier, actor: Actor, at: dt.datetime, note: str = "") -> None:
    """Close the open handover and leave the internal process (the result returned, or
    processing stopped)."""
    _close_step(dossier, actor, at, note)
    dossier.current_step = None
    dossier.current_step_started_at = dossier.current_step_due_at = None


def _open_pause(dossier: Dossier, at: dt.datetime, reason: str, missing: list[int]) -> None:
    """Stop the clock at `at` until `_end_pause`."""
    dossier.paused_at = at
    Pause.objects.create(dossier=dossier, started_at=at, reason=reason, missing_components=missing)


def _open_pause_row(dossier: Dossier) -> Pause:
    """The open pause of the dossier, locked."""
    return Pause.objects.select_for_update().get(dossier=dossier, ended_at__isnull=True)


def _end_pause(dossier: Dossier, pause: Pause, at: dt.datetime) -> int:
    """End the open clock pause at `at`: the paused working time moves the appointment, the
    first appointment and the current step's deadline (deadlines.pause_shift, the one pause
    rule). Returns the paused working seconds."""
    step_agency = None
    if dossier.current_step_due_at is not None and dossier.current_step is not None:
        step_agency = _step_agency(dossier, dossier.current_step)
    shift = deadlines.pause_shift(
        settling_agency=dossier.settling_agency,
        step_agency=step_agency,
        started_at=pause.started_at,
        ended_at=at,
        due_at=dossier.due_at,
        original_due_at=dossier.original_due_at,
        step_due_at=dossier.current_step_due_at if step_agency is not None else None,
    )
    pause.ended_at = at
    pause.working_seconds = shift.seconds
    pause.save(update_fields=["ended_at", "working_seconds"])
    dossier.paused_seconds += shift.seconds
    dossier.paused_at = None
    dossier.due_at = shift.due_at
    dossier.original_due_at = shift.original_due_at
    if step_agency is not None:
        dossier.current_step_due_at = shift.step_due_at
        Handover.objects.filter(dossier=dossier, finished_at__isnull=True).update(
            due_at=dossier.current_step_due_at
        )
    return shift.seconds


def _pause_data(dossier: Dossier, seconds: int) -> dict[str, Any]:
    """What a pause's end writes in its event (Biểu 06 reads the appointments back)."""
    first = dossier.original_due_at
    due = dossier.due_at
    return {
        "paused_seconds": seconds,
        "due_at": due.isoformat() if due is not None else None,
        "original_due_at": None if first is None else first.isoformat(),
    }


def _end_open_pause(dossier: Dossier, at: dt.datetime) -> dict[str, Any]:
    """End the pause the dossier is in, if any; what its end writes in the event."""
    if dossier.paused_at is None:
        return {}
    return _pause_data(dossier, _end_pause(dossier, _open_pause_row(dossier), at))
