"""Fee receipts' PDFs (motcua.payments.models.Receipt), stored with their rows as the
forms are (ADR 0005): the file is written and flushed first, then the row takes its name,
sha256 and size in a durable transaction of its own under the row's lock; a failure deletes
the new file. The receipt's row is committed with the payment (payments.services.receipts);
its PDF is made after the commit (the confirm_payment listener), on first download, or by
`documents_repair`. A rendering is byte-identical every time (checked by sha256)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.db import transaction
from django.db.models import Q, QuerySet

from motcua.dossiers.attachments import verified_open
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.payments.models import Receipt

from .rendering.fee_receipt import FeeReceipt

log = logging.getLogger(__name__)
RECEIPTS_DIR = "receipts"


def _receipts() -> QuerySet[Receipt]:
    return Receipt.objects.select_related("agency__unit", "agency__parent", "dossier", "payment")


def receipt_render(receipt: Receipt) -> bytes:
    return FeeReceipt(receipt).render()


def receipt_store(*, receipt_id: int) -> Receipt:
    """The receipt's PDF stored with its row (idempotent; a row whose file is gone gets the
    same bytes written again)."""
    from .services import _write  # the same durable write as the forms

    receipt = _receipts().get(pk=receipt_id)
    storage = receipt.file.storage
    if receipt.sha256 and receipt.file.name and storage.exists(receipt.file.name):
        return receipt
    content = receipt_render(receipt)
    sha = hashlib.sha256(content).hexdigest()
    if receipt.sha256 and receipt.file.name:
        if sha != receipt.sha256:
            raise RuntimeError(f"receipt {receipt.pk}: the rendering differs from the stored one")
        storage.delete(receipt.file.name)  # nothing, or a truncated leftover
        _write(storage, receipt.file.name, content)
        return receipt
    name = _write(
        storage,
        f"{RECEIPTS_DIR}/{receipt.dossier_id}/bien-lai-{receipt.pk}-{sha[:16]}.pdf",
        content,
    )
    try:
        with transaction.atomic(durable=True):
            row = Receipt.objects.select_for_update().get(pk=receipt.pk)
            if row.sha256:
                storage.delete(name)  # a concurrent call stored it first
                return _receipts().get(pk=receipt.pk)
            row.file.name, row.sha256, row.size = name, sha, len(content)
            row.save(update_fields=["file", "sha256", "size"])
    except BaseException:
        storage.delete(name)
        raise
    return _receipts().get(pk=receipt.pk)


def receipt_pdf(receipt: Receipt) -> bytes:
    """The stored PDF of the receipt (stored now if missing)."""
    stored = receipt_store(receipt_id=receipt.pk)
    with verified_open(stored.file, sha256=stored.sha256) as fh:  # a changed byte: refused
        data: bytes = fh.read()
    return data


def receipts_store_missing(*, since: dt.datetime | None = None) -> tuple[int, int]:
    """Store every receipt that has no PDF yet (issued since `since`): (stored, failed)."""
    qs = Receipt.objects.filter(sha256="")
    if since is not None:
        qs = qs.filter(issued_at__gte=since)
    stored = failed = 0
    for pk in qs.values_list("pk", flat=True).iterator(chunk_size=500):
        try:
            receipt_store(receipt_id=pk)
            stored += 1
        except Exception:
            failed += 1
            log.exception("receipt %s: PDF could not be stored", pk)
    return stored, failed


def receipt_files(receipt: Receipt) -> list[tuple[str, bytes, str]]:
    """The receipt's two files as the applicant receives them: the PDF and the signed XML."""
    from .ereceipt import receipt_xml

    name = f"bien-lai-{receipt.series}-{receipt.number_text}".replace("/", "-")
    return [
        (f"{name}.pdf", receipt_pdf(receipt), "application/pdf"),
        (f"{name}.xml", receipt_xml(receipt), "application/xml"),
    ]


def receipt_deliver(*, receipt_id: int) -> None:
    """Keep the receipt with the dossier (its PDF and signed XML stored), then send it to
    the applicant (payments.services.receipt_mail: once, recorded). Idempotent."""
    from motcua.payments.services import receipt_mail

    from .ereceipt import receipt_xml_store

    receipt_store(receipt_id=receipt_id)
    receipt_xml_store(receipt_id=receipt_id)
    receipt_mail(receipt_id=receipt_id, attachments=receipt_files)


def receipts_deliver_missing(*, since: dt.datetime | None = None) -> tuple[int, int]:
    """The sweep's part for receipts: every receipt without its signed XML, or not yet
    mailed to an applicant who gave an address (a mail server that was down): (done,
    failed)."""
    from motcua.payments.services import receipts_unmailed

    qs = Receipt.objects.filter(xml_sha256="")
    if since is not None:
        qs = qs.filter(issued_at__gte=since)
    pks = sorted(set(qs.values_list("pk", flat=True)) | set(receipts_unmailed(since=since)))
    done = failed = 0
    for pk in pks:
        try:
            receipt_deliver(receipt_id=pk)
            done += 1
        except Exception:
            failed += 1
            log.exception("receipt %s: not delivered", pk)
    return done, failed


def on_payment_confirmed(event: DossierEvent, dossier: Dossier) -> None:
    """After-commit listener (confirm_payment; queued to a worker when Celery is not eager,
    as the forms are): store the PDFs and signed XML of the dossier's new receipts and mail
    them to the applicant."""
    pks = (
        Receipt.objects.filter(dossier_id=dossier.pk)
        .filter(Q(sha256="") | Q(xml_sha256=""))
        .values_list("pk", flat=True)
    )
    for pk in pks:
        try:
            receipt_deliver(receipt_id=pk)
        except Exception:
            log.exception("receipt %s of dossier %s: not delivered", pk, dossier.pk)
