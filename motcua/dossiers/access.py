"""Who may act on a dossier: the one place where roles, agencies and ownership meet.

Rules (issue "core", §6): applicants act on their own dossiers only; officers act only on
dossiers their agency receives or settles, and only with their role's actions (the
TRANSITIONS table); forward/approve belong to the role and agency of the current step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from motcua.catalog.enums import AgencyRole
from motcua.core.errors import PermissionDenied
from motcua.core.types import Actor
from motcua.org.enums import AgencyKind, Role
from motcua.org.selectors import applicant_id as applicant_id  # the lookup lives in org
from motcua.org.selectors import staff_role_map

from .enums import (
    ACTION_EN,
    APPLICANT,
    EITHER_SIDE,
    RECEIVING_SIDE,
    STEP,
    TRANSITIONS,
    Action,
    Status,
)
from .models import Dossier


@dataclass(frozen=True)
class Acting:
    """How the actor acts on this dossier: as the applicant, or as staff of an agency."""

    role: str
    agency_id: int | None


def staff_roles(user: Actor) -> dict[int, set[str]]:
    """{agency_id: {roles}} of the user's staff roles in force today (active, within the
    role's and the agency's validity): the one lookup, motcua.org.selectors.staff_role_map."""
    return staff_role_map(user)


def _superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def _refuse(action: str) -> PermissionDenied:
    from .enums import Action as A

    return PermissionDenied(
        f"Bạn không có quyền thực hiện thao tác '{A(action).label}' trên hồ sơ này.",
        f"You are not allowed to '{ACTION_EN[action]}' on this dossier.",
    )


def authorize(user: Actor, dossier: Dossier, action: str) -> Acting:
    """Return how `user` may perform `action` on `dossier`, or raise PermissionDenied."""
    actors = TRANSITIONS[action][2]
    if APPLICANT in actors and dossier.owner_id and applicant_id(user) == dossier.owner_id:
        return Acting(APPLICANT, None)
    roles = staff_roles(user)
    if STEP in actors:
        step = dossier.current_step
        if step is None:
            raise _refuse(action)
        agency_id = (
            dossier.receiving_agency_id
            if step.agency_role == AgencyRole.RECEIVING
            else dossier.settling_agency_id
        )
        if step.role in roles.get(agency_id, ()):
            return Acting(step.role, agency_id)
        raise _refuse(action)
    if action in RECEIVING_SIDE:
        sides = [dossier.receiving_agency_id]
    elif action in EITHER_SIDE:
        sides = [dossier.settling_agency_id, dossier.receiving_agency_id]
    else:
        sides = [dossier.settling_agency_id]
    for agency_id in sides:
        for role in sorted(roles.get(agency_id, ())):
            if role in actors:
                return Acting(role, agency_id)
    raise _refuse(action)


def _precondition_fails(action: str, dossier: Dossier) -> bool:
    from django.utils import timezone

    from . import rules

    if action == Action.RATE:
        return rules.rating_refusal(dossier) is not None
    if action == Action.REQUEST_SUPPLEMENT:
        return rules.supplement_refusal(dossier) is not None
    if action == Action.APOLOGIZE:
        return rules.apology_refusal(dossier, timezone.now()) is not None
    if action == Action.FORWARD:
        return rules.forward_refusal(dossier) is not None
    if action == Action.APPROVE:
        return rules.approve_refusal(dossier) is not None
    return False


def allowed_actions(user: Actor, dossier: Dossier) -> list[str]:
    """The actions this user may take on this dossier in its current state (for pages)."""
    result = []
    for action, (sources, _target, _actors) in TRANSITIONS.items():
        if action in (Action.SUBMIT, Action.INTAKE) or dossier.status not in sources:
            continue
        if _precondition_fails(action, dossier):
            continue
        try:
            authorize(user, dossier, action)
        except PermissionDenied:
            continue
        result.append(str(action))
    return result


def is_province_monitor(user: Actor) -> bool:
    from motcua.org.models import Agency

    monitor_agencies = [a for a, r in staff_roles(user).items() if Role.MONITOR in r]
    if not monitor_agencies:
        return False
    return Agency.objects.filter(
        pk__in=monitor_agencies,
        kind__in=[AgencyKind.PROVINCIAL_CENTER, AgencyKind.PROVINCIAL_COMMITTEE],
    ).exists()


def visible_dossiers(user: Actor, qs: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Dossiers the user may see: their own (applicant), their agencies' (staff), all
    (superuser or a monitor of the provincial center / committee)."""
    qs = Dossier.objects.all() if qs is None else qs
    if user is None or not user.is_authenticated:
        return qs.none()
    if _superuser(user) or is_province_monitor(user):
        return qs
    cond = Q(pk__in=[])
    agencies = list(staff_roles(user))
    if agencies:
        cond |= Q(receiving_agency_id__in=agencies) | Q(settling_agency_id__in=agencies)
    owner = applicant_id(user)
    if owner:
        cond |= Q(owner_id=owner)
    return qs.filter(cond)


def can_view(user: Actor, dossier: Dossier) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if _superuser(user):
        return True
    if dossier.owner_id and applicant_id(user) == dossier.owner_id:
        return True
    roles = staff_roles(user)
    if dossier.receiving_agency_id in roles or dossier.settling_agency_id in roles:
        return True
    return is_province_monitor(user)


# A result (an attachment of kind "result") reaches the applicant only once the leader has
# approved it (status 9) or it was returned (10): a specialist's draft attached while the
# dossier is still being processed (4) stays with the staff.
RESULT_RELEASED = frozenset({Status.PROCESSED, Status.RETURNED})


def can_see_attachment(user: Actor, dossier: Dossier, kind: str) -> bool:
    """Whether `user`, who may view `dossier`, may see (list, download) an attachment of
    `kind`. Staff of its agencies, monitors and superusers see everything; the applicant
    sees results only after approval (RESULT_RELEASED)."""
    from .models import AttachmentKind

    if kind != AttachmentKind.RESULT or dossier.status in RESULT_RELEASED:
        return True
    if user is None or not user.is_authenticated:
        return False
    if _superuser(user):
        return True
    roles = staff_roles(user)
    if dossier.receiving_agency_id in roles or dossier.settling_agency_id in roles:
        return True
    return is_province_monitor(user)
