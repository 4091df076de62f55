"""Online submission as a short wizard that works without JavaScript.

Step 1 is choosing the procedure (search). Step 2 is one form: the applicant's details
(prefilled from the account), where it is received, and one upload per component. Every
file is checked with the service's own check (`dossiers.attachments.check_file`) so each
bad file gets its own message; good files are kept in a draft (file storage, referenced
from the session), so a correction never asks again for files that were fine. Step 3 is
the review: what will be sent, the fees and the expected due date; "Submit" calls
`dossiers.services.dossier_submit` with the draft's files, and the receipt follows.

A component may be filled from the applicant's document store instead (issue 12): the form
offers, per component, the store's documents that match it (store.selectors.matches); the
draft keeps the choice (a key, not a copy), and the submission resolves it for the owner
(store.selectors.resolve_reuse) and passes it to the service as `reused`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from motcua.catalog import cases as catalog_cases
from motcua.catalog import fees
from motcua.catalog.enums import Channel
from motcua.catalog.models import Component, ProcedureVersion
from motcua.core.errors import DomainError
from motcua.core.templatetags.bilingual import pick
from motcua.core.validation import FieldErrors, errors_from, validate_party
from motcua.dossiers import services as dossier_services
from motcua.dossiers.access import applicant_id
from motcua.dossiers.attachments import CheckedFile, check_file
from motcua.dossiers.uploads import component_uploads
from motcua.eforms import selectors as eform_selectors
from motcua.eforms import services as eform_services
from motcua.org.models import Agency
from motcua.org.services import applicant_attributes
from motcua.store import selectors as store_selectors

from .drafts import DRAFTS
from .eform import definition_of, form_state
from .views import _receiving_agencies, _version_or_404, due_preview, online_state

# The name and personal number / tax code come from the account (not editable here); the
# contact details may be changed for this dossier.
APPLICANT_FIELDS = ("phone", "email", "address")
PRINCIPAL_FIELDS = ("name", "id_number")
AUTHORIZATION = "authorization"  # the file field of the authorisation's scan


def _draft_key(draft_id: str) -> str:
    """The idempotency key of a draft's final submission: one dossier per draft."""
    return f"portal-draft:{draft_id}"


def _applicant_defaults(user) -> dict[str, str]:
    account = getattr(user, "applicant", None)
    if account is None:
        return {}
    return {
        "name": account.full_name,
        "id_number": account.identifier,
        "phone": account.phone,
        "email": account.email,
        "address": account.address,
    }


# ---------------------------------------------------------------------------- the draft


def _key(code: str) -> str:
    return f"portal_draft:{code}"


def _draft(request: HttpRequest, code: str) -> dict | None:
    return request.session.get(_key(code))


def _save_draft(request: HttpRequest, code: str, draft: dict) -> None:
    request.session[_key(code)] = draft
    request.session.modified = True


def _drop_draft(request: HttpRequest, code: str) -> None:
    draft = request.session.pop(_key(code), None)
    entries = list((draft or {}).get("files", []))
    if (draft or {}).get("authorization"):
        entries.append(draft["authorization"])
    for entry in entries:
        default_storage.delete(entry["path"])


def _store(draft_id: str, component_id: int, checked: CheckedFile) -> str:
    checked.file.seek(0)
    return default_storage.save(
        f"{DRAFTS}/{draft_id}/{component_id}-{uuid.uuid4().hex[:8]}", checked.file
    )


def _files_for_service(draft: dict) -> dict[int, list[tuple[str, bytes]]]:
    files: dict[int, list[tuple[str, bytes]]] = {}
    for entry in draft.get("files", []):
        with default_storage.open(entry["path"], "rb") as fh:
            files.setdefault(entry["component"], []).append((entry["name"], fh.read()))
    return files


def _by_component(draft: dict | None) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for entry in (draft or {}).get("files", []):
        grouped.setdefault(entry["component"], []).append(entry)
    return grouped


def _error_key(exc: DomainError) -> tuple[str, int | None]:
    field = exc.field or ""
    if field.startswith("files.") and field[6:].isdigit():
        return "component", int(field[6:])
    key = field.replace("applicant.", "applicant_").replace("principal.", "principal_")
    return key or "__all__", None


def _authorization_file(draft: dict):
    entry = draft.get("authorization")
    if not entry:
        return None
    with default_storage.open(entry["path"], "rb") as fh:
        return (entry["name"], fh.read())


