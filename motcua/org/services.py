"""Writes for the organisation app: administrative units, agencies, staff roles, applicants.

Master data: every input is validated and refused with a `ValidationFailed` that names the
field. Every change of an agency or a staff role is written to the audit trail
(`motcua.core.audit.record`: who, when, before → after) in the same transaction; the
admin calls these services rather than saving the models itself.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, TypedDict

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from vietnam_provinces import Province, VietNamDivisionType, Ward

from motcua.core.audit import AuditAction, record, snapshot
from motcua.core.errors import DomainError, ValidationFailed
from motcua.core.seclog import security_event_on_commit
from motcua.core.text import nfc
from motcua.core.types import Actor, actor_user
from motcua.core.validation import FieldErrors, validate_party

from .enums import AgencyKind, ApplicantKind, Role, UnitKind
from .models import AdministrativeUnit, Agency, Applicant, StaffRole, VerifiedAttribute
from .passwords import password_problems
from .selectors import roles_cache_clear

# Two-level local government starts on 01/07/2025 (reference §11).
CURRENT_UNITS_FROM = dt.date(2025, 7, 1)
LEGACY_FIXTURE = Path(__file__).parent / "fixtures" / "legacy_units.json"

_PROVINCE_KINDS = {
    VietNamDivisionType.TINH: UnitKind.PROVINCE,
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: UnitKind.CITY,
}
_WARD_KINDS = {
    VietNamDivisionType.XA: UnitKind.COMMUNE,
    VietNamDivisionType.PHUONG: UnitKind.WARD,
    VietNamDivisionType.DAC_KHU: UnitKind.SPECIAL_ZONE,
}
_BATCH = 500


def province_code(code: int) -> str:
    """Unit code of a province: two digits, zero-padded ("01", "24")."""
    return f"{int(code):02d}"


def ward_code(code: int) -> str:
    """Unit code of a commune / ward / special zone: five digits, zero-padded ("07288")."""
    return f"{int(code):05d}"


# --- administrative units ---------------------------------------------------------------


def _sync_units(rows: list[dict[str, Any]]) -> int:
    """Create or update units keyed by (code, valid_from); return how many were written.

    Only the keys present in a row are compared and written, so a reload leaves
    untouched what the source does not describe.
    """
    if not rows:
        return 0
    froms = {r["valid_from"] for r in rows}
    existing = {
        (u.code, u.valid_from): u for u in AdministrativeUnit.objects.filter(valid_from__in=froms)
    }
    to_create, to_update, fields = [], [], set()
    for row in rows:
        unit = existing.get((row["code"], row["valid_from"]))
        if unit is None:
            to_create.append(AdministrativeUnit(**row))
            continue
        changed = [k for k, v in row.items() if getattr(unit, k) != v]
        if changed:
            for k in changed:
                setattr(unit, k, row[k])
            fields.update(changed)
            to_update.append(unit)
    AdministrativeUnit.objects.bulk_create(to_create, batch_size=_BATCH)
    if to_update:
        AdministrativeUnit.objects.bulk_update(to_update, sorted(fields), batch_size=_BATCH)
    return len(to_create) + len(to_update)


def _ids_by_code(valid_from: dt.date, codes: set[str]) -> dict[str, int]:
    return dict(
        AdministrativeUnit.objects.filter(valid_from=valid_from, code__in=codes).values_list(
            "code", "pk"
        )
    )


@transaction.atomic
def units_load(*, province_codes: list[int] | None = None) -> int:
    """Load today's provinces and their communes from `vietnam-provinces`.

    Units are valid from 01/07/2025, the start of two-level local government (reference
    §11). Provinces get two-digit codes, communes / wards / special zones five-digit codes,
    both as in the package (GSO numbering). Idempotent: a unit is matched on (code,
    valid_from) and only name, kind and parent are written. Returns the number of units
    created or updated (0 when nothing changed). `province_codes` limits the load.
    """
    provinces = list(Province.iter_all())
    if province_codes is not None:
        wanted = {int(c) for c in province_codes}
        unknown = wanted - {int(p.code) for p in provinces}
        if unknown:
            listed = ", ".join(province_code(c) for c in sorted(unknown))
            raise ValidationFailed(
                "unknown_province",
                f"Không có tỉnh, thành phố mã {listed} trong danh mục hiện hành.",
                f"No current province with code {listed}.",
                field="province_codes",
            )
        provinces = [p for p in provinces if int(p.code) in wanted]
    written = _sync_units(
        [
            {
                "code": province_code(p.code),
                "valid_from": CURRENT_UNITS_FROM,
                "name": nfc(p.name),
                "kind": _PROVINCE_KINDS[p.division_type],
                "parent_id": None,
            }
            for p in provinces
        ]
    )
    parent_ids = _ids_by_code(CURRENT_UNITS_FROM, {province_code(p.code) for p in provinces})
    by_code = {int(p.code) for p in provinces}
    written += _sync_units(
        [
            {
                "code": ward_code(w.code),
                "valid_from": CURRENT_UNITS_FROM,
                "name": nfc(w.name),
                "kind": _WARD_KINDS[w.division_type],
                "parent_id": parent_ids[province_code(w.province_code)],
            }
            for w in Ward.iter_all()
            if int(w.province_code) in by_code
        ]
    )
    return written


@transaction.atomic
def legacy_units_load() -> int:
    """Load the shipped sample of pre-2025 units with successor links (fixtures/README.md).

    Each legacy unit is valid until 30/06/2025 and points to the unit that replaced it on
    01/07/2025; a district's successor is the new commune holding its former seat. The
    mapping is approximate and UNCONFIRMED. The current provinces the successors belong to
    are loaded first when missing. Returns the number of units created or updated.
    """
    data = json.loads(LEGACY_FIXTURE.read_text(encoding="utf-8"))
    valid_to = dt.date.fromisoformat(data["valid_to"])
    successor_from = dt.date.fromisoformat(data["successor_valid_from"])
    units = data["units"]

    successor_codes = {u["successor"] for u in units if u["successor"]}
    successors = _ids_by_code(successor_from, successor_codes)
    if len(successors) < len(successor_codes):
        units_load(province_codes=data["requires_provinces"])
        successors = _ids_by_code(successor_from, successor_codes)
    missing = successor_codes - set(successors)
    if missing:
        raise ValidationFailed(
            "missing_successor",
            f"Chưa có đơn vị kế thừa mã {', '.join(sorted(missing))}.",
            f"Successor units {', '.join(sorted(missing))} are not loaded.",
            field="successor",
        )

    written = 0
    legacy_ids: dict[str, int] = {}
    # Parents come before their children in the file; load level by level.
    pending = list(units)
    while pending:
        level = [u for u in pending if u["parent"] is None or u["parent"] in legacy_ids]
        if not level:
            raise ValidationFailed(
                "missing_parent",
                "Tệp đơn vị cũ có đơn vị cấp trên không tồn tại.",
                "The legacy unit file names a parent that does not exist.",
                field="parent",
            )
        rows = [
            {
                "code": u["code"],
                "valid_from": dt.date.fromisoformat(u["valid_from"]),
                "valid_to": valid_to,
                "name": nfc(u["name"]),
                "kind": UnitKind(u["kind"]),
                "parent_id": legacy_ids[u["parent"]] if u["parent"] else None,
                "successor_id": successors[u["successor"]] if u["successor"] else None,
            }
            for u in level
        ]
        written += _sync_units(rows)
        for row in rows:
            legacy_ids[row["code"]] = AdministrativeUnit.objects.get(
                code=row["code"], valid_from=row["valid_from"]
            ).pk
        pending = [u for u in pending if u not in level]
    return written


# --- agencies and staff -----------------------------------------------------------------

AGENCY_CODE_MAX = 32
_AGENCY_CODE = re.compile(r"^[0-9A-Z.]+$")
_PROVINCE_LEVEL = {UnitKind.PROVINCE, UnitKind.CITY}
_COMMUNE_LEVEL = {UnitKind.COMMUNE, UnitKind.WARD, UnitKind.SPECIAL_ZONE, UnitKind.TOWNSHIP}
# Which level of unit each kind of agency sits at; vertical-sector agencies sit anywhere.
_AGENCY_UNIT_LEVEL = {
    AgencyKind.PROVINCIAL_CENTER: _PROVINCE_LEVEL,
    AgencyKind.DEPARTMENT: _PROVINCE_LEVEL,
    AgencyKind.PROVINCIAL_COMMITTEE: _PROVINCE_LEVEL,
    AgencyKind.COMMUNE_CENTER: _COMMUNE_LEVEL,
    AgencyKind.COMMUNE_COMMITTEE: _COMMUNE_LEVEL,
}


def _required(value: str | None, field: str, vi: str, en: str) -> str:
    value = nfc(value) or ""
    if not value:
        raise ValidationFailed("required", f"Chưa nhập {vi}.", f"{en} is required.", field=field)
    return value


def _agency_code(code: str) -> str:
    """Check an electronic identifier code (mã định danh điện tử, reference §2.3).

    The QCVN 102:2016 structure (`000.00.NN.Hxx`) is UNCONFIRMED, so only the length and
    the character set are checked; codes are imported from the province's official
    list, never derived.
    """
    code = (code or "").strip().upper()
    if not code:
        raise ValidationFailed(
            "invalid_agency_code",
            "Chưa nhập mã định danh điện tử của cơ quan.",
            "The agency's electronic identifier code is required.",
            field="code",
        )
    if len(code) > AGENCY_CODE_MAX or not _AGENCY_CODE.match(code):
        raise ValidationFailed(
            "invalid_agency_code",
            f"Mã định danh '{code}' không hợp lệ: tối đa {AGENCY_CODE_MAX} ký tự, chỉ gồm chữ số, chữ in hoa và dấu chấm.",
            f"Agency code '{code}' is invalid: at most {AGENCY_CODE_MAX} characters, digits, capital letters and dots only.",
            field="code",
        )
    return code


@transaction.atomic
def agency_create(
    *,
    code: str,
    name: str,
    kind: str,
    unit: AdministrativeUnit,
    parent: Agency | None = None,
    short_name: str = "",
    address: str = "",
    phone: str = "",
    valid_from: dt.date | None = None,
    actor: Actor = None,
) -> Agency:
    """Create an agency with its electronic identifier code.

    Rules: the code is unique (§2.3, format UNCONFIRMED so only characters and length are
    checked); the kind is known and matches the level of its unit (a provincial center,
    department or provincial committee sits on a province, a commune center or commune
    committee on a commune / ward / special zone); the unit is in force on `valid_from`.
    """
    code = _agency_code(code)
    name = _required(name, "name", "tên cơ quan", "Agency name")
    if kind not in AgencyKind.values:
        raise ValidationFailed(
            "invalid_kind",
            f"Loại cơ quan '{kind}' không hợp lệ.",
            f"Unknown agency kind '{kind}'.",
            field="kind",
        )
    valid_from = valid_from or CURRENT_UNITS_FROM
    kind = _check_agency_place(AgencyKind(kind), unit, valid_from)
    if Agency.objects.filter(code=code).exists():
        raise _duplicate_agency(code)
    try:
        with transaction.atomic():
            agency = Agency.objects.create(
                code=code,
                name=name,
                short_name=nfc(short_name) or "",
                kind=kind,
                unit=unit,
                parent=parent,
                address=nfc(address) or "",
                phone=(phone or "").strip(),
                valid_from=valid_from,
            )
    except IntegrityError:
        raise _duplicate_agency(code) from None
    record(
        actor=actor,
        action=AuditAction.CREATED,
        operation="agency_create",
        obj=agency,
        before=None,
        after=snapshot(agency, AGENCY_AUDITED),
    )
    return agency


def _check_agency_place(
    kind: AgencyKind, unit: AdministrativeUnit, valid_from: dt.date
) -> AgencyKind:
    """The kind of an agency matches the level of its unit, which is in force on
    `valid_from` (see `agency_create`)."""
    allowed = _AGENCY_UNIT_LEVEL.get(kind)
    if allowed is not None and unit.kind not in allowed:
        raise ValidationFailed(
            "unit_level_mismatch",
            f"{kind.label} không thể trực thuộc đơn vị hành chính {unit.get_kind_display().lower()} '{unit.name}'.",
            f"A {kind.value} agency cannot sit on a unit of kind {unit.kind} ('{unit.name}').",
            field="unit",
        )
    if not unit.is_valid_on(valid_from):
        raise ValidationFailed(
            "unit_not_valid",
            f"Đơn vị hành chính '{unit.name}' không còn hiệu lực vào ngày {valid_from:%d/%m/%Y}.",
            f"Administrative unit '{unit.name}' is not in force on {valid_from.isoformat()}.",
            field="unit",
        )
    return kind


# What the audit trail keeps of an agency and of a staff role.
AGENCY_AUDITED = (
    "code",
    "name",
    "short_name",
    "kind",
    "unit",
    "parent",
    "address",
    "phone",
    "valid_from",
    "valid_to",
    "successor",
)
STAFF_ROLE_AUDITED = ("user", "agency", "role", "title", "active", "valid_from", "valid_to")
AGENCY_CHANGEABLE = frozenset(AGENCY_AUDITED) - {"code"}


@transaction.atomic
def agency_change(
    *, agency: Agency, actor: Actor = None, reason: str = "", **changes: Any
) -> Agency:
    """Change an agency's name, kind, unit, contact, validity or successor.

    Rules: the electronic identifier code never changes (it is the agency's identity in
    every exchanged dossier); the same checks as `agency_create` on the result (a name; the
    kind matches the level of the unit, in force on `valid_from`); `valid_to` not before
    `valid_from`; a successor is another agency. Setting `valid_to` on an open agency is
    its closure (reference §11: the officers' rights end with it) and is recorded as such.
    """
    unknown = set(changes) - AGENCY_CHANGEABLE
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationFailed(
            "field_not_changeable",
            f"Không thể sửa trường '{field}' của cơ quan.",
            f"The agency's field '{field}' cannot be changed.",
            field=field,
        )
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    before = snapshot(agency, AGENCY_AUDITED)
    for field, value in changes.items():
        if field in ("name", "short_name", "address"):
            value = nfc(value) or ""
        elif field == "phone":
            value = (value or "").strip()
        setattr(agency, field, value)
    agency.name = _required(agency.name, "name", "tên cơ quan", "Agency name")
    if agency.kind not in AgencyKind.values:
        raise ValidationFailed(
            "invalid_kind",
            f"Loại cơ quan '{agency.kind}' không hợp lệ.",
            f"Unknown agency kind '{agency.kind}'.",
            field="kind",
        )
    if {"kind", "unit", "valid_from"} & set(changes):
        _check_agency_place(AgencyKind(agency.kind), agency.unit, agency.valid_from)
    if agency.valid_to is not None and agency.valid_to < agency.valid_from:
        raise ValidationFailed(
            "invalid_validity",
            "Ngày hết hiệu lực không được trước ngày có hiệu lực.",
            "The end of validity cannot come before its start.",
            field="valid_to",
        )
    if agency.successor_id is not None and agency.successor_id == agency.pk:
        raise ValidationFailed(
            "invalid_successor",
            "Cơ quan không thể kế thừa chính nó.",
            "An agency cannot succeed itself.",
            field="successor",
        )
    agency.save()
    after = snapshot(agency, AGENCY_AUDITED)
    ended = before["valid_to"] is None and after["valid_to"] is not None
    record(
        actor=actor,
        action=AuditAction.ENDED if ended else AuditAction.CHANGED,
        operation="agency_change",
        obj=agency,
        before=before,
        after=after,
        reason=nfc(reason) or "",
    )
    return agency


def agency_close(
    *,
    agency: Agency,
    valid_to: dt.date,
    successor: Agency | None = None,
    actor: Actor = None,
    reason: str = "",
) -> Agency:
    """Close an agency on `valid_to` (its last day), naming its successor if it has one."""
    return agency_change(
        agency=agency, actor=actor, reason=reason, valid_to=valid_to, successor=successor
    )


def _duplicate_agency(code: str) -> ValidationFailed:
    return ValidationFailed(
        "duplicate_agency_code",
        f"Mã định danh '{code}' đã được dùng cho một cơ quan khác.",
        f"Agency code '{code}' is already used by another agency.",
        field="code",
    )


def _role(role: str) -> Role:
    if role not in Role.values:
        raise ValidationFailed(
            "invalid_role",
            f"Vai trò '{role}' không hợp lệ.",
            f"Unknown role '{role}'.",
            field="role",
        )
    return Role(role)


_UNSET: Any = object()


def _check_can_hold(user: User, agency: Agency) -> None:
    if not user.is_active:
        raise ValidationFailed(
            "inactive_user",
            "Tài khoản người dùng đã bị khóa.",
            "The user account is inactive.",
            field="user",
        )
    today = timezone.localdate()
    if agency.valid_from > today or (agency.valid_to is not None and agency.valid_to < today):
        raise ValidationFailed(
            "agency_not_active",
            f"Cơ quan '{agency.name}' không còn hiệu lực.",
            f"Agency '{agency.name}' is not in force.",
            field="agency",
        )


def _log_role_change(
    operation: str, staff_role: StaffRole, before: Any, after: Any, actor: Actor
) -> None:
    """The security log's `role_changed` line (once committed): who (the actor), whom,
    which agency and role, before → after (None before: a new role)."""
    security_event_on_commit(
        "role_changed",
        user=actor_user(actor),
        change="staff_role",
        operation=operation,
        target_user_id=staff_role.user_id,
        target_user=staff_role.user.get_username(),
        agency=staff_role.agency.code,
        role=staff_role.role,
        old=before,
        new=after,
    )


@transaction.atomic
def staff_assign_role(
    *, user: User, agency: Agency, role: str, title: str = "", actor: Actor = None
) -> StaffRole:
    """Give a staff member a role in an agency; re-activates a revoked role.

    Rules: the role is known, the user account is active, and the agency is in force
    today (officers of an abolished agency are re-scoped to its successor, reference §11).
    Assigning a role already held only updates the title.
    """
    role = _role(role)
    _check_can_hold(user, agency)
    title = nfc(title) or ""
    staff_role = (
        StaffRole.objects.select_for_update().filter(user=user, agency=agency, role=role).first()
    )
    if staff_role is None:
        staff_role = StaffRole.objects.create(
            user=user, agency=agency, role=role, title=title, active=True
        )
        before = None
    else:
        before = snapshot(staff_role, STAFF_ROLE_AUDITED)
        staff_role.active = True
        staff_role.title = title or staff_role.title
        staff_role.save(update_fields=["active", "title"])
    record(
        actor=actor,
        action=AuditAction.CREATED if before is None else AuditAction.CHANGED,
        operation="staff_assign_role",
        obj=staff_role,
        before=before,
        after=snapshot(staff_role, STAFF_ROLE_AUDITED),
    )
    _log_role_change(
        "staff_assign_role", staff_role, before, snapshot(staff_role, STAFF_ROLE_AUDITED), actor
    )
    roles_cache_clear(user)
    return staff_role


@transaction.atomic
def staff_revoke_role(
    *, user: User, agency: Agency, role: str, actor: Actor = None, reason: str = ""
) -> StaffRole:
    """Withdraw a role. The row is kept inactive (history); revoking twice is harmless."""
    role = _role(role)
    staff_role = (
        StaffRole.objects.select_for_update().filter(user=user, agency=agency, role=role).first()
    )
    if staff_role is None:
        raise ValidationFailed(
            "role_not_held",
            f"Người dùng không giữ vai trò '{role.label}' tại '{agency.name}'.",
            f"The user does not hold role '{role.value}' in '{agency.name}'.",
            field="role",
        )
    if staff_role.active:
        before = snapshot(staff_role, STAFF_ROLE_AUDITED)
        staff_role.active = False
        staff_role.save(update_fields=["active"])
        record(
            actor=actor,
            action=AuditAction.ENDED,
            operation="staff_revoke_role",
            obj=staff_role,
            before=before,
            after=snapshot(staff_role, STAFF_ROLE_AUDITED),
            reason=nfc(reason) or "",
        )
        _log_role_change(
            "staff_revoke_role",
            staff_role,
            before,
            snapshot(staff_role, STAFF_ROLE_AUDITED),
            actor,
        )
    roles_cache_clear(user)
    return staff_role


@transaction.atomic
def staff_role_change(
    *,
    staff_role: StaffRole,
    actor: Actor = None,
    active: bool = _UNSET,
    title: str = _UNSET,
    valid_from: dt.date | None = _UNSET,
    valid_to: dt.date | None = _UNSET,
    reason: str = "",
) -> StaffRole:
    """Change a held role: its title, its own validity (an appointment, a secondment: empty
    = open-ended), or whether it is active. Who, where and which role stay: another role is
    another row (`staff_assign_role`).

    Rules: `valid_to` not before `valid_from`; re-activating checks what `staff_assign_role`
    checks. Ending it (active → inactive) is recorded as an end, like `staff_revoke_role`.
    """
    staff_role = (
        StaffRole.objects.select_for_update().select_related("user", "agency").get(pk=staff_role.pk)
    )
    before = snapshot(staff_role, STAFF_ROLE_AUDITED)
    if title is not _UNSET:
        staff_role.title = nfc(title) or ""
    if valid_from is not _UNSET:
        staff_role.valid_from = valid_from
    if valid_to is not _UNSET:
        staff_role.valid_to = valid_to
    if (
        staff_role.valid_from is not None
        and staff_role.valid_to is not None
        and staff_role.valid_to < staff_role.valid_from
    ):
        raise ValidationFailed(
            "invalid_validity",
            "Ngày hết hiệu lực không được trước ngày có hiệu lực.",
            "The end of validity cannot come before its start.",
            field="valid_to",
        )
    if active is not _UNSET:
        if active and not staff_role.active:
            _check_can_hold(staff_role.user, staff_role.agency)
        staff_role.active = bool(active)
    staff_role.save()
    after = snapshot(staff_role, STAFF_ROLE_AUDITED)
    ended = before["active"] and not after["active"]
    record(
        actor=actor,
        action=AuditAction.ENDED if ended else AuditAction.CHANGED,
        operation="staff_role_change",
        obj=staff_role,
        before=before,
        after=after,
        reason=nfc(reason) or "",
    )
    if before != after:
        _log_role_change("staff_role_change", staff_role, before, after, actor)
    roles_cache_clear(staff_role.user)
    return staff_role


# --- applicants -------------------------------------------------------------------------


def _duplicate(field: str, vi: str, en: str) -> ValidationFailed:
    return ValidationFailed(
        f"duplicate_{field}",
        f"{vi} đã được đăng ký cho một tài khoản khác.",
        f"This {en} is already registered to another account.",
        field=field,
    )


class _Identifiers(TypedDict, total=False):
    personal_id: str
    tax_code: str


@transaction.atomic
def applicant_register(
    *,
    username: str,
    password: str,
    kind: str,
    full_name: str,
    personal_id: str = "",
    tax_code: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    password_confirmation: str | None = None,
) -> Applicant:
    """Create a citizen or business account (người nộp hồ sơ).

    Rules: a citizen is identified by the 12-digit personal identification number, a
    business by its tax code (reference §10; structure and check digit verified by
    `motcua.core.identifiers`); either identifier is unique across accounts; names and
    addresses are NFC-normalized. Nothing is written when any check fails.
    """
    errors = FieldErrors()
    if kind not in ApplicantKind.values:
        raise ValidationFailed(
            "invalid_kind",
            f"Loại người nộp '{kind}' không hợp lệ.",
            f"Unknown applicant kind '{kind}'.",
            field="kind",
        )
    kind = ApplicantKind(kind)
    username = (username or "").strip()
    if not username:
        errors.add(
            ValidationFailed(
                "required", "Chưa nhập tên đăng nhập.", "Username is required.", field="username"
            )
        )
    # Every field is checked and every error reported at once (motcua.core.validation).
    ids: _Identifiers = {}
    if kind == ApplicantKind.PERSON or personal_id:
        ids["personal_id"] = personal_id
    if kind == ApplicantKind.BUSINESS or tax_code:
        ids["tax_code"] = tax_code
    checked = validate_party(
        name=full_name, phone=phone, email=email, address=address, errors=errors, **ids
    )
    full_name = checked["name"]
    personal_id = checked.get("personal_id", "")
    tax_code = checked.get("tax_code", "")
    phone, email, address = checked["phone"], checked["email"], checked["address"]
    for err in errors.errors:
        if err.field == "name":
            err.field = "full_name"  # the form's and the model's name for it
    User = get_user_model()
    # The account's own names count for the similarity rule, not only the username.
    password_error = password_problems(
        password, User(username=username, email=email, first_name=full_name)
    )
    if password_error:
        errors.add(password_error)
    if password_confirmation is not None and password_confirmation != password:
        errors.add(
            ValidationFailed(
                "password_mismatch",
                "Hai lần nhập mật khẩu không giống nhau.",
                "The two passwords do not match.",
                field="password2",
            )
        )
    errors.raise_if_any()

    def check_duplicates() -> None:
        found = FieldErrors()
        if User.objects.filter(username__iexact=username).exists():
            found.add(_duplicate("username", "Tên đăng nhập", "username"))
        if personal_id and Applicant.objects.filter(personal_id=personal_id).exists():
            found.add(
                _duplicate("personal_id", "Số định danh cá nhân", "personal identification number")
            )
        if tax_code and Applicant.objects.filter(tax_code=tax_code).exists():
            found.add(_duplicate("tax_code", "Mã số thuế", "tax code"))
        found.raise_if_any()

    check_duplicates()
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
            return Applicant.objects.create(
                user=user,
                kind=kind,
                full_name=full_name,
                personal_id=personal_id,
                tax_code=tax_code,
                phone=phone,
                email=email,
                address=address,
            )
    except IntegrityError:
        # A concurrent registration won the race: report which identifier collided.
        check_duplicates()
        raise


# ---------------------------------------------------------------------------- verified facts

ATTRIBUTE_AUDITED = ("applicant", "name", "source", "evidence", "verified_by", "valid_to")


def applicant_attribute_verify(
    *,
    actor: Actor,
    applicant: Applicant,
    name: str,
    source: str,
    evidence: str = "",
    valid_to: dt.date | None = None,
    at: dt.datetime | None = None,
) -> VerifiedAttribute:
    """Record that `applicant` has the attribute `name` (hộ nghèo, người có công…), proven
    by `source`: `identity` — the identity login received it from the identity provider
    (the login calls this, actor None); `officer` — a staff member (a StaffRole holder, not
    the applicant) saw the evidence, which is required. The fee policies grant exemptions
    on it (catalog.fees). Audited; verifying again replaces the earlier record."""
    name = (name or "").strip()
    if not re.fullmatch(r"[a-z0-9_]{1,60}", name):
        raise ValidationFailed(
            "invalid_attribute",
            "Tên thuộc tính gồm chữ thường không dấu, số và dấu gạch dưới.",
            "The attribute name is lowercase ASCII letters, digits and underscores.",
            field="name",
        )
    if source not in VerifiedAttribute.Source.values:
        raise ValidationFailed(
            "invalid_source",
            "Nguồn xác minh phải là 'identity' hoặc 'officer'.",
            "source must be 'identity' or 'officer'.",
            field="source",
        )
    evidence = nfc(evidence) or ""
    user = actor if actor is not None and actor.is_authenticated else None
    if source == VerifiedAttribute.Source.OFFICER:
        is_officer = user is not None and (
            user.pk != applicant.user_id and StaffRole.objects.filter(user_id=user.pk).exists()
        )
        if not is_officer:
            raise ValidationFailed(
                "not_an_officer",
                "Chỉ cán bộ mới xác minh được thuộc tính của người nộp.",
                "Only an officer verifies an applicant's attribute.",
                field="actor",
                status=403,
            )
        if not evidence:
            raise ValidationFailed(
                "evidence_required",
                "Cần ghi căn cứ xác minh (giấy tờ đã kiểm tra).",
                "The evidence seen is required.",
                field="evidence",
            )
    at = at or timezone.now()
    with transaction.atomic():
        found = (
            VerifiedAttribute.objects.select_for_update()
            .filter(applicant=applicant, name=name)
            .first()
        )
        before = snapshot(found, ATTRIBUTE_AUDITED) if found else None
        attr = found or VerifiedAttribute(applicant=applicant, name=name)
        attr.source, attr.evidence, attr.valid_to = source, evidence, valid_to
        attr.verified_at, attr.verified_by_id = at, (user.pk if user is not None else None)
        attr.save()
        record(
            actor=actor,
            action=AuditAction.CHANGED if found else AuditAction.CREATED,
            operation="applicant_attribute_verify",
            obj=attr,
            before=before,
            after=snapshot(attr, ATTRIBUTE_AUDITED),
        )
    return attr


def applicant_attributes(applicant_id: int | None, day: dt.date) -> frozenset[str]:
    """The applicant's verified attributes valid on `day` (what catalog.fees reads)."""
    if applicant_id is None:
        return frozenset()
    rows = VerifiedAttribute.objects.filter(applicant_id=applicant_id).values_list(
        "name", "valid_to"
    )
    return frozenset(n for n, to in rows if to is None or day <= to)


# --- officers' second factor (motcua.org.otp; docs/security.md) ---------------------------


def _lock_user(user: User) -> User:
    """The account's row, locked: two requests of one officer (two tabs, a replayed form)
    change its devices one after the other."""
    return get_user_model().objects.select_for_update().get(pk=user.pk)


def _not_staff(user: User) -> ValidationFailed:
    return ValidationFailed(
        "not_staff",
        f"Tài khoản '{user.get_username()}' không phải tài khoản cán bộ: không cần xác thực "
        "hai lớp.",
        f"Account '{user.get_username()}' is not a staff account: it has no second factor.",
        field="user",
    )


def _throttle_seconds(device: Any) -> int | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    until = (info or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, int((until - timezone.now()).total_seconds() + 0.999))


def _new_recovery_codes(user: User) -> list[str]:
    """Void every recovery code of `user` and make a new set (the caller holds the lock)."""
    from django.conf import settings
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from .otp import RECOVERY_NAME

    StaticDevice.objects.filter(user_id=user.pk).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    count = int(getattr(settings, "MOTCUA_OTP_RECOVERY_CODES", 10))
    codes: set[str] = set()
    while len(codes) < count:
        token = StaticToken.random_token()
        if not token.isdigit():  # all digits would read as an authenticator's code
            codes.add(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in sorted(codes))
    return sorted(codes)


def staff_otp_enrol_start(*, user: User) -> Any:
    """The authenticator being enrolled by `user`: an unconfirmed TOTP device with a fresh
    random key, made on the first call and the same one on the next (the QR code shown twice
    stays valid). Refused when `user` already has a confirmed one: replacing it is an
    administrator's reset (`staff_otp_reset`)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .otp import TOTP_NAME, needs_second_factor

    if not needs_second_factor(user):
        raise _not_staff(user)
    with transaction.atomic():
        _lock_user(user)
        devices = TOTPDevice.objects.filter(user_id=user.pk)
        if devices.filter(confirmed=True).exists():
            raise ValidationFailed(
                "otp_already_enrolled",
                "Tài khoản đã có ứng dụng xác thực. Muốn đổi thiết bị, xin quản trị viên đặt "
                "lại xác thực hai lớp.",
                "The account already has an authenticator. To change it, ask an "
                "administrator to reset the second factor.",
                field="otp",
            )
        device = devices.order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
        return device


def staff_otp_enrol_confirm(*, user: User, code: str) -> tuple[Any, list[str]]:
    """Confirm the authenticator `user` is enrolling with a code it shows now; return the
    device and a first set of recovery codes (shown once: only they and the device key
    are stored, never shown again).

    Rules: an enrolment must be under way (`staff_otp_enrol_start`); a wrong code counts
    towards the device's throttling like any other."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .otp import normalize_code, otp_invalid_error, otp_throttled_error

    code = normalize_code(code)
    failure: DomainError | None = None
    with transaction.atomic():
        _lock_user(user)
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user_id=user.pk, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise ValidationFailed(
                "otp_no_enrolment",
                "Không có đăng ký ứng dụng xác thực nào đang chờ xác nhận.",
                "No authenticator enrolment is waiting to be confirmed.",
                field="otp",
            )
        wait = _throttle_seconds(device)
        if wait is not None:
            failure = otp_throttled_error(wait)
        elif not (code.isdigit() and device.verify_token(code)):
            if not code.isdigit():
                device.throttle_increment()
            failure = otp_invalid_error()
        else:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).delete()
            codes = _new_recovery_codes(user)
    # Outside the transaction: the failure count just written stays written.
    if failure is not None:
        raise failure
    return device, codes


