"""Submission and intake: the two ways a dossier is born.

Online, the applicant submits (status 1, channel 2) and a retried submission never makes
two dossiers (the idempotency key). At the counter or by post, an officer enters the
dossier with the scans of its components and receives it, or refuses it, in the same
transaction. Either way the dossier gets its code at once (codes.code_next), is routed to
the agency competent for the procedure, and what was handed in is stored and recorded per
component; files are checked (type, size) before anything is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import IntegrityError, transaction

from motcua.catalog import cases as catalog_cases
from motcua.catalog.enums import AgencyRole, Channel
from motcua.catalog.limits import limit_for
from motcua.catalog.models import Component, Procedure, ProcedureVersion
from motcua.core import rows
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor
from motcua.core.validation import UNSET, FieldErrors, validate_party
from motcua.org.models import Agency, Applicant

from .. import codes, deadlines, timing
from ..access import Acting, applicant_id, authorize
from ..attachments import CheckedFile, FileGuard, check_file
from ..enums import APPLICANT, Action, status_after
from ..models import (
    AttachmentKind,
    Dossier,
    ReceivedSource,
    SubmissionKey,
    search_key_for,
)
from ._base import _LOCK_JOINS, Transition, _event, _now
from ._files import (
    Counts,
    Files,
    _check_cases,
    _check_counts,
    _check_files,
    _components,
    _record_received,
    _require_components,
    _store,
)
from .receipt import _receive, _refuse

SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

Checked = list[tuple[Component, CheckedFile]]


# ---------------------------------------------------------------------------- the offer


@dataclass
class Offer:
    """What a new dossier is filed under: the procedure, its version in force, the
    receiving and the settling agency, and the version's components."""

    procedure: Procedure
    version: ProcedureVersion
    receiving: Agency
    settling: Agency
    components: list[Component]


