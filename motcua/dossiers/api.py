"""The dossier API: thin callers of motcua.dossiers.services and selectors.

Authentication: a bearer token or the Django session (motcua.api.auth). A dossier the caller
may not see answers 404 for every operation, including refused writes, so ids reveal
nothing; services' DomainErrors become the one JSON error shape in motcua.api.api.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar, get_args, get_origin, overload

from django.db.models import ForeignKey
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

# The functions, not ninja's Annotated shortcuts of the same names: the typed spelling of a
# parameter with constraints given as its default.
from ninja.params.functions import Header, Path, Query
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from motcua.api.auth import AUTH
from motcua.api.openapi import COMPONENT_FILES, Multipart, declare
from motcua.catalog.models import Procedure, ProcessStep
from motcua.core.errors import DomainError, NotFound, ValidationFailed
from motcua.core.http import client_address
from motcua.core.paging import MAX_OFFSET
from motcua.core.text import nfc
from motcua.org.models import Agency

from . import actions, hooks, selectors, services
from .access import allowed_actions, can_see_attachment, can_view
from .accesslog import hidden_refusal, staff_read
from .attachments import file_response
from .enums import STATUS_EN, Action, Status
from .models import Attachment, AttachmentKind, Dossier
from .schemas import (
    STATUS_DOC,
    ApologyIn,
    ApproveIn,
    DossierDetailOut,
    DossierOut,
    DossierPageOut,
    FeeAssessmentOut,
    ForwardIn,
    InboxPageOut,
    IntakeForm,
    IntakeIn,
    LookupOut,
    PaymentIn,
    PaymentRequestIn,
    RatingIn,
    ReasonIn,
    ReturnIn,
    SubmitIn,
    SupplementForm,
    SupplementRequestIn,
    VersionIn,
)
from .uploads import component_uploads

router = Router(auth=AUTH, tags=["dossiers"])

DossierId = Path(..., ge=1, le=2**63 - 1)
AUTHORIZATION_FIELD = "authorization"


# ---------------------------------------------------------------------------- output


def _status(value: int) -> dict[str, Any]:
    return {"value": value, "label": Status(value).label, "label_en": STATUS_EN[value]}


def _ref(obj: Agency | Procedure) -> dict[str, str]:
    return {"code": obj.code, "name": obj.name}


def _step(step: ProcessStep | None) -> dict[str, Any] | None:
    if step is None:
        return None
    return {
        "order": step.order,
        "name": step.name,
        "role": step.role,
        "agency_role": step.agency_role,
    }


def _dossier(d: Dossier, now: dt.datetime | None = None) -> dict[str, Any]:
    return {
        "id": d.pk,
        "code": d.code,
        "secret": d.secret,
        "version": d.version,
        "status": _status(d.status),
        "channel": d.channel,
        "rule_set": d.rule_set,
        "procedure": _ref(d.procedure),
        "receiving_agency": _ref(d.receiving_agency),
        "settling_agency": _ref(d.settling_agency),
        "applicant": {
            "name": d.applicant_name,
            "id_number": d.applicant_id_number,
            "phone": d.applicant_phone,
            "email": d.applicant_email,
            "address": d.applicant_address,
        },
        "principal": {"name": d.principal_name, "id_number": d.principal_id_number}
        if d.principal_name
        else None,
        "request_summary": d.request_summary,
        "submitted_at": d.submitted_at,
        "received_at": d.received_at,
        "due_at": d.due_at,
        "original_due_at": d.original_due_at,
        "finished_at": d.finished_at,
        "returned_at": d.returned_at,
        "stopped_at": d.stopped_at,
        "paused_at": d.paused_at,
        "current_step": _step(d.current_step),
        "current_step_due_at": d.current_step_due_at,
        "due_signal": selectors.due_signal(d, now),
        "supplement_count": d.supplement_count,
        "apology_count": d.apology_count,
        "fee_due_vnd": d.fee_due_vnd,
        "fee_paid_vnd": d.fee_paid_vnd,
        "fee_assessment": _in_schema_order(d.fee_assessment, FeeAssessmentOut),
        "paid_online": d.paid_online,
        "electronic_result": d.electronic_result,
        "rating": d.rating,
        "result_note": d.result_note,
        "refusal_reason": d.refusal_reason,
    }


def _attachment(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kind": a.kind,
        "name": a.original_name,
        "size": a.size,
        "sha256": a.sha256,
        "content_type": a.content_type,
        "uploaded_at": a.uploaded_at,
        "digitized": a.digitized,
        "source": a.source,
        "source_label": a.source_label,
        "reused": a.reused,
        "url": reverse(
            "api:dossier_attachment", kwargs={"dossier_id": a.dossier_id, "att_id": a.pk}
        ),
    }


_OUT_RELATIONS = [
    f
    for f in Dossier._meta.concrete_fields
    if isinstance(f, ForeignKey) and f.name in selectors.LIST_RELATED
]


@cache
def _nested(schema: type[BaseModel]) -> tuple[tuple[str, type[BaseModel] | None], ...]:
    """(field, the schema of its objects or None) of `schema`, in its order."""
    plan = []
    for name, field in schema.model_fields.items():
        inner = field.annotation
        if get_origin(inner) is list:
            inner = get_args(inner)[0]
        plan.append(
            (name, inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None)
        )
    return tuple(plan)


def _in_schema_order(value: Any, schema: type[BaseModel]) -> Any:
    """A JSON object the services stored (already of the schema's types), with its keys in
    the schema's order, nested objects too: what validating it gives (PostgreSQL's jsonb
    hands keys back in its own order), at a tenth of the validation's cost.
    test_dossier_output_is_what_the_schema_gives keeps the two equal."""
    if value is None:
        return None
    if isinstance(value, list):
        return [_in_schema_order(v, schema) for v in value]
    out = {}
    for name, inner in _nested(schema):
        v = value[name]
        out[name] = v if inner is None else _in_schema_order(v, inner)
    return out


def _fresh(dossier: Dossier) -> dict[str, Any]:
    """The dossier the service committed. The submission and intake services return it
    with what the output needs already attached (the procedure and agencies they routed
    it to, the step they opened): no query. A dossier the services read back (a replayed
    submission) is read again with those joined in one query."""
    if all(getattr(dossier, f.attname) is None or f.is_cached(dossier) for f in _OUT_RELATIONS):
        return _dossier(dossier)
    return _dossier(Dossier.objects.select_related(*selectors.LIST_RELATED).get(pk=dossier.pk))


# ---------------------------------------------------------------------------- input


def _invalid(exc: PydanticValidationError, where: str) -> NinjaValidationError:
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    return NinjaValidationError([{**e, "loc": (where, *e["loc"])} for e in errors])


S = TypeVar("S", bound=Schema)


def _parse(schema: type[S], data: dict[str, Any], where: str) -> S:
    try:
        return schema.model_validate(data)
    except PydanticValidationError as exc:
        raise _invalid(exc, where) from None


def _json(request: HttpRequest) -> dict[str, Any]:
    if (request.content_type or "").startswith(("multipart/", "application/x-www-form")):
        return _form(request)  # an HTML form posts the same fields
    if not request.body.strip():
        return {}
    try:
        raw = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(
            "invalid_json",
            "Nội dung không phải JSON hợp lệ.",
            "The body is not valid JSON.",
            field="body",
            status=400,
        ) from None
    if not isinstance(raw, dict):
        raise ValidationFailed(
            "invalid_json",
            "Nội dung phải là một đối tượng JSON.",
            "The body must be a JSON object.",
            field="body",
            status=400,
        )
    return raw


def _body(request: HttpRequest, schema: type[S]) -> S:
    """The JSON body validated by `schema`; errors name the field itself (not 'payload')."""
    return _parse(schema, _json(request), "body")


def _form(request: HttpRequest) -> dict[str, Any]:
    return {k: v for k, v in request.POST.items() if v != ""}


M = TypeVar("M", Agency, Procedure)


def _by_code(model: type[M], code: str) -> M | None:
    return services.by_code(model, code)


@overload
def _agency(code: str, field: str) -> Agency: ...
@overload
def _agency(code: str | None, field: str) -> Agency | None: ...
def _agency(code: str | None, field: str) -> Agency | None:
    if code is None:
        return None
    agency = _by_code(Agency, code)
    if agency is None:
        raise ValidationFailed(
            "unknown_agency",
            f"Không có cơ quan mã '{code}'.",
            f"No agency with code '{code}'.",
            field=field,
        )
    return agency


def _procedure(code: str) -> Procedure:
    procedure = _by_code(Procedure, code)
    if procedure is None:
        raise ValidationFailed(
            "unknown_procedure",
            f"Không có thủ tục mã '{code}'.",
            f"No procedure with code '{code}'.",
            field="procedure",
        )
    return procedure


def _not_found() -> NotFound:
    return NotFound("hồ sơ", "Dossier", field="dossier_id")


def _out(request: HttpRequest, data: dict[str, Any], status: int = 200) -> HttpResponse:
    """A DossierOut answer rendered directly: `_dossier` builds exactly the schema's fields
    with the schema's types, so ninja's validation of it again (a tenth of a transition's
    cost) is skipped; test_dossier_output_is_what_the_schema_gives keeps the two equal."""
    from motcua.api.api import api  # the NinjaAPI this router is mounted on

    return api.create_response(request, data, status=status)


def _act(
    request: HttpRequest,
    action: str,
    dossier_id: int,
    expected_version: int | None,
    inputs: dict[str, Any],
) -> HttpResponse:
    """Run a transition; a refusal on a dossier the caller may not see is a plain 404."""
    try:
        dossier = actions.run(
            action,
            dossier_id=dossier_id,
            actor=request.user,
            expected_version=expected_version,
            inputs=inputs,
        )
    except NotFound:
        raise
    except DomainError:
        existing = Dossier.objects.filter(pk=dossier_id).first()
        if existing is None or not can_view(request.user, existing):
            if existing is not None:
                hidden_refusal(request.user, existing, action=action)
            raise _not_found() from None
        raise
    # The service returns the locked row with its procedure, agencies and step joined in.
    return _out(request, _dossier(dossier))


# ---------------------------------------------------------------------------- creation


def _fee_answers(request: HttpRequest) -> dict[str, str]:
    """Multipart fields fee_<key> → {key: value} (catalog.fees.clean_answers checks them)."""
    return {k[len("fee_") :]: str(v) for k, v in request.POST.items() if k.startswith("fee_")}


# The answers the fee items ask for (catalog.fees: copies, pages, area…), as fee_<key>.
FEE_ANSWERS = {r"^fee_[a-z0-9_-]{1,40}$": {"type": "integer", "minimum": 0}}
SUBMIT_FORM = Multipart(
    SubmitIn,
    files={AUTHORIZATION_FIELD: False},
    pattern_files={COMPONENT_FILES: True},
    extra={"cases": {"type": "array", "items": {"type": "string", "maxLength": 4000}}},
    pattern_extra=FEE_ANSWERS,
)


@router.post(
    "",
    response={201: DossierOut},
    url_name="dossier_submit",
    openapi_extra=declare(forbidden=True, multipart=SUBMIT_FORM),
)
def submit(
    request: HttpRequest,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=255),
) -> HttpResponse:
    """Submit online (multipart): procedure, receiving_agency, settling_agency?,
    request_summary, applicant_phone / applicant_email / applicant_address (the name and
    personal number / tax code come from the account), files component_<id> (the ids are in
    GET /api/catalog/procedures/{code}, `components`), and `cases` (repeated): the cases that
    apply, whose components then must be attached too (a component's `case` in the catalog
    API).

    Filing for someone else: principal_name, principal_id_number and the authorisation
    document as file `authorization`. The answers the fee items ask for (copies, pages,
    area: the catalog's `fees[].answer_key`) as fields `fee_<key>`; the amount due is
    computed once here and kept (`fee_assessment`).

    `Idempotency-Key` (header, per account): a retry with the same key and the same request
    answers with the same dossier (header `Idempotent-Replayed: true`); the same key with a
    different request is refused (422, idempotency_key_reused). Every field error is
    reported at once (error.data.errors)."""
    form = _parse(SubmitIn, _form(request), "form")
    files = component_uploads(request.FILES, others=(AUTHORIZATION_FIELD,))
    cases = [nfc(c) or "" for c in request.POST.getlist("cases") if c.strip()][:200]
    answers = _form_answers(form.form)
    submit_fn: Callable[..., Any] = (
        services.dossier_submit
        if answers is None
        else functools.partial(hooks.submit_with_form, answers=answers)
    )
    dossier = submit_fn(
        actor=request.user,
        procedure=_procedure(form.procedure),
        receiving_agency=_agency(form.receiving_agency, "receiving_agency"),
        settling_agency=_agency(form.settling_agency, "settling_agency"),
        request_summary=form.request_summary,
        applicant={
            "name": form.applicant_name,
            "id_number": form.applicant_id_number,
            "phone": form.applicant_phone,
            "email": form.applicant_email,
            "address": form.applicant_address,
        },
        principal={"name": form.principal_name, "id_number": form.principal_id_number},
        authorization=request.FILES.get(AUTHORIZATION_FIELD),
        files=files,
        idempotency_key=idempotency_key,
        cases=cases,
        fee_answers=_fee_answers(request),
    )
    response = _out(request, _fresh(dossier), 201)
    if getattr(dossier, "_replayed", False):
        response["Idempotent-Replayed"] = "true"
    return response


def _form_answers(text: str) -> dict[str, Any] | None:
    """The electronic form's answers (the multipart field `form`, a JSON object), or None."""
    if not text.strip():
        return None
    try:
        answers = json.loads(text)
    except ValueError:
        answers = None
    if not isinstance(answers, dict):
        raise ValidationFailed(
            "invalid_form_answers",
            "Trường form phải là một đối tượng JSON các câu trả lời của tờ khai.",
            "The field form must be a JSON object of the form's answers.",
            field="form",
        )
    return answers


_COUNT = {"type": "integer", "minimum": 0, "maximum": 99}
INTAKE_FORM = Multipart(
    IntakeForm,
    files={AUTHORIZATION_FIELD: False},
    pattern_files={COMPONENT_FILES: True},
    extra={"cases": {"type": "array", "items": {"type": "string", "maxLength": 4000}}},
    pattern_extra={r"^(originals|copies)_[0-9]{1,18}$": _COUNT, **FEE_ANSWERS},
)


@router.post(
    "/intake",
    response={201: DossierOut},
    url_name="dossier_intake",
    openapi_extra=declare(forbidden=True, json=IntakeIn, multipart=INTAKE_FORM),
)
def intake(request: HttpRequest) -> HttpResponse:
    """Counter / postal intake by a counter officer: JSON, or multipart with applicant_*
    fields and files component_<id>; decision receive | refuse (with refuse_reason); the
    papers counted per component (`received`: JSON list, or multipart originals_<id> and
    copies_<id>) and the cases that apply (`cases`, repeated in multipart). Filing for
    someone else: principal {name, id_number} (multipart: principal_name,
    principal_id_number) and the authorisation's scan as file `authorization` (multipart
    only). Every field error is reported at once (error.data.errors)."""
    if (request.content_type or "").startswith("multipart/"):
        raw = _form(request)
        raw["applicant"] = {
            k[len("applicant_") :]: raw.pop(k) for k in list(raw) if k.startswith("applicant_")
        }
        principal = {
            k[len("principal_") :]: raw.pop(k) for k in list(raw) if k.startswith("principal_")
        }
        if principal:
            raw["principal"] = principal
        counted: dict[str, dict[str, Any]] = {}
        for key in [k for k in raw if k.startswith(("originals_", "copies_"))]:
            name, _, cid = key.partition("_")
            counted.setdefault(cid, {"component": cid})[name] = raw.pop(key)
        raw["received"] = list(counted.values())
        raw["cases"] = [c for c in request.POST.getlist("cases") if c.strip()]
        for key in [k for k in raw if k.startswith("fee_")]:
            raw.pop(key)
        raw["fee_answers"] = _fee_answers(request)
        where, files = "form", component_uploads(request.FILES, others=(AUTHORIZATION_FIELD,))
    else:
        raw, where, files = _json(request), "body", None
    data = _parse(IntakeIn, raw, where)
    refuse_reason = None
    if data.decision == "refuse":
        refuse_reason = data.refuse_reason or ""
    dossier = services.dossier_intake(
        actor=request.user,
        procedure=_procedure(data.procedure),
        receiving_agency=_agency(data.receiving_agency, "receiving_agency"),
        settling_agency=_agency(data.settling_agency, "settling_agency"),
        channel=data.channel,
        applicant=data.applicant.model_dump(),
        principal=data.principal.model_dump() if data.principal else None,
        authorization=request.FILES.get(AUTHORIZATION_FIELD) if files is not None else None,
        request_summary=data.request_summary,
        files=files,
        received={
            r.component: {"originals": r.originals, "copies": r.copies} for r in data.received
        },
        cases=data.cases,
        fee_answers=data.fee_answers,
        refuse_reason=refuse_reason,
    )
    return _out(request, _fresh(dossier), 201)


# ---------------------------------------------------------------------------- reads


@router.get("/mine", response=DossierPageOut, url_name="dossier_mine")
def mine(
    request: HttpRequest,
    status: int | None = Query(None, ge=1, le=10, description=STATUS_DOC),
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    qs = selectors.my_dossiers(user=request.user, status=status)
    now = timezone.now()
    return {
        "count": qs.count(),
        "items": [_dossier(d, now) for d in qs[offset : offset + limit]],
    }


@router.get("/inbox", response=InboxPageOut, url_name="dossier_inbox")
def inbox(
    request: HttpRequest,
    agency: str | None = Query(None, max_length=48),
    status: int | None = Query(None, ge=1, le=10, description=STATUS_DOC),
    step: int | None = Query(None, ge=1, le=1000),
    role: str | None = Query(None, max_length=20),
    due: str | None = Query(
        None,
        max_length=10,
        description="overdue | soon | ok | paused — the verdict while open (docs/rules.md)",
    ),
    q: str | None = Query(None, max_length=200),
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    found = _agency(agency, "agency")
    now = timezone.now()
    qs = selectors.inbox(
        user=request.user,
        agency_id=found.pk if found else None,
        status=status,
        step_order=step,
        role=role,
        due=due,
        q=q,
        now=now,
    )
    items = [
        {
            "id": d.pk,
            "code": d.code,
            "version": d.version,
            "status": _status(d.status),
            "procedure": _ref(d.procedure),
            "applicant_name": d.applicant_name,
            "received_at": d.received_at,
            "due_at": d.due_at,
            "due_signal": selectors.due_signal(d, now),
            "current_step": _step(d.current_step),
            "current_step_due_at": d.current_step_due_at,
        }
        for d in qs[offset : offset + limit]
    ]
    return {"count": qs.count(), "items": items}


@router.get(
    "/lookup",
    response=LookupOut,
    auth=None,
    url_name="dossier_lookup",
    openapi_extra=declare(throttled=True, not_found=True),
)
def lookup(
    request: HttpRequest,
    code: str = Query(..., min_length=1, max_length=48),
    secret: str = Query(..., min_length=1, max_length=16),
) -> dict[str, Any]:
    """Public status lookup with the receipt's code and secret; no personal data."""
    d = selectors.dossier_lookup(code=code, secret=secret, client=client_address(request))
    return {
        "code": d.code,
        "procedure": d.procedure.name,
        "status": _status(d.status),
        "received_at": d.received_at,
        "due_at": d.due_at,
        "returned_at": d.returned_at,
    }


@router.get("/{dossier_id}", response=DossierDetailOut, url_name="dossier_detail")
def detail(request: HttpRequest, dossier_id: int = DossierId) -> dict[str, Any]:
    d = selectors.dossier_get(user=request.user, dossier_id=dossier_id)
    staff_read(request, d, what="dossier")
    body = _dossier(d)
    attachments = [a for a in d.attachments.all() if can_see_attachment(request.user, d, a.kind)]
    by_component: dict[int | None, list[dict[str, Any]]] = {}
    for a in attachments:
        by_component.setdefault(a.component_id, []).append(_attachment(a))
    body["components"] = [
        {"id": c.pk, "order": c.order, "name": c.name, "attachments": by_component.get(c.pk, [])}
        for c in d.procedure_version.components.order_by("order", "pk")
    ]
    body["results"] = [_attachment(a) for a in attachments if a.kind == AttachmentKind.RESULT]
    body["authorizations"] = [
        _attachment(a) for a in attachments if a.kind == AttachmentKind.AUTHORIZATION
    ]
    # Before approval the applicant learns nothing of a draft result: not the file, not the
    # flag, not the event that attached it (access.can_see_attachment).
    released = can_see_attachment(request.user, d, AttachmentKind.RESULT)
    if not released:
        body["electronic_result"] = False
    body["events"] = [
        {
            "seq": e.seq,
            "action": e.action,
            "at": e.at,
            "actor_role": e.actor_role,
            "actor_agency": e.actor_agency.code if e.actor_agency else None,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "reason": e.reason,
            "data": e.data,
        }
        for e in d.events.select_related("actor_agency").order_by("seq")
        if released or e.action != Action.ATTACH_RESULT
    ]
    body["handovers"] = [
        {
            "step": _step(h.step),
            "agency": _ref(h.agency),
            "started_at": h.started_at,
            "due_at": h.due_at,
            "finished_at": h.finished_at,
            "outcome": h.outcome,
            "note": h.note,
        }
        for h in d.handovers.select_related("step", "agency")
    ]
    body["pauses"] = [
        {
            "started_at": p.started_at,
            "ended_at": p.ended_at,
            "reason": p.reason,
            "missing_components": p.missing_components,
            "working_seconds": p.working_seconds,
        }
        for p in d.pauses.all()
    ]
    body["allowed_actions"] = allowed_actions(request.user, d)
    body["form"] = hooks.read_form(d)
    return body


@router.get("/{dossier_id}/attachments/{att_id}", url_name="dossier_attachment")
def attachment(
    request: HttpRequest, dossier_id: int = DossierId, att_id: int = DossierId
) -> HttpResponseBase:
    d = selectors.dossier_get(user=request.user, dossier_id=dossier_id)
    att = Attachment.objects.filter(pk=att_id, dossier_id=d.pk).first()
    if att is None or not can_see_attachment(request.user, d, att.kind):
        raise NotFound("tệp đính kèm", "Attachment", field="att_id")
    staff_read(request, d, what="attachment", attachment_id=att.pk)
    return file_response(
        att.file,
        original_name=att.original_name,
        content_type=att.content_type,
        sha256=att.sha256,
        api=True,
    )


# ---------------------------------------------------------------------------- transitions


@dataclass(frozen=True)
class Endpoint:
    """How the API takes one transition (the service and its inputs: dossiers.actions)."""

    path: str  # after /api/dossiers/{dossier_id}/
    url_name: str
    schema: type[Schema]  # the JSON body, or the multipart form's fields
    # Multipart only: the service's inputs read from the uploaded files, and how the
    # document describes the form (the schema's fields plus these files).
    files: Callable[[HttpRequest], dict[str, Any]] | None = None
    form: Multipart | None = None
    description: str | None = None


def _result_file(request: HttpRequest) -> dict[str, Any]:
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed(
            "file_required",
            "Cần đính kèm tệp kết quả.",
            "The result file is required.",
            field="file",
        )
    return {"file": upload}


def _supplement_files(request: HttpRequest) -> dict[str, Any]:
    return {"files": component_uploads(request.FILES)}


# The operation of action `a` is motcua_dossiers_api_<a> in the OpenAPI document.
ENDPOINTS: dict[str, Endpoint] = {
    Action.RECEIVE: Endpoint("receive", "dossier_receive", VersionIn),
    Action.REFUSE: Endpoint("refuse", "dossier_refuse", ReasonIn),
    Action.FORWARD: Endpoint("forward", "dossier_forward", ForwardIn),
    Action.APPROVE: Endpoint("approve", "dossier_approve", ApproveIn),
    Action.RETURN_RESULT: Endpoint("return", "dossier_return", ReturnIn),
    Action.ATTACH_RESULT: Endpoint(
        "result",
        "dossier_result",
        VersionIn,
        files=_result_file,
        form=Multipart(VersionIn, files={"file": False}, required_files=("file",)),
        description="Multipart: `file` (the electronic result), expected_version.",
    ),
    Action.REQUEST_SUPPLEMENT: Endpoint(
        "supplement-request", "dossier_supplement_request", SupplementRequestIn
    ),
    Action.SUPPLEMENT: Endpoint(
        "supplement",
        "dossier_supplement",
        SupplementForm,
        files=_supplement_files,
        form=Multipart(SupplementForm, pattern_files={COMPONENT_FILES: True}),
        description="Multipart: files component_<id>, note, expected_version.",
    ),
    Action.REQUEST_PAYMENT: Endpoint(
        "payment-request", "dossier_payment_request", PaymentRequestIn
    ),
    Action.CONFIRM_PAYMENT: Endpoint("payment", "dossier_payment", PaymentIn),
    Action.REQUEST_WITHDRAWAL: Endpoint("withdrawal", "dossier_withdrawal", ReasonIn),
    Action.STOP: Endpoint("stop", "dossier_stop", ReasonIn),
    Action.APOLOGIZE: Endpoint("apology", "dossier_apology", ApologyIn),
    Action.RATE: Endpoint("rating", "dossier_rating", RatingIn),
}


def _transition(action: str, endpoint: Endpoint) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, dossier_id: int = DossierId) -> HttpResponse:
        if endpoint.files is None:
            inputs = _body(request, endpoint.schema).model_dump()
        else:
            form = _parse(endpoint.schema, _form(request), "form")
            inputs = {**form.model_dump(), **endpoint.files(request)}
        version = inputs.pop("expected_version")
        return _act(request, action, dossier_id, version, inputs)

    view.__name__ = view.__qualname__ = action  # as tracebacks and profiles name it
    return view


for _action, _endpoint in ENDPOINTS.items():
    router.post(
        f"/{{dossier_id}}/{_endpoint.path}",
        response=DossierOut,
        url_name=_endpoint.url_name,
        operation_id=f"motcua_dossiers_api_{_action}",
        summary=_action.replace("_", " ").title(),
        description=_endpoint.description,
        # A transition: 409 on a state or version conflict (motcua.api.openapi).
        openapi_extra=declare(transition=True, json=_endpoint.schema)
        if _endpoint.form is None
        else declare(transition=True, multipart=_endpoint.form),
    )(_transition(_action, _endpoint))
