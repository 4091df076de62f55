"""The providers the indicators app registers itself (ADR 0022): Decision 766 indicators
counted from the catalog, the dossiers and the applicants' identities — tables below the
indicators in the layers — rather than from the dossier facts' counters.

    1.1  procedures published on time       (catalog: publication decision and legal text dates)
    1.2  procedures made public on time     (catalog: publication decision and public dates)
    1.3  procedures public with all parts   (catalog: the version in force)
    3.2  online services that got dossiers  (catalog + dossiers received online)
    4.2b electronic certified copies        (cannot exist here: None)
    4.4  dossiers connected to the personal data store (attachments from motcua.store)
    4.5a procedures using the population DB (VNeID-authenticated dossiers)
    4.5b dossiers using the population DB   (VNeID-authenticated dossiers)

Each function is the one rule of its indicator; its `drill` lists exactly the rows it
counted (tests hold the list equal to the figure). Registered in IndicatorsConfig.ready().
Settings (UNCONFIRMED rules): MOTCUA_766_PUBLISH_LEAD_DAYS, MOTCUA_766_PUBLIC_WITHIN_DAYS,
MOTCUA_766_PERSON_SUBJECTS (docs/indicators.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Count as DbCount
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from motcua.catalog.enums import Level
from motcua.catalog.models import (
    Component,
    Procedure,
    ProcedureAgency,
    ProcedureTimeLimit,
    ProcedureVersion,
)
from motcua.core.text import fold
from motcua.dossiers.models import Attachment, AttachmentSource, Dossier
from motcua.org.models import ApplicantIdentity

from . import providers
from .models import DossierFact
from .providers import Count, Scope

DEFAULT_PERSON_SUBJECTS = (
    "Công dân Việt Nam",
    "Người Việt Nam định cư ở nước ngoài",
    "Người nước ngoài",
    "Cá nhân",
)

# ---------------------------------------------------------------------------- settings


def publish_lead_days() -> int:
    """1.1: a province's publication decision is on time when dated at least this many
    working days before the legal text takes effect (§4.2 G1: 5 for provinces)."""
    return int(getattr(settings, "MOTCUA_766_PUBLISH_LEAD_DAYS", 5))


def public_within_days() -> int:
    """1.2: a procedure is made public on time within this many working days of its
    publication decision (§4.2 G1: 5 for provinces)."""
    return int(getattr(settings, "MOTCUA_766_PUBLIC_WITHIN_DAYS", 5))


def person_subjects() -> tuple[str, ...]:
    """4.5a: the subjects (đối tượng thực hiện) that make a procedure one for individuals,
    compared without accents and case, as a prefix of the catalog's wording."""
    return tuple(getattr(settings, "MOTCUA_766_PERSON_SUBJECTS", DEFAULT_PERSON_SUBJECTS))


# ---------------------------------------------------------------------------- working days


def _working(day: dt.date) -> bool:
    from motcua.workcalendar.selectors import get_calendar

    return get_calendar(None).is_working_day(day)


def working_days_before(day: dt.date, n: int) -> dt.date:
    """The n-th working day before `day` (the province's calendar)."""
    while n > 0:
        day -= dt.timedelta(days=1)
        if _working(day):
            n -= 1
    return day


def working_days_after(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (the province's calendar)."""
    while n > 0:
        day += dt.timedelta(days=1)
        if _working(day):
            n -= 1
    return day


def published_on_time(decision: dt.date, effective: dt.date) -> bool:
    """1.1's verdict for one publication decision."""
    return decision <= working_days_before(effective, publish_lead_days())


def public_on_time(decision: dt.date, public: dt.date | None) -> bool:
    """1.2's verdict: made public (`public`) no later than N working days after the decision;
    not made public (None) is not on time."""
    return public is not None and public <= working_days_after(decision, public_within_days())


# ---------------------------------------------------------------------------- scope helpers


def scope_procedures(scope: Scope, *, active_only: bool = True) -> QuerySet[Procedure]:
    """The procedures of the catalog indicators: province or commune level, offered by one
    of the scope's agencies, of its procedure or field (active only, unless asked)."""
    qs = Procedure.objects.filter(level__in=[Level.PROVINCE, Level.COMMUNE])
    if active_only:
        qs = qs.filter(active=True)
    if scope.agency_ids is not None:
        qs = qs.filter(
            Exists(
                ProcedureAgency.objects.filter(
                    procedure=OuterRef("pk"), agency_id__in=scope.agency_ids
                )
            )
        )
    if scope.procedure_id is not None:
        qs = qs.filter(pk=scope.procedure_id)
    if scope.field_id is not None:
        qs = qs.filter(field_id=scope.field_id)
    return qs


def versions_in_force(procedure_ids: Iterable[int], today: dt.date) -> dict[int, Any]:
    """{procedure id: its version in force today} (Procedure.version_on's choice: the latest
    effective_from, then the highest number)."""
    rows = (
        ProcedureVersion.objects.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=today),
            procedure_id__in=list(procedure_ids),
            effective_from__lte=today,
        )
        .annotate(
            has_components=Exists(Component.objects.filter(version=OuterRef("pk"))),
            has_limits=Exists(ProcedureTimeLimit.objects.filter(version=OuterRef("pk"))),
        )
        .order_by("procedure_id", "-effective_from", "-number")
    )
    out: dict[int, Any] = {}
    for v in rows:
        out.setdefault(v.procedure_id, v)
    return out


