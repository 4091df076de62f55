"""Writes on dossiers: every transition of the one-stop lifecycle.

Each service is one transaction: it locks the dossier row (SELECT … FOR UPDATE OF the row,
a precompiled statement of motcua.core.rows: docs/adr/0003), checks the state against the
one TRANSITIONS table and the actor against motcua.dossiers.access, changes the row, and
appends one DossierEvent. Illegal transitions raise
IllegalTransition (409) and change nothing; a stale `expected_version` raises Conflict.

Legal sources: Decree 61/2018 and Circular 01/2018/TT-VPCP (dossiers received before
01/07/2025), Decree 118/2025 and Circular 03/2025/TT-VPCP (after). The rules the texts
available to us do not settle (how many supplement requests, how many re-appointments) are
settings, with the 2018 practice as default: see docs/rules.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from motcua.catalog import cases as catalog_cases
from motcua.catalog.enums import AgencyRole, Channel
from motcua.catalog.limits import limit_for
from motcua.catalog.models import Component, Procedure, ProcedureVersion, ProcessStep
from motcua.core import rows
from motcua.core.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from motcua.core.text import nfc
from motcua.core.validation import FieldErrors, validate_party
from motcua.org.models import Agency, Applicant

from . import codes, deadlines, hooks, rules, timing
from .access import APPLICANT, Acting, applicant_id, authorize
from .attachments import CheckedFile, FileGuard, check_file
from .enums import ACTION_EN, STATUS_EN, TRANSITIONS, Action, PaidOnline, Rating, Status
from .models import (
    Attachment,
    AttachmentKind,
    Book,
    Dossier,
    DossierEvent,
    Handover,
    Pause,
    ReceivedComponent,
    ReceivedSource,
    SubmissionKey,
    search_key_for,
)

SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PAYMENT_PAUSE_REASON = deadlines.PAYMENT_PAUSE_REASON

Files = Mapping[int, Sequence[Any]]  # component id -> uploaded files
# component id -> the originals and copies counted at the counter: {"originals": 1, "copies": 2}
Counts = Mapping[int, Mapping[str, int]]
MAX_PAPERS = 99


# ---------------------------------------------------------------------------- helpers


def _now(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ValidationFailed(
            "naive_datetime", "Thời điểm thiếu múi giờ.", "The moment has no time zone.", field="at"
        )
    return at


_FIELDS = [f for f in Dossier._meta.concrete_fields if not f.primary_key]


def _lock(dossier_id: int, expected_version: int | None) -> Dossier:
    """The dossier row, locked (FOR UPDATE of that row), with its current step, agencies
    and procedure loaded in the same statement."""
    try:
        dossier = rows.load(
            Dossier, int(dossier_id), joins=(*_LOCK_JOINS, *hooks.lock_joins()), lock=True
        )
    except (ValueError, TypeError, OverflowError):
        dossier = None
    if dossier is None:
        raise NotFound("hồ sơ", "Dossier", field="dossier_id")
    if expected_version is not None and dossier.version != expected_version:
        raise Conflict(
            "stale_version",
            "Hồ sơ vừa được người khác thay đổi. Vui lòng tải lại và thử lại.",
            "The dossier was just changed by someone else. Reload and try again.",
            field="version",
            data={"expected": expected_version, "actual": dossier.version},
        )
    dossier._locked_values = {f.attname: getattr(dossier, f.attname) for f in _FIELDS}
    return dossier


_LOCK_JOINS = ("current_step", "receiving_agency", "settling_agency", "procedure")


def _check_state(dossier: Dossier, action: str) -> None:
    sources = TRANSITIONS[action][0]
    if dossier.status not in sources:
        label = Status(dossier.status).label
        raise IllegalTransition(
            "illegal_transition",
            f"Không thể '{Action(action).label}' khi hồ sơ đang ở trạng thái '{label}'.",
            f"Cannot '{ACTION_EN[action]}' a dossier in status '{STATUS_EN[dossier.status]}'.",
            field="status",
            data={"status": dossier.status, "action": str(action)},
        )


def _begin(
    dossier_id: int, action: str, actor, expected_version: int | None
) -> tuple[Dossier, Acting]:
    dossier = _lock(dossier_id, expected_version)
    _check_state(dossier, action)
    acting = authorize(actor, dossier, action)
    return dossier, acting


def _event(
    dossier: Dossier,
    action: str,
    actor,
    acting: Acting,
    from_status: int | None,
    at: dt.datetime,
    reason: str = "",
    data: dict | None = None,
) -> DossierEvent:
    event = DossierEvent(
        dossier=dossier,
        seq=dossier.version,
        action=str(action),
        at=at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_role=acting.role,
        actor_agency_id=acting.agency_id,
        from_status=from_status,
        to_status=dossier.status,
        reason=reason,
        data=data or {},
    )
    rows.save_new(event)
    hooks.dispatch(event, dossier)
    return event


def _save(
    dossier: Dossier,
    action: str,
    actor,
    acting: Acting,
    from_status: int | None,
    at: dt.datetime,
    reason: str = "",
    data: dict | None = None,
) -> Dossier:
    dossier.version += 1
    before = getattr(dossier, "_locked_values", None)
    if before is None:
        dossier.save()
    else:
        # Write only what the transition changed (and updated_at), on the locked row.
        dossier.updated_at = timezone.now()
        changed = {
            f.attname: getattr(dossier, f.attname)
            for f in _FIELDS
            if getattr(dossier, f.attname) != before[f.attname]
        }
        rows.update(Dossier, {"id": dossier.pk}, changed)
        dossier._locked_values = {f.attname: getattr(dossier, f.attname) for f in _FIELDS}
    _event(dossier, action, actor, acting, from_status, at, reason, data)
    return dossier


def _require_text(value: str | None, field: str, what: str, what_en: str) -> str:
    text = nfc(value or "")
    if not text:
        raise ValidationFailed(
            f"{field}_required", f"Cần nhập {what}.", f"{what_en} is required.", field=field
        )
    return text


def _agency(dossier: Dossier, side: str) -> Agency:
    return dossier.receiving_agency if side == AgencyRole.RECEIVING else dossier.settling_agency


def _step_agency(dossier: Dossier, step: ProcessStep) -> Agency:
    return _agency(dossier, step.agency_role)


def _open_step(dossier: Dossier, step: ProcessStep | None, at: dt.datetime) -> None:
    dossier.current_step = step
    if step is None:
        dossier.current_step_started_at = None
        dossier.current_step_due_at = None
        return
    agency = _step_agency(dossier, step)
    due = timing.step_due(agency, at, step.duration_hours)
    dossier.current_step_started_at = at
    dossier.current_step_due_at = due
    rows.insert(
        Handover,
        {
            "dossier_id": dossier.pk,
            "step_id": step.pk,
            "agency_id": agency.pk,
            "started_at": at,
            "due_at": due,
            "finished_at": None,
            "finished_by_id": None,
            "outcome": "",
            "note": "",
        },
    )


def _close_step(dossier: Dossier, actor, at: dt.datetime, note: str = "") -> str | None:
    """Close the open handover of the control sheet; returns its outcome.

    The open handover's deadline is the dossier's current step deadline, so one UPDATE does.
    """
    if dossier.current_step_id is None or dossier.current_step_due_at is None:
        return None
    outcome = timing.classify(at, dossier.current_step_due_at)
    rows.update(
        Handover,
        {"dossier_id": dossier.pk, "finished_at": None},
        {
            "finished_at": at,
            "finished_by_id": actor.pk if actor is not None and actor.is_authenticated else None,
            "outcome": outcome,
            "note": note,
        },
    )
    return outcome


def _book_number(agency_id: int, at: dt.datetime, book: str) -> int:
    """The next number of the agency's book of this form for the year of `at` ("Số:
    0001/TNHS"), assigned once when the form's act happens and kept in its event.

    One INSERT … ON CONFLICT DO UPDATE … RETURNING, as for dossier codes."""
    year = at.astimezone(timing.VN).year
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO dossiers_booksequence (agency_id, year, book, last) "
            "VALUES (%s, %s, %s, 1) ON CONFLICT (agency_id, year, book) "
            "DO UPDATE SET last = dossiers_booksequence.last + 1 RETURNING last",
            [agency_id, year, book],
        )
        return cur.fetchone()[0]


def _issuer(dossier: Dossier, acting: Acting) -> int:
    """The agency whose book numbers the form: the acting officer's, else the receiving one."""
    return acting.agency_id or dossier.receiving_agency_id


