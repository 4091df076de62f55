"""Fee receipts (biên lai) over the API: a dossier's receipts, and one as PDF or as its
signed XML (the e-receipt, motcua.documents.ereceipt), for whoever may see the dossier (others get 404, as for the dossier itself)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Schema

from motcua.api.auth import AUTH
from motcua.core.errors import NotFound
from motcua.dossiers import selectors as dossier_selectors
from motcua.payments.models import Receipt

from .receipts import receipt_pdf

router = Router(tags=["receipts"], auth=AUTH)
RowId = Path(..., ge=1, le=2**63 - 1)


class ReceiptFeeLineOut(Schema):
    name: str
    amount_vnd: int


class ReceiptOut(Schema):
    """Biên lai thu phí, lệ phí (a fee receipt)."""

    id: int
    template: str
    series: str
    number: str
    issued_at: dt.datetime
    agency: str
    payer_name: str
    fee_lines: list[ReceiptFeeLineOut]
    amount_vnd: int
    amount_words: str
    channel: str
    provider_txn_no: str
    paper_receipt_number: str
    pdf: str
    xml: str


def _receipt(r: Receipt) -> dict[str, Any]:
    return {
        "id": r.pk,
        "template": r.template,
        "series": r.series,
        "number": r.number_text,
        "issued_at": r.issued_at,
        "agency": r.agency.code,
        "payer_name": r.payer_name,
        "fee_lines": r.fee_lines,
        "amount_vnd": r.amount_vnd,
        "amount_words": r.amount_words,
        "channel": r.channel,
        "provider_txn_no": r.provider_txn_no,
        "paper_receipt_number": r.paper_receipt_number,
        "pdf": f"/api/receipts/{r.pk}/pdf",
        "xml": f"/api/receipts/{r.pk}/xml",
    }


@router.get("/dossier/{dossier_id}", response=list[ReceiptOut], url_name="receipts_of_dossier")
def receipts_of_dossier(request: HttpRequest, dossier_id: int = RowId) -> list[dict[str, Any]]:
    d = dossier_selectors.dossier_get(user=request.user, dossier_id=dossier_id)
    return [
        _receipt(r)
        for r in Receipt.objects.filter(dossier_id=d.pk).select_related("agency").order_by("pk")
    ]


@router.get(
    "/{receipt_id}/pdf",
    url_name="receipt_pdf",
    openapi_extra={
        "responses": {
            200: {
                "description": "Tệp PDF của biên lai (the receipt as PDF)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def receipt_file(request: HttpRequest, receipt_id: int = RowId) -> HttpResponse:
    receipt = Receipt.objects.filter(pk=receipt_id).only("pk", "dossier_id").first()
    if receipt is None:
        raise NotFound("biên lai", "Receipt", field="receipt_id")
    dossier_selectors.dossier_get(user=request.user, dossier_id=receipt.dossier_id)
    content = receipt_pdf(receipt)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{receipt.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get(
    "/{receipt_id}/xml",
    url_name="receipt_xml",
    openapi_extra={
        "responses": {
            200: {
                "description": "Biên lai điện tử có chữ ký số (the signed XML e-receipt)",
                "content": {"application/xml": {"schema": {"type": "string"}}},
            }
        }
    },
)
def receipt_signed_xml(request: HttpRequest, receipt_id: int = RowId) -> HttpResponse:
    from .ereceipt import receipt_xml

    receipt = Receipt.objects.filter(pk=receipt_id).only("pk", "dossier_id").first()
    if receipt is None:
        raise NotFound("biên lai", "Receipt", field="receipt_id")
    dossier_selectors.dossier_get(user=request.user, dossier_id=receipt.dossier_id)
    content = receipt_xml(receipt)
    response = HttpResponse(content, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bien-lai-{receipt.pk}.xml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
