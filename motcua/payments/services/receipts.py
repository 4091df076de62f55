"""Biên lai điện tử: one receipt per payment that took money, numbered in the same
transaction that made the payment paid.

Numbering: per collecting agency (the dossier's settling agency, the fee collector of
reference §1.3), per template (mẫu số) and series (ký hiệu) from the settings, per year, an
unbroken sequence: the `ReceiptSequence` row is taken under its row lock, so concurrent
payments queue on it and a rolled-back payment gives its number back (the next one takes
it). The template and series a province registers with the tax authority (Decree
123/2020 art. 34) are settings: `MOTCUA_RECEIPT_TEMPLATE`, `MOTCUA_RECEIPT_SERIES` (with
`{yy}` for the year's last two digits) and per agency `MOTCUA_RECEIPT_SERIES_BY_AGENCY`
("CODE=TEMPLATE/SERIES;…"). The values shipped are placeholders: UNCONFIRMED.

The legal e-receipt is XML signed by the collector (Decree 123/2020 art. 33): after the
commit, motcua.documents signs the receipt's XML with the collecting agency's key
(motcua.documents.ereceipt; the structure is ours, the official one UNCONFIRMED) and
renders its PDF, both kept with the row; then `receipt_mail` sends them to the applicant
("sent to the applicant and kept with the dossier"; docs/payments.md "Biên lai điện tử").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from motcua.core import rows
from motcua.core.text import nfc
from motcua.dossiers.models import Dossier

from ..models import EventKind, Payment, PaymentEvent, Receipt, ReceiptSequence
from ..words import amount_in_words, vnd_figures
from ._common import _event

VN_TZ = dt.timezone(dt.timedelta(hours=7))


def receipt_series_for(agency_code: str, year: int) -> tuple[str, str]:
    """(template, series) of the agency's receipts for `year`, from the settings."""
    template = str(getattr(settings, "MOTCUA_RECEIPT_TEMPLATE", "") or "01BLP0-001")
    series = str(getattr(settings, "MOTCUA_RECEIPT_SERIES", "") or "BL-{yy}E")
    table = str(getattr(settings, "MOTCUA_RECEIPT_SERIES_BY_AGENCY", "") or "")
    for item in table.split(";"):
        code, _, value = item.strip().partition("=")
        if code.strip() == agency_code and "/" in value:
            template, series = (v.strip() for v in value.split("/", 1))
    return template[:20], series.replace("{yy}", f"{year % 100:02d}")[:20]


@cache
def _number_upsert(vendor: str) -> str:
    """INSERT … ON CONFLICT DO UPDATE … RETURNING on ReceiptSequence, names from the model
    (motcua.core.rows, docs/adr/0003; as the dossiers' book numbers)."""
    t = rows.table(ReceiptSequence)
    agency, template, series, year, last = (
        rows.column(ReceiptSequence, n) for n in ("agency", "template", "series", "year", "last")
    )
    return (
        f"INSERT INTO {t} ({agency}, {template}, {series}, {year}, {last}) "  # noqa: S608
        f"VALUES (%s, %s, %s, %s, 1) ON CONFLICT ({agency}, {template}, {series}, {year}) "
        f"DO UPDATE SET {last} = {t}.{last} + 1 RETURNING {last}"
    )


def _next_number(agency_id: int, template: str, series: str, year: int) -> int:
    """The next number of the series, in one statement that creates the sequence's row or
    takes its row lock (until the caller's transaction ends) and counts on: concurrent
    payments queue on the row, and a rollback gives the number back."""
    with connection.cursor() as cur:
        cur.execute(_number_upsert(connection.vendor), [agency_id, template, series, year])
        row = cur.fetchone()
    return int(row[0])


def _fee_lines(dossier: Dossier, amount_vnd: int) -> list[dict[str, object]]:
    """The lines of the fee assessment the dossier keeps (catalog.fees, with phí / lệ phí)
    when they add up to what was paid; else the procedure's fixed fee items when they do;
    otherwise one line for the whole amount."""
    assessment = dossier.fee_assessment or {}
    lines = [
        {
            "name": nfc(str(line.get("name", "")))[:300],
            "kind": str(line.get("kind", "")),
            "amount_vnd": int(line["final_vnd"]),
        }
        for line in assessment.get("lines", [])
        if isinstance(line, dict) and isinstance(line.get("final_vnd"), int) and line["final_vnd"]
    ]
    if lines and sum(int(str(i["amount_vnd"])) for i in lines) == amount_vnd:
        return lines
    items = [
        {"name": nfc(f.name)[:300], "kind": f.kind, "amount_vnd": int(f.amount_vnd)}
        for f in dossier.procedure_version.fees.all()
        if f.amount_vnd
    ]
    if items and sum(int(str(i["amount_vnd"])) for i in items) == amount_vnd:
        return items
    return [
        {"name": f"Phí, lệ phí hồ sơ {dossier.code}".strip(), "kind": "", "amount_vnd": amount_vnd}
    ]