def _components(version) -> list[Component]:
    return rows.select(Component, "t0.version_id = %s", [version.pk], tail='ORDER BY t0."order"')


def _check_files(
    files: Files | None, version, field: str = "files", components: list | None = None
) -> list[tuple[Component, CheckedFile]]:
    """Check every file before anything is stored; components must belong to the version."""
    if not files:
        return []
    components = {c.pk: c for c in (components or _components(version))}
    checked = []
    for component_id, uploads in files.items():
        component = components.get(int(component_id)) if str(component_id).isdigit() else None
        if component is None:
            raise ValidationFailed(
                "unknown_component",
                f"Thành phần hồ sơ {component_id} không thuộc thủ tục này.",
                f"Component {component_id} does not belong to this procedure.",
                field=f"{field}.{component_id}",
            )
        for upload in uploads:
            checked.append((component, check_file(upload, field=f"{field}.{component_id}")))
    return checked


def _check_cases(declared: Iterable[str] | None, components: list[Component]) -> list[str]:
    """The cases the applicant declares must be cases of the procedure's components."""
    known = catalog_cases.cases_of(components)
    chosen = []
    for case in declared or ():
        text = nfc(case) if isinstance(case, str) else None
        if text not in known:
            raise ValidationFailed(
                "unknown_case",
                f"Trường hợp '{case}' không thuộc thủ tục này.",
                f"Case '{case}' does not belong to this procedure.",
                field="cases",
            )
        if text not in chosen:
            chosen.append(text)
    return [c for c in known if c in chosen]


def _check_counts(received: Counts | None, components: list[Component]) -> dict[int, tuple]:
    """Originals and copies per component, as counted at the counter: whole numbers 0–99."""
    by_id = {c.pk: c for c in components}
    counts: dict[int, tuple[int, int]] = {}
    for key, value in (received or {}).items():
        field = f"received.{key}"
        component = by_id.get(int(key)) if str(key).isdigit() else None
        if component is None:
            raise ValidationFailed(
                "unknown_component",
                f"Thành phần hồ sơ {key} không thuộc thủ tục này.",
                f"Component {key} does not belong to this procedure.",
                field=field,
            )
        pair = []
        for name, vi in (("originals", "bản chính"), ("copies", "bản sao")):
            n = (value or {}).get(name, 0) if isinstance(value, Mapping) else None
            if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_PAPERS:
                raise ValidationFailed(
                    "invalid_count",
                    f'Số {vi} của thành phần "{component.name}" phải là số nguyên từ 0 '
                    f"đến {MAX_PAPERS}.",
                    f'The number of {name} of "{component.name}" must be a whole number '
                    f"from 0 to {MAX_PAPERS}.",
                    field=f"{field}.{name}",
                )
            pair.append(n)
        if any(pair):
            counts[component.pk] = (pair[0], pair[1])
    return counts


def _require_components(
    components: list[Component], declared: list[str], handed_in: Iterable[int], field: str
) -> None:
    """Every unconditional required component, and those of the declared cases, must be
    handed in (catalog.cases.needed); one error lists all that are missing."""
    lacking = catalog_cases.missing(components, declared, handed_in)
    if lacking:
        names_vi = "; ".join(f"({i}) {c.name}" for i, c in enumerate(lacking, 1))
        raise ValidationFailed(
            "components_missing",
            f"Hồ sơ còn thiếu {len(lacking)} thành phần bắt buộc: {names_vi}",
            f"The dossier lacks {len(lacking)} required component(s): {names_vi}",
            field=field,
            data={"missing_components": [c.pk for c in lacking]},
        )


def _record_received(
    dossier: Dossier,
    source: str,
    at: dt.datetime,
    checked: Iterable[tuple[Component, CheckedFile]],
    counts: Mapping[int, tuple[int, int]] | None = None,
) -> None:
    files: dict[int, int] = {}
    for component, _f in checked:
        files[component.pk] = files.get(component.pk, 0) + 1
    counts = counts or {}
    ids = set(files) | set(counts)
    if not ids:
        return
    for cid in sorted(ids):
        originals, copies = counts.get(cid, (0, 0))
        # Precompiled INSERTs (motcua.core.rows): the submission is on the hot path.
        rows.insert(
            ReceivedComponent,
            {
                "dossier_id": dossier.pk,
                "component_id": cid,
                "source": str(source),
                "originals": originals,
                "copies": copies,
                "files": files.get(cid, 0),
                "at": at,
            },
        )


def _store(
    guard: FileGuard,
    dossier: Dossier,
    checked: Iterable[tuple[Component | None, CheckedFile]],
    kind: str,
    actor,
    at: dt.datetime,
    digitized: bool,
) -> list[Attachment]:
    stored = []
    for component, f in checked:
        path = guard.save(f"dossiers/{dossier.pk}/{f.sha256[:2]}/{f.sha256}", f.content)
        stored.append(
            rows.save_new(
                Attachment(
                    dossier=dossier,
                    component=component,
                    kind=kind,
                    file=path,
                    original_name=f.name,
                    content_type=f.content_type,
                    size=f.size,
                    sha256=f.sha256,
                    uploaded_by=actor if actor and actor.is_authenticated else None,
                    uploaded_at=at,
                    digitized=digitized,
                )
            )
        )
    return stored


