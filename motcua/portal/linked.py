"""The portal's linked applications (liên thông): one form for every member procedure, and
one timeline for the application. Thin callers of motcua.linked's services and selectors;
works without JavaScript (POST, then redirect)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from motcua.catalog.models import LinkedProcedure
from motcua.catalog.selectors import receiving_agencies
from motcua.core.errors import DomainError, NotFound
from motcua.core.templatetags.bilingual import pick
from motcua.core.validation import errors_from
from motcua.eforms.answers import read_post
from motcua.eforms.logic import decide
from motcua.eforms.prefill import prefill_for
from motcua.eforms.render import form_context, group_action, remove_item
from motcua.linked import selectors, services
from motcua.linked.enums import (
    APPLICATION_STATE_EN,
    MEMBER_STATE_EN,
    ApplicationState,
    MemberState,
)
from motcua.linked.models import LinkedApplication
from motcua.org.models import Agency, Applicant
from motcua.org.selectors import applicant_id

from . import wording


def linked_offer(procedure: Any) -> LinkedProcedure | None:
    """The active chain of this procedure, if it is a linked procedure."""
    return (
        LinkedProcedure.objects.filter(procedure=procedure, active=True)
        .prefetch_related("members__procedure")
        .first()
    )


def _agencies(linked: LinkedProcedure) -> list[Agency]:
    """Where the application may be filed: the centers that receive the first member."""
    members = services.chain_members(linked)
    return receiving_agencies(members[0].procedure) if members else []


def _data_fields(
    linked: LinkedProcedure, given: dict[str, str], errors: dict, skip: Any = ()
) -> list[dict]:
    out = []
    for key in services.chain_data_keys(linked):
        if key in skip:
            continue  # answered by the electronic form
        vi, en = services.DATA_LABELS.get(key, (key, key))
        out.append(
            {
                "key": key,
                "label": pick(vi, en),
                "value": given.get(key, ""),
                "error": errors.get(f"data.{key}"),
                "date": key.endswith("_date"),
            }
        )
    return out


@login_required
@require_http_methods(["GET", "POST"])
def linked_submit(request: HttpRequest, code: str) -> HttpResponse:
    try:
        linked = services.linked_for(code)
    except NotFound:
        raise Http404("Không tìm thấy") from None
    agencies = _agencies(linked)
    known_cases = services.chain_cases(linked)
    posted_cases = set(request.POST.getlist("cases"))
    chosen_cases = [c for c in known_cases if c in posted_cases]
    owner = applicant_id(request.user)
    account = Applicant.objects.filter(pk=owner).first() if owner else None
    # The electronic form of a member (khai-sinh for the birth registration): rendered by
    # the engine, prefilled from the identity; its rules decide that member's components.
    chain = services.chain_form(linked)
    document = chain.definition.document if chain else None
    prefill = prefill_for(document, account) if document else {}
    answers: dict[str, Any] = {}
    counts = None
    redraw = False  # a group's "add"/"remove" or "update": the page again, nothing filed
    if document is not None and request.method == "POST":
        answers = read_post(document, request.POST)
        counts, pressed = group_action(document, request.POST)
        if pressed and request.POST.get("eform_remove"):
            remove_item(answers, request.POST)
            counts = None
        redraw = pressed or bool(request.POST.get("eform_refresh"))
    decision = decide(document, answers) if document is not None else None
    parts = services.chain_parts(
        linked,
        cases=chosen_cases,
        form=chain,
        required=decision.require_components if decision else (),
        omitted=decision.omit_components if decision else (),
    )
    keys = services.chain_data_keys(linked)
    given = {k: request.POST.get(f"data_{k}", "") for k in keys}
    contact = {
        "phone": request.POST.get("applicant_phone", account.phone if account else ""),
        "email": request.POST.get("applicant_email", account.email if account else ""),
        "address": request.POST.get("applicant_address", account.address if account else ""),
    }
    chosen = request.POST.get("receiving_agency", "")
    # One token per page shown (a hidden field): a second click or a replayed POST with
    # it gives back the application the first made (services' idempotency key).
    token = request.POST.get("token", "")[:64] or uuid.uuid4().hex
    errors: dict[str, DomainError] = {}
    form_problems: list[DomainError] = []
    if request.method == "POST" and not redraw:
        done = services.application_for_key(actor=request.user, key=_token_key(token))
        if done is not None:
            return redirect("portal:linked_application", application_id=done.pk)
        agency = next((a for a in agencies if str(a.pk) == chosen), None)
        files = {p.key: request.FILES.getlist(f"part_{p.key}") for p in parts if not p.by_form}
        try:
            if agency is None:
                raise NotFound("nơi tiếp nhận", "Receiving agency", field="receiving_agency")
            app = services.linked_application_submit(
                actor=request.user,
                linked=linked,
                receiving_agency=agency,
                data={k: v for k, v in given.items() if k not in services.form_keys(chain)},
                files={k: v for k, v in files.items() if v},
                applicant=contact,
                cases=chosen_cases,
                form=answers if document is not None else None,
                idempotency_key=_token_key(token),
            )
        except DomainError as exc:
            for e in errors_from(exc):
                field = e.field or "__all__"
                if field.startswith("form."):
                    form_problems.append(
                        DomainError(e.code, e.message, e.message_en, field=field[5:])
                    )
                else:
                    errors[field] = e
        else:
            return redirect("portal:linked_application", application_id=app.pk)
    eform = (
        form_context(document, answers, errors=form_problems, prefill=prefill, counts=counts)
        if document is not None
        else {}
    )
    members = services.chain_members(linked)
    return render(
        request,
        "portal/linked_submit.html",
        {
            "linked": linked,
            "procedure": linked.procedure,
            "members": members,
            "agencies": agencies,
            "chosen_agency": chosen,
            "data_fields": _data_fields(linked, given, errors, services.form_keys(chain)),
            "chain_form": chain,
            **eform,
            "parts": [
                {
                    "part": p,
                    "error": errors.get(f"files.{p.key}"),
                    "members": sorted({o for o, _c in p.components}),
                }
                for p in parts
            ],
            "contact": contact,
            "cases": [
                {"i": i, "text": c, "chosen": c in chosen_cases}
                for i, c in enumerate(known_cases, 1)
            ],
            "token": token,
            "account": account,
            "is_applicant": owner is not None,
            "errors": errors,
            # The error summary: each error linked to its field (GOV.UK pattern).
            "summary": [(_anchor(f, parts, e), e) for f, e in errors.items()],
        },
        status=422 if errors or form_problems else 200,
    )


def _token_key(token: str) -> str:
    return f"portal-linked:{token}"


def _anchor(field: str, parts: list[services.Part], error: DomainError) -> str:
    if field.startswith("data."):
        return f"id_data_{field[5:]}"
    if field.startswith("files.") and field != "files.":
        return f"id_part_{field[6:]}"
    if field == "files":
        lacking = (error.data or {}).get("missing_parts") or [p.key for p in parts if p.required]
        return f"id_part_{lacking[0]}" if lacking else ""
    if field == "receiving_agency":
        return "id_receiving_agency"
    if field == "cases":
        return "cases"
    return ""


def _member_lines(app: LinkedApplication) -> list[dict[str, Any]]:
    lines = []
    for line in selectors.timeline(app):
        row, dossier = line.row, line.row.dossier
        status = None
        if dossier is not None:
            vi, en, tone = wording.STATUS_PLAIN[dossier.status]
            status = {"text": pick(vi, en), "tone": tone}
        lines.append(
            {
                "row": row,
                "dossier": dossier,
                "state": pick(MemberState(row.state).label, MEMBER_STATE_EN[row.state]),
                "status": status,
                "events": [
                    {
                        "event": e,
                        "text": pick(*wording.EVENT_PLAIN.get(e.action, (e.action, e.action))),
                    }
                    for e in line.events
                ],
            }
        )
    return lines


@login_required
def linked_application(request: HttpRequest, application_id: int) -> HttpResponse:
    try:
        app = selectors.application_get(user=request.user, application_id=application_id)
    except NotFound:
        raise Http404("Không tìm thấy") from None
    return render(
        request,
        "portal/linked_application.html",
        {
            "app": app,
            "state": pick(ApplicationState(app.state).label, APPLICATION_STATE_EN[app.state]),
            "lines": _member_lines(app),
        },
    )


def my_applications(request: HttpRequest) -> list[dict[str, Any]]:
    """For "Hồ sơ của tôi": the user's linked applications, newest first."""
    return [
        {
            "app": a,
            "state": pick(ApplicationState(a.state).label, APPLICATION_STATE_EN[a.state]),
        }
        for a in selectors.my_applications(user=request.user)[:20]
    ]