def _submitted(request: HttpRequest, draft_id: str):
    """The dossier this account already submitted from the draft, if any."""
    if not draft_id or len(draft_id) > 64:
        return None
    return dossier_services.submission_for_key(actor=request.user, key=_draft_key(draft_id))


# ---------------------------------------------------------------------------- step 2


@dataclass
class _Step2:
    """The form's values: the draft's, then what was posted over them."""

    applicant: dict[str, str]
    represent: bool
    principal: dict[str, str]
    summary: str
    agency: str  # the receiving agency's pk, as posted
    cases: list[str]
    authorization: dict[str, Any] | None
    files: list[dict[str, Any]]
    # Documents chosen from the store: {"component", "key", "name", "size", "doc_type"}.
    store: list[dict[str, Any]] = field(default_factory=list)
    fee_answers: dict[str, str] = field(default_factory=dict)  # as posted (catalog.fees)
    errors: dict[str, DomainError] = field(default_factory=dict)
    component_errors: dict[int, list[DomainError]] = field(default_factory=dict)

    def as_draft(self, draft_id: str) -> dict[str, Any]:
        return {
            "id": draft_id,
            "applicant": {k: self.applicant.get(k, "") for k in APPLICANT_FIELDS},
            "principal": self.principal,
            "authorization": self.authorization,
            "summary": self.summary,
            "agency": self.agency,
            "cases": self.cases,
            "files": self.files,
            "store": self.store,
            "fee_answers": self.fee_answers,
        }


def _from_draft(
    request: HttpRequest, draft: dict[str, Any], agencies: list[Agency], known_cases: list[str]
) -> _Step2:
    principal = dict(draft.get("principal") or {})
    return _Step2(
        applicant={**_applicant_defaults(request.user), **draft.get("applicant", {})},
        represent=bool(principal),
        principal=principal,
        summary=draft.get("summary", ""),
        agency=draft.get("agency") or (str(agencies[0].pk) if agencies else ""),
        cases=[c for c in draft.get("cases", []) if c in known_cases],
        authorization=draft.get("authorization"),
        files=list(draft.get("files", [])),
        store=list(draft.get("store", [])),
        fee_answers=dict(draft.get("fee_answers") or {}),
    )


def _read_fields(request: HttpRequest, step: _Step2, known_cases: list[str]) -> None:
    post = request.POST
    step.applicant.update({k: post.get(f"applicant_{k}", "").strip() for k in APPLICANT_FIELDS})
    step.represent = post.get("represent") == "1"
    step.principal = (
        {k: post.get(f"principal_{k}", "").strip() for k in PRINCIPAL_FIELDS}
        if step.represent
        else {}
    )
    step.summary = post.get("request_summary", "").strip()
    step.agency = post.get("receiving_agency", "")
    posted = set(post.getlist("cases"))
    step.cases = [c for c in known_cases if c in posted]


def _read_fee_answers(request: HttpRequest, step: _Step2, version: ProcedureVersion) -> None:
    """The answers the version's fee items ask for (fee_<key>), checked as the service
    will: each a whole number ≥ 0, each needed one given (catalog.fees)."""
    keys = [k for k, _label in fees.answer_keys(version)]
    step.fee_answers = {k: request.POST.get(f"fee_{k}", "").strip()[:20] for k in keys}
    try:
        answers = fees.clean_answers(step.fee_answers)
        fees.quote(version, answers, channel=Channel.ONLINE, on_date=timezone.localdate())
    except DomainError as exc:
        step.errors[f"fee_{(exc.field or '').removeprefix('fee_answers.')}"] = exc


def _take_files(
    request: HttpRequest, step: _Step2, draft_id: str, components: list[Component]
) -> None:
    """The draft keeps its files but those removed or replaced; each new file is checked on
    its own and kept when good. A component posted anew replaces its kept files only when
    every new file of it is good: a refused re-upload keeps the good file already there. A
    malformed file field is refused (uploads.component_uploads) and nothing new is kept."""
    try:
        uploads = component_uploads(
            request.FILES, others=(AUTHORIZATION,), components={c.pk for c in components}
        )
    except DomainError as exc:
        step.errors["__all__"] = exc
        uploads = {}
    fresh: dict[int, list[Any]] = {}
    for c in components:
        for upload in uploads.get(c.pk, []):
            try:
                fresh.setdefault(c.pk, []).append(check_file(upload, field=f"files.{c.pk}"))
            except DomainError as exc:
                step.component_errors.setdefault(c.pk, []).append(exc)
    replaced = {cid for cid in fresh if cid not in step.component_errors}
    kept = [
        e
        for e in step.files
        if f"remove_{e['path']}" not in request.POST and e["component"] not in replaced
    ]
    for entry in step.files:
        if entry not in kept:
            default_storage.delete(entry["path"])
    for cid in sorted(replaced, key=[c.pk for c in components].index):
        for checked in fresh[cid]:
            path = _store(draft_id, cid, checked)
            kept.append(
                {"component": cid, "name": checked.name, "path": path, "size": checked.size}
            )
    step.files = kept


