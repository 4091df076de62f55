"""Reads of payments that other layers ask for through a registered seam."""

from __future__ import annotations

from collections.abc import Collection

from motcua.dossiers import rules
from motcua.dossiers.enums import COUNTER_CHANNELS

from .models import Payment, PaymentStatus


def verified_paid_online(dossier_ids: Collection[int]) -> set[tuple[int, int]]:
    """(dossier id, DuocThanhToanTrucTuyen) for each paid payment of an online channel of
    these dossiers: what the indicators (3.3b, 3.5b, 3.6) count as paid online. A payment is
    paid only on its provider's verified evidence (a signed IPN or query answer, the bank's
    statement: the database's `payment_paid_is_verified`); a payment taken twice
    (paid_unmatched) settled nothing and proves nothing. The value is the channel's, through
    the one rule `rules.paid_online_for`."""
    rows = Payment.objects.filter(
        dossier_id__in=list(dossier_ids), status=PaymentStatus.PAID
    ).exclude(channel__in=sorted(COUNTER_CHANNELS))
    return {
        (dossier_id, rules.paid_online_for(channel))
        for dossier_id, channel in rows.values_list("dossier_id", "channel").distinct()
    }