def _route(
    procedure: Procedure, receiving: Agency, settling: Agency | None, day: dt.date
) -> tuple[Agency, Agency]:
    """Choose the settling agency: route by authority, not by the place of receipt (§1.1).
    An agency whose validity ended before the day receives nothing."""
    if receiving.valid_to is not None and day > receiving.valid_to:
        raise ValidationFailed(
            "agency_not_in_force",
            f"'{receiving.name}' đã hết hiệu lực từ sau ngày {receiving.valid_to:%d/%m/%Y}.",
            f"'{receiving.name}' ceased after {receiving.valid_to:%Y-%m-%d}.",
            field="receiving_agency",
        )
    if not receiving.receives_dossiers:
        raise ValidationFailed(
            "not_a_receiving_agency",
            f"'{receiving.name}' không phải bộ phận một cửa tiếp nhận hồ sơ.",
            f"'{receiving.name}' is not a one-stop department that receives dossiers.",
            field="receiving_agency",
        )
    candidates = rows.select(
        Agency,
        "t0.id IN (SELECT agency_id FROM catalog_procedureagency "
        "WHERE procedure_id = %s AND role = %s)",
        [procedure.pk, AgencyRole.SETTLING.value],
        tail="ORDER BY t0.id",
    )
    if settling is not None:
        if settling.pk not in {a.pk for a in candidates}:
            raise ValidationFailed(
                "agency_not_competent",
                f"'{settling.name}' không giải quyết thủ tục {procedure.code}.",
                f"'{settling.name}' does not settle procedure {procedure.code}.",
                field="settling_agency",
            )
        return receiving, settling
    if not candidates:
        raise ValidationFailed(
            "procedure_not_offered",
            f"Thủ tục {procedure.code} chưa được giao cho cơ quan giải quyết nào trong tỉnh.",
            f"Procedure {procedure.code} has no settling agency in this province.",
            field="procedure",
        )
    # Prefer the competent agency of the same unit (commune procedures), else the first.
    same_unit = [a for a in candidates if a.unit_id == receiving.unit_id]
    return receiving, (same_unit or candidates)[0]


def _version_for(procedure: Procedure, day: dt.date):
    version = procedure.version_on(day)
    if version is None or not procedure.active:
        raise ValidationFailed(
            "procedure_not_in_force",
            f"Thủ tục {procedure.code} không có hiệu lực vào ngày {day:%d/%m/%Y}.",
            f"Procedure {procedure.code} is not in force on {day:%Y-%m-%d}.",
            field="procedure",
        )
    return version


def _get_procedure(procedure: Procedure | str) -> Procedure:
    if isinstance(procedure, Procedure):
        return procedure
    try:
        return Procedure.objects.get(code=procedure)
    except Procedure.DoesNotExist:
        raise NotFound(
            f"thủ tục {procedure}", f"Procedure {procedure}", field="procedure"
        ) from None


# ---------------------------------------------------------------------------- creation


