"""The digitization's rules, each in one function: who may digitize, in which states of the
dossier, and the code a digitized component or a result is given."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from motcua.core.errors import IllegalTransition, PermissionDenied
from motcua.core.types import Actor
from motcua.dossiers.access import staff_roles
from motcua.dossiers.digitized import is_digitized as is_digitized  # the one rule of 4.2
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.org.enums import Role

from .enums import ScanStatus
from .models import Scan

# A paper component is scanned once the dossier is received and until it leaves the
# agency's hands (returned, refused, stopped).
OPEN_FOR_SCANS = frozenset(
    {
        Status.RECEIVED,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.FINANCIAL_OBLIGATION,
        Status.WITHDRAWAL_REQUESTED,
        Status.PROCESSED,
    }
)


def may_digitize(user: Actor, dossier: Dossier) -> bool:
    """Only counter officers (cán bộ một cửa) of the agency that received the dossier
    digitize its paper (Decree 61/2018 as amended by 107/2021: receiving and digitising)."""
    return Role.COUNTER in staff_roles(user).get(dossier.receiving_agency_id, set())


def check_may_digitize(user: Actor, dossier: Dossier) -> None:
    if not may_digitize(user, dossier):
        raise PermissionDenied(
            "Chỉ cán bộ một cửa của cơ quan tiếp nhận hồ sơ được số hóa thành phần hồ sơ.",
            "Only counter officers of the receiving agency may digitize a dossier's papers.",
            code="not_receiving_counter",
        )


def check_open_for_scans(dossier: Dossier) -> None:
    if dossier.status not in OPEN_FOR_SCANS:
        label = Status(dossier.status).label
        raise IllegalTransition(
            "not_open_for_scans",
            f"Không thể số hóa khi hồ sơ đang ở trạng thái '{label}'.",
            "Papers are digitized only while the dossier is received and not yet returned, "
            "refused or stopped.",
            field="status",
        )


def is_stale(scan: Scan, at: dt.datetime) -> bool:
    """A scan running longer than MOTCUA_OCR_STALE_SECONDS: its worker is gone (a task
    redelivered after a crash finds it running and leaves it), so the counter may retry."""
    return (
        scan.status == ScanStatus.RUNNING
        and scan.started_at is not None
        and (at - scan.started_at).total_seconds() > settings.MOTCUA_OCR_STALE_SECONDS
    )


def component_code(dossier_code: str, component_order: int, n: int) -> str:
    """The code of a digitized component (MOTCUA_COMPONENT_CODE_FORMAT; the legal format
    of Circular 01/2023/TT-VPCP is UNCONFIRMED, see docs/digitization.md)."""
    return settings.MOTCUA_COMPONENT_CODE_FORMAT.format(
        dossier_code=dossier_code, component=component_order, n=n
    )[:64]