def _take_store(request: HttpRequest, step: _Step2, components: list[Component]) -> None:
    """The documents chosen from the store, per component (`store_<id>`: an item's key), and
    those unticked (`remove_store_<id>_<key>`). Only an item of the account's own store that
    matches the component is kept; anything else is refused next to the component."""
    owner = applicant_id(request.user)
    kept = [
        e
        for e in step.store
        if f"remove_store_{e['component']}_{e['key']}" not in request.POST
        and any(c.pk == e["component"] for c in components)
    ]
    for c in components:
        key = request.POST.get(f"store_{c.pk}", "").strip()
        if not key or any(e["component"] == c.pk and e["key"] == key for e in kept):
            continue
        item = store_selectors.store_item(owner, key) if owner is not None else None
        if item is None or not store_selectors.matches(item, c):
            step.component_errors.setdefault(c.pk, []).append(
                DomainError(
                    "store_item_not_offered",
                    "Giấy tờ đã chọn trong kho dữ liệu không có hoặc không phù hợp với thành "
                    "phần hồ sơ này.",
                    "The document chosen from the store does not exist or does not match "
                    "this component.",
                    field=f"files.{c.pk}",
                )
            )
            continue
        kept.append(
            {
                "component": c.pk,
                "key": item.key,
                "name": item.name,
                "size": item.size,
                "doc_type": item.doc_type[:200],
            }
        )
    step.store = kept


def _reused(request: HttpRequest, draft: dict, components: list[Component]):
    """The draft's store choices, resolved for the account (store.selectors.resolve_reuse)."""
    chosen: dict[int, list[str]] = {}
    for e in draft.get("store", []):
        chosen.setdefault(e["component"], []).append(e["key"])
    owner = applicant_id(request.user)
    if not chosen or owner is None:
        return None
    return store_selectors.resolve_reuse(owner, chosen, components)


def _take_authorization(
    request: HttpRequest, step: _Step2, draft_id: str, found: FieldErrors
) -> None:
    """The principal's details and the authorisation's scan when filing for someone else
    (a new scan replaces the kept one; filing for oneself drops it)."""
    upload = request.FILES.get(AUTHORIZATION)
    if step.authorization and not step.represent:
        default_storage.delete(step.authorization["path"])
        step.authorization = None
    if not step.represent:
        return
    validate_party(
        prefix="principal.",
        name=step.principal.get("name", ""),
        id_number=step.principal.get("id_number", ""),
        id_required=True,
        errors=found,
    )
    if upload is not None:
        checked = found.check(check_file, upload, field=AUTHORIZATION)
        if checked is not None:
            # A good new scan replaces the kept one; a refused one leaves it.
            if step.authorization:
                default_storage.delete(step.authorization["path"])
            path = _store(draft_id, 0, checked)
            step.authorization = {"name": checked.name, "path": path, "size": checked.size}
    elif step.authorization is None:
        found.add(
            DomainError(
                "authorization_required",
                "Cần đính kèm giấy ủy quyền khi nộp thay người khác.",
                "Attach the authorisation document when filing for someone else.",
                field=AUTHORIZATION,
            )
        )


