"""Writes of a linked application (hồ sơ liên thông, docs/linked.md, docs/adr/0017).

The applicant submits once; the application keeps the data and the files, and each member
procedure of the catalog's chain (catalog.LinkedMember) becomes a dossier of its own — own
code, deadline, competent agency and processing — created by the one submission service
(dossiers.services.dossier_submit), never a copy of it. A member that starts "at once" is
created with the application, in the same transaction; one that starts "after the previous"
is created when the previous member's result is returned (a dossier hook, after commit),
with the data keys its definition names and the previous result passed on. A member
refused at receipt or stopped stops the chain, with its reason.

Idempotent: one LinkedDossier row per member, unique per (application, order), created with
the application in state `waiting`; a replayed hook finds the next member already started
and creates nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from motcua.catalog import cases as catalog_cases
from motcua.catalog.enums import AgencyRole, LinkedStart
from motcua.catalog.models import Component, LinkedMember, LinkedProcedure
from motcua.core.errors import DomainError, NotFound, ValidationFailed
from motcua.core.text import fold, nfc
from motcua.core.types import Actor, actor_user
from motcua.core.validation import FieldErrors, errors_from
from motcua.dossiers import services as dossier_services
from motcua.dossiers.attachments import CheckedFile, FileGuard, check_file
from motcua.dossiers.enums import Action
from motcua.dossiers.models import Attachment, AttachmentKind, AttachmentSource, Dossier
from motcua.dossiers.reuse import Reuse
from motcua.dossiers.services._files import _check_cases
from motcua.dossiers.services.submission import _check_key
from motcua.eforms import selectors as eform_selectors
from motcua.eforms import services as eform_services
from motcua.eforms.answers import validate as form_validate
from motcua.eforms.declaration import declaration_pdf
from motcua.eforms.models import FormDefinition
from motcua.eforms.prefill import prefill_for
from motcua.org.models import Agency, Applicant
from motcua.org.selectors import applicant_id

from .enums import ApplicationState, LinkedAction, MemberState
from .models import LinkedApplication, LinkedDossier, LinkedEvent, LinkedFile

log = logging.getLogger(__name__)

# The member dossier's actions that move the chain: its result returned, or its end.
CHAIN_ACTIONS = (Action.RETURN_RESULT.value, Action.REFUSE.value, Action.STOP.value)


# ---------------------------------------------------------------------------- the form


@dataclass
class Part:
    """One document asked once for the whole application: the members' components of the
    same name (compared without accents or case), each member's own component listed."""

    key: str
    name: str
    required: bool
    components: list[tuple[int, Component]] = field(default_factory=list)  # (order, comp)
    by_form: bool = False  # the declaration made from the electronic form: not uploaded


@dataclass
class ChainForm:
    """The electronic form of the chain (motcua.eforms): the first member whose version in
    force has one, the form itself, and the component its declaration stands for."""

    member: LinkedMember
    definition: FormDefinition
    declaration: Component | None


# Which data keys of the chain an electronic form answers (key → the form's data path): the
# structured data replaces the application's own field, one source passed down the chain.
FORM_DATA: dict[str, dict[str, str]] = {
    "khai-sinh": {
        "child_name": "tre.ho_ten",
        "birth_date": "tre.ngay_sinh",
        "sex": "tre.gioi_tinh",
        "birth_place": "tre.noi_sinh.ten_co_so_y_te",
        "father_name": "cha.ho_ten",
        "mother_name": "me.ho_ten",
    },
}


def chain_form(linked: LinkedProcedure, day: dt.date | None = None) -> ChainForm | None:
    day = day or timezone.localdate()
    for member in chain_members(linked):
        version = member.procedure.version_on(day)
        definition = eform_selectors.form_for_version(version) if version else None
        if version is not None and definition is not None:
            declared = eform_services.declaration_component(
                definition.document, list(version.components.all())
            )
            return ChainForm(member, definition, declared)
    return None


def form_keys(form: ChainForm | None) -> dict[str, str]:
    """The chain's data keys the form answers (key → path)."""
    return FORM_DATA.get(form.definition.key, {}) if form is not None else {}


