"""The linked-application API: thin callers of motcua.linked.services and selectors.

POST /api/linked/applications submits one application (multipart, files part_<key>);
GET /api/linked/applications lists the caller's own, GET …/{id} gives one with every
member's dossier and its events in order. An application is its owner's alone: anyone else
is answered 404; an agency reads its member dossier through /api/dossiers."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router
from ninja.params.functions import Path, Query
from pydantic import ValidationError as PydanticValidationError

from motcua.api.auth import AUTH
from motcua.api.openapi import Multipart, declare
from motcua.core.errors import ValidationFailed
from motcua.core.paging import MAX_OFFSET
from motcua.core.text import nfc
from motcua.dossiers.enums import ACTION_EN, STATUS_EN, Action, Status
from motcua.dossiers.services import by_code
from motcua.org.models import Agency

from . import selectors, services
from .enums import APPLICATION_STATE_EN, MEMBER_STATE_EN, ApplicationState, MemberState
from .models import LinkedApplication
from .schemas import ApplicationOut, ApplicationPageOut, ChainOut, LinkedSubmitIn

router = Router(auth=AUTH, tags=["linked"])
PART_FILES = r"^part_p[0-9]{1,3}$"
SUBMIT_FORM = Multipart(
    LinkedSubmitIn,
    pattern_files={PART_FILES: True},
    extra={"cases": {"type": "array", "items": {"type": "string", "maxLength": 4000}}},
)


def _ref(obj: Any) -> dict[str, str]:
    return {"code": obj.code, "name": obj.name}


def _pick(vi: str, en: str, lang: str) -> str:
    return en if lang == "en" else vi


def application_out(app: LinkedApplication, lang: str = "vi") -> dict[str, Any]:
    members = []
    for line in selectors.timeline(app):
        r, d = line.row, line.row.dossier
        members.append(
            {
                "order": r.order,
                "procedure": _ref(r.member.procedure),
                "state": r.state,
                "state_label": _pick(MemberState(r.state).label, MEMBER_STATE_EN[r.state], lang),
                "reason": r.reason,
                "dossier_id": d.pk if d else None,
                "dossier_code": d.code if d else None,
                "status": {
                    "value": d.status,
                    "label": Status(d.status).label,
                    "label_en": STATUS_EN[d.status],
                }
                if d
                else None,
                "settling_agency": _ref(d.settling_agency) if d else None,
                "due_at": d.due_at if d else None,
                "data": r.data,
                "previous_result": r.previous_result,
                "events": [
                    {
                        "seq": e.seq,
                        "action": e.action,
                        "label": _pick(
                            Action(e.action).label if e.action in Action.values else e.action,
                            ACTION_EN.get(e.action, e.action),
                            lang,
                        ),
                        "at": e.at,
                        "agency": e.actor_agency.name if e.actor_agency else None,
                        "reason": e.reason,
                    }
                    for e in line.events
                ],
            }
        )
    return {
        "id": app.pk,
        "code": f"LT-{app.pk}",
        "procedure": _ref(app.linked.procedure),
        "state": app.state,
        "state_label": _pick(
            ApplicationState(app.state).label, APPLICATION_STATE_EN[app.state], lang
        ),
        "stopped_reason": app.stopped_reason,
        "submitted_at": app.submitted_at,
        "receiving_agency": _ref(app.receiving_agency),
        "members": members,
    }


@router.get("/procedures/{code}", response=ChainOut, auth=None, url_name="linked_chain")
def chain(request: HttpRequest, code: str = Path(..., max_length=48)) -> dict[str, Any]:
    """The chain of a linked procedure: its members in order (which kind of agency settles
    each, when it starts, which data keys pass to it) and the one form's parts (files
    part_<key> of the submission)."""
    linked = services.linked_for(code)
    return {
        "procedure": _ref(linked.procedure),
        "members": [
            {
                "order": m.order,
                "procedure": _ref(m.procedure),
                "agency_kind": m.agency_kind,
                "start": m.start,
                "data_keys": list(m.data_keys or []),
                "takes_previous_result": m.takes_previous_result,
            }
            for m in services.chain_members(linked)
        ],
        "parts": [
            {
                "key": p.key,
                "name": p.name,
                "required": p.required,
                "members": sorted({o for o, _c in p.components}),
            }
            for p in services.chain_parts(linked)
        ],
        "cases": services.chain_cases(linked),
    }


def _form(request: HttpRequest) -> LinkedSubmitIn:
    try:
        return LinkedSubmitIn.model_validate(
            {k: v for k, v in request.POST.items() if v != "" and k != "cases"}
        )
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ValidationFailed(
            "invalid_input",
            f"Dữ liệu không hợp lệ ở trường '{where}': {first.get('msg')}.",
            f"Invalid input in field '{where}': {first.get('msg')}.",
            field=where or None,
        ) from None


def _data(raw: str, name: str = "data") -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ValidationFailed(
            f"invalid_{name}",
            f"Trường {name} phải là một đối tượng JSON.",
            f"The {name} field must be a JSON object.",
            field=name,
        )
    return value


def _files(request: HttpRequest) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for name in request.FILES:
        if not name.startswith("part_"):
            raise ValidationFailed(
                "invalid_file_field",
                f"Tên trường tệp '{name}' không hợp lệ: dùng part_<mã phần hồ sơ>.",
                f"File field '{name}' is invalid: use part_<part key>.",
                field=name,
            )
        out[name[len("part_") :]] = request.FILES.getlist(name)
    return out


@router.post(
    "/applications",
    response={201: ApplicationOut},
    url_name="linked_submit",
    openapi_extra=declare(forbidden=True, not_found=True, multipart=SUBMIT_FORM),
)
def submit(
    request: HttpRequest,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=255),
) -> HttpResponse:
    """Submit one application for every member procedure of a linked procedure (multipart):
    procedure (the linked procedure's code), receiving_agency, data (a JSON object),
    applicant_phone / applicant_email / applicant_address, `form` (a JSON object: the
    answers of the member's electronic form, when it has one), `cases` (repeated: the cases
    that apply, GET /api/linked/procedures/{code} `cases`), files part_<key>. The first
    member's dossier is created at once; the others when the previous returns its result.

    `Idempotency-Key` (header, per account): a retry with the same key and the same request
    returns the same application (201, header `Idempotent-Replayed: true`) and creates
    nothing; the same key with a different request is refused (422,
    idempotency_key_reused)."""
    from motcua.api.api import api

    form = _form(request)
    agency = by_code(Agency, form.receiving_agency)
    if agency is None:
        raise ValidationFailed(
            "unknown_agency",
            f"Không có cơ quan mã '{form.receiving_agency}'.",
            f"No agency with code '{form.receiving_agency}'.",
            field="receiving_agency",
        )
    app = services.linked_application_submit(
        actor=request.user,
        linked=form.procedure,
        receiving_agency=agency,
        data=_data(form.data),
        files=_files(request),
        applicant={
            "phone": form.applicant_phone,
            "email": form.applicant_email,
            "address": form.applicant_address,
        },
        form=_data(form.form, "form") if form.form.strip() else None,
        cases=[nfc(c) or "" for c in request.POST.getlist("cases") if c.strip()][:200],
        idempotency_key=idempotency_key,
    )
    response = api.create_response(request, application_out(app), status=201)
    if getattr(app, "_replayed", False):
        response["Idempotent-Replayed"] = "true"
    return response


@router.get("/applications", response=ApplicationPageOut, url_name="linked_mine")
def mine(
    request: HttpRequest,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    qs = selectors.my_applications(user=request.user)
    return {"count": qs.count(), "items": [application_out(a) for a in qs[offset : offset + limit]]}


@router.get("/applications/{application_id}", response=ApplicationOut, url_name="linked_detail")
def detail(
    request: HttpRequest, application_id: int = Path(..., ge=1, le=2**63 - 1)
) -> dict[str, Any]:
    app = selectors.application_get(user=request.user, application_id=application_id)
    return application_out(app)
