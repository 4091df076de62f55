"""Reads for the organisation app.

`agencies_of_user` and `roles_of_user` run on every API request. They share one query
whose result is memoized on the user object, so a request pays for it once; the write
services clear the memo when they change the same user's roles.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AdministrativeUnit, Agency, StaffRole

_MEMO = "_motcua_staff_roles"


def unit_current(unit: AdministrativeUnit) -> AdministrativeUnit:
    """The unit in force today that `unit` became (itself when not superseded)."""
    return unit.current()


def _valid_on(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def units_valid_on(
    day: dt.date, parent: AdministrativeUnit | None = None
) -> QuerySet[AdministrativeUnit]:
    """Units in force on `day`, optionally only the children of `parent`, by code."""
    qs = AdministrativeUnit.objects.filter(_valid_on(day))
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs.order_by("code")


def unit_by_code(code: str, day: dt.date | None = None) -> AdministrativeUnit | None:
    """The unit with `code` in force on `day` (default today); codes are reused over time."""
    day = day or timezone.localdate()
    return AdministrativeUnit.objects.filter(_valid_on(day), code=code).first()


def _active_roles(user) -> list[StaffRole]:
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return []
    memo = getattr(user, _MEMO, None)
    if memo is None:
        memo = list(
            StaffRole.objects.filter(user=user, active=True)
            .filter(_valid_on(timezone.localdate(), "agency__"))
            .select_related("agency")
            .order_by("agency__name", "agency_id", "role")
        )
        setattr(user, _MEMO, memo)
    return memo


def roles_cache_clear(user) -> None:
    """Forget the memoized roles of this user object (after a role change)."""
    if user is not None and hasattr(user, _MEMO):
        delattr(user, _MEMO)


def agencies_of_user(user) -> list[Agency]:
    """Agencies in force today where the user holds at least one active role, by name."""
    seen: dict[int, Agency] = {}
    for staff_role in _active_roles(user):
        seen.setdefault(staff_role.agency_id, staff_role.agency)
    return list(seen.values())


def roles_of_user(user, agency: Agency | int | None = None) -> set[str]:
    """Active role values of the user, in one agency (object or id) or in all of them."""
    agency_id = getattr(agency, "pk", agency)
    return {r.role for r in _active_roles(user) if agency_id is None or r.agency_id == agency_id}
