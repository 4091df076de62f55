"""Online submission as a short wizard that works without JavaScript.

Step 1 is choosing the procedure (search). Step 2 is one form: the applicant's details
(prefilled from the account), where it is received, and one upload per component. Every
file is checked with the service's own check (`dossiers.attachments.check_file`) so each
bad file gets its own message; good files are kept in a draft (file storage, referenced
from the session), so a correction never asks again for files that were fine. Step 3 is
the review: what will be sent, the fees and the expected due date; "Submit" calls
`dossiers.services.dossier_submit` with the draft's files, and the receipt follows.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from motcua.catalog import cases as catalog_cases
from motcua.catalog.enums import Channel
from motcua.core.errors import DomainError
from motcua.core.templatetags.bilingual import pick
from motcua.core.validation import FieldErrors, errors_from, validate_party
from motcua.dossiers import services as dossier_services
from motcua.dossiers.access import applicant_id
from motcua.dossiers.attachments import check_file

from .drafts import DRAFTS
from .views import _receiving_agencies, _version_or_404, due_preview, online_state

# The name and personal number / tax code come from the account (not editable here); the
# contact details may be changed for this dossier.
APPLICANT_FIELDS = ("phone", "email", "address")
PRINCIPAL_FIELDS = ("name", "id_number")


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


def _store(draft_id: str, component_id: int, name: str, content: bytes) -> str:
    return default_storage.save(
        f"{DRAFTS}/{draft_id}/{component_id}-{uuid.uuid4().hex[:8]}", ContentFile(content)
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


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_or_404(code)
    components = list(version.components.all())
    agencies = _receiving_agencies(version.procedure)
    draft = _draft(request, code) or {}
    applicant = {**_applicant_defaults(request.user), **draft.get("applicant", {})}
    summary = draft.get("summary", "")
    known_cases = catalog_cases.cases_of(components)
    chosen_cases = [c for c in draft.get("cases", []) if c in known_cases]
    chosen_agency = draft.get("agency") or (str(agencies[0].pk) if agencies else "")
    errors: dict[str, DomainError] = {}
    component_errors: dict[int, list[DomainError]] = {}
    principal = dict(draft.get("principal") or {})
    represent = bool(principal)
    authorization = draft.get("authorization")
    if request.method == "POST":
        applicant.update(
            {k: request.POST.get(f"applicant_{k}", "").strip() for k in APPLICANT_FIELDS}
        )
        represent = request.POST.get("represent") == "1"
        principal = (
            {k: request.POST.get(f"principal_{k}", "").strip() for k in PRINCIPAL_FIELDS}
            if represent
            else {}
        )
        summary = request.POST.get("request_summary", "").strip()
        chosen_agency = request.POST.get("receiving_agency", "")
        posted = set(request.POST.getlist("cases"))
        chosen_cases = [c for c in known_cases if c in posted]
        draft_id = draft.get("id") or uuid.uuid4().hex
        kept = [
            e
            for e in draft.get("files", [])
            if f"remove_{e['path']}" not in request.POST
            and not request.FILES.getlist(f"component_{e['component']}")
        ]
        for entry in draft.get("files", []):
            if entry not in kept:
                default_storage.delete(entry["path"])
        for c in components:
            for upload in request.FILES.getlist(f"component_{c.pk}"):
                try:
                    checked = check_file(upload, field=f"files.{c.pk}")
                except DomainError as exc:
                    component_errors.setdefault(c.pk, []).append(exc)
                    continue
                path = _store(draft_id, c.pk, checked.name, checked.content)
                kept.append(
                    {"component": c.pk, "name": checked.name, "path": path, "size": checked.size}
                )
        # The same checks as the service (motcua.core.validation): every error at once,
        # each next to its field.
        found = FieldErrors()
        validate_party(
            prefix="applicant.", **{k: applicant.get(k, "") for k in APPLICANT_FIELDS}, errors=found
        )
        upload = request.FILES.get("authorization")
        if authorization and (not represent or upload is not None):
            default_storage.delete(authorization["path"])
            authorization = None
        if represent:
            validate_party(
                prefix="principal.",
                name=principal.get("name", ""),
                id_number=principal.get("id_number", ""),
                id_required=True,
                errors=found,
            )
            if upload is not None:
                checked_auth = found.check(check_file, upload, field="authorization")
                if checked_auth is not None:
                    path = _store(draft_id, 0, checked_auth.name, checked_auth.content)
                    authorization = {
                        "name": checked_auth.name,
                        "path": path,
                        "size": checked_auth.size,
                    }
            elif authorization is None:
                found.add(
                    DomainError(
                        "authorization_required",
                        "Cần đính kèm giấy ủy quyền khi nộp thay người khác.",
                        "Attach the authorisation document when filing for someone else.",
                        field="authorization",
                    )
                )
        for err in found.errors:
            errors[_error_key(err)[0]] = err
        if not any(str(a.pk) == chosen_agency for a in agencies):
            errors["receiving_agency"] = DomainError(
                "receiving_agency_required",
                "Chọn nơi tiếp nhận hồ sơ.",
                "Choose where the dossier is received.",
                field="receiving_agency",
            )
        # The same rule as the service (catalog.cases): every component required, and
        # those of the cases ticked, must have a file; each missing one gets its message.
        attached = {e["component"] for e in kept}
        for c in catalog_cases.missing(components, chosen_cases, attached):
            if c.pk not in component_errors:
                component_errors[c.pk] = [
                    DomainError(
                        "component_required",
                        "Chưa đính kèm giấy tờ bắt buộc này.",
                        "This required document is not attached.",
                        field=f"files.{c.pk}",
                    )
                ]
        draft = {
            "id": draft_id,
            "applicant": {k: applicant.get(k, "") for k in APPLICANT_FIELDS},
            "principal": principal,
            "authorization": authorization,
            "summary": summary,
            "agency": chosen_agency,
            "cases": chosen_cases,
            "files": kept,
        }
        _save_draft(request, code, draft)
        if not errors and not component_errors:
            return redirect("portal:review", code=code)
    kept_by_component = _by_component(draft)
    return render(
        request,
        "portal/submit.html",
        {
            "version": version,
            "procedure": version.procedure,
            "components": [
                {
                    "component": c,
                    "needed": catalog_cases.needed(c, chosen_cases),
                    "errors": component_errors.get(c.pk, []),
                    "kept": kept_by_component.get(c.pk, []),
                }
                for c in components
            ],
            "cases": [
                {"text": case, "i": i, "chosen": case in chosen_cases}
                for i, case in enumerate(known_cases)
            ],
            "agencies": agencies,
            "chosen_agency": chosen_agency,
            "applicant": applicant,
            "represent": represent,
            "principal": principal,
            "authorization": authorization,
            "is_applicant": applicant_id(request.user) is not None,
            "summary": summary,
            "errors": errors,
            "has_errors": bool(errors or component_errors),
            "component_errors": component_errors,
            "online": online_state(version) == (True, False),
            "online_no_limit": online_state(version)[1],
        },
        status=400 if (errors or component_errors) else 200,
    )


# ---------------------------------------------------------------------------- step 3


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
            except OSError:
                # A concurrent click already submitted the draft and removed its files.
                done = _submitted(request, draft["id"])
                if done is not None:
                    return redirect("portal:receipt", dossier_id=done.pk)
                raise
            dossier = dossier_services.dossier_submit(
                actor=request.user,
                procedure=version.procedure,
                receiving_agency=agency,
                request_summary=draft["summary"],
                applicant=draft["applicant"],
                principal=draft.get("principal") or None,
                authorization=authorization,
                files=files,
                cases=draft.get("cases", []),
                idempotency_key=_draft_key(draft["id"]),
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
    chosen_cases = draft.get("cases", [])
    components = [
        {
            "component": c,
            "needed": catalog_cases.needed(c, chosen_cases),
            "files": kept.get(c.pk, []),
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
            "fees": list(version.fees.all()),
            "due_preview": due_preview(version, agency, Channel.ONLINE),
            "errors": errors,
            "has_errors": bool(errors or component_errors),
        },
        status=400 if (errors or component_errors) else 200,
    )