def _offer(
    procedure: Procedure | str,
    receiving_agency: Agency,
    settling_agency: Agency | None,
    channel: int,
    at: dt.datetime,
    *,
    appointed: bool = True,
) -> Offer:
    """The procedure in force on the day, offered on the channel, routed. `appointed`: the
    dossier will get an appointment, so the version needs a time limit for the channel."""
    day = at.astimezone(timing.VN).date()
    proc = _get_procedure(procedure)
    version = _version_for(proc, day)
    if channel == Channel.ONLINE and Channel.ONLINE not in (version.channels or []):
        raise ValidationFailed(
            "channel_not_offered",
            f"Thủ tục {proc.code} không tiếp nhận hồ sơ trực tuyến.",
            f"Procedure {proc.code} is not offered online.",
            field="procedure",
        )
    if appointed:
        limit_for(version, channel, proc.code)  # no appointment can be given without it
    receiving, settling = _route(proc, receiving_agency, settling_agency, day)
    return Offer(proc, version, receiving, settling, _components(version))


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
    candidates = cast(
        list[Agency],
        rows.select(
            Agency,
            "t0.id IN (SELECT agency_id FROM catalog_procedureagency "
            "WHERE procedure_id = %s AND role = %s)",
            [procedure.pk, AgencyRole.SETTLING.value],
            tail="ORDER BY t0.id",
        ),
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


def _version_for(procedure: Procedure, day: dt.date) -> ProcedureVersion:
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


# ---------------------------------------------------------------------------- idempotency


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
    dossier = cast(Dossier, rows.load(Dossier, claim.dossier_id, joins=_LOCK_JOINS))
    dossier._replayed = True
    return dossier


def _claim(actor: Actor, key: str, fingerprint: str, at: dt.datetime) -> SubmissionKey | Dossier:
    """Claim the key for this submission, or the dossier an earlier one with the same key
    made (the key was used before, or by a concurrent retry, which we waited for)."""
    try:
        with transaction.atomic():
            return SubmissionKey.objects.create(
                user_id=_pk(actor), key=key, fingerprint=fingerprint, created_at=at
            )
    except IntegrityError:
        return _replay(SubmissionKey.objects.get(user_id=_pk(actor), key=key), fingerprint)


def _pk(actor: Actor) -> Any:
    return actor.pk if actor is not None else None


def submission_for_key(*, actor: Actor, key: str) -> Dossier | None:
    """The dossier an earlier submission of this account with this key made, if any."""
    claim = SubmissionKey.objects.filter(user_id=_pk(actor), key=key).select_related("dossier")
    found = claim.first()
    return found.dossier if found is not None else None


# ---------------------------------------------------------------------------- who files


def _online_contact(
    account: Applicant, applicant: Mapping[str, str] | None, errors: FieldErrors
) -> dict[str, str]:
    """The online applicant is the account's person: a different name or personal number is
    refused; the contact details are the account's unless others are given (checked)."""
    given = {k: v for k, v in (applicant or {}).items() if v}
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
    contact = {"phone": account.phone, "email": account.email, "address": account.address}
    contact.update(
        validate_party(
            prefix="applicant.",
            phone=given.get("phone", UNSET),
            email=given.get("email", UNSET),
            address=given.get("address", UNSET),
            errors=errors,
        )
    )
    return contact


def _check_principal(
    principal: Mapping[str, str] | None,
    authorization: Any,
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
    checked: CheckedFile | None = errors.check(check_file, authorization, field="authorization")
    return details, checked


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
    component: Component | None = auth[0] if auth and auth_file is not None else None
    return declared, component


def _handed_in(checked: Checked, counts: Mapping[int, Any], auth: Component | None) -> set[int]:
    """The components handed in: with papers counted, files, or the authorisation file."""
    ids = set(counts) | {c.pk for c, _ in checked}
    if auth is not None:
        ids.add(auth.pk)
    return ids


# ---------------------------------------------------------------------------- creation


def _create(
    *,
    offer: Offer,
    channel: int,
    owner_id: int | None,
    details: Mapping[str, str],
    request_summary: str,
    at: dt.datetime,
) -> Dossier:
    name = nfc(details.get("name") or "")
    if not name:
        raise ValidationFailed(
            "applicant_name_required",
            "Cần nhập họ tên người nộp.",
            "The applicant's name is required.",
            field="applicant.name",
        )
    version = offer.version
    dossier = Dossier(
        code=codes.code_next(offer.receiving, at),
        secret="".join(secrets.choice(SECRET_ALPHABET) for _ in range(8)),
        procedure=offer.procedure,
        procedure_version=version,
        channel=channel,
        status=status_after(Action.SUBMIT, None),
        rule_set=deadlines.dossier_rule_set(None, at),
        owner_id=owner_id,
        applicant_name=name,
        search_key=search_key_for(name, offer.procedure.code, version.name),
        applicant_id_number=nfc(details.get("id_number") or "") or "",
        applicant_phone=nfc(details.get("phone") or "") or "",
        applicant_email=nfc(details.get("email") or "") or "",
        applicant_address=nfc(details.get("address") or "") or "",
        principal_name=nfc(details.get("principal_name") or "") or "",
        principal_id_number=details.get("principal_id_number") or "",
        request_summary=nfc(request_summary) or version.name,
        receiving_agency=offer.receiving,
        settling_agency=offer.settling,
        submitted_at=at,
        paper_result_required=version.paper_result_required,
    )
    rows.save_new(dossier)
    return dossier


def _hand_in(
    guard: FileGuard,
    dossier: Dossier,
    source: str,
    checked: Checked,
    authorisation: tuple[Component | None, CheckedFile | None],
    actor: Actor,
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


def _creation_data(
    dossier: Dossier, declared: list[str], principal: Mapping[str, str], **data: Any
) -> dict[str, Any]:
    """What the event of a creation records besides `data`: the cases, the principal."""
    if declared:
        data["cases"] = declared
    if principal:
        data["principal"] = {
            "name": dossier.principal_name,
            "id_number": dossier.principal_id_number,
        }
    return data


# ---------------------------------------------------------------------------- submission


def dossier_submit(
    *,
    actor: Actor,
    procedure: Procedure | str,
    receiving_agency: Agency,
    settling_agency: Agency | None = None,
    request_summary: str = "",
    applicant: Mapping[str, str] | None = None,
    principal: Mapping[str, str] | None = None,
    authorization: Any = None,
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
    offer = _offer(procedure, receiving_agency, settling_agency, Channel.ONLINE, at)
    components = offer.components
    declared = _check_cases(cases, components)
    account = cast(Applicant, rows.load(Applicant, owner))
    errors = FieldErrors()
    contact = _online_contact(account, applicant, errors)
    principal_details, auth_file = _check_principal(
        principal, authorization, account.identifier, errors
    )
    declared, auth_component = _authorisation(
        components, declared, principal_details, auth_file, errors
    )
    checked: Checked = errors.check(_check_files, files, offer.version, components=components) or []
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
            handed_in = _handed_in(checked, {}, auth_component)
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
        offer.procedure,
        offer.receiving,
        offer.settling,
        request_summary,
        contact,
        principal_details,
        checked,
        auth_file,
        declared,
    )
    with FileGuard() as guard, transaction.atomic():
        claim: SubmissionKey | None = None
        if key is not None:
            found = _claim(actor, key, fingerprint, at)
            if isinstance(found, Dossier):
                return found
            claim = found
        dossier = _create(
            offer=offer,
            channel=Channel.ONLINE,
            owner_id=owner,
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
        data = _creation_data(
            dossier, declared, principal_details, files=len(checked), code=dossier.code
        )
        _event(dossier, Action.SUBMIT, actor, Acting(APPLICANT, None), None, at, data=data)
    return dossier


# ---------------------------------------------------------------------------- intake


def dossier_intake(
    *,
    actor: Actor,
    procedure: Procedure | str,
    receiving_agency: Agency,
    channel: int = Channel.COUNTER,
    applicant: Mapping[str, str],
    owner: Any = None,
    settling_agency: Agency | None = None,
    request_summary: str = "",
    principal: Mapping[str, str] | None = None,
    authorization: Any = None,
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
    offer = _offer(
        procedure,
        receiving_agency,
        settling_agency,
        channel,
        at,
        appointed=refuse_reason is None,
    )
    components = offer.components
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
    checked: Checked = errors.check(_check_files, files, offer.version, components=components) or []
    counts: dict[int, tuple[int, int]] = errors.check(_check_counts, received, components) or {}
    if refuse_reason is None and not any(
        (e.field or "").startswith(("files", "received")) for e in errors.errors
    ):
        handed_in = _handed_in(checked, counts, auth_component)
        errors.check(_require_components, components, declared, handed_in, "received")
    errors.raise_if_any()
    with FileGuard() as guard, transaction.atomic():
        dossier = _create(
            offer=offer,
            channel=channel,
            owner_id=owner.pk if owner is not None else None,
            details=details,
            request_summary=request_summary,
            at=at,
        )
        # The officer must be a counter officer of the receiving agency.
        acting = authorize(actor, dossier, Action.INTAKE)
        data = _creation_data(
            dossier, declared, principal_details, channel=channel, code=dossier.code
        )
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
        action = Action.RECEIVE if refuse_reason is None else Action.REFUSE
        step = Transition(dossier, action, actor, acting, at, dossier.status, guard=guard)
        if refuse_reason is None:
            _receive(step)
        else:
            _refuse(step, refuse_reason)
        return step.save()
