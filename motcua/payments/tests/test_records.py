"""Payments without a gateway: the counter officer's confirmation kept as a Payment, the
log's append-only rule, the database's guards, the read-only admin."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from motcua.dossiers import services as ds
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.conftest import advance
from motcua.payments import services
from motcua.payments.models import FrozenPayment, Payment, PaymentEvent

pytestmark = pytest.mark.django_db


def _counter_paid(world):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    ds.dossier_confirm_payment(
        dossier_id=d.pk,
        actor=world.a.staff["c:counter"],
        amount_vnd=8000,
        receipt_number="0000777",
        channel="counter_cash",
    )
    return d, Payment.objects.get(dossier=d)


def test_a_counter_payment_is_kept_as_a_paid_payment(world):
    d, p = _counter_paid(world)
    obligation = d.events.get(action="request_payment").seq
    assert (p.channel, p.provider, p.status, p.verified_by) == (
        "counter_cash",
        "counter",
        "paid",
        "officer",
    )
    assert (p.amount_vnd, p.obligation, p.provider_txn_no) == (8000, obligation, "0000777")
    assert p.created_by == world.a.staff["c:counter"]
    [ev] = PaymentEvent.objects.filter(payment=p, kind="officer")
    assert (ev.kind, ev.outcome, ev.verified) == ("officer", "paid", True)


def test_the_payment_log_is_append_only_and_a_paid_payment_final(world):
    _d, p = _counter_paid(world)
    ev = PaymentEvent.objects.get(payment=p, kind="officer")
    ev.outcome = "changed"
    with pytest.raises(FrozenPayment):
        ev.save()
    with pytest.raises(FrozenPayment):
        ev.delete()
    with pytest.raises(FrozenPayment):
        PaymentEvent.objects.filter(pk=ev.pk).update(outcome="x")
    p.status = "failed"
    with pytest.raises(FrozenPayment):
        p.save()
    with pytest.raises(FrozenPayment):
        p.delete()


def test_the_database_allows_one_paid_payment_per_obligation(world):
    d, p = _counter_paid(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            dossier=d,
            obligation=p.obligation,
            channel="gateway",
            provider="vnpay",
            reference="OTHER-1",
            amount_vnd=8000,
            status="paid",
            verified_by="ipn",
            paid_at=p.paid_at,
        )


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"amount_vnd": 0}, "payment_amount_positive"),
        ({"amount_vnd": -8000}, "payment_amount_positive"),
        ({"status": "paid"}, "payment_paid_is_verified"),
        ({"channel": "cheque"}, "payment_channel_valid"),
    ],
)
def test_the_database_refuses_what_the_model_forbids(world, fields, name):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    values = {
        "dossier": d,
        "obligation": 1,
        "channel": "gateway",
        "provider": "vnpay",
        "reference": "X-1",
        "amount_vnd": 8000,
        **fields,
    }
    with pytest.raises(IntegrityError) as e, transaction.atomic():
        Payment.objects.create(**values)
    assert name in str(e.value) or "CHECK" in str(e.value).upper()


def test_an_ipn_without_a_configured_gateway_is_99(world, settings, client):
    settings.MOTCUA_VNPAY_HASH_SECRET = ""
    r = client.get("/thanh-toan/vnpay/ipn/", {"vnp_TxnRef": "A", "vnp_SecureHash": "x"})
    assert r.json() == {"RspCode": "99", "Message": "Unknown error"}


def test_the_admin_shows_payments_read_only(world, client, django_user_model):
    _d, p = _counter_paid(world)
    admin = django_user_model.objects.create_superuser(
        "payroot", "r@example.vn", "pw-Long-enough-1"
    )
    from motcua.org.tests.otp import otp_login

    otp_login(client, admin)
    assert client.get("/admin/payments/payment/").status_code == 200
    page = client.get(f"/admin/payments/payment/{p.pk}/change/")
    assert page.status_code == 200 and "0000777" in page.content.decode()
    assert client.get("/admin/payments/payment/add/").status_code == 403


def test_nothing_to_pay_when_the_dossier_does_not_wait(world, settings):
    settings.MOTCUA_VNPAY_TMN_CODE, settings.MOTCUA_VNPAY_HASH_SECRET = "T", "s"
    settings.MOTCUA_VNPAY_PAY_URL = "https://gw.invalid/p"
    d, _p = _counter_paid(world)
    from motcua.core.errors import IllegalTransition

    with pytest.raises(IllegalTransition):
        services.payment_start(dossier_id=d.pk, actor=world.citizen, return_url="http://x/")


def test_paid_online_is_decided_once_for_every_channel():
    """Every channel has its DuocThanhToanTrucTuyen, and the replay layer's inverse (for
    imported history) agrees with it."""
    from motcua.dossiers.enums import PaymentChannel
    from motcua.dossiers.replay import CHANNEL_OF_PAID_ONLINE
    from motcua.dossiers.rules import paid_online_for

    assert {c.value: paid_online_for(c) for c in PaymentChannel} == {
        "gateway": 2,
        "national_platform": 1,
        "vietqr_transfer": 2,
        "counter_cash": 0,
        "counter_pos": 0,
    }
    for value, channel in CHANNEL_OF_PAID_ONLINE.items():
        assert paid_online_for(channel) == value


def test_a_forged_ipn_cannot_fill_the_log(world, settings, client):
    settings.MOTCUA_VNPAY_TMN_CODE, settings.MOTCUA_VNPAY_HASH_SECRET = "T", "s" * 32
    settings.MOTCUA_VNPAY_PAY_URL = "https://gw.invalid/p"
    params = {f"vnp_X{i:03d}": "y" * 5000 for i in range(100)}
    params.update(vnp_TxnRef="A" * 500, vnp_SecureHash="0" * 128, other="z" * 5000)
    r = client.get("/thanh-toan/vnpay/ipn/", params)
    assert r.json() == {"RspCode": "97", "Message": "Invalid signature"}
    ev = PaymentEvent.objects.get()
    assert len(ev.params) == 40 and max(len(v) for v in ev.params.values()) == 1000
    assert "other" not in ev.params and len(ev.reference) == 100
