"""Paid online (3.3b, 3.5b, 3.6) is a verified payment's fact: a dossier whose flag no paid
Payment of that channel proves is not counted, by the counters, the full recomputation and
the rebuild alike; 3.5a and 3.5b count fee-bearing procedures of the catalog."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from motcua.catalog.enums import Level, OnlineLevel
from motcua.catalog.models import FeeItem, Procedure, ProcedureVersion
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.indicators.models import DossierFact
from motcua.indicators.services import facts_refresh, indicators_rebuild
from motcua.payments.models import Payment, PaymentStatus, VerifiedBy

from .helpers import MARCH, T0, Status, advance, both, drill, nd, pay_online, received

pytestmark = pytest.mark.django_db
LATER = T0 + dt.timedelta(hours=2)


def _waiting(world):
    d = received(world)
    return s.dossier_request_payment(
        dossier_id=d.pk, actor=world.a.staff["s:specialist"], at=T0 + dt.timedelta(hours=1)
    )


def _paid_counts():
    card = both(**MARCH)
    return nd(card, "3.6"), nd(card, "3.5b")


def test_a_flag_no_verified_payment_proves_is_not_counted(world):
    proved = pay_online(_waiting(world), channel="gateway", at=LATER)
    flagged = pay_online(_waiting(world), channel="gateway", at=LATER, proved=False)
    # Both dossiers say DuocThanhToanTrucTuyen = 2; only one has a paid Payment.
    assert (proved.paid_online, flagged.paid_online) == (2, 2)
    assert list(Payment.objects.values_list("dossier_id", flat=True)) == [proved.pk]
    assert _paid_counts() == ((1, 2), (1, 1))
    assert drill("3.6", "numerator", **MARCH) == {proved.pk}
    # The bulk writers' paths agree: the refresh of the facts, the rebuild.
    assert facts_refresh([proved.pk, flagged.pk]) == 0  # the live facts are the bulk ones
    indicators_rebuild()
    assert _paid_counts() == ((1, 2), (1, 1))
    assert DossierFact.objects.get(pk=flagged.pk).paid_online is False


def test_the_payment_must_be_of_the_channel_the_dossier_names(world):
    """A national-platform payment (DuocThanhToanTrucTuyen 1) does not prove a dossier
    recorded as paid on the province's portal (2)."""
    d = _waiting(world)
    Payment.objects.create(
        dossier_id=d.pk,
        obligation=2,
        channel="national_platform",
        provider="dvcqg",
        reference="DV0001",
        amount_vnd=8000,
        status=PaymentStatus.PAID,
        paid_at=LATER,
        verified_by=VerifiedBy.IPN,
    )
    pay_online(d, channel="gateway", at=LATER, proved=False)
    indicators_rebuild()
    assert _paid_counts() == ((0, 1), (0, 1))


def test_money_taken_twice_proves_nothing(world):
    """A payment kept as paid_unmatched settled nothing: it is not the proof."""
    d = _waiting(world)
    Payment.objects.create(
        dossier_id=d.pk,
        obligation=2,
        channel="gateway",
        provider="vnpay",
        reference="GW-TWICE",
        amount_vnd=8000,
        status=PaymentStatus.PAID_UNMATCHED,
        paid_at=LATER,
        verified_by=VerifiedBy.IPN,
    )
    pay_online(d, channel="gateway", at=LATER, proved=False)
    indicators_rebuild()
    assert _paid_counts() == ((0, 1), (0, 1))


def test_a_bank_statement_settles_and_counts_through_the_live_path(world, settings):
    """End to end: the applicant's VietQR transfer, the collecting account's statement
    imported, the payment verified by it, the dossier settled, the counters moved in the
    same transaction (the hook sees the paid Payment)."""
    from motcua.payments import services as pay

    settings.MOTCUA_VIETQR_BIN = "970415"
    settings.MOTCUA_VIETQR_ACCOUNT = "113000123456"
    settings.MOTCUA_VIETQR_ACCOUNT_NAME = "TTPVHCC TỈNH BẮC NINH"
    settings.MOTCUA_VIETQR_AGENCY = world.a.center.code
    settings.MOTCUA_STATEMENT_COLUMNS = ""
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    payment = pay.vietqr_payment(dossier_id=d.pk, actor=world.citizen)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["STT", "Ngày giao dịch", "Số bút toán", "Diễn giải", "Ghi nợ", "Ghi có", "Số dư"])
    w.writerow([1, "02/03/2026 08:00:00", "FT1", f"nop phi {payment.reference}", "", "8.000", ""])
    pay.statement_import(buf.getvalue().encode(), name="saoke.csv")
    d = Dossier.objects.get(pk=d.pk)
    assert (d.status, d.paid_online) == (Status.PROCESSING, 2)
    fact = DossierFact.objects.get(pk=d.pk)
    assert (fact.fee_due, fact.paid_online) == (True, True)
    received_month = {
        "date_from": fact.received_day.replace(day=1),
        "date_to": fact.received_day.replace(day=28),
    }
    card = both(**received_month)
    assert (nd(card, "3.6"), nd(card, "3.5b")) == ((1, 1), (1, 1))


def _fee_bearing_procedure(world, code, amount):
    p = Procedure.objects.create(
        code=code, name=f"Thủ tục {code}", field=world.procedure.field, level=Level.COMMUNE
    )
    v = ProcedureVersion.objects.create(
        procedure=p,
        number=1,
        effective_from=dt.date(2020, 1, 1),
        name=p.name,
        online_level=OnlineLevel.FULL,
    )
    FeeItem.objects.create(version=v, order=1, name="Lệ phí", amount_vnd=amount)
    return p


def test_procedures_with_fee_data_and_with_an_online_payment(world, settings):
    _fee_bearing_procedure(world, "2.000002", 50000)  # fee-bearing, no dossier
    _fee_bearing_procedure(world, "2.000003", None)  # amount not known yet: fee-bearing
    _fee_bearing_procedure(world, "2.000004", 0)  # free: outside 3.5
    received(world)  # the world's procedure (8.000 đ): a dossier with fee data, unpaid
    card = both(**MARCH)
    assert (nd(card, "3.5a"), nd(card, "3.5b")) == ((1, 3), (0, 3))
    pay_online(_waiting(world), channel="national_platform", at=LATER)
    card = both(**MARCH)
    assert (nd(card, "3.5a"), nd(card, "3.5b")) == ((1, 3), (1, 3))
    assert str(card.figure("3.5b").rate) == "33.33"
    assert str(card.figure("3.5b").points) == "0.83"  # 33.33 / 80 × 2
    # Another period: no dossier, nothing counted; the catalog is the same.
    april = both(date_from=dt.date(2026, 4, 1), date_to=dt.date(2026, 4, 30))
    assert (nd(april, "3.5a"), nd(april, "3.5b")) == ((0, 3), (0, 3))
    # A scope: the procedure's.
    one = both(**MARCH, procedure="2.000002")
    assert (nd(one, "3.5a"), nd(one, "3.5b")) == ((0, 1), (0, 1))
    # No national sync yet (issue 14): "synced" is a setting.
    settings.MOTCUA_766_SYNCED = "none"
    assert nd(both(**MARCH), "3.5a") == (0, 3)
