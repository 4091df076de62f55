"""Counter payments the officer records, kept as Payments."""

from __future__ import annotations

from motcua.dossiers.enums import COUNTER_CHANNELS, PAYMENT_PROVIDER, Action
from motcua.dossiers.models import Dossier, DossierEvent

from ..models import (
    EventKind,
    Payment,
    PaymentStatus,
    Provider,
    VerifiedBy,
)
from ._common import (
    _event,
    current_obligation,
)
from .receipts import issue_receipt

# --------------------------------------------------------------- counter, by the officer


def counter_payment(event: DossierEvent, dossier: Dossier) -> None:
    """A counter payment the officer recorded (cash or POS, with its receipt): kept as a
    Payment in the same transaction, so every channel's money is in one table."""
    if event.action != Action.CONFIRM_PAYMENT or event.actor_role == PAYMENT_PROVIDER:
        return
    data = event.data or {}
    channel = data.get("channel")
    if channel not in COUNTER_CHANNELS:
        return
    obligation = current_obligation(dossier.pk) or 0
    payment = Payment(
        dossier_id=dossier.pk,
        obligation=obligation,
        channel=channel,
        provider=Provider.COUNTER,
        reference=f"QUAY-{dossier.pk}-{event.seq}",
        amount_vnd=int(data["amount_vnd"]),
        status=PaymentStatus.PAID,
        provider_txn_no=str(data.get("receipt_number", ""))[:64],
        created_at=event.at,
        paid_at=event.at,
        verified_by=VerifiedBy.OFFICER,
        verified_params={"receipt_number": data.get("receipt_number", ""), "event_seq": event.seq},
        created_by=event.actor,
    )
    payment.save(force_insert=True)
    _event(
        payment,
        EventKind.OFFICER,
        PaymentStatus.PAID,
        verified=True,
        params=payment.verified_params,
    )
    issue_receipt(payment, paper_receipt_number=str(data.get("receipt_number", "")))
