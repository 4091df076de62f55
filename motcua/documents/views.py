"""Thin pages: a dossier's form as PDF, and the tracking log of an agency for a period."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from motcua.dossiers.access import can_view, is_province_monitor, staff_roles
from motcua.dossiers.accesslog import hidden_refusal, staff_read
from motcua.dossiers.attachments import StoredFileCorrupt, corrupt_response, verified_open
from motcua.dossiers.models import Dossier
from motcua.org.models import Agency

from . import selectors, services
from .enums import EVENT_KINDS, KIND_BY_ACTION, SLUGS, DocumentKind
from .rendering.sheets import TrackingLog
from .selectors import tracking_log_dossiers

MAX_LOG_DAYS = 366


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def dossier_document(request: HttpRequest, dossier_id: int, kind: str) -> HttpResponse:
    """The stored form (rendered now if missing). Event forms show the latest event of
    their kind, or the one given by ?su-kien=<seq>. 404 for anyone who may not see the
    dossier, so the page does not reveal which dossiers exist."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if kind not in DocumentKind.values:
        raise Http404
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None or not can_view(request.user, dossier):
        if dossier is not None:
            hidden_refusal(request.user, dossier, document=kind)
        raise Http404
    event = None
    if kind in EVENT_KINDS:
        seq = request.GET.get("su-kien")
        if seq is not None:
            if not seq.isdigit():
                raise Http404
            actions = [a for a, k in KIND_BY_ACTION.items() if k == kind]
            event = dossier.events.filter(seq=int(seq), action__in=actions).first()
        else:
            event = selectors.latest_event(dossier=dossier, kind=kind)
        if event is None:
            raise Http404
    doc = services.document_get_or_render(dossier=dossier, kind=kind, event=event)
    staff_read(request, dossier, what="document", document=kind)
    try:
        with verified_open(doc.file, sha256=doc.sha256) as fh:
            content = fh.read()
    except StoredFileCorrupt as exc:
        return corrupt_response(exc)
    name = dossier.code or f"ho-so-{dossier.pk}"
    once = (DocumentKind.RECEIPT, DocumentKind.ACKNOWLEDGEMENT)  # one per dossier
    suffix = f"-{event.seq}" if event is not None and kind not in once else ""
    return _pdf(content, f"{SLUGS[kind]}-{name}{suffix}.pdf")


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_GET
def tracking_log(request: HttpRequest) -> HttpResponse:
    """Sổ theo dõi hồ sơ: ?agency=<code>&from=YYYY-MM-DD&to=YYYY-MM-DD, for staff of that
    agency (and superusers / provincial monitors)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    agency = (
        Agency.objects.select_related("unit", "parent")
        .filter(code=request.GET.get("agency", ""))
        .first()
    )
    user = request.user
    if agency is None or not (
        agency.pk in staff_roles(user) or user.is_superuser or is_province_monitor(user)
    ):
        raise Http404
    start, end = _date(request.GET.get("from")), _date(request.GET.get("to"))
    if start is None or end is None or end < start or (end - start).days > MAX_LOG_DAYS:
        return HttpResponseBadRequest(
            "Tham số from/to phải là ngày YYYY-MM-DD, from ≤ to, tối đa 366 ngày. "
            "(from/to must be YYYY-MM-DD dates, from <= to, at most 366 days.)",
            content_type="text/plain; charset=utf-8",
        )
    dossiers = tracking_log_dossiers(agency=agency, start=start, end=end)
    content = TrackingLog(agency=agency, start=start, end=end, dossiers=dossiers).render()
    return _pdf(content, f"so-theo-doi-{agency.code}-{start:%Y%m%d}-{end:%Y%m%d}.pdf")


@require_GET
def fee_receipt(request: HttpRequest, dossier_id: int, receipt_id: int) -> HttpResponse:
    """A payment's fee receipt (biên lai) as PDF, for whoever may see the dossier (its
    applicant, the agencies' staff); 404 for anyone else."""
    from motcua.payments.models import Receipt

    from .receipts import receipt_pdf

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None or not can_view(request.user, dossier):
        raise Http404
    receipt = Receipt.objects.filter(pk=receipt_id, dossier_id=dossier.pk).first()
    if receipt is None:
        raise Http404
    name = f"bien-lai-{receipt.series}-{receipt.number_text}".replace("/", "-")
    return _pdf(receipt_pdf(receipt), f"{name}.pdf")


@require_GET
def fee_receipt_xml(request: HttpRequest, dossier_id: int, receipt_id: int) -> HttpResponse:
    """The receipt's signed XML (the e-receipt proper, motcua.documents.ereceipt), for the
    same people as its PDF; 404 for anyone else."""
    from motcua.payments.models import Receipt

    from .ereceipt import receipt_xml

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None or not can_view(request.user, dossier):
        if dossier is not None:
            hidden_refusal(request.user, dossier, document="fee_receipt_xml")
        raise Http404
    receipt = (
        Receipt.objects.select_related("agency", "dossier")
        .filter(pk=receipt_id, dossier_id=dossier.pk)
        .first()
    )
    if receipt is None:
        raise Http404
    staff_read(request, dossier, what="document", document="fee_receipt_xml")
    content = receipt_xml(receipt)
    name = f"bien-lai-{receipt.series}-{receipt.number_text}".replace("/", "-")
    response = HttpResponse(content, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.xml"'
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    return response
