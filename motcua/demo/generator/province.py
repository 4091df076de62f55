"""Master data of the demo province: Bắc Ninh as it stands since 01/07/2025.

Bắc Ninh absorbed Bắc Giang on 01/07/2025 and districts were abolished, so the province
has a provincial committee, a provincial Public Administration Service Center, its
departments and the commune-level People's Committees with their commune centers.

The electronic identifier codes below follow the `000.00.NN.H05` shape but are
ILLUSTRATIVE: the real codes come from the province's official list (QCVN 102:2016 as
published by the province), never derived. Everything is written through the org and
catalog services except what has no service (procedure ↔ agency links) and the bulk
applicant accounts, which are validated with the same identifier checks and share one
password hash so that loading 230 accounts does not cost 230 PBKDF2 rounds.

Idempotent: every object is matched on a natural key (unit code, agency code, username,
personal id / tax code) and only created when missing.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction

from motcua.catalog.enums import AgencyRole, Level
from motcua.catalog.importer import catalog_import_fixture
from motcua.catalog.models import Procedure, ProcedureAgency
from motcua.catalog.services import current_version, time_limit_set
from motcua.core.identifiers import make_personal_id, make_tax_code
from motcua.core.text import fold
from motcua.linked.chains import linked_chains_load, linked_procedures_load
from motcua.org.enums import AgencyKind, ApplicantKind, Role
from motcua.org.models import AdministrativeUnit, Agency, Applicant, StaffRole
from motcua.org.passwords import password_check
from motcua.org.services import (
    CURRENT_UNITS_FROM,
    agency_create,
    applicant_register,
    legacy_units_load,
    staff_assign_role,
    units_load,
    ward_code,
)

from . import names

PROVINCE = 24  # Bắc Ninh (GSO code since 01/07/2025)
# Catalog versions start early enough to cover a year of history.
PROCEDURES_FROM = dt.date(2024, 1, 1)
TIME_LIMITS = Path(__file__).resolve().parent.parent / "fixtures" / "time-limits.json"
# Fixed: the master data does not depend on the --seed of the history.
MASTER_SEED = 2025

ROLE_SLUG = {
    Role.COUNTER: "motcua",
    Role.SPECIALIST: "chuyenvien",
    Role.LEADER: "lanhdao",
    Role.AGENCY_ADMIN: "quantri",
    Role.MONITOR: "giamsat",
}


@dataclass(frozen=True)
class CommuneSpec:
    slug: str
    ward: int  # vietnam-provinces code
    weight: float  # share of commune dossiers it receives
    number: int  # NN in the illustrative agency codes


# Real units of today's Bắc Ninh: Yên Thế, Lục Nam, Việt Yên and Bắc Giang were in the former
# Bắc Giang province; Kinh Bắc and Từ Sơn are in the area of the former Bắc Ninh city / town.
COMMUNES = (
    CommuneSpec("kinhbac", 9187, 1.6, 1),
    CommuneSpec("bacgiang", 7210, 1.6, 2),
    CommuneSpec("tuson", 9367, 1.3, 3),
    CommuneSpec("vietyen", 7777, 1.1, 4),
    CommuneSpec("tiendu", 9319, 0.9, 5),
    CommuneSpec("lucnam", 7444, 0.8, 6),
    CommuneSpec("yenthe", 7288, 0.7, 7),
)

# (key, code, name, short name, username prefix)
PROVINCIAL = {
    "committee": ("000.00.00.H05", "Ủy ban nhân dân tỉnh Bắc Ninh", "UBND tỉnh", "ubnd.tinh"),
    "center": (
        "000.00.01.H05",
        "Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh",
        "TTPVHCC tỉnh",
        "tt.tinh",
    ),
}
DEPARTMENTS = {
    "tuphap": ("000.00.11.H05", "Sở Tư pháp tỉnh Bắc Ninh", "Sở Tư pháp"),
    "taichinh": ("000.00.12.H05", "Sở Tài chính tỉnh Bắc Ninh", "Sở Tài chính"),
    "xaydung": ("000.00.13.H05", "Sở Xây dựng tỉnh Bắc Ninh", "Sở Xây dựng"),
    "nnmt": (
        "000.00.14.H05",
        "Sở Nông nghiệp và Môi trường tỉnh Bắc Ninh",
        "Sở NN&MT",
    ),
    "noivu": ("000.00.15.H05", "Sở Nội vụ tỉnh Bắc Ninh", "Sở Nội vụ"),
    "yte": ("000.00.16.H05", "Sở Y tế tỉnh Bắc Ninh", "Sở Y tế"),
}
POLICE = ("000.00.30.H05", "Công an tỉnh Bắc Ninh", "Công an tỉnh", "ca.tinh")
# Social insurance: settles the health-insurance card of the linked procedure 2.000986
# (motcua.linked). One provincial agency in the demo; its real organisation after the 2025
# reform (regional offices) is UNCONFIRMED here.
SOCIAL_INSURANCE = ("000.00.31.H05", "Bảo hiểm xã hội tỉnh Bắc Ninh", "BHXH tỉnh", "bhxh")

# Agencies the catalog records name that the demo province has beside its departments.
LAND_OFFICE = (
    "000.00.41.H05",
    "Văn phòng Đăng ký đất đai tỉnh Bắc Ninh",
    "VPĐK đất đai",
    "vpdkdd",
)
INDUSTRIAL_ZONES = (
    "000.00.17.H05",
    "Ban Quản lý các Khu công nghiệp tỉnh Bắc Ninh",
    "BQL các KCN",
    "bqlkcn",
)

# Who settles each procedure: read from its catalog record's `agency` ("Cơ quan thực hiện").
# The record may name several agencies (separated by ";"); the first one the province has
# settles. Each entry: (what the record says, folded; which demo agency that is). The keys
# "commune.*" are the agencies of the commune where the dossier is received.
SETTLER_BY_RECORD_AGENCY = (
    ("van phong dang ky dat dai", "land_office"),
    ("ban quan ly cac khu cong nghiep", "industrial_zones"),
    ("phong quan ly xuat nhap canh cong an cap tinh", "police"),
    ("cong an cap tinh", "police"),
    ("cong an tinh", "police"),
    ("cong an cap xa", "commune.police"),
    ("so tai chinh", "taichinh"),
    ("so xay dung", "xaydung"),
    # Food safety of farm products: the agency the provincial committee designates, in
    # Bắc Ninh the Department of Agriculture and Environment (record 2.001827).
    ("co quan chuc nang do uy ban nhan dan cap tinh chi dinh", "nnmt"),
    ("trung tam phuc vu hanh chinh cong cap xa", "commune.center"),
    # Household businesses are registered by the commune's business registration office,
    # a division of the commune committee since 1 July 2025.
    ("co quan dang ky kinh doanh cap xa", "commune.committee"),
    ("uy ban nhan dan cap xa", "commune.committee"),
    ("uy ban nhan dan xa", "commune.committee"),
    # Copies of civil-status extracts and copies from the original register: the commune
    # committee that keeps the register (the records 2.000635 and 2.000908).
    ("co quan quan ly co so du lieu ho tich dien tu", "commune.committee"),
    ("co quan to chuc dang quan ly so goc", "commune.committee"),
    # Last: 2.000986 names it after the commune committee that settles it.
    ("bao hiem xa hoi", "social_insurance"),
)


def settler_key(record_agency: str) -> str | None:
    """The demo agency (key of SETTLER_BY_RECORD_AGENCY) that settles a procedure whose
    record names `record_agency`; None when it names no agency the province has."""
    for part in (record_agency or "").split(";"):
        folded = fold(part)
        for needle, key in SETTLER_BY_RECORD_AGENCY:
            if needle in folded:
                return key
    return None


DEMO_CITIZEN = "congdan"
DEMO_BUSINESS = "doanhnghiep"
DEMO_ADMIN = "admin"
CITIZENS = 200
BUSINESSES = 30


@dataclass
class CommuneAgencies:
    spec: CommuneSpec
    unit: AdministrativeUnit
    center: Agency
    committee: Agency
    police: Agency


@dataclass
class Province:
    committee: Agency
    center: Agency
    departments: dict[str, Agency]
    police: Agency
    land_office: Agency
    industrial_zones: Agency
    communes: list[CommuneAgencies]
    social_insurance: Agency
    staff: dict[tuple[int, str], User] = field(default_factory=dict)  # (agency, role) → user
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, agency
    citizens: list[Applicant] = field(default_factory=list)
    businesses: list[Applicant] = field(default_factory=list)

    @property
    def agencies(self) -> list[Agency]:
        out = [self.committee, self.center, *self.departments.values(), self.police]
        out += [self.land_office, self.industrial_zones, self.social_insurance]
        for c in self.communes:
            out += [c.center, c.committee, c.police]
        return out

    def settling(self, key: str, commune: CommuneAgencies | None = None) -> Agency:
        """The agency of a SETTLER_BY_RECORD_AGENCY key; "commune.*" keys need the commune."""
        if key.startswith("commune."):
            if commune is None:
                raise ValueError(f"{key} settles in a commune: which one?")
            return getattr(commune, key.removeprefix("commune."))
        if key in ("police", "land_office", "industrial_zones", "social_insurance"):
            return getattr(self, key)
        return self.departments[key]

    def procedure_route(self, record_agency: str) -> str:
        """The settler key for a record's agency; records naming no agency of the province
        go to the Department of Justice, as a province routes what it cannot place."""
        return settler_key(record_agency) or "tuphap"


def _unit(code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(code=code, valid_from=CURRENT_UNITS_FROM)


def _agency(code, name, kind, unit, parent=None, short_name="", address="") -> Agency:
    existing = Agency.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return agency_create(
        code=code,
        name=name,
        kind=kind,
        unit=unit,
        parent=parent,
        short_name=short_name,
        address=address,
    )


def _agencies() -> Province:
    province = _unit(f"{PROVINCE:02d}")
    committee = _agency(
        PROVINCIAL["committee"][0],
        PROVINCIAL["committee"][1],
        AgencyKind.PROVINCIAL_COMMITTEE,
        province,
        short_name=PROVINCIAL["committee"][2],
        address="Số 10 đường Phù Đổng Thiên Vương, phường Kinh Bắc, tỉnh Bắc Ninh",
    )
    center = _agency(
        PROVINCIAL["center"][0],
        PROVINCIAL["center"][1],
        AgencyKind.PROVINCIAL_CENTER,
        province,
        parent=committee,
        short_name=PROVINCIAL["center"][2],
        address="Đường Lý Thái Tổ, phường Kinh Bắc, tỉnh Bắc Ninh",
    )
    departments = {
        key: _agency(code, name, AgencyKind.DEPARTMENT, province, committee, short)
        for key, (code, name, short) in DEPARTMENTS.items()
    }
    police = _agency(POLICE[0], POLICE[1], AgencyKind.VERTICAL, province, short_name=POLICE[2])
    land_office = _agency(
        LAND_OFFICE[0],
        LAND_OFFICE[1],
        AgencyKind.DEPARTMENT,
        province,
        departments["nnmt"],
        LAND_OFFICE[2],
    )
    industrial_zones = _agency(
        INDUSTRIAL_ZONES[0],
        INDUSTRIAL_ZONES[1],
        AgencyKind.DEPARTMENT,
        province,
        committee,
        INDUSTRIAL_ZONES[2],
    )
    communes = []
    for spec in COMMUNES:
        unit = _unit(ward_code(spec.ward))
        nn = f"{spec.number:02d}"
        ubnd = _agency(
            f"000.{nn}.20.H05",
            f"Ủy ban nhân dân {unit.name}",
            AgencyKind.COMMUNE_COMMITTEE,
            unit,
            committee,
            f"UBND {unit.name}",
        )
        tt = _agency(
            f"000.{nn}.21.H05",
            f"Trung tâm Phục vụ hành chính công {unit.name}",
            AgencyKind.COMMUNE_CENTER,
            unit,
            ubnd,
            f"TTPVHCC {unit.name}",
        )
        commune_police = _agency(
            f"000.{nn}.30.H05",
            f"Công an {unit.name}",
            AgencyKind.VERTICAL,
            unit,
            police,
            f"Công an {unit.name}",
        )
        communes.append(CommuneAgencies(spec, unit, tt, ubnd, commune_police))
    social_insurance = _agency(
        SOCIAL_INSURANCE[0],
        SOCIAL_INSURANCE[1],
        AgencyKind.SOCIAL_INSURANCE,
        province,
        short_name=SOCIAL_INSURANCE[2],
    )
    return Province(
        committee,
        center,
        departments,
        police,
        land_office,
        industrial_zones,
        communes,
        social_insurance,
    )


def _prefix(p: Province, agency: Agency) -> str:
    if agency == p.committee:
        return PROVINCIAL["committee"][3]
    if agency == p.center:
        return PROVINCIAL["center"][3]
    if agency == p.police:
        return POLICE[3]
    if agency == p.land_office:
        return LAND_OFFICE[3]
    if agency == p.industrial_zones:
        return INDUSTRIAL_ZONES[3]
    if agency == p.social_insurance:
        return SOCIAL_INSURANCE[3]
    for key, dep in p.departments.items():
        if dep == agency:
            return f"so.{key}"
    for c in p.communes:
        if agency == c.center:
            return f"tt.{c.spec.slug}"
        if agency == c.committee:
            side = "phuong" if c.unit.kind == "ward" else "xa"
            return f"{side}.{c.spec.slug}"
        if agency == c.police:
            return f"ca.{c.spec.slug}"
    raise ValueError(agency)


def _staff(p: Province, password_hash: str, rng: random.Random) -> None:
    User = get_user_model()
    wanted = []
    for agency in p.agencies:
        for role in Role:
            wanted.append((f"{_prefix(p, agency)}.{ROLE_SLUG[role]}", agency, role))
    existing = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
    new = []
    for username, _agency, _role in wanted:
        if username not in existing:
            full, _sex = names.person(rng)
            last, first = full.split(" ", 1)[0], full.split(" ", 1)[1]
            new.append(
                User(
                    username=username,
                    password=password_hash,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@bacninh.gov.vn",
                    is_staff=False,
                )
            )
    User.objects.bulk_create(new, batch_size=500)
    existing.update(
        {u.username: u for u in User.objects.filter(username__in=[n.username for n in new])}
    )
    held = set(
        StaffRole.objects.filter(active=True, user__in=existing.values()).values_list(
            "user_id", "agency_id", "role"
        )
    )
    for username, agency, role in wanted:
        user = existing[username]
        if (user.pk, agency.pk, role.value) not in held:
            staff_assign_role(user=user, agency=agency, role=role, title=role.label)
        p.staff[(agency.pk, role.value)] = user
        p.logins.append((username, role.label, agency.short_name or agency.name))


def _applicants(p: Province, password: str, password_hash: str, rng: random.Random) -> None:
    """The demo citizen and business through `applicant_register`; the crowd in bulk."""
    User = get_user_model()
    if not User.objects.filter(username=DEMO_CITIZEN).exists():
        applicant_register(
            username=DEMO_CITIZEN,
            password=password,
            kind=ApplicantKind.PERSON,
            full_name="Nguyễn Văn An",
            personal_id=make_personal_id(27, "male", 1990, 123456),
            phone="0912345678",
            email="congdan@example.vn",
            address="Số 8 đường Ngô Gia Tự, phường Kinh Bắc, tỉnh Bắc Ninh",
        )
    if not User.objects.filter(username=DEMO_BUSINESS).exists():
        applicant_register(
            username=DEMO_BUSINESS,
            password=password,
            kind=ApplicantKind.BUSINESS,
            full_name="Công ty TNHH Quan Họ Kinh Bắc",
            tax_code=make_tax_code("230012345"),
            phone="02223812345",
            email="doanhnghiep@example.vn",
            address="Khu công nghiệp Quế Võ, phường Quế Võ, tỉnh Bắc Ninh",
        )
    rows = []
    for i in range(CITIZENS):
        full, sex = names.person(rng)
        born = rng.randint(1950, 2006)
        pid = make_personal_id(rng.choice([24, 27]), sex, born, 100_000 + i * 37)
        place = rng.choice(p.communes).unit.name
        rows.append(("person", pid, full, pid, "", place))
    serial = 230_100_000
    for i in range(BUSINESSES):
        while True:
            serial += 7
            try:
                tax = make_tax_code(f"{serial:09d}")
                break
            except ValueError:
                continue
        place = rng.choice(p.communes).unit.name
        rows.append(("business", tax, names.business(rng, i), "", tax, place))
    have = set(
        User.objects.filter(username__in=[r[1] for r in rows]).values_list("username", flat=True)
    )
    users = [
        User(username=r[1], password=password_hash, email=f"{r[1]}@example.vn")
        for r in rows
        if r[1] not in have
    ]
    User.objects.bulk_create(users, batch_size=500)
    by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    Applicant.objects.bulk_create(
        [
            Applicant(
                user=by_name[username],
                kind=kind,
                full_name=full,
                personal_id=pid,
                tax_code=tax,
                phone=names.phone(rng),
                email=f"{username}@example.vn",
                address=names.address(rng, place),
            )
            for kind, username, full, pid, tax, place in rows
            if username in by_name
        ],
        batch_size=500,
    )
    applicants = Applicant.objects.filter(
        user__username__in=[r[1] for r in rows] + [DEMO_CITIZEN, DEMO_BUSINESS]
    ).select_related("user")
    for a in applicants.order_by("pk"):
        (p.citizens if a.kind == ApplicantKind.PERSON else p.businesses).append(a)
    p.logins.append((DEMO_CITIZEN, "Công dân (citizen)", "—"))
    p.logins.append((DEMO_BUSINESS, "Doanh nghiệp (business)", "—"))


def procedure_settlers(p: Province, procedure: Procedure) -> list[Agency]:
    """The agencies that settle `procedure` in the province, from its record's agency: one
    per commune for a commune agency, else the one provincial agency."""
    version = procedure.version_on() or procedure.versions.order_by("-number").first()
    key = p.procedure_route(version.settling_agency_text if version else "")
    if key.startswith("commune."):
        return [p.settling(key, c) for c in p.communes]
    return [p.settling(key)]


def _procedure_links(p: Province) -> int:
    """Who settles and who receives each procedure in the province (no service exists):
    the agency its catalog record names settles; commune procedures are received at the
    communes' centers, the others at the provincial center."""
    wanted = set()
    for proc in Procedure.objects.select_related("field"):
        for settling in procedure_settlers(p, proc):
            wanted.add((proc.pk, settling.pk, AgencyRole.SETTLING))
        receiving = [c.center for c in p.communes] if proc.level == Level.COMMUNE else [p.center]
        for center in receiving:
            wanted.add((proc.pk, center.pk, AgencyRole.RECEIVING))
    have = set(ProcedureAgency.objects.values_list("procedure_id", "agency_id", "role"))
    missing = [
        ProcedureAgency(procedure_id=pr, agency_id=ag, role=role)
        for pr, ag, role in sorted(wanted - have)
    ]
    ProcedureAgency.objects.bulk_create(missing, batch_size=500)
    return len(missing)