def _submission_fingerprint(
    proc: Procedure,
    receiving: Agency,
    settling: Agency,
    request_summary: str,
    contact: Mapping[str, str],
    principal: Mapping[str, str],
    checked: Sequence[tuple[Component | None, CheckedFile]],
    authorization: CheckedFile | None,
    cases: Sequence[str] = (),
) -> str:
    """What makes two submissions the same request (an idempotency key's replay)."""
    body = {
        "procedure": proc.code,
        "receiving": receiving.code,
        "settling": settling.code,
        "summary": nfc(request_summary) or "",
        "contact": dict(sorted(contact.items())),
        "principal": dict(sorted(principal.items())),
        "files": sorted((c.pk if c else 0, f.sha256) for c, f in checked),
        "authorization": authorization.sha256 if authorization else "",
        "cases": sorted(cases),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _check_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
        raise ValidationFailed(
            "invalid_idempotency_key",
            "Khóa Idempotency-Key phải gồm 1–255 ký tự ASCII in được.",
            "The Idempotency-Key must be 1–255 printable ASCII characters.",
            field="Idempotency-Key",
        )
    return key


def _replay(claim: SubmissionKey, fingerprint: str) -> Dossier:
    if claim.fingerprint != fingerprint or claim.dossier_id is None:
        raise ValidationFailed(
            "idempotency_key_reused",
            "Khóa Idempotency-Key này đã dùng cho một yêu cầu nộp hồ sơ khác. "
            "Dùng khóa mới cho mỗi hồ sơ.",
            "This Idempotency-Key was used for a different submission. "
            "Use a new key for each dossier.",
            field="Idempotency-Key",
            data={"dossier_id": claim.dossier_id},
        )
    dossier = rows.load(Dossier, claim.dossier_id, joins=_LOCK_JOINS)
    dossier._replayed = True
    return dossier


def submission_for_key(*, actor, key: str) -> Dossier | None:
    """The dossier an earlier submission of this account with this key made, if any."""
    claim = SubmissionKey.objects.filter(user_id=actor.pk, key=key).select_related("dossier")
    found = claim.first()
    return found.dossier if found is not None else None


def _authorisation(
    components: list[Component],
    declared: list[str],
    principal_details: Mapping[str, str],
    auth_file: CheckedFile | None,
    errors: FieldErrors,
) -> tuple[list[str], Component | None]:
    """The principal relation and the catalog's authorisation component are one fact:
    naming a principal (with the authorisation file) declares the case of the catalog's
    "Văn bản ủy quyền" component and hands it in; declaring that case without naming the
    principal is refused. Returns the declared cases and the component the authorisation
    file stands for (None when the catalog lists none)."""
    auth = catalog_cases.authorization_components(components)
    auth_cases = {c.case for c in auth if c.case}
    if principal_details:
        declared = [*declared, *sorted(auth_cases - set(declared))]
    elif auth_cases & set(declared):
        errors.add(
            ValidationFailed(
                "principal_required",
                "Trường hợp ủy quyền: cần khai báo người ủy quyền (họ tên, số định danh hoặc "
                "mã số thuế) và đính kèm giấy ủy quyền.",
                "The authorisation case: give the principal (name, personal number or tax "
                "code) and attach the authorisation document.",
                field="principal.name",
            )
        )
    return declared, (auth[0] if auth and auth_file is not None else None)


def _hand_in(
    guard: FileGuard,
    dossier: Dossier,
    source: str,
    checked: list[tuple[Component, CheckedFile]],
    authorisation: tuple[Component | None, CheckedFile | None],
    actor,
    at: dt.datetime,
    counts: Mapping[int, tuple[int, int]] | None = None,
) -> None:
    """Store what was handed in at submission or intake (the files, the authorisation file
    as the component it stands for) and record it per component. Files scanned at the
    counter are digitized; uploads are the applicant's own."""
    digitized = source == ReceivedSource.COUNTER
    _store(guard, dossier, checked, AttachmentKind.SUBMITTED, actor, at, digitized=digitized)
    component, auth_file = authorisation
    authorised = [(component, auth_file)] if component is not None and auth_file else []
    _record_received(dossier, source, at, [*checked, *authorised], counts)
    if auth_file is not None:
        _store(
            guard,
            dossier,
            [(component, auth_file)],
            AttachmentKind.AUTHORIZATION,
            actor,
            at,
            digitized=digitized,
        )


def _check_principal(
    principal: Mapping[str, str] | None,
    authorization,
    applicant_identifier: str,
    errors: FieldErrors,
) -> tuple[dict[str, str], CheckedFile | None]:
    """Filing for someone else: the principal's name and personal number / tax code
    (checked) and the authorisation document, all required together; nothing when neither
    is given. Errors go to `errors`."""
    wanted = {k: v for k, v in (principal or {}).items() if v}
    if not wanted and authorization is None:
        return {}, None
    details = validate_party(
        prefix="principal.",
        name=wanted.get("name", ""),
        id_number=wanted.get("id_number", ""),
        id_required=True,
        errors=errors,
    )
    if details.get("id_number") and details["id_number"] == applicant_identifier:
        errors.add(
            ValidationFailed(
                "principal_is_applicant",
                "Người ủy quyền phải là người khác với người nộp.",
                "The principal must be someone other than the applicant.",
                field="principal.id_number",
            )
        )
    if authorization is None:
        errors.add(
            ValidationFailed(
                "authorization_required",
                "Cần đính kèm giấy ủy quyền khi nộp thay người khác.",
                "Attach the authorisation document when filing for someone else.",
                field="authorization",
            )
        )
        return details, None
    return details, errors.check(check_file, authorization, field="authorization")


def dossier_submit(
    *,
    actor,
    procedure: Procedure | str,
    receiving_agency: Agency,
    settling_agency: Agency | None = None,
    request_summary: str = "",
    applicant: Mapping[str, str] | None = None,
    principal: Mapping[str, str] | None = None,
    authorization=None,
    files: Files | None = None,
    cases: Sequence[str] = (),
    idempotency_key: str | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """An applicant submits a dossier online (status 1, channel 2); the dossier gets its
    code at once (codes.code_next), so the applicant can follow it from that moment.

    Who: the applicant is the account's person — the name and the personal number / tax
    code always come from the account; `applicant` may only change the contact details
    (phone, e-mail, address), checked as at every door (core.validation). Filing for
    someone else is explicit: `principal` ({"name", "id_number"}, checked) plus the
    authorisation document (`authorization`, a file stored as an attachment).

    A retried submission never makes two dossiers: with `idempotency_key`, the same key and
    the same request give back the same dossier (marked `_replayed`), the same key with a
    different request is refused (idempotency_key_reused).

    The dossier is routed to the agency competent for the procedure; files are checked
    (type, size) before anything is stored.
    Every required component, and those of the cases the applicant declares (`cases`,
    catalog.cases), must be uploaded; what was uploaded is recorded per component.
    """
    at = _now(at)
    owner = applicant_id(actor)
    if owner is None:
        raise ValidationFailed(
            "not_an_applicant",
            "Chỉ công dân, tổ chức mới nộp hồ sơ trực tuyến.",
            "Only citizen or business accounts submit online.",
            field="actor",
            status=403,
        )
    key = _check_key(idempotency_key)
    proc = _get_procedure(procedure)
    version = _version_for(proc, at.astimezone(timing.VN).date())
    if Channel.ONLINE not in (version.channels or []):
        raise ValidationFailed(
            "channel_not_offered",
            f"Thủ tục {proc.code} không tiếp nhận hồ sơ trực tuyến.",
            f"Procedure {proc.code} is not offered online.",
            field="procedure",
        )
    limit_for(version, Channel.ONLINE, proc.code)  # no appointment can be given without it
    receiving, settling = _route(
        proc, receiving_agency, settling_agency, at.astimezone(timing.VN).date()
    )
    components = _components(version)
    declared = _check_cases(cases, components)
    account = rows.load(Applicant, owner)
    given = {k: v for k, v in (applicant or {}).items() if v}
    errors = FieldErrors()
    for field, own in (("name", account.full_name), ("id_number", account.identifier)):
        if field in given and nfc(given[field]) != own and re.sub(r"\s", "", given[field]) != own:
            errors.add(
                ValidationFailed(
                    "applicant_is_account",
                    "Người nộp trực tuyến là chủ tài khoản: họ tên và số định danh / mã số thuế "
                    "lấy từ tài khoản. Để nộp thay người khác, khai báo người ủy quyền "
                    "(principal_name, principal_id_number) và đính kèm giấy ủy quyền.",
                    "An online applicant is the account's person: the name and personal number "
                    "/ tax code come from the account. To file for someone else, give the "
                    "principal (principal_name, principal_id_number) and attach the "
                    "authorisation document.",
                    field=f"applicant.{field}",
                )
            )
    # The account's contact details, unless the applicant gives others (checked).
    contact = {"phone": account.phone, "email": account.email, "address": account.address}
    contact.update(
        validate_party(
            prefix="applicant.",
            **{k: given[k] for k in ("phone", "email", "address") if k in given},
            errors=errors,
        )
    )
    principal_details, auth_file = _check_principal(
        principal, authorization, account.identifier, errors
    )
    declared, auth_component = _authorisation(
        components, declared, principal_details, auth_file, errors
    )
    checked = errors.check(_check_files, files, version, components=components) or []
    if not any((e.field or "").startswith("files") for e in errors.errors):
        if not checked:
            errors.add(
                ValidationFailed(
                    "files_required",
                    "Cần đính kèm ít nhất một thành phần hồ sơ.",
                    "At least one dossier component must be attached.",
                    field="files",
                )
            )
        else:
            handed_in = {c.pk for c, _ in checked}
            if auth_component is not None:
                handed_in.add(auth_component.pk)
            errors.check(_require_components, components, declared, handed_in, "files")
    errors.raise_if_any()
    details = {
        "name": account.full_name,
        "id_number": account.identifier,
        **contact,
        "principal_name": principal_details.get("name", ""),
        "principal_id_number": principal_details.get("id_number", ""),
    }
    fingerprint = _submission_fingerprint(
        proc,
        receiving,
        settling,
        request_summary,
        contact,
        principal_details,
        checked,
        auth_file,
        declared,
    )
    with FileGuard() as guard, transaction.atomic():
        claim = None
        if key is not None:
            try:
                with transaction.atomic():
                    claim = SubmissionKey.objects.create(
                        user_id=actor.pk, key=key, fingerprint=fingerprint, created_at=at
                    )
            except IntegrityError:
                # The key was used before (or by a concurrent retry, which we waited for).
                existing = SubmissionKey.objects.get(user_id=actor.pk, key=key)
                return _replay(existing, fingerprint)
        dossier = _create(
            procedure=proc,
            version=version,
            channel=Channel.ONLINE,
            owner_id=owner,
            receiving=receiving,
            settling=settling,
            details=details,
            request_summary=request_summary,
            at=at,
        )
        _hand_in(
            guard, dossier, ReceivedSource.ONLINE, checked, (auth_component, auth_file), actor, at
        )
        if claim is not None:
            claim.dossier = dossier
            claim.save(update_fields=["dossier"])
        data: dict[str, Any] = {"files": len(checked), "code": dossier.code}
        if declared:
            data["cases"] = declared
        if principal_details:
            data["principal"] = {
                "name": dossier.principal_name,
                "id_number": dossier.principal_id_number,
            }
        _event(dossier, Action.SUBMIT, actor, Acting(APPLICANT, None), None, at, data=data)
    return dossier


def _create(
    *, procedure, version, channel, owner_id, receiving, settling, details, request_summary, at
) -> Dossier:
    name = nfc(details.get("name") or "")
    if not name:
        raise ValidationFailed(
            "applicant_name_required",
            "Cần nhập họ tên người nộp.",
            "The applicant's name is required.",
            field="applicant.name",
        )
    dossier = Dossier(
        code=codes.code_next(receiving, at),
        secret="".join(secrets.choice(SECRET_ALPHABET) for _ in range(8)),
        procedure=procedure,
        procedure_version=version,
        channel=channel,
        status=Status.SUBMITTED,
        rule_set=deadlines.dossier_rule_set(None, at),
        owner_id=owner_id,
        applicant_name=name,
        search_key=search_key_for(name, procedure.code, version.name),
        applicant_id_number=nfc(details.get("id_number") or "") or "",
        applicant_phone=nfc(details.get("phone") or "") or "",
        applicant_email=nfc(details.get("email") or "") or "",
        applicant_address=nfc(details.get("address") or "") or "",
        principal_name=nfc(details.get("principal_name") or "") or "",
        principal_id_number=details.get("principal_id_number") or "",
        request_summary=nfc(request_summary) or version.name,
        receiving_agency=receiving,
        settling_agency=settling,
        submitted_at=at,
        paper_result_required=version.paper_result_required,
    )
    return rows.save_new(dossier)


def dossier_intake(
    *,
    actor,
    procedure: Procedure | str,
    receiving_agency: Agency,
    channel: int = Channel.COUNTER,
    applicant: Mapping[str, str],
    owner=None,
    settling_agency: Agency | None = None,
    request_summary: str = "",
    principal: Mapping[str, str] | None = None,
    authorization=None,
    files: Files | None = None,
    received: Counts | None = None,
    cases: Sequence[str] = (),
    refuse_reason: str | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """A counter officer enters a walk-in (channel 1) or postal (channel 3) dossier for the
    applicant, with the scans of its components, then receives it — or, when
    `refuse_reason` is given, refuses it (Mẫu 03) and keeps the record. The dossier gets its
    code at once. The applicant's details are checked, every error reported at once; a
    person filing for someone else gives the principal and the scan of the authorisation
    (`principal`, `authorization`), as online.

    `received` holds the originals and copies counted per component; a component is
    handed in when it has papers or scans. To receive, every required component and those
    of the declared `cases` must be handed in (catalog.cases); a refusal needs nothing."""
    at = _now(at)
    if channel not in (Channel.COUNTER, Channel.POST):
        raise ValidationFailed(
            "invalid_channel",
            "Kênh tiếp nhận phải là trực tiếp (1) hoặc bưu chính (3).",
            "The channel must be counter (1) or post (3).",
            field="channel",
        )
    proc = _get_procedure(procedure)
    version = _version_for(proc, at.astimezone(timing.VN).date())
    if refuse_reason is None:
        limit_for(version, channel, proc.code)  # no appointment can be given without it
    receiving, settling = _route(
        proc, receiving_agency, settling_agency, at.astimezone(timing.VN).date()
    )
    components = _components(version)
    declared = _check_cases(cases, components)
    errors = FieldErrors()
    given = dict(applicant or {})
    details = validate_party(
        prefix="applicant.",
        name=given.get("name", ""),
        id_number=given.get("id_number", ""),
        phone=given.get("phone", ""),
        email=given.get("email", ""),
        address=given.get("address", ""),
        errors=errors,
    )
    principal_details, auth_file = _check_principal(
        principal, authorization, details.get("id_number", ""), errors
    )
    declared, auth_component = _authorisation(
        components, declared, principal_details, auth_file, errors
    )
    details["principal_name"] = principal_details.get("name", "")
    details["principal_id_number"] = principal_details.get("id_number", "")
    checked = errors.check(_check_files, files, version, components=components) or []
    counts = errors.check(_check_counts, received, components) or {}
    if refuse_reason is None and not any(
        (e.field or "").startswith(("files", "received")) for e in errors.errors
    ):
        handed_in = set(counts) | {c.pk for c, _ in checked}
        if auth_component is not None:
            handed_in.add(auth_component.pk)
        errors.check(_require_components, components, declared, handed_in, "received")
    errors.raise_if_any()
    with FileGuard() as guard, transaction.atomic():
        dossier = _create(
            procedure=proc,
            version=version,
            channel=channel,
            owner_id=owner.pk if owner is not None else None,
            receiving=receiving,
            settling=settling,
            details=details,
            request_summary=request_summary,
            at=at,
        )
        # The officer must be a counter officer of the receiving agency.
        acting = authorize(actor, dossier, Action.INTAKE)
        data: dict[str, Any] = {"channel": channel, "code": dossier.code}
        if declared:
            data["cases"] = declared
        if principal_details:
            data["principal"] = {
                "name": dossier.principal_name,
                "id_number": dossier.principal_id_number,
            }
        _event(dossier, Action.INTAKE, actor, acting, None, at, data=data)
        _hand_in(
            guard,
            dossier,
            ReceivedSource.COUNTER,
            checked,
            (auth_component, auth_file),
            actor,
            at,
            counts,
        )
        if refuse_reason is not None:
            return _refuse(dossier, actor, acting, refuse_reason, at)
        return _receive(dossier, actor, acting, at)


# ---------------------------------------------------------------------------- receipt


def _version_of(dossier: Dossier) -> ProcedureVersion:
    """The dossier's procedure version, loaded once and cached on it."""
    field = Dossier._meta.get_field("procedure_version")
    if not field.is_cached(dossier):
        field.set_cached_value(dossier, rows.load(ProcedureVersion, dossier.procedure_version_id))
    return dossier.procedure_version


def _receive(dossier: Dossier, actor, acting: Acting, at: dt.datetime) -> Dossier:
    version = _version_of(dossier)
    if dossier.code is None:  # a dossier imported without a code
        dossier.code = codes.code_next(dossier.receiving_agency, at)
    number = _book_number(dossier.receiving_agency_id, at, Book.RECEIPT)
    dossier.received_at = at
    dossier.rule_set = deadlines.dossier_rule_set(at, dossier.submitted_at)
    dossier.due_at = timing.appointment(
        version, dossier.settling_agency, at, dossier.channel, dossier.procedure.code
    )
    dossier.original_due_at = dossier.due_at
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COALESCE(SUM(amount_vnd), 0) FROM catalog_feeitem WHERE version_id = %s",
            [version.pk],
        )
        dossier.fee_due_vnd = int(cur.fetchone()[0])
        cur.execute("SELECT 1 FROM dossiers_attachment WHERE dossier_id = %s LIMIT 1", [dossier.pk])
        dossier.digitized = cur.fetchone() is not None
    dossier.status = Status.RECEIVED
    steps = rules.process_steps(dossier)
    _open_step(dossier, steps[0] if steps else None, at)
    return _save(
        dossier,
        Action.RECEIVE,
        actor,
        acting,
        Status.SUBMITTED,
        at,
        data={"code": dossier.code, "due_at": dossier.due_at.isoformat(), "number": number},
    )


def _refuse(dossier: Dossier, actor, acting: Acting, reason: str, at: dt.datetime) -> Dossier:
    reason = _require_text(reason, "reason", "lý do từ chối", "The reason for refusal")
    dossier.status = Status.REFUSED
    dossier.refusal_reason = reason
    dossier.finished_at = at
    number = _book_number(_issuer(dossier, acting), at, Book.REFUSAL)
    return _save(
        dossier,
        Action.REFUSE,
        actor,
        acting,
        Status.SUBMITTED,
        at,
        reason=reason,
        data={"number": number},
    )


def dossier_receive(
    *, dossier_id: int, actor, at: dt.datetime | None = None, expected_version: int | None = None
) -> Dossier:
    """Receive an online dossier (1 → 2): assign the code, compute the appointment
    (Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả) and open the first process step."""
    at = _now(at)
    with transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.RECEIVE, actor, expected_version)
        return _receive(dossier, actor, acting, at)


def dossier_refuse(
    *,
    dossier_id: int,
    actor,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Refuse at receipt with the reason in writing (1 → 3; Mẫu 03)."""
    at = _now(at)
    reason = _require_text(reason, "reason", "lý do từ chối", "The reason for refusal")
    with transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.REFUSE, actor, expected_version)
        return _refuse(dossier, actor, acting, reason, at)


# ---------------------------------------------------------------------------- processing


def dossier_forward(
    *,
    dossier_id: int,
    actor,
    note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Hand the dossier to the next step of the internal process (2/4 → 4).

    The handover is recorded on the control sheet (Mẫu 05) with the time and whether this
    step finished early, on time or late. The step that produces the result is closed by
    `dossier_approve`, not by a forward.
    """
    at = _now(at)
    with transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.FORWARD, actor, expected_version)
        refusal = rules.forward_refusal(dossier)
        if refusal is not None:
            raise refusal
        steps = rules.process_steps(dossier)
        index = next(i for i, s in enumerate(steps) if s.pk == dossier.current_step_id)
        nxt = steps[index + 1]
        from_status = dossier.status
        outcome = _close_step(dossier, actor, at, nfc(note) or "")
        dossier.status = Status.PROCESSING
        _open_step(dossier, nxt, at)
        return _save(
            dossier,
            Action.FORWARD,
            actor,
            acting,
            from_status,
            at,
            reason=nfc(note) or "",
            data={
                "from_step": steps[index].order,
                "to_step": nxt.order,
                "outcome": outcome,
            },
        )


def dossier_approve(
    *,
    dossier_id: int,
    actor,
    result_note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The leader of the last processing step approves: the result is ready (4 → 9)."""
    at = _now(at)
    with transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.APPROVE, actor, expected_version)
        refusal = rules.approve_refusal(dossier)
        if refusal is not None:
            raise refusal
        steps = rules.process_steps(dossier)
        index = next(i for i, s in enumerate(steps) if s.pk == dossier.current_step_id)
        rest = index + 1
        step_outcome = _close_step(dossier, actor, at, nfc(result_note) or "")
        dossier.status = Status.PROCESSED
        dossier.finished_at = at
        dossier.result_note = nfc(result_note) or ""
        _open_step(dossier, steps[rest] if rest < len(steps) else None, at)
        return _save(
            dossier,
            Action.APPROVE,
            actor,
            acting,
            Status.PROCESSING,
            at,
            reason=dossier.result_note,
            data={
                "outcome": timing.classify(at, dossier.due_at),
                "step_outcome": step_outcome,
            },
        )


def dossier_return_result(
    *,
    dossier_id: int,
    actor,
    at: dt.datetime | None = None,
    method: str = "counter",
    expected_version: int | None = None,
) -> Dossier:
    """Return the result to the applicant (9 → 10) and close the return step."""
    at = _now(at)
    if method not in ("counter", "post", "online"):
        raise ValidationFailed(
            "invalid_return_method",
            "Hình thức trả kết quả phải là counter, post hoặc online.",
            "The return method must be counter, post or online.",
            field="method",
        )
    with transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.RETURN_RESULT, actor, expected_version)
        _close_step(dossier, actor, at)
        dossier.current_step = None
        dossier.current_step_started_at = dossier.current_step_due_at = None
        dossier.status = Status.RETURNED
        dossier.returned_at = at
        return _save(
            dossier,
            Action.RETURN_RESULT,
            actor,
            acting,
            Status.PROCESSED,
            at,
            data={"method": method},
        )


def dossier_attach_result(
    *,
    dossier_id: int,
    actor,
    file,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Attach the electronic result (indicator 4.1); the status does not change."""
    at = _now(at)
    checked = check_file(file, field="file")
    with FileGuard() as guard, transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.ATTACH_RESULT, actor, expected_version)
        (att,) = _store(
            guard, dossier, [(None, checked)], AttachmentKind.RESULT, actor, at, digitized=True
        )
        dossier.electronic_result = True
        return _save(
            dossier,
            Action.ATTACH_RESULT,
            actor,
            acting,
            dossier.status,
            at,
            data={"attachment": att.pk, "sha256": att.sha256},
        )


# ---------------------------------------------------------------------------- supplements


def dossier_request_supplement(
    *,
    dossier_id: int,
    actor,
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
    at = _now(at)
    reason = _require_text(reason, "reason", "lý do yêu cầu bổ sung", "The reason")
    with transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.REQUEST_SUPPLEMENT, actor, expected_version)
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
                raise ValidationFailed(
                    "unknown_component",
                    f"Thành phần hồ sơ {cid} không thuộc thủ tục này.",
                    f"Component {cid} does not belong to this procedure.",
                    field="missing_components",
                )
            missing.append(cid)
        from_status = dossier.status
        dossier.status = Status.SUPPLEMENT_REQUESTED
        dossier.paused_at = at
        dossier.supplement_count += 1
        Pause.objects.create(
            dossier=dossier, started_at=at, reason=reason, missing_components=missing
        )
        number = _book_number(_issuer(dossier, acting), at, Book.SUPPLEMENT)
        return _save(
            dossier,
            Action.REQUEST_SUPPLEMENT,
            actor,
            acting,
            from_status,
            at,
            reason=reason,
            data={"missing_components": missing, "number": number},
        )


def dossier_supplement(
    *,
    dossier_id: int,
    actor,
    files: Files | None = None,
    note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The applicant (or the counter, for a paper supplement) supplements (5 → 4).

    The paused working time is added to the appointment and to the current step's deadline:
    the applicant's time does not count against the agency (reference §1.5).
    """
    at = _now(at)
    with FileGuard() as guard, transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.SUPPLEMENT, actor, expected_version)
        pause = Pause.objects.select_for_update().get(dossier=dossier, ended_at__isnull=True)
        checked = _check_files(files, dossier.procedure_version)
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
        _store(
            guard,
            dossier,
            checked,
            AttachmentKind.SUPPLEMENT,
            actor,
            at,
            digitized=acting.role != APPLICANT,
        )
        _record_received(dossier, ReceivedSource.SUPPLEMENT, at, checked)
        seconds = _end_pause(dossier, pause, at)
        dossier.status = Status.PROCESSING
        return _save(
            dossier,
            Action.SUPPLEMENT,
            actor,
            acting,
            Status.SUPPLEMENT_REQUESTED,
            at,
            reason=nfc(note) or "",
            data={"files": len(checked), **_pause_data(dossier, seconds)},
        )


def _end_pause(dossier: Dossier, pause: Pause, at: dt.datetime) -> int:
    """End the open clock pause at `at`: the paused working time moves the appointment, the
    first appointment and the current step's deadline (deadlines.pause_shift, the one pause
    rule). Returns the paused working seconds."""
    step_agency = None
    if dossier.current_step_due_at is not None and dossier.current_step is not None:
        step_agency = _step_agency(dossier, dossier.current_step)
    shift = deadlines.pause_shift(
        settling_agency=dossier.settling_agency,
        step_agency=step_agency,
        started_at=pause.started_at,
        ended_at=at,
        due_at=dossier.due_at,
        original_due_at=dossier.original_due_at,
        step_due_at=dossier.current_step_due_at if step_agency is not None else None,
    )
    pause.ended_at = at
    pause.working_seconds = shift.seconds
    pause.save(update_fields=["ended_at", "working_seconds"])
    dossier.paused_seconds += shift.seconds
    dossier.paused_at = None
    dossier.due_at = shift.due_at
    dossier.original_due_at = shift.original_due_at
    if step_agency is not None:
        dossier.current_step_due_at = shift.step_due_at
        Handover.objects.filter(dossier=dossier, finished_at__isnull=True).update(
            due_at=dossier.current_step_due_at
        )
    return shift.seconds


def _pause_data(dossier: Dossier, seconds: int) -> dict:
    """What a pause's end writes in its event (Biểu 06 reads the appointments back)."""
    first = dossier.original_due_at
    return {
        "paused_seconds": seconds,
        "due_at": dossier.due_at.isoformat(),
        "original_due_at": None if first is None else first.isoformat(),
    }


# ---------------------------------------------------------------------------- money


def dossier_request_payment(
    *,
    dossier_id: int,
    actor,
    amount_vnd: int | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Ask the applicant to fulfil the financial obligation (2/4 → 6). The amount defaults
    to the fees of the procedure version; money is an integer number of đồng.

    When the procedure's payment pauses the clock (rules.payment_pauses_clock: the version's
    choice, else MOTCUA_PAYMENT_PAUSES_CLOCK, default land procedures), the clock pauses as
    for a supplement request until the payment is confirmed.
    """
    at = _now(at)
    if amount_vnd is not None and (not isinstance(amount_vnd, int) or amount_vnd <= 0):
        raise ValidationFailed(
            "invalid_amount",
            "Số tiền phải là số nguyên dương (đồng).",
            "The amount must be a positive whole number of đồng.",
            field="amount_vnd",
        )
    with transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.REQUEST_PAYMENT, actor, expected_version)
        amount = amount_vnd if amount_vnd is not None else dossier.procedure_version.fee_total_vnd
        if amount <= 0:
            raise ValidationFailed(
                "invalid_amount",
                "Thủ tục không có khoản phí: cần nhập số tiền.",
                "The procedure has no fee: give the amount.",
                field="amount_vnd",
            )
        from_status = dossier.status
        dossier.fee_due_vnd = amount
        dossier.status = Status.FINANCIAL_OBLIGATION
        data: dict = {"amount_vnd": amount}
        if rules.dossier_payment_pauses_clock(dossier):
            dossier.paused_at = at
            Pause.objects.create(
                dossier=dossier, started_at=at, reason=PAYMENT_PAUSE_REASON, missing_components=[]
            )
            data["paused"] = True
        return _save(
            dossier,
            Action.REQUEST_PAYMENT,
            actor,
            acting,
            from_status,
            at,
            reason=nfc(reason) or "",
            data=data,
        )


def dossier_confirm_payment(
    *,
    dossier_id: int,
    actor,
    amount_vnd: int,
    paid_online: int = PaidOnline.NO,
    reference: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Record that the obligation was paid (6 → 4). `paid_online` is DuocThanhToanTrucTuyen:
    0 at the counter, 1 on the national portal, 2 on the province's payment portal. A pause
    opened by the request ends: the appointment and the step deadline move by it."""
    at = _now(at)
    if paid_online not in (0, 1, 2):
        raise ValidationFailed(
            "invalid_paid_online",
            "Hình thức thanh toán phải là 0, 1 hoặc 2.",
            "paid_online must be 0, 1 or 2.",
            field="paid_online",
        )
    with transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.CONFIRM_PAYMENT, actor, expected_version)
        if not isinstance(amount_vnd, int) or amount_vnd < dossier.fee_due_vnd:
            raise ValidationFailed(
                "amount_too_small",
                f"Số tiền nộp phải bằng số phải nộp ({dossier.fee_due_vnd:,} đồng).".replace(
                    ",", "."
                ),
                f"The amount paid must equal the amount due ({dossier.fee_due_vnd} VND).",
                field="amount_vnd",
            )
        if acting.role == APPLICANT and paid_online == PaidOnline.NO:
            raise ValidationFailed(
                "invalid_paid_online",
                "Thanh toán của người nộp trên cổng là thanh toán trực tuyến (1 hoặc 2).",
                "An applicant's payment on the portal is online (1 or 2).",
                field="paid_online",
            )
        dossier.fee_paid_vnd = amount_vnd
        dossier.paid_online = paid_online
        dossier.status = Status.PROCESSING
        data = {
            "amount_vnd": amount_vnd,
            "paid_online": paid_online,
            "reference": nfc(reference) or "",
        }
        if dossier.paused_at is not None:
            pause = Pause.objects.select_for_update().get(dossier=dossier, ended_at__isnull=True)
            data.update(_pause_data(dossier, _end_pause(dossier, pause, at)))
        return _save(
            dossier,
            Action.CONFIRM_PAYMENT,
            actor,
            acting,
            Status.FINANCIAL_OBLIGATION,
            at,
            data=data,
        )


