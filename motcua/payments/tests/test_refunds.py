"""Refunds (hoàn trả): requested with the event when a paid dossier is withdrawn, stopped or
refused (a setting), or by an officer for money that matched no obligation; recorded with how
the money went back; reconciled. One service per step, each logged; only the collecting
side's staff act."""

from __future__ import annotations

import pytest

from motcua.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from motcua.dossiers import services as ds
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.conftest import advance
from motcua.org.tests.otp import otp_login
from motcua.payments import services
from motcua.payments.models import Payment, PaymentEvent, Refund

from .conftest import checkout
from .test_gateway import start


def _paid(world):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    ds.dossier_confirm_payment(
        dossier_id=d.pk,
        actor=world.a.staff["c:counter"],
        amount_vnd=8000,
        receipt_number="0000777",
    )
    return d, Payment.objects.get(dossier=d)


def _withdraw_and_stop(world, d):
    ds.dossier_request_withdrawal(dossier_id=d.pk, actor=world.citizen, reason="Không cần nữa")
    ds.dossier_stop(dossier_id=d.pk, actor=world.a.staff["c:counter"], reason="Công dân rút")


@pytest.mark.django_db
def test_a_withdrawn_paid_dossier_gets_its_refund_requested_then_recorded_and_reconciled(world):
    d, p = _paid(world)
    _withdraw_and_stop(world, d)
    [refund] = Refund.objects.filter(dossier=d)  # once, though withdrawn and then stopped
    assert (refund.payment, refund.amount_vnd, refund.status) == (p, 8000, "requested")
    assert "Yêu cầu rút hồ sơ" in refund.reason
    officer = world.a.staff["c:counter"]
    refund = services.refund_record(
        refund_id=refund.pk, actor=officer, method="transfer", reference="FT26339000123"
    )
    assert (refund.status, refund.method, refund.method_reference) == (
        "recorded",
        "transfer",
        "FT26339000123",
    )
    assert refund.recorded_by == officer and refund.recorded_at is not None
    accountant = world.a.staff["s:leader"]
    refund = services.refund_reconcile(refund_id=refund.pk, actor=accountant)
    assert refund.status == "reconciled" and refund.reconciled_by == accountant
    steps = list(
        PaymentEvent.objects.filter(payment=p, kind="refund").values_list("outcome", flat=True)
    )
    assert steps == ["requested", "recorded", "reconciled"]
    with pytest.raises(IllegalTransition):
        services.refund_reconcile(refund_id=refund.pk, actor=accountant)
    with pytest.raises(IllegalTransition):
        services.refund_record(refund_id=refund.pk, actor=officer, method="cash", reference="1")


@pytest.mark.django_db
def test_the_rule_is_a_setting(world, settings):
    settings.MOTCUA_REFUND_AUTOMATIC = False
    d, p = _paid(world)
    _withdraw_and_stop(world, d)
    assert not Refund.objects.exists()
    # An officer may still ask for it, once.
    refund = services.refund_request(
        payment_id=p.pk, actor=world.a.staff["c:counter"], reason="Rút hồ sơ"
    )
    assert refund.status == "requested" and refund.requested_by == world.a.staff["c:counter"]
    with pytest.raises(IllegalTransition):
        services.refund_request(payment_id=p.pk, actor=world.a.staff["c:counter"], reason="x")


@pytest.mark.django_db
def test_only_the_actions_listed_request_a_refund(world, settings):
    settings.MOTCUA_REFUND_ON_ACTIONS = "stop"
    d, _p = _paid(world)
    ds.dossier_request_withdrawal(dossier_id=d.pk, actor=world.citizen, reason="Không cần nữa")
    assert not Refund.objects.exists()
    ds.dossier_stop(dossier_id=d.pk, actor=world.a.staff["c:counter"], reason="Công dân rút")
    assert Refund.objects.get().reason.endswith("(Dừng xử lý)")


@pytest.mark.django_db
def test_a_dossier_going_on_is_not_refunded(world):
    _d, p = _paid(world)
    with pytest.raises(IllegalTransition) as exc:
        services.refund_request(payment_id=p.pk, actor=world.a.staff["c:counter"], reason="x")
    assert exc.value.code == "refund_not_allowed"


@pytest.mark.django_db
def test_only_the_collecting_sides_staff_handle_refunds(world):
    d, p = _paid(world)
    _withdraw_and_stop(world, d)
    refund = Refund.objects.get()
    for outsider in (world.citizen, world.b.staff["c:counter"], None):
        with pytest.raises(PermissionDenied):
            services.refund_record(
                refund_id=refund.pk, actor=outsider, method="cash", reference="PC-01"
            )
    assert Refund.objects.get().status == "requested"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "reference", "code"),
    [
        ("cheque", "1", "invalid_method"),
        ("gateway", "1", "invalid_method"),
        ("cash", "  ", "reference_required"),
        ("cash", "x" * 101, "reference_required"),
    ],
)
def test_bad_input_is_named(world, method, reference, code):
    d, _p = _paid(world)
    _withdraw_and_stop(world, d)
    with pytest.raises(ValidationFailed) as exc:
        services.refund_record(
            refund_id=Refund.objects.get().pk,
            actor=world.a.staff["c:counter"],
            method=method,
            reference=reference,
        )
    assert exc.value.code == code


