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
from django.db.models import QuerySet

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


def on_payment_confirmed(event: DossierEvent, dossier: Dossier) -> None:
    """After-commit listener (confirm_payment): store the PDFs of the dossier's receipts."""
    for pk in Receipt.objects.filter(dossier_id=dossier.pk, sha256="").values_list("pk", flat=True):
        try:
            receipt_store(receipt_id=pk)
        except Exception:
            log.exception("receipt %s of dossier %s: PDF not stored", pk, dossier.pk)
