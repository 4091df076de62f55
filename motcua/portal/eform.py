"""The electronic form step of an online submission (issue 13): when the procedure
version has a form (motcua.eforms), the applicant fills it first, then hands in only the
components still needed (the form's rules, catalog.cases.needed; the declaration itself is
made from the form, so it is not uploaded).

Works without JavaScript: "Thêm một mục" / "Bỏ mục này" of a repeated group and "Cập nhật
tờ khai" are submit buttons answered by showing the form again; the small script
eforms/eforms.js only shows and hides the conditional sections live. The answers are kept
in the session's draft as posted and validated again at the final submission, by the
service, with the account's verified values (a locked value cannot be changed).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from motcua.eforms import selectors as eform_selectors
from motcua.eforms.answers import read_post, validate
from motcua.eforms.models import FormDefinition
from motcua.eforms.prefill import prefill_for
from motcua.eforms.render import form_context, group_action, remove_item
from motcua.eforms.services import declaration_component

from .views import _version_or_404


def _key(code: str) -> str:
    return f"portal_draft:{code}"


def form_state(draft: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the filled form decided, as kept in the draft ({"definition", "raw",
    "required", "omitted", "declaration"}), or None before the form is filled."""
    return (draft or {}).get("form")


def definition_of(state: dict[str, Any]) -> FormDefinition | None:
    pk = state.get("definition")
    if not isinstance(pk, int):
        return None
    return FormDefinition.objects.filter(pk=pk).first()


@login_required
@require_http_methods(["GET", "POST"])
def form_step(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_or_404(code)
    definition = eform_selectors.form_for_version(version)
    if definition is None:
        return redirect("portal:submit", code=code)
    document = definition.document
    draft = dict(request.session.get(_key(code)) or {})
    state = form_state(draft) or {}
    prefill = prefill_for(document, getattr(request.user, "applicant", None))
    answers: dict[str, Any] = (
        state.get("raw", {}) if state.get("definition") == definition.pk else {}
    )
    errors: list = []
    counts = None
    if request.method == "POST":
        answers = read_post(document, request.POST)
        counts, pressed = group_action(document, request.POST)
        if pressed and request.POST.get("eform_remove"):
            remove_item(answers, request.POST)
            counts = None
        if not pressed and not request.POST.get("eform_refresh"):
            result = validate(document, answers, prefill=prefill)
            errors = result.errors
            if result.ok:
                assert result.decision is not None
                declared = declaration_component(document, list(version.components.all()))
                draft.setdefault("id", uuid.uuid4().hex)
                draft["form"] = {
                    "definition": definition.pk,
                    "raw": answers,
                    "required": result.decision.require_components,
                    "omitted": result.decision.omit_components,
                    "declaration": declared.pk if declared is not None else None,
                }
                request.session[_key(code)] = draft
                request.session.modified = True
                return redirect("portal:submit", code=code)
    context = form_context(document, answers, errors=errors, prefill=prefill, counts=counts)
    return render(
        request,
        "portal/eform.html",
        {"version": version, "procedure": version.procedure, "definition": definition, **context},
        status=400 if errors else 200,
    )