def time_limits_load(path: Path = TIME_LIMITS) -> int:
    """The limits set by law for the real records that state none (fixtures/time-limits.json,
    each with its legal source), set through `time_limit_set` as an administrator would:
    audited, and a no-op when already set. Returns how many procedures were completed."""
    done = 0
    for item in json.loads(path.read_text(encoding="utf-8")):
        procedure = Procedure.objects.filter(code=item["code"]).first()
        if procedure is None:
            continue
        time_limit_set(
            version=current_version(procedure),
            channels=None if item["channels"] == "all" else item["channels"],
            value=item["value"],
            unit=item["unit"],
            cutoff=item["cutoff"],
            source=f"{item['source']} (độ tin cậy / confidence: {item['confidence']})",
        )
        done += 1
    return done


@transaction.atomic
def province_load(*, password: str) -> Province:
    """Load (or find) the whole master data of the demo province."""
    units_load(province_codes=[PROVINCE])
    legacy_units_load()
    catalog_import_fixture(effective_from=PROCEDURES_FROM)
    linked_procedures_load(effective_from=PROCEDURES_FROM)
    time_limits_load()
    p = _agencies()
    _procedure_links(p)
    linked_chains_load()
    # Every demo account shares this password: it must pass the rules as any other.
    password_check(password)
    password_hash = make_password(password)
    # Separate generators: each part draws the same numbers whatever already exists.
    _staff(p, password_hash, random.Random(MASTER_SEED))
    _applicants(p, password, password_hash, random.Random(MASTER_SEED + 1))
    User = get_user_model()
    admin = User.objects.filter(username=DEMO_ADMIN).first()
    if admin is None:
        User.objects.create_superuser(
            DEMO_ADMIN, "admin@bacninh.gov.vn", password=None, first_name="Quản trị"
        )
    # One password for every demo account: re-set it so that a new var/demo_password
    # (after the file was removed) still opens the accounts of an existing database.
    demo_users = [u for u, _r, _a in p.logins] + [DEMO_ADMIN]
    demo_users += [a.user.username for a in p.citizens + p.businesses]
    User.objects.filter(username__in=demo_users).update(password=password_hash)
    p.logins.insert(0, (DEMO_ADMIN, "Quản trị hệ thống (superuser)", "—"))
    return p
