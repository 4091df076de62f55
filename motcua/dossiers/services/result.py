"""The result: the electronic result is attached (indicator 4.1; the status stays) and the
result is returned to the applicant (9 → 10)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.core.errors import ValidationFailed
from motcua.core.types import Actor

from ..attachments import check_file
from ..enums import Action
from ..models import AttachmentKind, Dossier
from ._base import transition
from ._clock import _leave_steps
from ._files import _store

RETURN_METHODS = ("counter", "post", "online")


def dossier_return_result(
    *,
    dossier_id: int,
    actor: Actor,
    at: dt.datetime | None = None,
    method: str = "counter",
    expected_version: int | None = None,
) -> Dossier:
    """Return the result to the applicant (9 → 10) and close the return step."""
    if method not in RETURN_METHODS:
        raise ValidationFailed(
            "invalid_return_method",
            "Hình thức trả kết quả phải là counter, post hoặc online.",
            "The return method must be counter, post or online.",
            field="method",
        )
    with transition(Action.RETURN_RESULT, dossier_id, actor, at, expected_version) as step:
        _leave_steps(step.dossier, actor, step.at)
        step.dossier.returned_at = step.at
        step.data = {"method": method}
    return step.dossier


def dossier_attach_result(
    *,
    dossier_id: int,
    actor: Actor,
    file: Any,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Attach the electronic result (indicator 4.1); the status does not change."""
    checked = check_file(file, field="file")
    with transition(
        Action.ATTACH_RESULT, dossier_id, actor, at, expected_version, files=True
    ) as step:
        assert step.guard is not None
        (att,) = _store(
            step.guard,
            step.dossier,
            [(None, checked)],
            AttachmentKind.RESULT,
            actor,
            step.at,
        )
        step.dossier.electronic_result = True
        step.data = {"attachment": att.pk, "sha256": att.sha256}
    return step.dossier
