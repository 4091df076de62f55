"""Processing: the dossier goes through the steps of the internal process (2/4 → 4), each
handover recorded on the control sheet (Mẫu 05), until the leader of the last processing
step approves and the result is ready (4 → 9)."""

from __future__ import annotations

import datetime as dt

from motcua.catalog.models import ProcessStep
from motcua.core.errors import IllegalTransition
from motcua.core.text import nfc
from motcua.core.types import Actor

from .. import rules, timing
from ..enums import Action
from ..models import Dossier
from ._base import transition
from ._clock import _close_step, _open_step


def _steps(dossier: Dossier, refusal: IllegalTransition | None) -> tuple[list[ProcessStep], int]:
    """The process steps and the index of the current one, once the rules allow the move."""
    if refusal is not None:
        raise refusal
    steps = rules.process_steps(dossier)
    return steps, next(i for i, s in enumerate(steps) if s.pk == dossier.current_step_id)


def dossier_forward(
    *,
    dossier_id: int,
    actor: Actor,
    note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Hand the dossier to the next step of the internal process (2/4 → 4).

    The handover is recorded on the control sheet (Mẫu 05) with the time and whether this
    step finished early, on time or late. The step that produces the result is closed by
    `dossier_approve`, not by a forward.
    """
    with transition(Action.FORWARD, dossier_id, actor, at, expected_version) as step:
        dossier = step.dossier
        steps, index = _steps(dossier, rules.forward_refusal(dossier))
        nxt = steps[index + 1]
        step.reason = nfc(note) or ""
        outcome = _close_step(dossier, actor, step.at, step.reason)
        _open_step(dossier, nxt, step.at)
        step.data = {"from_step": steps[index].order, "to_step": nxt.order, "outcome": outcome}
    return step.dossier


def dossier_approve(
    *,
    dossier_id: int,
    actor: Actor,
    result_note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The leader of the last processing step approves: the result is ready (4 → 9)."""
    with transition(Action.APPROVE, dossier_id, actor, at, expected_version) as step:
        dossier, at = step.dossier, step.at
        steps, index = _steps(dossier, rules.approve_refusal(dossier))
        rest = index + 1
        step_outcome = _close_step(dossier, actor, at, nfc(result_note) or "")
        dossier.finished_at = at
        dossier.result_note = step.reason = nfc(result_note) or ""
        _open_step(dossier, steps[rest] if rest < len(steps) else None, at)
        assert dossier.due_at is not None  # set at receipt
        step.data = {
            "outcome": timing.classify(at, dossier.due_at),
            "step_outcome": step_outcome,
        }
    return step.dossier