# ---------------------------------------------------------------------------- withdrawal


def dossier_request_withdrawal(
    *,
    dossier_id: int,
    actor,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The applicant asks to withdraw the dossier (→ 7)."""
    at = _now(at)
    reason = _require_text(reason, "reason", "lý do rút hồ sơ", "The reason for withdrawal")
    with transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.REQUEST_WITHDRAWAL, actor, expected_version)
        from_status = dossier.status
        dossier.status = Status.WITHDRAWAL_REQUESTED
        return _save(
            dossier, Action.REQUEST_WITHDRAWAL, actor, acting, from_status, at, reason=reason
        )


def dossier_stop(
    *,
    dossier_id: int,
    actor,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Stop processing after a withdrawal request (7 → 8; Mẫu 05 of Circular 03/2025).

    A pause still open (waiting for a supplement or a payment) ends at the stop and moves
    the appointment like any pause, so the stop is judged with the applicant's time left out.
    """
    at = _now(at)
    reason = _require_text(reason, "reason", "lý do dừng xử lý", "The reason for stopping")
    with transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.STOP, actor, expected_version)
        data = {}
        if dossier.paused_at is not None:
            pause = Pause.objects.select_for_update().get(dossier=dossier, ended_at__isnull=True)
            data = _pause_data(dossier, _end_pause(dossier, pause, at))
        _close_step(dossier, actor, at, reason)
        dossier.current_step = None
        dossier.current_step_started_at = dossier.current_step_due_at = None
        dossier.paused_at = None
        dossier.status = Status.STOPPED
        dossier.stopped_at = at
        number = _book_number(_issuer(dossier, acting), at, Book.STOP_NOTICE)
        return _save(
            dossier,
            Action.STOP,
            actor,
            acting,
            Status.WITHDRAWAL_REQUESTED,
            at,
            reason=reason,
            data={**data, "number": number},
        )


