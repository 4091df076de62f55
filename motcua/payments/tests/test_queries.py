"""How many SQL statements a gateway notification (IPN) issues, by answer: the verified
"paid" IPN is issue 11's hot path (bench/payments.py) and must stay as lean as it was made;
a change that adds a statement fails here and shows them all. Each IPN is answered with the
protocol's code and credits the dossier at most once (checked here too, so the counts are
those of the real outcome)."""

from __future__ import annotations

import secrets

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.enums import Status
from motcua.dossiers.tests.conftest import advance
from motcua.payments import vnpay
from motcua.payments.models import Payment, PaymentEvent, Receipt
from motcua.payments.services import payment_start

pytestmark = pytest.mark.django_db

TMN = "MOTCUAQ1"

# Statements per IPN (the test's transaction makes BEGIN/COMMIT a SAVEPOINT/RELEASE).
# paid: the payment by its reference; BEGIN; the dossier locked whole with its agency and
# version (its receipt needs them), as its transitions lock it; the payment locked; whether
# the obligation requested now is this payment's and still unpaid (one statement); the
# payment's update; the receipt's number (one upsert); the receipt; its log line; the
# transition 6 → 4 on the row already locked (no savepoint, no second lock: the dossier's
# row, its event, the indicators' proof — the paid payment of the channel, read once per
# paid dossier (docs/indicators.md) — count and fact — and the early warning's row of the
# appointment the payment moved, motcua.notifications); the IPN's log line; COMMIT.
EXPECTED = {
    "paid": 17,
    # the look-up, BEGIN, both locks, the log line, COMMIT
    "duplicate": 6,
    "wrong_amount": 6,
    # the look-up, the log line
    "unknown_order": 2,
    # the payment named (for the log), the log line
    "bad_signature": 2,
}


@pytest.fixture
def gateway(settings):
    settings.MOTCUA_VNPAY_TMN_CODE = TMN
    settings.MOTCUA_VNPAY_HASH_SECRET = secrets.token_hex(32)
    settings.MOTCUA_VNPAY_PAY_URL = "http://127.0.0.1:9/paymentv2/vpcpay.html"
    return settings.MOTCUA_VNPAY_HASH_SECRET


def _ipn(secret: str, reference: str, amount_vnd: int = 8000, forged: bool = False) -> dict:
    params = {
        "vnp_Amount": str(amount_vnd * 100),
        "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Nop phi",
        "vnp_PayDate": "20260304100000",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": TMN,
        "vnp_TransactionNo": str(secrets.randbelow(10**8)),
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": reference,
    }
    params["vnp_SecureHash"] = vnpay.sign("0" * 64 if forged else secret, params)
    return params


def _started(world) -> Payment:
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    return payment_start(dossier_id=d.pk, actor=world.citizen, return_url="http://x/").payment


def _send(params: dict) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        answer = Client().get("/thanh-toan/vnpay/ipn/", params).json()
    return answer["RspCode"], [q["sql"] for q in ctx.captured_queries]


def test_statements_per_ipn(world, gateway):
    _send(_ipn(gateway, _started(world).reference))  # warm caches (steps, calendar)
    payment = _started(world)
    counts, answers, sql = {}, {}, {}
    for name, params in [
        ("paid", _ipn(gateway, payment.reference)),
        ("duplicate", _ipn(gateway, payment.reference)),
        ("wrong_amount", _ipn(gateway, _started(world).reference, amount_vnd=9000)),
        ("unknown_order", _ipn(gateway, "KHONG-CO-DON-NAY")),
        ("bad_signature", _ipn(gateway, payment.reference, forged=True)),
    ]:
        answers[name], sql[name] = _send(params)
        counts[name] = len(sql[name])
    assert answers == {
        "paid": "00",
        "duplicate": "02",
        "wrong_amount": "04",
        "unknown_order": "01",
        "bad_signature": "97",
    }
    assert counts == EXPECTED, "\n".join(f"{n}:\n  " + "\n  ".join(sql[n]) for n in sql)
    # One credit, one receipt; every message logged, verified or not.
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert payment.dossier.events.filter(action="confirm_payment").count() == 1
    assert Receipt.objects.filter(payment=payment).count() == 1
    outcomes = PaymentEvent.objects.filter(reference=payment.reference, kind="ipn")
    assert sorted(outcomes.values_list("outcome", flat=True)) == [
        "bad_signature",
        "duplicate",
        "paid",
    ]
