"""The digitization page of a dossier (số hóa): per component, the scans made at the counter
with their state, code, who and when, the recognised text for the officer's check; a form to
scan a component (one PDF or page images) and a retry for a failed scan. Plain POST +
redirect; while an OCR is pending the page refreshes itself (no JavaScript needed)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.core.templatetags.bilingual import pick
from motcua.digitization import rules, services
from motcua.digitization.enums import PENDING, STATUS_EN, ScanStatus
from motcua.digitization.models import Scan
from motcua.dossiers import selectors
from motcua.dossiers.accesslog import staff_read

from .guards import forbidden, render_page, staff_required


def _get(request: HttpRequest, dossier_id: int):
    try:
        return selectors.dossier_get(user=request.user, dossier_id=dossier_id)
    except NotFound:
        raise Http404 from None


@staff_required
@require_GET
def scans(request: HttpRequest, dossier_id: int) -> HttpResponse:
    d = _get(request, dossier_id)
    staff_read(request, d, what="scans")
    all_scans = list(
        Scan.objects.filter(dossier=d).select_related("requested_by", "attachment").order_by("pk")
    )
    components = []
    for c in d.procedure_version.components.order_by("order", "pk"):
        mine = [s for s in all_scans if s.component_id == c.pk]
        components.append({"c": c, "scans": mine})
    now = timezone.now()
    retryable = {s.pk for s in all_scans if s.status == ScanStatus.FAILED or rules.is_stale(s, now)}
    pending = any(s.status in PENDING and s.pk not in retryable for s in all_scans)
    return render_page(
        request,
        "backoffice/scans.html",
        {
            "d": d,
            "components": components,
            "pending": pending,
            "retryable": retryable,
            "may_scan": rules.may_digitize(request.user, d) and d.status in rules.OPEN_FOR_SCANS,
            "status_en": STATUS_EN,
        },
    )


@staff_required
@require_GET
def scan_text(request: HttpRequest, dossier_id: int, scan_id: int) -> HttpResponse:
    d = _get(request, dossier_id)
    scan = Scan.objects.filter(pk=scan_id, dossier_id=d.pk).select_related("component").first()
    if scan is None:
        raise Http404
    staff_read(request, d, what="scan_text")
    return render_page(request, "backoffice/scan_text.html", {"d": d, "scan": scan})


def _back(dossier_id: int) -> HttpResponse:
    return redirect(reverse("backoffice:scans", args=[dossier_id]))


@staff_required
@require_POST
def scan_new(request: HttpRequest, dossier_id: int) -> HttpResponse:
    d = _get(request, dossier_id)
    component = request.POST.get("component", "")
    try:
        services.scan_request(
            dossier_id=d.pk,
            component_id=int(component) if component.isdigit() else 0,
            files=request.FILES.getlist("files"),
            actor=request.user,
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except DomainError as exc:
        messages.error(request, pick(exc.message, exc.message_en))
    else:
        messages.success(
            request, pick("Đã nhận bản quét, đang nhận dạng.", "Scan received, OCR under way.")
        )
    return _back(d.pk)


@staff_required
@require_POST
def scan_retry(request: HttpRequest, dossier_id: int, scan_id: int) -> HttpResponse:
    d = _get(request, dossier_id)
    if not Scan.objects.filter(pk=scan_id, dossier_id=d.pk).exists():
        raise Http404
    try:
        services.scan_retry(scan_id=scan_id, actor=request.user)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except DomainError as exc:
        messages.error(request, pick(exc.message, exc.message_en))
    else:
        messages.success(request, pick("Đã xếp hàng nhận dạng lại.", "Queued for OCR again."))
    return _back(d.pk)
