"""Supplements: the agency asks for the missing components (2/4 → 5, Mẫu 02) and the clock
pauses; the applicant (or the counter, for a paper supplement) supplements (5 → 4) and the
paused working time moves the appointment and the step's deadline (reference §1.5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from motcua.catalog.models import Component
from motcua.core.errors import ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor

from .. import rules
from ..enums import APPLICANT, Action
from ..models import AttachmentKind, Book, Dossier, ReceivedSource
from ..reuse import dossier_reused
from ._base import _book_number, _issuer, _require_text, transition
from ._clock import _end_pause, _open_pause, _open_pause_row, _pause_data
from ._files import (
    Files,
    Reused,
    _check_files,
    _check_reused,
    _check_volume,
    _components,
    _record_received,
    _store,
    _unknown_component,
)


def dossier_request_supplement(
    *,
    dossier_id: int,
    actor: Actor,
    reason: str,
    missing_components: Sequence[int] = (),
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Ask the applicant to supplement (2/4 → 5; Mẫu 02) with the reason and the missing
    components. The clock pauses until the applicant supplements.

    At most MOTCUA_MAX_SUPPLEMENT_REQUESTS requests per dossier (default 1: "chỉ yêu cầu bổ
    sung một lần", 2018 practice, UNCONFIRMED for Decree 118 — see docs/rules.md).
    """
    reason = _require_text(reason, "reason", "lý do yêu cầu bổ sung", "The reason")
    with transition(Action.REQUEST_SUPPLEMENT, dossier_id, actor, at, expected_version) as step:
        dossier = step.dossier
        refusal = rules.supplement_refusal(dossier)
        if refusal is not None:
            raise refusal
        valid = set(
            Component.objects.filter(version_id=dossier.procedure_version_id).values_list(
                "pk", flat=True
            )
        )
        missing = []
        for cid in missing_components:
            if not isinstance(cid, int) or cid not in valid:
                raise _unknown_component(cid, "missing_components")
            missing.append(cid)
        dossier.supplement_count += 1
        _open_pause(dossier, step.at, reason, missing)
        number = _book_number(_issuer(step), step.at, Book.SUPPLEMENT)
        step.reason = reason
        step.data = {"missing_components": missing, "number": number}
    return step.dossier


def dossier_supplement(
    *,
    dossier_id: int,
    actor: Actor,
    files: Files | None = None,
    note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
    reused: Reused | None = None,
) -> Dossier:
    """The applicant (or the counter, for a paper supplement) supplements (5 → 4).

    The paused working time is added to the appointment and to the current step's deadline:
    the applicant's time does not count against the agency (reference §1.5).

    A component may be taken from the applicant's document store (`reused`, resolved for
    the owner by motcua.store.selectors.resolve_reuse, as at submission): copied with its
    source, and the dossier counts as reusing digitized data (indicator 4.3) when the one
    rule (dossiers.reuse) says so.
    """
    with transition(Action.SUPPLEMENT, dossier_id, actor, at, expected_version, files=True) as step:
        dossier, at = step.dossier, step.at
        pause = _open_pause_row(dossier)
        checked = _check_files(files, dossier.procedure_version)
        from_store = _check_reused(reused, _components(dossier.procedure_version)) if reused else []
        checked.extend(from_store)
        given = {c.pk for c, _ in checked}
        lacking = [c for c in pause.missing_components if c not in given]
        if lacking:
            raise ValidationFailed(
                "missing_components",
                "Chưa đính kèm đủ các thành phần được yêu cầu bổ sung.",
                "Not every requested component is attached.",
                field="files",
                data={"missing_components": lacking},
            )
        if not checked and not nfc(note):
            raise ValidationFailed(
                "supplement_empty",
                "Cần đính kèm tệp hoặc ghi nội dung bổ sung.",
                "Attach files or describe the supplement.",
                field="files",
            )
        assert step.guard is not None
        by_counter = step.acting.role != APPLICANT
        if checked:
            _check_volume(
                dossier=dossier,
                files=[f for _c, f in checked],
                uploader=None if by_counter else actor,
                at=at,
                new_dossier=False,
            )
        _store(step.guard, dossier, checked, AttachmentKind.SUPPLEMENT, actor, at)
        sources = [f.reuse.source for _c, f in from_store if f.reuse is not None]
        if dossier_reused(sources):
            dossier.reused = True
        _record_received(dossier, ReceivedSource.SUPPLEMENT, at, checked)
        seconds = _end_pause(dossier, pause, at)
        step.reason = nfc(note) or ""
        step.data = {"files": len(checked), **_pause_data(dossier, seconds)}
        if sources:
            step.data["from_store"] = len(sources)
    return step.dossier