def test_money_taken_after_the_obligation_was_settled_is_refunded_on_request(gw, world, waiting):
    _c, url = start(world, waiting)
    ds.dossier_confirm_payment(
        dossier_id=waiting.pk,
        actor=world.a.staff["c:counter"],
        amount_vnd=8000,
        receipt_number="0000042",
    )
    ref, _ = checkout(url, "success")
    extra = Payment.objects.get(reference=ref)
    assert extra.status == "paid_unmatched"
    officer = world.a.staff["s:specialist"]
    with pytest.raises(ValidationFailed):
        services.refund_request(payment_id=extra.pk, actor=officer, reason=" ")
    refund = services.refund_request(payment_id=extra.pk, actor=officer, reason="Nộp hai lần")
    assert (refund.amount_vnd, refund.status) == (8000, "requested")
    services.refund_record(refund_id=refund.pk, actor=officer, method="cash", reference="PC-7")
    # The cash that settled the dossier is not refundable while the dossier goes on.
    cash = Payment.objects.get(dossier=waiting, status="paid")
    with pytest.raises(IllegalTransition):
        services.refund_request(payment_id=cash.pk, actor=officer, reason="x")


@pytest.mark.django_db
def test_the_back_office_page_takes_a_refund_through_its_steps(world):
    from django.test import Client

    d, _p = _paid(world)
    _withdraw_and_stop(world, d)
    refund = Refund.objects.get()
    c = Client()
    otp_login(c, world.a.staff["c:counter"])
    page = c.get("/can-bo/hoan-tra/").content.decode()
    assert d.code in page and "Ghi nhận đã hoàn trả" in page
    r = c.post(f"/can-bo/hoan-tra/{refund.pk}/ghi-nhan/", {"method": "cheque", "reference": "1"})
    assert r.status_code == 302 and Refund.objects.get().status == "requested"
    assert "Hình thức hoàn trả phải là" in c.get("/can-bo/hoan-tra/").content.decode()
    c.post(f"/can-bo/hoan-tra/{refund.pk}/ghi-nhan/", {"method": "cash", "reference": "PC-01"})
    assert Refund.objects.get().status == "recorded"
    c.post(f"/can-bo/hoan-tra/{refund.pk}/doi-soat/")
    assert Refund.objects.get().status == "reconciled"
    # Staff of another commune neither see it nor move it; a citizen is refused the page.
    other = Client()
    otp_login(other, world.b.staff["c:counter"])
    assert d.code not in other.get("/can-bo/hoan-tra/").content.decode()
    assert other.post(f"/can-bo/hoan-tra/{refund.pk}/doi-soat/").status_code == 403
    citizen = Client()
    otp_login(citizen, world.citizen)
    assert citizen.get("/can-bo/hoan-tra/").status_code == 403


def _unmatched(world, waiting):
    _c, url = start(world, waiting)
    ds.dossier_confirm_payment(
        dossier_id=waiting.pk,
        actor=world.a.staff["c:counter"],
        amount_vnd=8000,
        receipt_number="0000042",
    )
    ref, _ = checkout(url, "success")
    return Payment.objects.get(reference=ref)


def test_an_online_payment_is_refunded_through_the_gateway(gw, world, waiting):
    """The gateway simulator (its own process) takes the signed refund command and answers
    signed; the refund is recorded with its transaction number. A second refund of the same
    transaction is refused by the gateway (94)."""
    extra = _unmatched(world, waiting)
    officer = world.a.staff["s:specialist"]
    refund = services.refund_request(payment_id=extra.pk, actor=officer, reason="Nộp hai lần")
    refund = services.refund_via_gateway(refund_id=refund.pk, actor=officer)
    assert (refund.status, refund.method) == ("recorded", "gateway")
    assert refund.method_reference.isdigit() and refund.method_reference != extra.provider_txn_no
    ev = PaymentEvent.objects.filter(payment=extra, kind="refund").last()
    assert ev.outcome == "recorded" and ev.verified and ev.params["vnp_ResponseCode"] == "00"
    with pytest.raises(IllegalTransition):
        services.refund_via_gateway(refund_id=refund.pk, actor=officer)
    # The gateway itself refuses a second refund of the transaction.
    from django.utils import timezone

    from motcua.payments import vnpay
    from motcua.payments.services import gateway_config

    cfg = gateway_config()
    body = vnpay.refund_body(
        cfg,
        request_id="again-1",
        txn_ref=extra.reference,
        amount_vnd=8000,
        transaction_no=extra.provider_txn_no,
        transaction_date=extra.created_at,
        create_by="x",
        ip_addr="",
        now=timezone.now(),
    )
    answer = vnpay.post_json(cfg.api_url, body)
    assert vnpay.verify_refund_response(cfg.hash_secret, answer)
    assert answer["vnp_ResponseCode"] == "94"


def test_a_gateway_refund_with_the_wrong_secret_is_refused_and_logged(gw, world, waiting, settings):
    extra = _unmatched(world, waiting)
    officer = world.a.staff["s:specialist"]
    refund = services.refund_request(payment_id=extra.pk, actor=officer, reason="Nộp hai lần")
    settings.MOTCUA_VNPAY_HASH_SECRET = "not-the-secret"
    with pytest.raises(ValidationFailed) as exc:
        services.refund_via_gateway(refund_id=refund.pk, actor=officer)
    assert exc.value.code == "gateway_refund_failed"
    assert Refund.objects.get(pk=refund.pk).status == "requested"
    ev = PaymentEvent.objects.filter(payment=extra, kind="refund").last()
    assert ev.outcome == "bad_signature" and not ev.verified  # the answer fails our check too


@pytest.mark.django_db
def test_a_counter_payment_is_not_refunded_through_the_gateway(world):
    d, p = _paid(world)
    _withdraw_and_stop(world, d)
    with pytest.raises(ValidationFailed) as exc:
        services.refund_via_gateway(
            refund_id=Refund.objects.get().pk, actor=world.a.staff["c:counter"]
        )
    assert exc.value.code == "not_a_gateway_payment"
