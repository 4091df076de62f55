"""The leader signs the result in the system (motcua.signing.services.result_sign): a PDF
in, the signed PDF attached as the electronic result; and revokes an issued result
(motcua.signing.services.issued_result_revoke)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from motcua.core.errors import DomainError, PermissionDenied
from motcua.core.templatetags.bilingual import pick
from motcua.dossiers.access import staff_roles
from motcua.dossiers.enums import TRANSITIONS, Action
from motcua.dossiers.models import Dossier
from motcua.signing.models import IssuedResult
from motcua.signing.services import SIGNER_ROLE, issued_result_revoke, result_sign

from .guards import forbidden, render_page, staff_required


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


def can_revoke(user: object, dossier: Dossier) -> bool:
    """The page offers revocation to a leader of the settling agency (the service checks
    the same again)."""
    return SIGNER_ROLE in staff_roles(user).get(  # type: ignore[arg-type]
        dossier.settling_agency_id, set()
    )


def issued_rows(user: object, dossier: Dossier) -> list[dict[str, object]]:
    """The dossier's issued results (codes) for its page, newest first, with whether the
    officer may revoke each."""
    may = can_revoke(user, dossier)
    rows = []
    for issued in (
        IssuedResult.objects.filter(dossier_id=dossier.pk)
        .select_related("replaced_by")
        .order_by("-issued_at", "-pk")
    ):
        rows.append({"r": issued, "revocable": may and issued.revoked_at is None})
    return rows


@require_http_methods(["GET", "POST"])
@staff_required
def revoke_result(request, dossier_id: int, code: str):
    """Thu hồi kết quả: a leader of the settling agency revokes one of the dossier's issued
    results with a reason (motcua.signing.services.issued_result_revoke); the public
    verification page then says it was revoked, when and why."""
    from .views import _get

    dossier = _get(request, dossier_id)
    issued = IssuedResult.objects.filter(dossier_id=dossier.pk, code=code).first()
    if issued is None:
        raise Http404
    if not can_revoke(request.user, dossier):
        return forbidden(
            request,
            PermissionDenied(
                "Chỉ lãnh đạo cơ quan giải quyết hồ sơ được thu hồi kết quả.",
                "Only a leader of the settling agency may revoke a result.",
            ),
        )
    error = None
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            issued_result_revoke(code=issued.code, actor=request.user, reason=reason)
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                pick(f"Đã thu hồi kết quả {issued.code}.", f"Result {issued.code} was revoked."),
            )
            return redirect(reverse("backoffice:dossier", args=[dossier.pk]) + "#issued")
    return render_page(
        request,
        "backoffice/revoke_result.html",
        {"d": dossier, "issued": issued, "error": error, "reason": reason},
        status=error.status if error else 200,
    )
