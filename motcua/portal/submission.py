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
from motcua.dossiers import services as dossier_services
from motcua.dossiers.access import applicant_id
from motcua.dossiers.attachments import check_file

from .drafts import DRAFTS
from .views import _receiving_agencies, _version_or_404, due_preview, online_state

APPLICANT_FIELDS = ("name", "phone", "email", "address")


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
    for entry in (draft or {}).get("files", []):
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
    return field.replace("applicant.", "applicant_") or "__all__", None


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
    if request.method == "POST":
        applicant.update(
            {k: request.POST.get(f"applicant_{k}", "").strip() for k in APPLICANT_FIELDS}
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
            dossier = dossier_services.dossier_submit(
                actor=request.user,
                procedure=version.procedure,
                receiving_agency=agency,
                request_summary=draft["summary"],
                applicant=draft["applicant"],
                files=_files_for_service(draft),
                cases=draft.get("cases", []),
            )
        except DomainError as exc:
            key, component = _error_key(exc)
            if component is not None:
                component_errors.setdefault(component, []).append(exc)
            else:
                errors[key] = exc
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
            "components": components,
            "cases": chosen_cases,
            "fees": list(version.fees.all()),
            "due_preview": due_preview(version, agency, Channel.ONLINE),
            "errors": errors,
            "has_errors": bool(errors or component_errors),
        },
        status=400 if (errors or component_errors) else 200,
    )