def issue_receipt(
    payment: Payment, *, dossier: Dossier | None = None, paper_receipt_number: str = ""
) -> Receipt:
    """Issue the receipt of `payment`, which has just taken money (paid or paid_unmatched),
    inside the caller's transaction (which holds the dossier's and the payment's locks).
    Called once, when the payment turns paid or paid_unmatched (a final state it never
    leaves); the database holds a payment to one receipt (one-to-one). `dossier`: the
    payment's dossier as the caller locked it, with its settling agency and procedure
    version loaded (else it is read here)."""
    if dossier is None or dossier.pk != payment.dossier_id:
        dossier = Dossier.objects.select_related("settling_agency", "procedure_version").get(
            pk=payment.dossier_id
        )
    agency = dossier.settling_agency
    issued_at = payment.paid_at or timezone.now()
    year = issued_at.astimezone(VN_TZ).year
    template, series = receipt_series_for(agency.code, year)
    number = _next_number(agency.pk, template, series, year)
    receipt = Receipt(
        payment=payment,
        dossier_id=dossier.pk,
        agency=agency,
        template=template,
        series=series,
        year=year,
        number=number,
        issued_at=issued_at,
        payer_name=nfc(dossier.applicant_name)[:255],
        payer_id_number=dossier.applicant_id_number,
        payer_address=nfc(dossier.applicant_address or "")[:500],
        fee_lines=_fee_lines(dossier, payment.amount_vnd),
        amount_vnd=payment.amount_vnd,
        amount_words=amount_in_words(payment.amount_vnd),
        channel=payment.channel,
        provider_txn_no=payment.provider_txn_no,
        paper_receipt_number=nfc(paper_receipt_number)[:100],
    )
    rows.save_new(receipt)  # a new row: one INSERT (issued receipts are final: Receipt.save)
    receipt._had_file = False
    _event(
        payment,
        EventKind.RECEIPT,
        "issued",
        verified=True,
        params={"template": template, "series": series, "year": year, "number": number},
        from_status=payment.status,
    )
    return receipt


MAILED = "mailed"  # the PaymentEvent outcome that records the receipt was sent
Attachment = tuple[str, bytes, str]  # (file name, content, MIME type)


def _masked(address: str) -> str:
    """An address as the event log keeps it: enough for staff to recognise, not to copy."""
    user, _, domain = address.partition("@")
    return f"{user[:2]}***@{domain}"


def receipt_mail(*, receipt_id: int, attachments: Callable[[Receipt], list[Attachment]]) -> bool:
    """Send the issued receipt to the applicant by e-mail, with its files (`attachments`:
    the PDF and the signed XML, which motcua.documents makes), once: under the payment's
    row lock, a receipt already mailed is not mailed again, and the sending is recorded as
    a PaymentEvent (kind receipt, outcome mailed) in the same transaction, which the back
    office shows. No address on the dossier: nothing is sent (False). A failure of the
    mail server raises and records nothing (the repair sweep tries again)."""
    receipt = Receipt.objects.select_related("dossier", "agency").get(pk=receipt_id)
    to = (receipt.dossier.applicant_email or "").strip()
    if not to:
        return False
    files = attachments(receipt)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=receipt.payment_id)
        if PaymentEvent.objects.filter(
            payment_id=payment.pk, kind=EventKind.RECEIPT, outcome=MAILED
        ).exists():
            return False
        code = receipt.dossier.code or ""
        label = f"{receipt.series} số {receipt.number_text}"
        message = EmailMessage(
            subject=f"Biên lai thu phí, lệ phí {label} - hồ sơ {code} (fee receipt)",
            body=(
                f"Kính gửi Ông/Bà {receipt.payer_name},\n\n"
                f"{receipt.agency.name} gửi Ông/Bà biên lai thu phí, lệ phí {label} "
                f"(mẫu số {receipt.template}) của hồ sơ {code}: số tiền "
                f"{vnd_figures(receipt.amount_vnd)} đồng ({receipt.amount_words}).\n"
                "Tệp PDF là bản thể hiện; tệp XML là biên lai điện tử có chữ ký số của đơn vị "
                "thu. Biên lai cũng được lưu trên trang hồ sơ của Ông/Bà tại Cổng dịch vụ công."
                "\n\n--\n"
                f"The fee receipt {receipt.series} no. {receipt.number_text} of dossier {code} "
                f"is attached: the PDF to read and print, the XML signed by the collecting "
                "agency. It is also kept on your dossier's page on the portal.\n"
            ),
            to=[to],
        )
        for name, content, mime in files:
            message.attach(name, content, mime)
        message.send()
        _event(
            payment,
            EventKind.RECEIPT,
            MAILED,
            verified=True,
            params={"to": _masked(to), "number": receipt.number, "files": [f[0] for f in files]},
            from_status=payment.status,
        )
    return True


def receipts_unmailed(*, since: dt.datetime | None = None) -> list[int]:
    """Receipts whose dossier has an address and that were not mailed yet (for the sweep)."""
    qs = Receipt.objects.exclude(dossier__applicant_email="").exclude(
        payment__events__kind=EventKind.RECEIPT, payment__events__outcome=MAILED
    )
    if since is not None:
        qs = qs.filter(issued_at__gte=since)
    return list(qs.values_list("pk", flat=True))


def receipts_for_dossier(dossier_id: int) -> list[Receipt]:
    """The dossier's receipts, each with `mailed` (its `mailed` PaymentEvent or None): what
    the back office shows (two queries)."""
    receipts = list(Receipt.objects.filter(dossier_id=dossier_id).order_by("pk"))
    mailed = {
        e.payment_id: e
        for e in PaymentEvent.objects.filter(
            payment_id__in=[r.payment_id for r in receipts],
            kind=EventKind.RECEIPT,
            outcome=MAILED,
        )
    }
    for r in receipts:
        r.mailed = mailed.get(r.payment_id)  # type: ignore[attr-defined]
    return receipts
