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
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.catalog import fees
from motcua.catalog.enums import Channel, ProofKind
from motcua.catalog.models import Component, Procedure
from motcua.core import rows
from motcua.core.errors import ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor
from motcua.core.validation import FieldErrors, validate_party
from motcua.org.models import Agency, Applicant
from motcua.org.services import applicant_attributes

from .. import codes, deadlines, hooks
from ..access import Acting, applicant_id, authorize
from ..attachments import FileGuard
from ..enums import APPLICANT, Action, status_after
from ..models import (
    AttachmentKind,
    Dossier,
    ReceivedSource,
    SubmissionKey,
    search_key_for,
)
from ..reuse import dossier_reused
from ._base import _LOCK_JOINS, Transition, _append, _event, _new_event, _now
from ._files import (
    Counts,
    Files,
    Reused,
    _check_cases,
    _check_counts,
    _check_reused,
    _check_volume,
    _record_received,
    _require_components,
    _store,
)
from ._offer import Offer, _offer
from ._parties import Filing, _check_filing, _online_contact
from .receipt import _receive, _refuse

SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# ---------------------------------------------------------------------------- idempotency


def _submission_fingerprint(
    offer: Offer,
    request_summary: str,
    contact: Mapping[str, str],
    filing: Filing,
    answers: Mapping[str, int] | None = None,
) -> str:
    """What makes two submissions the same request (an idempotency key's replay)."""
    auth_file = filing.auth_file
    body = {
        "procedure": offer.procedure.code,
        "receiving": offer.receiving.code,
        "settling": offer.settling.code,
        "summary": nfc(request_summary) or "",
        "contact": dict(sorted(contact.items())),
        "principal": dict(sorted(filing.principal.items())),
        "files": sorted((c.pk if c else 0, f.sha256) for c, f in filing.checked),
        "authorization": auth_file.sha256 if auth_file else "",
        "cases": sorted(filing.declared),
        "fee_answers": sorted((answers or {}).items()),
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


# ---------------------------------------------------------------------------- creation


def _create(
    *,
    offer: Offer,
    channel: int,
    owner_id: int | None,
    details: Mapping[str, str],
    request_summary: str,
    at: dt.datetime,
    assessment: fees.FeeQuote | None,
    insert: bool = True,
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
        fee_due_vnd=assessment.total_vnd if assessment else 0,
        fee_assessment=assessment.as_json() if assessment else None,
    )
    if insert:
        rows.save_new(dossier)
    return dossier


def _assess(
    offer: Offer,
    channel: int,
    answers: Mapping[str, Any] | None,
    components: list[Component],
    handed_in: set[int],
    owner_id: int | None,
    at: dt.datetime,
) -> fees.FeeQuote:
    """The amount due, computed once at submission (catalog.fees.quote): the applicant's
    answers, the components handed in (proofs), the applicant's verified attributes
    (org.VerifiedAttribute, read only when a policy in force asks for one) and the
    policies in force on the day of submission."""
    day = timezone.localdate(at)
    code = offer.procedure.code
    items = fees.items_of(offer.version)
    policies = fees.policies_on(day) if items else []
    attributes: frozenset[str] = frozenset()
    if any(p.proof_kind == ProofKind.ATTRIBUTE and p.covers_procedure(code) for p in policies):
        attributes = applicant_attributes(owner_id, day)
    return fees.quote(
        offer.version,
        fees.clean_answers(answers),
        channel=channel,
        applicant_attributes=attributes,
        proofs=[c.name for c in components if c.pk in handed_in],
        on_date=day,
        policies=policies,
        procedure_code=code,
        items=items,
    )


def _hand_in(
    guard: FileGuard,
    dossier: Dossier,
    source: str,
    filing: Filing,
    actor: Actor,
    at: dt.datetime,
    counts: Mapping[int, tuple[int, int]] | None = None,
) -> None:
    """Store what was handed in at submission or intake (the files, the authorisation file
    as the component it stands for) and record it per component. Files handed in at the
    counter count toward no account's daily volume; none is digitized by being stored
    (dossiers.digitized: only the OCR of a scan digitizes)."""
    at_counter = source == ReceivedSource.COUNTER
    checked = filing.checked
    _check_volume(
        dossier=dossier,
        files=[f for _c, f in checked]
        + ([filing.authorisation[1]] if filing.authorisation[1] else []),
        uploader=None if at_counter else actor,
        at=at,
        new_dossier=True,
    )
    _store(guard, dossier, checked, AttachmentKind.SUBMITTED, actor, at)
    component, auth_file = filing.authorisation
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
        )


def _creation_data(dossier: Dossier, filing: Filing, **data: Any) -> dict[str, Any]:
    """What the event of a creation records besides `data`: the cases, the principal."""
    if filing.declared:
        data["cases"] = filing.declared
    if filing.principal:
        data["principal"] = {
            "name": dossier.principal_name,
            "id_number": dossier.principal_id_number,
        }
    return data


