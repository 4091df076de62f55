"""Reads for the organisation app.

`staff_role_map` is THE role lookup: every access check (motcua.dossiers.access, the back
office guards, the API token cache) goes through it. A role counts only while it is active,
within its own validity (StaffRole.valid_from / valid_to) and within its agency's
(Agency.valid_from / valid_to): an officer of an agency whose validity ended yesterday has
no rights there today. The result is memoized on the user object, so a request pays for it
once; the write services clear the memo when they change the same user's roles.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from motcua.core.types import Actor

from .models import StaffRole

_MEMO = "_motcua_staff_roles"
_MAP_MEMO = "_motcua_agency_roles"
_APPLICANT_MEMO = "_motcua_applicant_id"


def _valid_on(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def staff_roles_in_force(day: dt.date | None = None) -> Q:
    """The condition on StaffRole rows that give rights on `day` (default today): active,
    within the role's validity and within the agency's."""
    day = day or timezone.localdate()
    return (
        Q(active=True)
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        & _valid_on(day, "agency__")
    )


def _active_roles(user: Actor) -> list[StaffRole]:
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return []
    memo = getattr(user, _MEMO, None)
    if memo is None:
        memo = list(
            StaffRole.objects.filter(staff_roles_in_force(), user_id=user.pk).order_by(
                "agency__name", "agency_id", "role"
            )
        )
        setattr(user, _MEMO, memo)
    return memo


def staff_role_map(user: Actor) -> dict[int, set[str]]:
    """{agency_id: {roles}} of the roles in force today (see the module docstring)."""
    memo = getattr(user, _MAP_MEMO, None) if user is not None else None
    if memo is not None:
        return memo
    roles: dict[int, set[str]] = {}
    for staff_role in _active_roles(user):
        roles.setdefault(staff_role.agency_id, set()).add(staff_role.role)
    if user is not None:
        setattr(user, _MAP_MEMO, roles)
    return roles


def applicant_id(user: Actor) -> int | None:
    """The Applicant id of a signed-in user (None for anyone else), memoized on the user
    object: the one lookup of "whose dossiers are these" (access checks, the API token
    cache)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    cached: int | None | bool = getattr(user, _APPLICANT_MEMO, False)
    if cached is not False:
        return cached if isinstance(cached, int) else None
    from .models import Applicant

    value = Applicant.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    setattr(user, _APPLICANT_MEMO, value)
    return value


def roles_cache_clear(user: Actor) -> None:
    """Forget the memoized roles of this user object (after a role change)."""
    for name in (_MEMO, _MAP_MEMO):
        if user is not None and hasattr(user, name):
            delattr(user, name)
