"""The refunds page (hoàn trả) of the back office: the refunds of the officer's agencies'
dossiers and the money that matched no obligation (paid_unmatched), with one plain POST
form per step (request, record, reconcile) calling motcua.payments.services, then a
redirect. Works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import DomainError, PermissionDenied
from motcua.core.http import client_address
from motcua.core.templatetags.bilingual import pick
from motcua.dossiers.access import staff_roles
from motcua.payments import services
from motcua.payments.models import Payment, PaymentStatus, Refund, RefundMethod

from .guards import forbidden, render_page, staff_required


def _mine(request: HttpRequest) -> Q:
    if request.user.is_superuser:
        return Q()
    agencies = list(staff_roles(request.user))
    return Q(dossier__receiving_agency_id__in=agencies) | Q(
        dossier__settling_agency_id__in=agencies
    )


@staff_required
@require_GET
def refunds(request: HttpRequest) -> HttpResponse:
    mine = _mine(request)
    rows = (
        Refund.objects.filter(mine)
        .select_related("dossier", "payment")
        .order_by("status", "-requested_at")[:200]
    )
    unmatched = (
        Payment.objects.filter(mine, status=PaymentStatus.PAID_UNMATCHED, refund=None)
        .select_related("dossier")
        .order_by("-paid_at")[:200]
    )
    methods = [(RefundMethod.TRANSFER, "Chuyển khoản"), (RefundMethod.CASH, "Tiền mặt")]
    return render_page(
        request,
        "backoffice/refunds.html",
        {"refunds": rows, "unmatched": unmatched, "methods": methods},
    )


def _run(request: HttpRequest, fn, **kwargs) -> HttpResponse:
    try:
        fn(actor=request.user, **kwargs)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except DomainError as exc:
        messages.error(request, pick(exc.message, exc.message_en))
    else:
        messages.success(request, pick("Đã ghi nhận.", "Recorded."))
    return redirect(reverse("backoffice:refunds"))


@staff_required
@require_POST
def refund_request(request: HttpRequest, payment_id: int) -> HttpResponse:
    return _run(
        request,
        services.refund_request,
        payment_id=payment_id,
        reason=request.POST.get("reason", ""),
    )


@staff_required
@require_POST
def refund_record(request: HttpRequest, refund_id: int) -> HttpResponse:
    return _run(
        request,
        services.refund_record,
        refund_id=refund_id,
        method=request.POST.get("method", ""),
        reference=request.POST.get("reference", ""),
    )


@staff_required
@require_POST
def refund_reconcile(request: HttpRequest, refund_id: int) -> HttpResponse:
    return _run(request, services.refund_reconcile, refund_id=refund_id)


@staff_required
@require_POST
def refund_gateway(request: HttpRequest, refund_id: int) -> HttpResponse:
    return _run(
        request,
        services.refund_via_gateway,
        refund_id=refund_id,
        client_ip=client_address(request),
    )