def _local_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from .formulas import VN

    return (
        dt.datetime.combine(start, dt.time(), tzinfo=VN),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=VN),
    )


def _received(start: dt.date, end: dt.date, scope: Scope) -> QuerySet[DossierFact]:
    """The dossiers received in the period in scope (the facts: 4.2's denominator)."""
    return DossierFact.objects.filter(scope.q(), received=True, received_day__range=(start, end))


def _dossiers(ids: QuerySet[Any]) -> QuerySet[Dossier]:
    return Dossier.objects.filter(pk__in=ids).order_by("received_at", "pk")


def _procedures(ids: Iterable[int]) -> QuerySet[Procedure]:
    return Procedure.objects.filter(pk__in=list(ids)).order_by("code")


def _procedure_count(num: set[int], den: set[int], note: str = "") -> Count:
    return Count(
        len(num),
        len(den),
        drill=lambda: _procedures(num),
        drill_denominator=lambda: _procedures(den),
        note=note,
    )


def _dossier_count(facts: QuerySet[DossierFact], rule: Exists) -> Count:
    """The facts satisfying `rule` / all `facts`, in one aggregate; the drills list the same
    dossiers."""
    row = facts.aggregate(n=DbCount("dossier_id"), k=DbCount("dossier_id", filter=Q(rule)))
    return Count(
        row["k"],
        row["n"],
        drill=lambda: _dossiers(facts.filter(rule).values("dossier_id")),
        drill_denominator=lambda: _dossiers(facts.values("dossier_id")),
    )


# ---------------------------------------------------------------------------- group 1


def _decisions(start: dt.date, end: dt.date, scope: Scope) -> dict[int, list[Any]]:
    """{procedure id: [(decision date, legal text effective date, public date)]} of the
    versions whose publication decision is dated in the period (procedures in scope, active
    or not: a decision in the period counts even if the procedure has since been stopped)."""
    rows = ProcedureVersion.objects.filter(
        procedure__in=scope_procedures(scope, active_only=False),
        publication_decision_date__range=(start, end),
    ).values_list(
        "procedure_id", "publication_decision_date", "legal_basis_effective_date", "published_on"
    )
    out: dict[int, list[Any]] = {}
    for pid, decided, effective, public in rows:
        out.setdefault(pid, []).append((decided, effective, public))
    return out


def published_in_time(start: dt.date, end: dt.date, scope: Scope) -> Count:
    """1.1: procedures whose every publication decision dated in the period came at least N
    working days before its legal text took effect / procedures with a decision dated in
    the period (each once) whose legal text's effective date is known."""
    den: set[int] = set()
    num: set[int] = set()
    unknown: set[int] = set()
    for pid, rows in _decisions(start, end, scope).items():
        if any(effective is None for _, effective, _ in rows):
            unknown.add(pid)
            continue
        den.add(pid)
        if all(published_on_time(decided, effective) for decided, effective, _ in rows):
            num.add(pid)
    note = (
        f"{len(unknown)} TTHC có quyết định công bố trong kỳ nhưng thiếu ngày hiệu lực của "
        "văn bản quy định: không tính"
        if unknown
        else ""
    )
    return _procedure_count(num, den, note)


def public_in_time(start: dt.date, end: dt.date, scope: Scope) -> Count:
    """1.2: procedures made public within N working days of every publication decision
    dated in the period / procedures with a decision dated in the period (each once)."""
    den: set[int] = set()
    num: set[int] = set()
    for pid, rows in _decisions(start, end, scope).items():
        den.add(pid)
        if all(public_on_time(decided, public) for decided, _, public in rows):
            num.add(pid)
    return _procedure_count(num, den)


def complete(v: Any, offered_by_agency: bool) -> bool:
    """1.3's verdict on a version: Decree 63/2010 art. 8(2) a)–g) — name, steps, method
    (channels), dossier components, time limit, subjects, implementing agency."""
    return bool(
        (v.name or "").strip()
        and (v.steps_text or "").strip()
        and v.channels
        and v.has_components
        and (v.has_limits or (v.time_limit_text or "").strip())
        and v.subjects
        and (
            offered_by_agency
            or (v.settling_agency_text or "").strip()
            or (v.deciding_agency_text or "").strip()
        )
    )