def staff_otp_verify(*, user: User, code: str) -> Any:
    """The device of `user` that accepts `code`: a 6-digit code of its authenticator (each
    code once: a replayed one is refused) or one of its recovery codes (deleted as it is
    used). Raises OtpError: no code given, no authenticator enrolled, a wrong code (counted
    towards the device's throttling) or a throttled device (429, how long to wait)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .otp import (
        normalize_code,
        otp_invalid_error,
        otp_not_enrolled_error,
        otp_required_error,
        otp_throttled_error,
    )

    code = normalize_code(code)
    failure: DomainError | None = None
    device: Any = None
    with transaction.atomic():
        _lock_user(user)
        totp = list(
            TOTPDevice.objects.select_for_update()
            .filter(user_id=user.pk, confirmed=True)
            .order_by("pk")
        )
        if not totp:
            raise otp_not_enrolled_error()
        if not code:
            raise otp_required_error()
        candidates: list[Any] = (
            totp
            if code.isdigit() and len(code) <= 8
            else list(
                StaticDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True)
            )
        )
        waits = [w for w in (_throttle_seconds(d) for d in candidates) if w is not None]
        if candidates and len(waits) == len(candidates):
            failure = otp_throttled_error(min(waits))
        else:
            device = next((d for d in candidates if d.verify_token(code)), None)
            if device is None:
                if not candidates:  # a recovery code typed, none left: count it anyway
                    totp[0].throttle_increment()
                failure = otp_invalid_error()
    if failure is not None:
        raise failure
    return device


def staff_recovery_codes_new(*, user: User) -> list[str]:
    """A new set of recovery codes for `user` (shown once); the old set stops working."""
    from .otp import confirmed_totp

    with transaction.atomic():
        _lock_user(user)
        if confirmed_totp(user) is None:
            raise ValidationFailed(
                "otp_not_enrolled",
                "Tài khoản chưa có ứng dụng xác thực: xin đăng ký trước.",
                "The account has no authenticator yet: enrol first.",
                field="otp",
            )
        return _new_recovery_codes(user)


@transaction.atomic
def staff_otp_reset(
    *, user: User, actor: Actor = None, reason: str = "", request: Any = None
) -> int:
    """An administrator resets `user`'s second factor: every authenticator and recovery code
    of the account is deleted, so its sessions are no longer verified and its next login
    enrols anew. Written to the audit trail and the security log; returns the number of
    devices removed (0: nothing to reset, nothing written)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from motcua.core.seclog import security_event

    _lock_user(user)
    before = {
        "totp_devices": list(
            TOTPDevice.objects.filter(user_id=user.pk).order_by("pk").values_list("pk", flat=True)
        ),
        "recovery_codes_left": sum(
            d.token_set.count() for d in StaticDevice.objects.filter(user_id=user.pk)
        ),
    }
    removed = TOTPDevice.objects.filter(user_id=user.pk).delete()[1].get(TOTPDevice._meta.label, 0)
    removed += (
        StaticDevice.objects.filter(user_id=user.pk).delete()[1].get(StaticDevice._meta.label, 0)
    )
    if removed == 0:
        return 0
    record(
        actor=actor,
        action=AuditAction.ENDED,
        operation="staff_otp_reset",
        obj=user,
        before=before,
        after={"totp_devices": [], "recovery_codes_left": 0},
        reason=nfc(reason) or "",
    )
    security_event(
        "otp_reset",
        request=request,
        user=actor if actor is not None and actor.is_authenticated else None,
        target=user.get_username(),
        target_id=user.pk,
        devices=removed,
    )
    return removed
