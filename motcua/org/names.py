"""How people and places are named on forms and pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.core.text import nfc

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from .models import AdministrativeUnit

# Prefixes of administrative unit names, longest first ("Thành phố" before "Thị").
_UNIT_PREFIXES = (
    "Thành phố ",
    "Thị trấn ",
    "Đặc khu ",
    "Thị xã ",
    "Phường ",
    "Huyện ",
    "Quận ",
    "Tỉnh ",
    "Xã ",
)


def person_name(user: User | None) -> str:
    """A staff member's name in Vietnamese order: họ, tên đệm, tên ("Hoàng Tiến Hùng").

    Accounts keep the family name (họ) in `last_name` and the middle and given names in
    `first_name` (as the demo and the admin create them); Django's get_full_name() puts
    them the Western way round. Without a name, the username."""
    if user is None:
        return ""
    full = nfc(f"{user.last_name or ''} {user.first_name or ''}") or ""
    return full or user.get_username()


def place_name(unit: AdministrativeUnit) -> str:
    """The place name (địa danh) written before the date of a document: the official name
    of the administrative unit where the issuing agency sits, without its kind ("Yên Thế"
    for "Xã Yên Thế", "Bắc Ninh" for "Tỉnh Bắc Ninh"); a unit named by a number keeps its
    kind ("Phường 5"). Nghị định 30/2020/NĐ-CP, Phụ lục I."""
    name = nfc(unit.name) or ""
    for prefix in _UNIT_PREFIXES:
        if name.startswith(prefix) or name.lower().startswith(prefix.lower()):
            rest = name[len(prefix) :].strip()
            return name if not rest or rest[0].isdigit() else rest
    return name