def _dd_mm_yyyy(value: str) -> str:
    """The form's ISO date as the chain's data writes dates (dd/mm/yyyy)."""
    try:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def _at_path(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for step in path.split("."):
        value = value.get(step) if isinstance(value, Mapping) else None
    return value


def chain_members(linked: LinkedProcedure) -> list[LinkedMember]:
    return list(linked.members.select_related("procedure").order_by("order"))


def _member_components(member: LinkedMember, day: dt.date) -> list[Component]:
    version = member.procedure.version_on(day)
    if version is None:
        return []
    skip = fold(member.result_component) if member.result_component else None
    return [c for c in version.components.order_by("order") if skip is None or fold(c.name) != skip]


def chain_parts(
    linked: LinkedProcedure,
    day: dt.date | None = None,
    cases: Sequence[str] = (),
    *,
    form: ChainForm | None = None,
    required: Sequence[str] = (),
    omitted: Sequence[str] = (),
) -> list[Part]:
    """The one form of the application: the union of the members' components in force on
    the day, each asked once; a component the previous member's result fills
    (LinkedMember.result_component) is not asked. A part is required when a member needs one
    of its components with the cases declared (catalog.cases.needed) — for the member with
    the electronic form (`form`), with its rules' decision (`required` / `omitted`); the
    part of the form's declaration is made from the form (`by_form`), not uploaded."""
    day = day or timezone.localdate()
    made = fold(form.declaration.name) if form is not None and form.declaration else None
    parts: dict[str, Part] = {}
    for member in chain_members(linked):
        ruled = form is not None and member.pk == form.member.pk
        for component in _member_components(member, day):
            folded = fold(component.name)
            part = parts.get(folded)
            if part is None:
                part = parts[folded] = Part(f"p{len(parts) + 1}", component.name, False)
            part.components.append((member.order, component))
            part.by_form = part.by_form or folded == made
            part.required = part.required or catalog_cases.needed(
                component,
                cases,
                required=required if ruled else (),
                omitted=omitted if ruled else (),
            )
    for part in parts.values():
        if part.by_form:
            part.required = False
    return list(parts.values())


def chain_cases(linked: LinkedProcedure, day: dt.date | None = None) -> list[str]:
    """The cases ("trường hợp …") the applicant may declare: those of the components the
    form asks (catalog.cases.cases_of over the members', in the chain's order)."""
    day = day or timezone.localdate()
    return catalog_cases.cases_of(
        c for m in chain_members(linked) for c in _member_components(m, day)
    )


def linked_for(procedure_code: str) -> LinkedProcedure:
    found = (
        LinkedProcedure.objects.select_related("procedure")
        .filter(procedure__code=procedure_code, active=True)
        .first()
    )
    if found is None:
        raise NotFound(
            f"thủ tục liên thông {procedure_code}",
            f"Linked procedure {procedure_code}",
            field="procedure",
        )
    return found


# ---------------------------------------------------------------------------- routing


def competent_agency(member: LinkedMember, receiving: Agency, day: dt.date) -> Agency:
    """The agency that settles the member: of the kind its definition names, among those the
    catalog lists as settling the procedure, in force on the day; the one of the receiving
    center's unit first (commune procedures), else the first."""
    candidates = [
        a
        for a in Agency.objects.filter(
            procedures__procedure=member.procedure,
            procedures__role=AgencyRole.SETTLING,
            kind=member.agency_kind,
        ).order_by("pk")
        if a.valid_to is None or a.valid_to >= day
    ]
    same_unit = [a for a in candidates if a.unit_id == receiving.unit_id]
    if not candidates:
        raise ValidationFailed(
            "linked_agency_missing",
            f"Chưa có cơ quan loại '{member.get_agency_kind_display()}' giải quyết thủ tục "
            f"{member.procedure.code} trong tỉnh.",
            f"No agency of kind '{member.agency_kind}' settles procedure "
            f"{member.procedure.code} in this province.",
            field="procedure",
        )
    return (same_unit or candidates)[0]


# ---------------------------------------------------------------------------- events


def _event(
    application: LinkedApplication, action: str, actor: Actor, at: dt.datetime, **data: Any
) -> LinkedEvent:
    last = application.events.aggregate(m=Max("seq"))["m"] or 0
    return LinkedEvent.objects.create(
        application=application,
        seq=last + 1,
        action=action,
        at=at,
        actor=actor_user(actor),
        data=data,
    )


# ---------------------------------------------------------------------------- submission


def _check_files(
    files: Mapping[str, Sequence[Any]] | None, parts: list[Part], errors: FieldErrors
) -> dict[str, list[CheckedFile]]:
    by_key = {p.key: p for p in parts}
    checked: dict[str, list[CheckedFile]] = {}
    for key, uploads in (files or {}).items():
        if key not in by_key:
            errors.add(
                ValidationFailed(
                    "unknown_part",
                    f"Phần hồ sơ '{key}' không thuộc thủ tục liên thông này.",
                    f"Part '{key}' does not belong to this linked procedure.",
                    field=f"files.{key}",
                )
            )
            continue
        for upload in uploads:
            got = errors.check(check_file, upload, field=f"files.{key}")
            if got is not None:
                checked.setdefault(key, []).append(got)
    return checked


def _check_required(parts: list[Part], checked: Mapping[str, Any], errors: FieldErrors) -> None:
    lacking = [p for p in parts if p.required and p.key not in checked]
    if lacking and not any((e.field or "").startswith("files") for e in errors.errors):
        names = "; ".join(f"({i}) {p.name}" for i, p in enumerate(lacking, 1))
        errors.add(
            ValidationFailed(
                "components_missing",
                f"Hồ sơ liên thông còn thiếu {len(lacking)} thành phần bắt buộc: {names}",
                f"The linked application lacks {len(lacking)} required component(s): {names}",
                field="files",
                data={"missing_parts": [p.key for p in lacking]},
            )
        )


# What the members' data keys mean (the labels the portal shows); a key not listed here is
# shown by its name. The form engine (motcua.eforms) will bring its own definitions.
DATA_LABELS: dict[str, tuple[str, str]] = {
    "child_name": ("Họ, chữ đệm, tên của trẻ", "The child's full name"),
    "birth_date": ("Ngày sinh của trẻ (dd/mm/yyyy)", "The child's date of birth (dd/mm/yyyy)"),
    "birth_place": ("Nơi sinh của trẻ", "The child's place of birth"),
    "sex": ("Giới tính của trẻ", "The child's sex"),
    "father_name": ("Họ, chữ đệm, tên của cha", "The father's full name"),
    "mother_name": ("Họ, chữ đệm, tên của mẹ", "The mother's full name"),
    "address": (
        "Nơi đăng ký thường trú của trẻ",
        "Where the child's permanent residence is registered",
    ),
}


def chain_data_keys(linked: LinkedProcedure) -> list[str]:
    """The data keys some member receives, in the chain's order: what the form asks."""
    keys: list[str] = []
    for member in chain_members(linked):
        for key in member.data_keys or []:
            if key not in keys:
                keys.append(str(key))
    return keys


def _clean_data(
    data: Mapping[str, Any] | None, keys: list[str], errors: FieldErrors
) -> dict[str, Any]:
    """The declaration's data: every key a member receives is given (text, NFC); a key
    ending in `_date` is a real date written dd/mm/yyyy. Other keys are kept as given."""
    out: dict[str, Any] = {}
    given = dict(data or {})
    for key, value in given.items():
        k = str(key)
        if not k or len(k) > 64:
            errors.add(
                ValidationFailed(
                    "invalid_data_key",
                    "Khóa dữ liệu phải có 1–64 ký tự.",
                    "A data key must be 1–64 characters.",
                    field="data",
                )
            )
            continue
        out[k] = (nfc(value) or "").strip() if isinstance(value, str) else value
    for key in keys:
        vi, en = DATA_LABELS.get(key, (key, key))
        value = out.get(key)
        if value in (None, ""):
            errors.add(
                ValidationFailed(
                    "data_required",
                    f"Chưa nhập: {vi}.",
                    f"Missing: {en}.",
                    field=f"data.{key}",
                )
            )
        elif key.endswith("_date"):
            try:
                dt.datetime.strptime(str(value), "%d/%m/%Y")
            except ValueError:
                errors.add(
                    ValidationFailed(
                        "invalid_date",
                        f"{vi}: ngày không hợp lệ, viết theo dạng dd/mm/yyyy.",
                        f"{en}: not a valid date; write it as dd/mm/yyyy.",
                        field=f"data.{key}",
                    )
                )
    return out


def _fingerprint(
    linked: LinkedProcedure,
    receiving_agency: Agency,
    data: Mapping[str, Any],
    contact: Mapping[str, str],
    checked: Mapping[str, list[CheckedFile]],
    cases: Sequence[str] = (),
) -> str:
    """What makes two linked submissions the same request (an idempotency key's replay)."""
    body = {
        "procedure": linked.procedure.code,
        "receiving": receiving_agency.code,
        "data": data,
        "contact": dict(sorted(contact.items())),
        "files": sorted((k, f.sha256) for k, got in checked.items() for f in got),
        "cases": sorted(cases),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _replayed(owner: int, key: str, fingerprint: str) -> LinkedApplication | None:
    """The application an earlier submission of this owner with this key made (the same
    request), or None; the key used for another request is refused."""
    found = LinkedApplication.objects.filter(owner_id=owner, idempotency_key=key).first()
    if found is None:
        return None
    if found.fingerprint != fingerprint:
        raise ValidationFailed(
            "idempotency_key_reused",
            "Khóa Idempotency-Key này đã dùng cho một yêu cầu nộp hồ sơ liên thông khác. "
            "Dùng khóa mới cho mỗi hồ sơ.",
            "This Idempotency-Key was used for a different linked application. "
            "Use a new key for each application.",
            field="Idempotency-Key",
            data={"application_id": found.pk},
        )
    found._replayed = True  # type: ignore[attr-defined]
    return found


def application_for_key(*, actor: Actor, key: str) -> LinkedApplication | None:
    """The application this account already submitted with this key, if any."""
    owner = applicant_id(actor)
    if owner is None or not key:
        return None
    return LinkedApplication.objects.filter(owner_id=owner, idempotency_key=key).first()


def linked_application_submit(
    *,
    actor: Actor,
    linked: LinkedProcedure | str,
    receiving_agency: Agency,
    data: Mapping[str, Any] | None = None,
    files: Mapping[str, Sequence[Any]] | None = None,
    applicant: Mapping[str, str] | None = None,
    cases: Sequence[str] | None = None,
    form: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    at: dt.datetime | None = None,
) -> LinkedApplication:
    """The applicant submits one application for every member procedure of the chain.

    The form is the union of the members' components, each asked once (`chain_parts`:
    files keyed by part); every part some member requires must be given, all errors at
    once. In one transaction: the application, one waiting row per member, the files kept
    for the members to come, and the dossier of every member that starts at once, each
    through dossier_submit (its own code, deadline and competent agency); if one of them
    is refused, nothing is kept.

    With `idempotency_key` (per account), a replay of the same request (a second click, a
    retried API call) gives back the application the first made and creates nothing; the
    key used for a different request is refused (idempotency_key_reused)."""
    at = at or timezone.now()
    key = _check_key(idempotency_key)
    owner = applicant_id(actor)
    if owner is None:
        raise ValidationFailed(
            "not_an_applicant",
            "Chỉ công dân, tổ chức mới nộp hồ sơ trực tuyến.",
            "Only citizen or business accounts submit online.",
            field="actor",
            status=403,
        )
    if isinstance(linked, str):
        linked = linked_for(linked)
    if not linked.active or not linked.members.exists():
        raise ValidationFailed(
            "linked_not_active",
            f"Thủ tục liên thông {linked.procedure.code} không còn áp dụng "
            "hoặc chưa có thủ tục thành phần.",
            f"Linked procedure {linked.procedure.code} is no longer in use "
            "or has no member procedures.",
            field="procedure",
        )
    day = timezone.localdate(at)
    members = chain_members(linked)
    errors = FieldErrors()
    asked = [c for m in members for c in _member_components(m, day)]
    declared = errors.check(_check_cases, cases, asked) or []
    chain = chain_form(linked, day)
    given = dict(data or {})
    decided: dict[str, Any] = {}
    form_data: dict[str, Any] | None = None
    if chain is not None:
        # The applicant fills one form: the engine validates it (with the account's
        # verified values), its rules decide the member's components, and the keys it
        # answers come from it.
        account = Applicant.objects.filter(pk=owner).first()
        result = form_validate(
            chain.definition.document,
            dict(form or {}),
            prefill=prefill_for(chain.definition.document, account),
        )
        for problem in (
            errors_from(eform_services.form_errors(result.errors)) if result.errors else ()
        ):
            errors.add(problem)
        if result.decision is not None and not result.errors:
            form_data = result.data
            decided = {
                "required": result.decision.require_components,
                "omitted": result.decision.omit_components,
            }
            for k, path in form_keys(chain).items():
                value = _at_path(result.data, path)
                if isinstance(value, str) and k.endswith("_date"):
                    value = _dd_mm_yyyy(value)
                if value not in (None, ""):
                    given[k] = value
                else:
                    given.pop(k, None)
    parts = chain_parts(linked, day, declared, form=chain, **decided)
    keys = chain_data_keys(linked)
    if chain is not None and form_data is None:
        keys = [k for k in keys if k not in form_keys(chain)]  # the form's errors say it
    clean = _clean_data(given, keys, errors)
    checked = _check_files(files, [p for p in parts if not p.by_form], errors)
    _check_required(parts, checked, errors)
    for member in members:
        errors.check(competent_agency, member, receiving_agency, day)
    errors.raise_if_any()
    contact = {k: v for k, v in (applicant or {}).items() if k in ("phone", "email", "address")}
    fingerprint = _fingerprint(
        linked, receiving_agency, {**clean, "form": form_data}, contact, checked, declared
    )
    if chain is not None and form_data is not None and chain.declaration is not None:
        # The declaration made from the form, for every member that asks for it (the
        # form's own member makes it again with its dossier, eforms.services).
        made = next(p for p in parts if p.by_form)
        pdf = declaration_pdf(chain.definition.document, form_data, place=receiving_agency.name)
        checked[made.key] = [
            check_file((f"to-khai-{chain.definition.key}.pdf", pdf), field=f"files.{made.key}")
        ]
    if key is not None:
        earlier = _replayed(owner, key, fingerprint)
        if earlier is not None:
            return earlier
    try:
        return _create_application(
            actor=actor,
            linked=linked,
            owner=owner,
            receiving_agency=receiving_agency,
            data=clean,
            contact=contact,
            checked=checked,
            cases=declared,
            form_answers=dict(form) if form_data is not None and form is not None else None,
            key=key or "",
            fingerprint=fingerprint,
            at=at,
        )
    except IntegrityError:
        # A concurrent retry with the same key won the race: give back what it made.
        earlier = _replayed(owner, key, fingerprint) if key is not None else None
        if earlier is None:
            raise
        return earlier


def _create_application(
    *,
    actor: Actor,
    linked: LinkedProcedure,
    owner: int,
    receiving_agency: Agency,
    data: dict[str, Any],
    contact: dict[str, str],
    checked: Mapping[str, list[CheckedFile]],
    cases: list[str],
    form_answers: dict[str, Any] | None,
    key: str,
    fingerprint: str,
    at: dt.datetime,
) -> LinkedApplication:
    members = chain_members(linked)
    with FileGuard() as guard, transaction.atomic():
        application = LinkedApplication.objects.create(
            linked=linked,
            owner_id=owner,
            receiving_agency=receiving_agency,
            data=data,
            contact=contact,
            cases=cases,
            form_answers=form_answers,
            submitted_at=at,
            idempotency_key=key,
            fingerprint=fingerprint,
        )
        for member in members:
            LinkedDossier.objects.create(application=application, member=member, order=member.order)
        for key, got in checked.items():
            for f in got:
                path = guard.save(f"linked/{application.pk}/{f.sha256[:2]}/{f.sha256}", f.file)
                LinkedFile.objects.create(
                    application=application,
                    part=key,
                    file=path,
                    original_name=f.name,
                    content_type=f.content_type,
                    size=f.size,
                    sha256=f.sha256,
                )
        _event(application, LinkedAction.SUBMIT, actor, at, members=len(members))
        for member in members:
            if member.order == 1 or member.start == LinkedStart.AT_ONCE:
                row = LinkedDossier.objects.select_for_update().get(
                    application=application, order=member.order
                )
                _start(application, row, actor, at, previous=None)
    return application


# ---------------------------------------------------------------------------- members


def _files_for(application: LinkedApplication, member: LinkedMember, day: dt.date) -> dict:
    """The application's files for the member's components in force on `day`: (name,
    bytes), re-checked by the submission like any upload. A part is matched to the
    components by its name as the form showed it on the day of the application, so a
    version published in between does not shift what goes where."""
    asked = chain_parts(application.linked, timezone.localdate(application.submitted_at))
    name_of = {p.key: fold(p.name) for p in asked}
    components: dict[str, list[int]] = {}
    for component in _member_components(member, day):
        components.setdefault(fold(component.name), []).append(component.pk)
    files: dict[int, list[tuple[str, bytes]]] = {}
    for lf in application.files.order_by("pk"):
        ids = components.get(name_of.get(lf.part, ""), [])
        if not ids:
            continue
        with lf.file.open("rb") as fh:
            body = fh.read()
        for component_id in ids:
            files.setdefault(component_id, []).append((lf.original_name, body))
    return files


def _member_cases(application: LinkedApplication, member: LinkedMember, day: dt.date) -> list[str]:
    """The cases the applicant declared that are cases of this member's components."""
    version = member.procedure.version_on(day)
    own = catalog_cases.cases_of(version.components.all()) if version else []
    return [c for c in application.cases if c in own]


def _result_of(dossier: Dossier) -> dict[str, Any]:
    """What passes on of a member's result: its code, dates, note and electronic results."""
    results = list(
        dossier.attachments.filter(kind=AttachmentKind.RESULT).order_by("pk").values("pk")
    )
    return {
        "dossier_code": dossier.code,
        "procedure": dossier.procedure.code,
        "returned_at": dossier.returned_at.isoformat() if dossier.returned_at else None,
        "result_note": dossier.result_note,
        "attachments": [r["pk"] for r in results],
    }


def _result_reuse(
    member: LinkedMember, previous: Dossier | None, day: dt.date
) -> dict[int, list[Reuse]]:
    """The previous member's electronic result as the component it fills in this member
    (LinkedMember.result_component): taken as an issued result (reuse of digitized data,
    dossiers.reuse), never uploaded again."""
    if previous is None or not member.result_component:
        return {}
    version = member.procedure.version_on(day)
    wanted = fold(member.result_component)
    component = next(
        (c for c in (version.components.all() if version else []) if fold(c.name) == wanted),
        None,
    )
    if component is None:
        return {}
    reuses = [
        Reuse(
            source=AttachmentSource.STORE_RESULT,
            path=a.file.name or "",
            name=a.original_name,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            label=f"Kết quả hồ sơ {previous.code} (liên thông)",
            attachment_id=a.pk,
        )
        for a in Attachment.objects.filter(dossier=previous, kind=AttachmentKind.RESULT)
    ]
    return {component.pk: reuses} if reuses else {}


def _start(
    application: LinkedApplication,
    row: LinkedDossier,
    actor: Actor,
    at: dt.datetime,
    previous: Dossier | None,
) -> Dossier:
    """Create the member's dossier through dossier_submit, as the applicant's own online
    submission received at the application's center and routed to the competent agency."""
    member = row.member
    day = timezone.localdate(at)
    owner_user = application.owner.user
    passed = {k: application.data[k] for k in member.data_keys if k in application.data}
    summary = (
        f"Liên thông LT-{application.pk} ({application.linked.procedure.code}), "
        f"bước {member.order}: {member.procedure.name}"
    )
    version = member.procedure.version_on(day)
    definition = eform_selectors.form_for_version(version) if version else None
    submission: dict[str, Any] = {"procedure": member.procedure}
    submit: Callable[..., Dossier] = dossier_services.dossier_submit
    if version is not None and definition is not None and application.form_answers is not None:
        # The member with the electronic form: submitted as a single one is (the form
        # validated again, its rules, the declaration PDF, the DossierForm).
        submit = eform_services.dossier_submit_with_form
        submission = {
            "version": version,
            "definition": definition,
            "answers": application.form_answers,
            "place": application.receiving_agency.name,
        }
    dossier = submit(
        actor=owner_user,
        **submission,
        receiving_agency=application.receiving_agency,
        settling_agency=competent_agency(member, application.receiving_agency, day),
        request_summary=summary,
        applicant=application.contact,
        files=_files_for(application, member, day),
        reused=_result_reuse(member, previous, day),
        cases=_member_cases(application, member, day),
        at=at,
    )
    row.dossier = dossier
    row.state = MemberState.STARTED
    row.data = passed
    if previous is not None and member.takes_previous_result:
        row.previous_result = _result_of(previous)
    row.save(update_fields=["dossier", "state", "data", "previous_result"])
    _event(
        application,
        LinkedAction.MEMBER_STARTED,
        actor,
        at,
        order=member.order,
        dossier_id=dossier.pk,
        code=dossier.code,
    )
    return dossier


def _lock(application_id: int) -> LinkedApplication:
    return (
        LinkedApplication.objects.select_for_update(of=("self",))
        .select_related("linked__procedure", "owner__user", "receiving_agency")
        .get(pk=application_id)
    )


def linked_member_returned(
    *, actor: Actor, dossier_id: int, at: dt.datetime | None = None
) -> LinkedApplication | None:
    """A member's result was returned: the member is done, and the next member that waits
    for it starts (its dossier created with the data and the previous result passed on).
    The last member done completes the application. Replayed, it changes nothing."""
    at = at or timezone.now()
    found = LinkedDossier.objects.filter(dossier_id=dossier_id).values_list(
        "application_id", flat=True
    )
    if not found:
        return None
    with transaction.atomic():
        application = _lock(found[0])
        rows = list(
            application.members.select_for_update(of=("self",))
            .select_related("member__procedure", "dossier__procedure")
            .order_by("order")
        )
        row = next(r for r in rows if r.dossier_id == dossier_id)
        if row.state != MemberState.STARTED or application.state != ApplicationState.IN_PROGRESS:
            return application  # replayed, or the chain already stopped
        row.state = MemberState.DONE
        row.save(update_fields=["state"])
        _event(application, LinkedAction.MEMBER_DONE, actor, at, order=row.order)
        following = next((r for r in rows if r.order == row.order + 1), None)
        if (
            following is not None
            and following.state == MemberState.WAITING
            and following.member.start == LinkedStart.AFTER_PREVIOUS
        ):
            try:
                with transaction.atomic():
                    _start(application, following, actor, at, previous=row.dossier)
            except DomainError as exc:
                log.warning(
                    "linked application %s: member %s not started: %s",
                    application.pk,
                    following.order,
                    exc.code,
                )
                _stop(application, rows, following, exc.message, actor, at)
                return application
        if all(r.state == MemberState.DONE for r in rows):
            application.state = ApplicationState.COMPLETED
            application.save(update_fields=["state"])
            _event(application, LinkedAction.COMPLETED, actor, at)
    return application


def _stop(
    application: LinkedApplication,
    rows: list[LinkedDossier],
    row: LinkedDossier,
    reason: str,
    actor: Actor,
    at: dt.datetime,
) -> None:
    row.state = MemberState.STOPPED
    row.reason = reason
    row.save(update_fields=["state", "reason"])
    for other in rows:
        if other.state == MemberState.WAITING:
            other.state = MemberState.NOT_STARTED
            other.save(update_fields=["state"])
    application.state = ApplicationState.STOPPED
    application.stopped_reason = f"{row.member.procedure.name}: {reason}"
    application.save(update_fields=["state", "stopped_reason"])
    _event(application, LinkedAction.STOPPED, actor, at, order=row.order, reason=reason)


def linked_member_ended(
    *, actor: Actor, dossier_id: int, reason: str, at: dt.datetime | None = None
) -> LinkedApplication | None:
    """A member was refused at receipt or stopped: the chain stops with that reason; the
    members still waiting are not started. Replayed, it changes nothing."""
    at = at or timezone.now()
    found = LinkedDossier.objects.filter(dossier_id=dossier_id).values_list(
        "application_id", flat=True
    )
    if not found:
        return None
    with transaction.atomic():
        application = _lock(found[0])
        rows = list(
            application.members.select_for_update(of=("self",))
            .select_related("member__procedure")
            .order_by("order")
        )
        row = next(r for r in rows if r.dossier_id == dossier_id)
        if row.state != MemberState.STARTED or application.state != ApplicationState.IN_PROGRESS:
            return application
        _stop(application, rows, row, nfc(reason) or "", actor, at)
    return application


def on_member_event(event: Any, dossier: Dossier) -> None:
    """The dossier hook (after commit): a member's result returned, refused or stopped."""
    if event.action == Action.RETURN_RESULT:
        linked_member_returned(actor=event.actor, dossier_id=dossier.pk, at=event.at)
    else:
        linked_member_ended(
            actor=event.actor, dossier_id=dossier.pk, reason=event.reason, at=event.at
        )


__all__ = [
    "CHAIN_ACTIONS",
    "ChainForm",
    "Part",
    "application_for_key",
    "chain_form",
    "chain_cases",
    "chain_data_keys",
    "form_keys",
    "chain_parts",
    "competent_agency",
    "linked_application_submit",
    "linked_for",
    "linked_member_ended",
    "linked_member_returned",
    "on_member_event",
]