def _require_uploads(
    filing: Filing,
    components: list[Component],
    errors: FieldErrors,
    required: Sequence[str] = (),
    omitted: Sequence[str] = (),
) -> None:
    """Online, at least one file, and every component required (catalog.cases) uploaded;
    nothing more is said while the files themselves are wrong."""
    if any((e.field or "").startswith("files") for e in errors.errors):
        return
    if not filing.checked:
        errors.add(
            ValidationFailed(
                "files_required",
                "Cần đính kèm ít nhất một thành phần hồ sơ.",
                "At least one dossier component must be attached.",
                field="files",
            )
        )
        return
    handed_in = filing.handed_in({})
    errors.check(
        _require_components, components, filing.declared, handed_in, "files", required, omitted
    )


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
    fee_answers: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    reused: Reused | None = None,
    components_required: Sequence[str] = (),
    components_omitted: Sequence[str] = (),
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
    (type, size) before anything is stored. The amount due is computed here, once
    (catalog.fees.quote, from `fee_answers` — copies, pages, area… as the fee items ask)
    and kept on the dossier (`fee_assessment`, `fee_due_vnd`).
    Every required component, and those of the cases the applicant declares (`cases`,
    catalog.cases), must be uploaded; what was uploaded is recorded per component.

    A component may instead be taken from the applicant's document store (`reused`,
    resolved for this account by motcua.store): its bytes are re-checked against their
    SHA-256 and copied into the dossier, the attachment names its source, and the dossier
    reuses digitized data (indicator 4.3) exactly when dossiers.reuse says so.

    With an electronic form (motcua.eforms.services.dossier_submit_with_form), the form's
    rules name components it requires or omits (`components_required`,
    `components_omitted`: names or case texts, catalog.cases.needed).
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
    filing = _check_filing(
        version=offer.version,
        components=components,
        declared=declared,
        identifier=account.identifier,
        principal=principal,
        authorization=authorization,
        files=files,
        errors=errors,
    )
    filing.checked.extend(errors.check(_check_reused, reused, components) or [])
    _require_uploads(filing, components, errors, components_required, components_omitted)
    assessment = errors.check(
        _assess, offer, Channel.ONLINE, fee_answers, components, filing.handed_in({}), owner, at
    )
    errors.raise_if_any()
    details = {
        "name": account.full_name,
        "id_number": account.identifier,
        **contact,
        **filing.principal_details(),
    }
    fingerprint = _submission_fingerprint(
        offer, request_summary, contact, filing, assessment.answers if assessment else None
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
            assessment=assessment,
            insert=False,
        )
        sources = [f.reuse.source for _c, f in filing.checked if f.reuse is not None]
        dossier.reused = dossier_reused(sources)
        # The first event is chained before the row is written, so that the row carries
        # its head from the INSERT (dossiers.chain): no UPDATE for it.
        data = _creation_data(dossier, filing, files=len(filing.checked), code=dossier.code)
        if sources:
            data["from_store"] = len(sources)
        event = _new_event(
            dossier, Action.SUBMIT, actor, Acting(APPLICANT, None), None, at, "", data
        )
        rows.save_new(dossier)
        _hand_in(guard, dossier, ReceivedSource.ONLINE, filing, actor, at)
        if claim is not None:
            claim.dossier = dossier
            claim.save(update_fields=["dossier"])
        _append(event, dossier)
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
    fee_answers: Mapping[str, Any] | None = None,
    refuse_reason: str | None = None,
    components_required: Sequence[str] = (),
    components_omitted: Sequence[str] = (),
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
    of the declared `cases` must be handed in (catalog.cases, with the electronic form's
    `components_required` / `components_omitted` when one was filled); a refusal needs
    nothing."""
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
    filing = _check_filing(
        version=offer.version,
        components=components,
        declared=declared,
        identifier=details.get("id_number", ""),
        principal=principal,
        authorization=authorization,
        files=files,
        errors=errors,
    )
    details.update(filing.principal_details())
    counts: dict[int, tuple[int, int]] = errors.check(_check_counts, received, components) or {}
    if refuse_reason is None and not any(
        (e.field or "").startswith(("files", "received")) for e in errors.errors
    ):
        handed_in = filing.handed_in(counts)
        errors.check(
            _require_components,
            components,
            filing.declared,
            handed_in,
            "received",
            components_required,
            components_omitted,
        )
    owner_id = owner.pk if owner is not None else None
    assessment = None  # a refused dossier owes nothing
    if refuse_reason is None:
        assessment = errors.check(
            _assess, offer, channel, fee_answers, components, filing.handed_in(counts), owner_id, at
        )
    errors.raise_if_any()
    with FileGuard() as guard, transaction.atomic():
        dossier = _create(
            offer=offer,
            channel=channel,
            owner_id=owner_id,
            details=details,
            request_summary=request_summary,
            at=at,
            assessment=assessment,
        )
        # The officer must be a counter officer of the receiving agency.
        acting = authorize(actor, dossier, Action.INTAKE)
        data = _creation_data(dossier, filing, channel=channel, code=dossier.code)
        _event(dossier, Action.INTAKE, actor, acting, None, at, data=data)
        _hand_in(guard, dossier, ReceivedSource.COUNTER, filing, actor, at, counts)
        action = Action.RECEIVE if refuse_reason is None else Action.REFUSE
        step = Transition(dossier, action, actor, acting, at, dossier.status, guard=guard)
        if refuse_reason is None:
            _receive(step)
        else:
            _refuse(step, refuse_reason)
        saved = step.save()
        if refuse_reason is None and files:
            # The papers handed in go to the OCR, whichever path took them in (one function).
            hooks.queue_handed_in(dossier_id=saved.pk, actor=actor, at=at)
        return saved
