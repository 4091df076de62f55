"""The online payment end to end: the portal's button, the gateway simulator's checkout page
(its own process), its IPN to the live server, the querydr API, the return page. Given a
dossier waiting for 8.000 đồng (status 6), when the applicant pays, then only the gateway's
verified word moves it to 4, once."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from motcua.core.errors import IllegalTransition, PermissionDenied
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.conftest import advance
from motcua.payments import services
from motcua.payments.models import Payment, PaymentEvent
from motcua.payments.simulator import _hmac, _signed_string

from .conftest import browse, checkout


def _client(user) -> Client:
    """A browser signed in as `user` (an officer's session past the second factor)."""
    from motcua.org.tests.otp import otp_login

    c = Client()
    otp_login(c, user)
    return c


def start(world, dossier) -> tuple[Client, str]:
    """The applicant presses "Thanh toán trực tuyến": (their browser, the gateway URL)."""
    c = _client(world.citizen)
    page = c.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert "Thanh toán trực tuyến" in page and "8.000" in page
    r = c.post(f"/ho-so/{dossier.pk}/thanh-toan/")
    assert r.status_code == 302
    return c, r["Location"]


def back(c: Client, location: str):
    """The browser follows the gateway's redirect to the return page."""
    parts = urllib.parse.urlsplit(location)
    return c.get(parts.path, dict(urllib.parse.parse_qsl(parts.query)))


def credits(dossier) -> int:
    return DossierEvent.objects.filter(dossier=dossier, action="confirm_payment").count()


def test_success(gw, world, waiting):
    c, url = start(world, waiting)
    assert Payment.objects.get(dossier=waiting).status == "pending"
    ref, location = checkout(url, "success", bank="VCB", card="ATM")
    d = Dossier.objects.get(pk=waiting.pk)
    assert (d.status, d.paid_online, d.fee_paid_vnd) == (Status.PROCESSING, 2, 8000)
    p = Payment.objects.get(reference=ref)
    assert (p.status, p.verified_by, p.amount_vnd, p.bank_code) == ("paid", "ipn", 8000, "VCB")
    assert p.provider_txn_no and p.provider_paid_at is not None and p.paid_at is not None
    [sent] = gw.ipn_log(ref)
    assert sent["answer"] == {"RspCode": "00", "Message": "Confirm Success"}
    assert sent["params"]["vnp_Amount"] == "800000"  # đồng × 100
    ev = d.events.get(action="confirm_payment")
    assert ev.actor_role == "payment" and ev.data["payment_id"] == p.pk
    r = back(c, location)
    assert r.status_code == 200 and "Đã thanh toán thành công" in r.content.decode()
    # The officers see who settled it: the payment system, on verified evidence.
    staff_page = _client(world.a.staff["c:counter"]).get(f"/can-bo/ho-so/{d.pk}/")
    assert "Hệ thống thanh toán (đã xác thực)" in staff_page.content.decode()
    # A paid payment is final: nothing edits it.
    from motcua.payments.models import FrozenPayment

    p.amount_vnd = 1
    with pytest.raises(FrozenPayment):
        p.save()


@pytest.mark.parametrize(
    ("outcome", "status", "text"),
    [
        ("refused", "failed", "Thanh toán không thành công"),
        ("cancel", "cancelled", "Bạn đã hủy giao dịch"),
    ],
)
def test_refused_or_cancelled_leaves_the_dossier_waiting(gw, world, waiting, outcome, status, text):
    c, url = start(world, waiting)
    ref, location = checkout(url, outcome)
    assert Payment.objects.get(reference=ref).status == status
    assert Dossier.objects.get(pk=waiting.pk).status == Status.FINANCIAL_OBLIGATION
    assert gw.ipn_log(ref)[0]["answer"]["RspCode"] == "00"
    assert text in back(c, location).content.decode()
    # A new attempt takes a new merchant reference.
    _c, url2 = start(world, waiting)
    ref2, _ = checkout(url2, "success")
    assert ref2 != ref
    assert Dossier.objects.get(pk=waiting.pk).status == Status.PROCESSING
    assert credits(waiting) == 1


def test_a_pending_attempt_is_reused(gw, world, waiting):
    _c, url = start(world, waiting)
    _c, again = start(world, waiting)
    ref = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["vnp_TxnRef"]
    assert ref == urllib.parse.parse_qs(urllib.parse.urlsplit(again).query)["vnp_TxnRef"]
    assert Payment.objects.filter(dossier=waiting).count() == 1


def test_expiry(gw, world, waiting):
    started = services.payment_start(
        dossier_id=waiting.pk,
        actor=world.citizen,
        return_url="http://testserver/thanh-toan/ket-qua/",
        at=timezone.now() - dt.timedelta(minutes=16),
    )
    status, page, _ = browse(started.redirect_url)
    assert status == 400 and "quá thời gian chờ thanh toán" in page
    p = services.payment_query(payment_id=started.payment.pk)
    assert p.status == "expired"
    assert Dossier.objects.get(pk=waiting.pk).status == Status.FINANCIAL_OBLIGATION


def test_a_tampered_payment_url_gets_the_gateways_error_page(gw, world, waiting):
    _c, url = start(world, waiting)
    status, page, _ = browse(url.replace("vnp_Amount=800000", "vnp_Amount=100"))
    assert status == 400 and "Sai chữ ký" in page


def test_a_missing_ipn_is_resolved_by_the_query(gw, world, waiting):
    gw.mode("missing")
    c, url = start(world, waiting)
    ref, location = checkout(url, "success")
    assert gw.ipn_log(ref) == []
    assert Payment.objects.get(reference=ref).status == "pending"
    assert Dossier.objects.get(pk=waiting.pk).status == Status.FINANCIAL_OBLIGATION
    # The return page does not trust its parameters: it asks the gateway (querydr).
    r = back(c, location)
    assert "Đã thanh toán thành công" in r.content.decode()
    p = Payment.objects.get(reference=ref)
    assert (p.status, p.verified_by) == ("paid", "query")
    assert Dossier.objects.get(pk=waiting.pk).status == Status.PROCESSING


def test_the_return_parameters_alone_never_pay(gw, world, waiting):
    gw.mode("missing")
    c, url = start(world, waiting)
    ref, location = checkout(url, "refused")  # the gateway knows: refused
    # A forged "success" return, correctly shaped but not signed by the gateway.
    parts = urllib.parse.urlsplit(location)
    q = dict(urllib.parse.parse_qsl(parts.query))
    q.update(vnp_ResponseCode="00", vnp_TransactionStatus="00")
    r = c.get(parts.path, q)
    assert r.status_code == 404
    assert Dossier.objects.get(pk=waiting.pk).status == Status.FINANCIAL_OBLIGATION
    assert Payment.objects.get(reference=ref).status == "pending"


def test_a_late_ipn_after_the_query_is_answered_already_confirmed(gw, world, waiting):
    gw.mode("late", delay=3600)
    c, url = start(world, waiting)
    ref, location = checkout(url, "success")
    assert Payment.objects.get(reference=ref).status == "pending"
    back(c, location)  # the query settles it
    assert Payment.objects.get(reference=ref).verified_by == "query"
    gw.control("/_control/flush", {})
    [late] = gw.ipn_log(ref)
    assert late["answer"] == {"RspCode": "02", "Message": "Order already confirmed"}
    assert credits(waiting) == 1


def test_duplicate_ipns_credit_once(gw, world, waiting):
    # SQLite's in-memory test database is one connection shared by the live server's
    # threads: there the copies come one after the other; PostgreSQL takes them at once.
    together = connection.vendor == "postgresql"
    copies = 16 if together else 3
    gw.mode("duplicate", count=copies, together=together)
    _c, url = start(world, waiting)
    ref, _ = checkout(url, "success")
    answers = sorted(e["answer"]["RspCode"] for e in gw.ipn_log(ref))
    assert answers == ["00"] + ["02"] * (copies - 1)
    assert credits(waiting) == 1
    assert Payment.objects.filter(dossier=waiting, status="paid").count() == 1
    assert (
        PaymentEvent.objects.filter(payment__reference=ref, outcome="duplicate").count()
        == copies - 1
    )


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_sixteen_concurrent_duplicate_ipns_credit_once_on_postgresql(gw, world, waiting):
    """16 copies sent at once by the simulator, served by 16 threads of the live server,
    each with its own PostgreSQL connection: the row locks let exactly one credit."""
    gw.mode("duplicate", count=16)
    _c, url = start(world, waiting)
    ref, _ = checkout(url, "success")
    answers = [e["answer"]["RspCode"] for e in gw.ipn_log(ref)]
    assert sorted(answers) == ["00"] + ["02"] * 15
    assert credits(waiting) == 1
    d = Dossier.objects.get(pk=waiting.pk)
    assert (d.status, d.fee_paid_vnd) == (Status.PROCESSING, 8000)


def test_a_forged_signature_credits_nothing(gw, world, waiting):
    gw.mode("bad_signature")
    _c, url = start(world, waiting)
    ref, _ = checkout(url, "success")
    [sent] = gw.ipn_log(ref)
    assert sent["answer"] == {"RspCode": "97", "Message": "Invalid signature"}
    assert Payment.objects.get(reference=ref).status == "pending"
    assert Dossier.objects.get(pk=waiting.pk).status == Status.FINANCIAL_OBLIGATION
    ev = PaymentEvent.objects.get(reference=ref, kind="ipn")
    assert (ev.verified, ev.outcome, ev.answer) == (False, "bad_signature", "97")


def test_a_wrong_amount_credits_nothing(gw, world, waiting):
    gw.mode("wrong_amount")
    _c, url = start(world, waiting)
    ref, _ = checkout(url, "success")
    [sent] = gw.ipn_log(ref)
    assert sent["answer"] == {"RspCode": "04", "Message": "Invalid amount"}
    assert Payment.objects.get(reference=ref).status == "pending"
    assert Dossier.objects.get(pk=waiting.pk).status == Status.FINANCIAL_OBLIGATION
    assert PaymentEvent.objects.get(reference=ref, kind="ipn").outcome == "wrong_amount"


def _signed_ipn(gw, **params) -> dict:
    base = {
        "vnp_Amount": "800000",
        "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Nop phi",
        "vnp_PayDate": "20260305101010",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": gw.tmn_code,
        "vnp_TransactionNo": "99",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "NOPE-1-0000000000",
    }
    base.update(params)
    return {**base, "vnp_SecureHash": _hmac(gw.secret, _signed_string(base))}


def test_an_unknown_order_is_answered_01(gw, client):
    r = client.get("/thanh-toan/vnpay/ipn/", _signed_ipn(gw))
    assert r.json() == {"RspCode": "01", "Message": "Order not found"}
    assert PaymentEvent.objects.get(reference="NOPE-1-0000000000").outcome == "unknown_order"


def test_a_replayed_ipn_is_answered_02_and_post_is_accepted(gw, world, waiting, client):
    _c, url = start(world, waiting)
    ref, _ = checkout(url, "success")
    [sent] = gw.ipn_log(ref)
    assert client.get("/thanh-toan/vnpay/ipn/", sent["params"]).json()["RspCode"] == "02"
    assert client.post("/thanh-toan/vnpay/ipn/", sent["params"]).json()["RspCode"] == "02"
    assert credits(waiting) == 1


def test_an_ipn_without_hash_is_97(gw, client):
    params = _signed_ipn(gw)
    del params["vnp_SecureHash"]
    assert client.get("/thanh-toan/vnpay/ipn/", params).json()["RspCode"] == "97"


def test_a_payment_after_the_obligation_was_settled_is_kept_for_a_refund(gw, world, waiting):
    """Paid at the gateway while the officer took cash at the counter: the money is proved,
    nothing is credited twice, the attempt waits for an officer (paid_unmatched)."""
    _c, url = start(world, waiting)
    from motcua.dossiers import services as ds

    ds.dossier_confirm_payment(
        dossier_id=waiting.pk,
        actor=world.a.staff["c:counter"],
        amount_vnd=8000,
        receipt_number="0000042",
    )
    status, page, _ = browse(url)
    ref, _ = checkout(url, "success")
    assert gw.ipn_log(ref)[0]["answer"]["RspCode"] == "00"
    assert Payment.objects.get(reference=ref).status == "paid_unmatched"
    assert credits(waiting) == 1
    assert Payment.objects.filter(dossier=waiting, status="paid").count() == 1  # the cash


def test_only_the_applicant_in_status_6_may_start(gw, world, waiting):
    for who in (world.citizen2, world.a.staff["c:counter"]):
        with pytest.raises(PermissionDenied):
            services.payment_start(dossier_id=waiting.pk, actor=who, return_url="http://x/")
    d = advance(world, Status.PROCESSING)
    with pytest.raises(IllegalTransition):
        services.payment_start(dossier_id=d.pk, actor=world.citizen, return_url="http://x/")
    assert not Payment.objects.filter(dossier=d).exists()


def test_the_settlement_file_lists_the_days_transactions(gw, world, waiting):
    _c, url = start(world, waiting)
    ref, _ = checkout(url, "success")
    day = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%Y%m%d")
    status, body, _ = browse(f"{gw.base}/merchant_webapi/settlement/{day}.csv")
    assert status == 200
    rows = [line.split(",") for line in body.strip().splitlines()]
    assert rows[0][:4] == ["TmnCode", "TxnRef", "TransactionNo", "Amount"]
    [mine] = [r for r in rows[1:] if r[1] == ref]
    assert (mine[0], mine[3], mine[8]) == (gw.tmn_code, "8000", "00")


def test_the_command_resolves_pending_attempts_by_query(gw, world, waiting):
    from io import StringIO

    from django.core.management import call_command

    gw.mode("missing")
    _c, url = start(world, waiting)
    ref, _ = checkout(url, "success")
    assert Payment.objects.get(reference=ref).status == "pending"
    out = StringIO()
    call_command("payments", "query-pending", "--older-than", "0", stdout=out)
    assert "1" in out.getvalue()
    assert Payment.objects.get(reference=ref).verified_by == "query"
    assert Dossier.objects.get(pk=waiting.pk).status == Status.PROCESSING