def complete_parts(start: dt.date, end: dt.date, scope: Scope) -> Count:
    """1.3: procedures whose version in force has all its parts / active province- and
    commune-level procedures in scope with a version in force (today, not period-bound)."""
    today = timezone.localdate()
    pids = list(scope_procedures(scope).values_list("pk", flat=True))
    versions = versions_in_force(pids, today)
    offered = set(
        ProcedureAgency.objects.filter(procedure_id__in=list(versions)).values_list(
            "procedure_id", flat=True
        )
    )
    num = {pid for pid, v in versions.items() if complete(v, pid in offered)}
    return _procedure_count(num, set(versions))


# ---------------------------------------------------------------------------- 3.2


def online_services_used(start: dt.date, end: dt.date, scope: Scope) -> Count:
    """3.2: online services (procedures in scope offered partly or fully online today) with
    ≥ 1 dossier received online (channel 2) in the period in scope / those services."""
    today = timezone.localdate()
    pids = list(scope_procedures(scope).values_list("pk", flat=True))
    den = {
        pid
        for pid, v in versions_in_force(pids, today).items()
        if v.online_level in ("full", "partial")
    }
    lo, hi = _local_range(start, end)
    used = set(
        Dossier.objects.filter(
            scope.dossier_q(),
            channel=2,
            received_at__gte=lo,
            received_at__lt=hi,
            procedure_id__in=list(den),
        )
        .values_list("procedure_id", flat=True)
        .distinct()
    )
    return _procedure_count(used & den, den)


# ---------------------------------------------------------------------------- 4.4, 4.5


STORE_SOURCES = tuple(s for s in AttachmentSource.values if s != AttachmentSource.UPLOAD)


def from_store_q() -> Exists:
    """4.4's rule on a dossier fact: ≥ 1 attachment taken from the applicant's store (any of
    its sources: an e-result or digitised component an agency issued, or a paper the
    citizen kept there — the personal data store, "DuocLayTuKhoDMQG")."""
    return Exists(
        Attachment.objects.filter(dossier_id=OuterRef("dossier_id"), source__in=STORE_SOURCES)
    )


def vneid_q() -> Exists:
    """4.5's rule on a dossier fact: submitted from an account whose identity was proven by
    the national identity login (org.ApplicantIdentity, written only by the OpenID Connect
    login) on or before the submission ("TaiKhoanDuocXacThucVoiVNeID")."""
    return Exists(
        ApplicantIdentity.objects.filter(
            applicant_id=OuterRef("dossier__owner_id"),
            verified_at__lte=OuterRef("dossier__submitted_at"),
        )
    )


def store_connected(start: dt.date, end: dt.date, scope: Scope) -> Count:
    """4.4: dossiers received in the period with a component from the store / received."""
    return _dossier_count(_received(start, end, scope), from_store_q())


def vneid_dossiers(start: dt.date, end: dt.date, scope: Scope) -> Count:
    """4.5b: dossiers received in the period from a VNeID-authenticated account / received."""
    return _dossier_count(_received(start, end, scope), vneid_q())


def for_individuals(subjects: Any) -> bool:
    """Whether a version's subjects name individuals (MOTCUA_766_PERSON_SUBJECTS)."""
    wanted = [fold(s) for s in person_subjects()]
    return any(fold(str(s)).startswith(w) for s in subjects or [] for w in wanted)


def vneid_procedures(start: dt.date, end: dt.date, scope: Scope) -> Count:
    """4.5a: procedures for individuals with ≥ 1 VNeID-authenticated dossier received in the
    period in scope / active province- and commune-level procedures in scope for
    individuals (the version in force's subjects)."""
    today = timezone.localdate()
    pids = list(scope_procedures(scope).values_list("pk", flat=True))
    den = {pid for pid, v in versions_in_force(pids, today).items() if for_individuals(v.subjects)}
    used = set(
        _received(start, end, scope)
        .filter(vneid_q(), procedure_id__in=list(den))
        .values_list("procedure_id", flat=True)
        .distinct()
    )
    return _procedure_count(used & den, den)


def certified_copies(start: dt.date, end: dt.date, scope: Scope) -> Count | None:
    """4.2b: this system does not issue electronic certified copies from originals, and the
    portal's document gives no formula: the data cannot exist here."""
    return None


CERTIFIED_COPIES_NOTE = (
    "hệ thống không cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính và Cổng Dịch vụ "
    "công quốc gia chưa công bố công thức của chỉ số"
)


def register_all() -> None:
    """Called by IndicatorsConfig.ready()."""
    providers.register("1.1")(published_in_time)
    providers.register("1.2")(public_in_time)
    providers.register("1.3")(complete_parts)
    providers.register("3.2")(online_services_used)
    providers.register("4.2b", note_unavailable=CERTIFIED_COPIES_NOTE)(certified_copies)
    providers.register("4.4")(store_connected)
    providers.register("4.5a")(vneid_procedures)
    providers.register("4.5b")(vneid_dossiers)
