"""The administrative unit picker's data: a province, then a commune (ward, special zone)
of it; with "former units" asked for, the units abolished on 01/07/2025 as well, so an old
address (a birthplace before the merger) can be written as it was.

The answer is stored as the unit's code and a day on which it was valid
({"code": "25112", "valid_on": "2025-06-30"}): codes are reused across periods
(org.AdministrativeUnit is effective-dated), the pair names one unit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from motcua.core.errors import ValidationFailed
from motcua.core.text import fold, sorted_vi
from motcua.org.enums import UnitKind
from motcua.org.models import AdministrativeUnit

PROVINCE_KINDS = (UnitKind.PROVINCE, UnitKind.CITY)
LOCAL_KINDS = (UnitKind.COMMUNE, UnitKind.WARD, UnitKind.SPECIAL_ZONE, UnitKind.TOWNSHIP)


def _in_force(day: dt.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def provinces(*, former: bool, today: dt.date) -> list[AdministrativeUnit]:
    rows = AdministrativeUnit.objects.filter(kind__in=PROVINCE_KINDS)
    if not former:
        rows = rows.filter(_in_force(today))
    return sorted_vi(rows, key=lambda u: u.name)


def communes(
    province: AdministrativeUnit | None, *, former: bool, today: dt.date, q: str = ""
) -> list[AdministrativeUnit]:
    """The local units under a province (directly, or under a former district), or found by
    name across every province when `q` is given; accents ignored."""
    rows = AdministrativeUnit.objects.filter(kind__in=LOCAL_KINDS).select_related(
        "parent", "parent__parent"
    )
    if province is not None:
        rows = rows.filter(Q(parent=province) | Q(parent__parent=province))
    elif not q:
        return []
    if not former:
        rows = rows.filter(_in_force(today))
    found = list(rows)
    if q:
        key = fold(q)
        found = [u for u in found if key in fold(u.name)]
    return sorted_vi(found, key=lambda u: u.name)


def province_of(unit: AdministrativeUnit) -> AdministrativeUnit | None:
    node: AdministrativeUnit | None = unit
    while node is not None and node.kind not in PROVINCE_KINDS:
        node = node.parent
    return node


def unit_of(value: Any) -> AdministrativeUnit | None:
    """The unit a stored answer names, or None."""
    if not isinstance(value, dict) or not value.get("code"):
        return None
    try:
        day = dt.date.fromisoformat(str(value.get("valid_on", "")))
    except ValueError:
        return None
    return (
        AdministrativeUnit.objects.filter(_in_force(day), code=str(value["code"]))
        .select_related("parent", "parent__parent")
        .first()
    )


def label(value: Any) -> str:
    """ "Xã Tân Yên, Tỉnh Bắc Ninh" (the unit and its province), "" when none."""
    unit = unit_of(value)
    if unit is None:
        return ""
    province = province_of(unit)
    parts = [unit.name] + ([province.name] if province is not None and province != unit else [])
    text = ", ".join(parts)
    if unit.valid_to is not None:
        text += f" (trước {unit.valid_to + dt.timedelta(days=1):%d/%m/%Y})"
    return text


def clean(value: Any, path: str, *, today: dt.date) -> dict[str, str] | None:
    """The stored form of an answer ({"code", "valid_on"}), from the page ({"province",
    "code", "former"}) or the API ({"code", "valid_on"}); None when no commune is chosen."""
    if isinstance(value, str):
        value = {"code": value}
    if not isinstance(value, dict) or not str(value.get("code") or "").strip():
        return None
    code = str(value["code"]).strip()
    rows = AdministrativeUnit.objects.filter(code=code, kind__in=LOCAL_KINDS).select_related(
        "parent", "parent__parent"
    )
    unit = None
    if value.get("valid_on"):
        try:
            day = dt.date.fromisoformat(str(value["valid_on"]))
        except ValueError:
            day = None
        unit = rows.filter(_in_force(day)).first() if day else None
    else:
        unit = rows.filter(_in_force(today)).first() or rows.order_by("-valid_from").first()
    if unit is None:
        raise ValidationFailed(
            "unknown_admin_unit",
            "Không có đơn vị hành chính cấp xã này (ở thời điểm đã chọn).",
            "No such commune-level unit (at the time chosen).",
            field=path,
        )
    province = str(value.get("province") or "").strip()
    if province:
        owner = province_of(unit)
        if owner is None or str(owner.code) != province:
            raise ValidationFailed(
                "admin_unit_not_in_province",
                "Xã, phường đã chọn không thuộc tỉnh, thành phố đã chọn.",
                "The commune chosen is not in the province chosen.",
                field=path,
            )
    day = today if unit.is_valid_on(today) else unit.valid_to or today
    return {"code": unit.code, "valid_on": day.isoformat()}