# ---------------------------------------------------------------------------- apology


def dossier_apologize(
    *,
    dossier_id: int,
    actor,
    reason: str,
    new_due_at: dt.datetime,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Apologize and set a new appointment before the deadline passes (Mẫu 04).

    The reason is required; the new date must be later than the current one; at most
    MOTCUA_MAX_APOLOGIES apologies per dossier (default 1, 2018 practice, UNCONFIRMED);
    the apology must come at least the regime's lead before the deadline
    (MOTCUA_APOLOGY_MIN_LEAD_DAYS_2018 / _2025 working days, default 1: rules.apology_refusal).
    Whether the dossier is then judged against the new date or the first one is
    MOTCUA_REAPPOINTMENT_JUDGED_AGAINST (deadlines.judged_due).
    """
    at = _now(at)
    reason = _require_text(reason, "reason", "lý do chậm trả kết quả", "The reason for the delay")
    if new_due_at is None or timezone.is_naive(new_due_at):
        raise ValidationFailed(
            "invalid_new_due_at",
            "Ngày hẹn mới phải có ngày, giờ và múi giờ.",
            "The new date needs a date, time and time zone.",
            field="new_due_at",
        )
    with transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.APOLOGIZE, actor, expected_version)
        refusal = rules.apology_refusal(dossier, at)
        if refusal is not None:
            raise refusal
        if new_due_at <= dossier.due_at:
            raise ValidationFailed(
                "new_due_not_later",
                "Ngày hẹn mới phải sau ngày hẹn hiện tại.",
                "The new date must be later than the current appointment.",
                field="new_due_at",
            )
        old = dossier.due_at
        dossier.due_at = new_due_at
        dossier.apology_count += 1
        number = _book_number(_issuer(dossier, acting), at, Book.APOLOGY)
        return _save(
            dossier,
            Action.APOLOGIZE,
            actor,
            acting,
            dossier.status,
            at,
            reason=reason,
            data={
                "old_due_at": old.isoformat(),
                "new_due_at": new_due_at.isoformat(),
                "number": number,
            },
        )


# ---------------------------------------------------------------------------- rating


def dossier_rate(
    *,
    dossier_id: int,
    actor,
    rating: int,
    criteria: Mapping[str, int] | None = None,
    comment: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The applicant rates the service once the result is returned (reference §1.6)."""
    at = _now(at)
    if rating not in Rating.values:
        raise ValidationFailed(
            "invalid_rating",
            "Đánh giá phải là 1 (hài lòng), 0 hoặc -1.",
            "The rating must be 1 (satisfied), 0 or -1.",
            field="rating",
        )
    with transaction.atomic():
        dossier, acting = _begin(dossier_id, Action.RATE, actor, expected_version)
        refusal = rules.rating_refusal(dossier)
        if refusal is not None:
            raise refusal
        dossier.rating = rating
        return _save(
            dossier,
            Action.RATE,
            actor,
            acting,
            dossier.status,
            at,
            reason=nfc(comment) or "",
            data={"rating": rating, "criteria": dict(criteria or {})},
        )
