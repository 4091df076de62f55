"""The reconciliation page (Đối soát thanh toán): the open differences between our payments
and the gateway's settlement file, each with a resolve form (a reason is required). Thin
caller of motcua.payments.services; plain POST then redirect, no JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from motcua.core.templatetags.bilingual import pick
from motcua.payments import services
from motcua.payments.models import (
    DIFF_KIND_EN,
    DiffKind,
    ItemStatus,
    ReconciliationItem,
    ReconciliationRun,
)

from .guards import forbidden, render_page, staff_required

LIMIT = 200


def _page(
    request: HttpRequest, errors: dict[int, str] | None = None, status: int = 200
) -> HttpResponse:
    rows = list(
        ReconciliationItem.objects.filter(status=ItemStatus.OPEN)
        .select_related("payment__dossier")
        .order_by("date", "pk")[: LIMIT + 1]
    )
    items = [
        {
            "i": item,
            "kind": pick(DiffKind(item.kind).label, DIFF_KIND_EN[item.kind]),
            "url": reverse("backoffice:reconciliation_resolve", args=[item.pk]),
            "error": (errors or {}).get(item.pk, ""),
            "value": request.POST.get("resolution", "") if (errors or {}).get(item.pk) else "",
        }
        for item in rows[:LIMIT]
    ]
    context = {
        "items": items,
        "more": len(rows) > LIMIT,
        "runs": list(ReconciliationRun.objects.order_by("-started_at")[:10]),
    }
    return render_page(request, "backoffice/reconciliation.html", context, status=status)


@require_GET
@staff_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@staff_required
def resolve(request: HttpRequest, item_id: int) -> HttpResponseBase:
    here = reverse("backoffice:reconciliation")
    try:
        services.reconciliation_resolve(
            item_id=item_id, actor=request.user, resolution=request.POST.get("resolution", "")
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except (NotFound, IllegalTransition) as exc:
        messages.error(request, pick(exc.message, exc.message_en))
        return redirect(here)
    except DomainError as exc:
        return _page(request, {item_id: pick(exc.message, exc.message_en)}, status=422)
    messages.success(request, pick("Đã xử lý chênh lệch.", "The difference was resolved."))
    return redirect(here)