def _validate(
    request: HttpRequest,
    step: _Step2,
    draft_id: str,
    agencies: list[Agency],
    components: list[Component],
    form: dict[str, Any] | None = None,
) -> None:
    """The same checks as the service (motcua.core.validation, catalog.cases, with the
    electronic form's decision when there is one): every error at once, each next to its
    field."""
    found = FieldErrors()
    validate_party(
        prefix="applicant.",
        phone=step.applicant.get("phone", ""),
        email=step.applicant.get("email", ""),
        address=step.applicant.get("address", ""),
        errors=found,
    )
    _take_authorization(request, step, draft_id, found)
    for err in found.errors:
        step.errors[_error_key(err)[0]] = err
    if not any(str(a.pk) == step.agency for a in agencies):
        step.errors["receiving_agency"] = DomainError(
            "receiving_agency_required",
            "Chọn nơi tiếp nhận hồ sơ.",
            "Choose where the dossier is received.",
            field="receiving_agency",
        )
    # Every component required, and those of the cases ticked, must have a file; each
    # missing one gets its message.
    attached = {e["component"] for e in step.files} | {e["component"] for e in step.store}
    if form and form.get("declaration"):
        attached.add(form["declaration"])  # made from the electronic form
    for c in catalog_cases.missing(
        components,
        step.cases,
        attached,
        required=(form or {}).get("required", ()),
        omitted=(form or {}).get("omitted", ()),
    ):
        if c.pk not in step.component_errors:
            step.component_errors[c.pk] = [
                DomainError(
                    "component_required",
                    "Chưa đính kèm giấy tờ bắt buộc này.",
                    "This required document is not attached.",
                    field=f"files.{c.pk}",
                )
            ]


def _submit_page(
    request: HttpRequest,
    version: ProcedureVersion,
    components: list[Component],
    agencies: list[Agency],
    known_cases: list[str],
    step: _Step2,
    form: dict[str, Any] | None = None,
) -> HttpResponse:
    kept = _by_component({"files": step.files})
    required, omitted = (form or {}).get("required", ()), (form or {}).get("omitted", ())
    by_form = (form or {}).get("declaration")
    from_store = _by_component({"files": step.store})
    owner = applicant_id(request.user)
    offered = (
        store_selectors.offers(store_selectors.store_items(owner), components)
        if owner is not None
        else {}
    )
    failed = bool(step.errors or step.component_errors)
    return render(
        request,
        "portal/submit.html",
        {
            "version": version,
            "procedure": version.procedure,
            "components": [
                {
                    "component": c,
                    "needed": catalog_cases.needed(
                        c, step.cases, required=required, omitted=omitted
                    ),
                    "by_form": c.pk == by_form,
                    "errors": step.component_errors.get(c.pk, []),
                    "kept": kept.get(c.pk, []),
                    "from_store": from_store.get(c.pk, []),
                    "offers": offered.get(c.pk, []),
                }
                for c in components
            ],
            "cases": [
                {"text": case, "i": i, "chosen": case in step.cases}
                for i, case in enumerate(known_cases)
            ],
            "agencies": agencies,
            "chosen_agency": step.agency,
            "fee_questions": [
                {
                    "key": key,
                    "label": label,
                    "value": step.fee_answers.get(key, ""),
                    "error": step.errors.get(f"fee_{key}"),
                }
                for key, label in fees.answer_keys(version)
            ],
            "applicant": step.applicant,
            "represent": step.represent,
            "principal": step.principal,
            "authorization": step.authorization,
            "is_applicant": applicant_id(request.user) is not None,
            "summary": step.summary,
            "errors": step.errors,
            "has_errors": failed,
            "component_errors": step.component_errors,
            "online": online_state(version) == (True, False),
            "online_no_limit": online_state(version)[1],
            "eform": form,
        },
        status=400 if failed else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, code: str) -> HttpResponse:
    """Step 2: shown from the draft; posted, every file and field is checked, the good
    ones kept in the draft, and the review follows when nothing is wrong."""
    version = _version_or_404(code)
    components = list(version.components.all())
    agencies = _receiving_agencies(version.procedure)
    known_cases = catalog_cases.cases_of(components)
    draft = _draft(request, code) or {}
    # With an electronic form, the form comes first (portal.eform).
    form = form_state(draft)
    if form is None and eform_selectors.form_for_version(version) is not None:
        return redirect("portal:form", code=code)
    step = _from_draft(request, draft, agencies, known_cases)
    if request.method == "POST":
        draft_id = draft.get("id") or uuid.uuid4().hex
        _read_fields(request, step, known_cases)
        _read_fee_answers(request, step, version)
        _take_files(request, step, draft_id, components)
        _take_store(request, step, components)
        _validate(request, step, draft_id, agencies, components, form)
        _save_draft(request, code, {**step.as_draft(draft_id), "form": form})
        if not step.errors and not step.component_errors:
            return redirect("portal:review", code=code)
    return _submit_page(request, version, components, agencies, known_cases, step, form)


# ---------------------------------------------------------------------------- step 3


