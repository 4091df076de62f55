"""The leader signs the result in the system (motcua.signing.services.result_sign): a PDF
in, the signed PDF attached as the electronic result."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from motcua.core.errors import DomainError, PermissionDenied
from motcua.core.templatetags.bilingual import pick
from motcua.dossiers.access import staff_roles
from motcua.dossiers.enums import TRANSITIONS, Action
from motcua.dossiers.models import Dossier
from motcua.signing.services import SIGNER_ROLE, result_sign

from .guards import forbidden, staff_required


def can_sign(user: object, dossier: Dossier) -> bool:
    """The page offers signing to a leader of the settling agency while a result may be
    attached; the service checks the same again."""
    return dossier.status in TRANSITIONS[Action.ATTACH_RESULT][0] and SIGNER_ROLE in staff_roles(
        user  # type: ignore[arg-type]
    ).get(dossier.settling_agency_id, set())


@require_POST
@staff_required
def sign_result(request, dossier_id: int):
    from .views import _get

    dossier = _get(request, dossier_id)
    here = reverse("backoffice:dossier", args=[dossier.pk]) + "#act-sign_result"
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, pick("Cần chọn tệp PDF kết quả để ký.", "Choose the result PDF."))
        return redirect(here)
    try:
        result_sign(
            dossier_id=dossier.pk,
            actor=request.user,
            file=upload,
            expected_version=int(request.POST.get("expected_version") or 0) or None,
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except DomainError as exc:
        messages.error(request, pick(exc.message, exc.message_en))
        return redirect(here)
    messages.success(
        request,
        pick(
            "Đã ký số kết quả và đính kèm làm kết quả điện tử.",
            "Result signed and attached as the electronic result.",
        ),
    )
    return redirect(reverse("backoffice:dossier", args=[dossier.pk]))
