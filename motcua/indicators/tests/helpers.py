"""Scenario helpers: dossiers built through the services, and both ways of computing."""

from __future__ import annotations

import datetime as dt

from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.conftest import T0, advance, submit
from motcua.dossiers.tests.factories import PDF, vn
from motcua.indicators.selectors import (
    indicator_dossiers,
    indicators_compute,
    indicators_full_recompute,
)

__all__ = ["PDF", "T0", "Status", "advance", "submit", "vn"]

MARCH = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31)}
AFTER = vn(2026, 6, 1, 8, 0)  # "now" for periods judged after they ended


def both(**kw):
    """The incremental scorecard, after checking it equals the full recomputation."""
    kw.setdefault("as_of", AFTER)
    card = indicators_compute(**kw)
    assert card.as_dict() == indicators_full_recompute(**kw).as_dict()
    return card


def nd(card, indicator_id):
    f = card.figure(indicator_id)
    return f.numerator, f.denominator


def drill(indicator_id, part, **kw):
    kw.setdefault("as_of", AFTER)
    return set(indicator_dossiers(indicator_id, part, **kw).values_list("pk", flat=True))


def pay_online(d, *, channel, at, amount=8000, proved=True):
    """Settle `d` (status 6) online. proved=True: as motcua.payments does on a verified
    notice — the paid Payment of the channel, then the dossier's settlement, in one
    transaction. proved=False: the settlement alone, naming a payment that does not exist
    (a flag no verified payment proves)."""
    from django.db import transaction

    from motcua.payments.history import PROVIDER_OF_CHANNEL
    from motcua.payments.models import Payment, PaymentStatus, VerifiedBy
    from motcua.payments.services import current_obligation

    with transaction.atomic():
        payment_id = 0
        if proved:
            payment_id = Payment.objects.create(
                dossier_id=d.pk,
                obligation=current_obligation(d.pk),
                channel=channel,
                provider=PROVIDER_OF_CHANNEL[channel],
                reference=f"T-{d.pk}-{channel}",
                amount_vnd=amount,
                status=PaymentStatus.PAID,
                provider_txn_no="14223344",
                paid_at=at,
                verified_by=VerifiedBy.IPN,
            ).pk
        return s.dossier_settle_payment(
            dossier_id=d.pk,
            amount_vnd=amount,
            channel=channel,
            reference=f"T-{d.pk}-{channel}",
            payment_id=payment_id,
            verified_by="ipn",
            at=at,
        )


def to_specialist(w, d, at):
    return s.dossier_forward(dossier_id=d.pk, actor=w.a.staff["c:counter"], at=at)


def finish(w, d, at, *, ret=True):
    """From the specialist step: forward to the leader, approve, return (at, +1 h, +2 h)."""
    st = w.a.staff
    d = s.dossier_forward(dossier_id=d.pk, actor=st["s:specialist"], at=at)
    d = s.dossier_approve(
        dossier_id=d.pk, actor=st["s:leader"], result_note="Đã cấp", at=at + dt.timedelta(hours=1)
    )
    if ret:
        d = s.dossier_return_result(
            dossier_id=d.pk, actor=st["c:counter"], at=at + dt.timedelta(hours=2)
        )
    return d


def ask_supplement(w, d, at):
    return s.dossier_request_supplement(
        dossier_id=d.pk,
        actor=w.a.staff["s:specialist"],
        reason="Thiếu giấy chứng sinh",
        missing_components=[w.components[1].pk],
        at=at,
    )


def give_supplement(w, d, at):
    return s.dossier_supplement(
        dossier_id=d.pk,
        actor=w.citizen,
        files={w.components[1].pk: [("giay-chung-sinh.pdf", PDF)]},
        at=at,
    )


def received(w, at=T0):
    """Submitted at `at`, received 10 minutes later, at the specialist step 10 minutes on."""
    d = submit(w, at)
    d = s.dossier_receive(
        dossier_id=d.pk, actor=w.a.staff["c:counter"], at=at + dt.timedelta(minutes=10)
    )
    return to_specialist(w, d, at + dt.timedelta(minutes=20))