def _fee_quote(request: HttpRequest, version: ProcedureVersion, draft: dict) -> dict[str, Any]:
    """The amount due as the submission will compute it (catalog.fees.quote: the same
    answers, the components uploaded, the applicant's verified attributes, today's
    policies): the lines and the total the applicant sees before submitting."""
    uploaded = {e["component"] for e in draft.get("files", []) + draft.get("store", [])}
    day = timezone.localdate()
    try:
        quote = fees.quote(
            version,
            fees.clean_answers(draft.get("fee_answers")),
            channel=Channel.ONLINE,
            applicant_attributes=applicant_attributes(applicant_id(request.user), day),
            proofs=[c.name for c in version.components.all() if c.pk in uploaded],
            on_date=day,
        )
    except DomainError as exc:
        return {"fee_quote": None, "fee_error": exc}
    return {"fee_quote": quote, "fee_error": None}


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_or_404(code)
    draft = _draft(request, code)
    if draft is None:
        # A resubmitted form (a second click, the back button) after the draft was
        # submitted: show the dossier it made rather than making another.
        done = _submitted(request, request.POST.get("draft", ""))
        if done is not None:
            return redirect("portal:receipt", dossier_id=done.pk)
        return redirect("portal:submit", code=code)
    agency = next(
        (a for a in _receiving_agencies(version.procedure) if str(a.pk) == draft["agency"]), None
    )
    if agency is None:
        return redirect("portal:submit", code=code)
    errors: dict[str, DomainError] = {}
    component_errors: dict[int, list[DomainError]] = {}
    if request.method == "POST":
        try:
            try:
                files = _files_for_service(draft)
                authorization = _authorization_file(draft)
                reused = _reused(request, draft, list(version.components.all()))
            except OSError:
                # A concurrent click already submitted the draft and removed its files.
                done = _submitted(request, draft["id"])
                if done is not None:
                    return redirect("portal:receipt", dossier_id=done.pk)
                raise
            form = form_state(draft)
            definition = definition_of(form) if form else None
            submit_kwargs: dict[str, Any] = (
                {
                    "version": version,
                    "definition": definition,
                    "answers": form["raw"],
                    "place": agency.name,
                }
                if form and definition is not None
                else {"procedure": version.procedure}
            )
            submit_fn = (
                eform_services.dossier_submit_with_form
                if form and definition is not None
                else dossier_services.dossier_submit
            )
            dossier = submit_fn(
                actor=request.user,
                **submit_kwargs,
                receiving_agency=agency,
                request_summary=draft["summary"],
                applicant=draft["applicant"],
                principal=draft.get("principal") or None,
                authorization=authorization,
                files=files,
                cases=draft.get("cases", []),
                fee_answers=draft.get("fee_answers") or {},
                idempotency_key=_draft_key(draft["id"]),
                reused=reused,
            )
        except DomainError as exc:
            for err in errors_from(exc):
                key, component = _error_key(err)
                if component is not None:
                    component_errors.setdefault(component, []).append(err)
                else:
                    errors[key] = err
        else:
            _drop_draft(request, code)
            messages.success(
                request, pick("Hồ sơ đã được nộp thành công.", "Your dossier has been submitted.")
            )
            return redirect("portal:receipt", dossier_id=dossier.pk)
    kept = _by_component(draft)
    from_store = _by_component({"files": draft.get("store", [])})
    chosen_cases = draft.get("cases", [])
    form = form_state(draft) or {}
    components = [
        {
            "component": c,
            "needed": catalog_cases.needed(
                c,
                chosen_cases,
                required=form.get("required", ()),
                omitted=form.get("omitted", ()),
            ),
            "by_form": c.pk == form.get("declaration"),
            "files": kept.get(c.pk, []),
            "from_store": from_store.get(c.pk, []),
            "errors": component_errors.get(c.pk, []),
        }
        for c in version.components.all()
    ]
    return render(
        request,
        "portal/review.html",
        {
            "version": version,
            "procedure": version.procedure,
            "draft": draft,
            "agency": agency,
            "applicant": {**_applicant_defaults(request.user), **draft["applicant"]},
            "principal": draft.get("principal") or {},
            "authorization": draft.get("authorization"),
            "components": components,
            "cases": chosen_cases,
            **_fee_quote(request, version, draft),
            "due_preview": due_preview(version, agency, Channel.ONLINE),
            "errors": errors,
            "has_errors": bool(errors or component_errors),
        },
        status=400 if (errors or component_errors) else 200,
    )
