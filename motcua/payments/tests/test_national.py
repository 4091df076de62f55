"""The national portal's payment platform end to end: the platform simulator in its own
process (python -m motcua.payments.dvcqg_simulator), its checkout page, its signed callback
to Django's live server, its get-bill query. Given a dossier waiting for 8.000 đồng, when
the applicant pays through the platform, then only the platform's verified word moves it to
4, with paid_online = 1."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import urllib.request

import pytest
from django.utils import timezone

from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.conftest import advance
from motcua.payments import dvcqg, services, vnpay
from motcua.payments.adapters import (
    NationalPlatformAdapter,
    Order,
    PaymentAdapter,
    VNPayAdapter,
    adapter_for,
)
from motcua.payments.models import Payment, PaymentEvent

from .conftest import browse


def start_and_pay(world, outcome: str) -> tuple[Dossier, str]:
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    started = services.national_payment_start(dossier_id=d.pk, actor=world.citizen)
    assert started.payment.status == "pending"
    assert (started.payment.channel, started.payment.provider) == ("national_platform", "dvcqg")
    status, page, _ = browse(started.redirect_url)
    assert status == 200 and "8.000 VND" in page, page
    ref = re.search(r'name="ma" value="([^"]+)"', page).group(1)
    assert ref == started.payment.reference and len(ref) <= 20
    base = started.redirect_url.split("/thanhtoan")[0]
    status, page, _ = browse(base + "/thanhtoan", {"ma": ref, "outcome": outcome})
    assert status == 200, page
    return d, ref


def test_paid_through_the_national_platform(platform, world):
    d, ref = start_and_pay(world, "success")
    dd = Dossier.objects.get(pk=d.pk)
    assert (dd.status, dd.paid_online, dd.fee_paid_vnd) == (Status.PROCESSING, 1, 8000)
    p = Payment.objects.get(reference=ref)
    assert (p.status, p.verified_by, p.bank_code) == ("paid", "ipn", "VCB")
    assert p.provider_txn_no.startswith("DVC") and p.provider_paid_at is not None
    [sent] = platform.callbacks(ref)
    assert sent["answer"]["MaLoi"] == "00" and sent["answer"]["MoTaLoi"] == "Thành công"
    assert sent["answer_verified"], "our answer's MaXacThuc must verify at the platform"
    assert DossierEvent.objects.filter(dossier=d, action="confirm_payment").count() == 1
    # The init message carried the receipt information (ThongTinBienLai) of a fee.
    assert PaymentEvent.objects.filter(payment=p, kind="start", outcome="created").exists()


def test_refused_leaves_the_dossier_waiting(platform, world):
    d, ref = start_and_pay(world, "refused")
    assert Payment.objects.get(reference=ref).status == "failed"
    assert Dossier.objects.get(pk=d.pk).status == Status.FINANCIAL_OBLIGATION
    assert platform.callbacks(ref)[0]["answer"]["MaLoi"] == "00"  # acknowledged


def test_a_missing_callback_is_resolved_by_the_get_bill_query(platform, world):
    platform.control("/_control/mode", {"mode": "missing"})
    d, ref = start_and_pay(world, "success")
    p = Payment.objects.get(reference=ref)
    assert p.status == "pending" and platform.callbacks(ref) == []
    p = services.payment_query(payment_id=p.pk)  # routed by payment.provider
    assert (p.status, p.verified_by) == ("paid", "query")
    assert Dossier.objects.get(pk=d.pk).paid_online == 1


@pytest.mark.parametrize("mode", ["bad_signature", "wrong_amount"])
def test_a_forged_or_wrong_callback_credits_nothing(platform, world, mode, caplog):
    caplog.set_level("INFO", logger="motcua.security")
    platform.control("/_control/mode", {"mode": mode})
    d, ref = start_and_pay(world, "success")
    [sent] = platform.callbacks(ref)
    assert sent["answer"]["MaLoi"] == "99"
    assert Payment.objects.get(reference=ref).status == "pending"
    assert Dossier.objects.get(pk=d.pk).status == Status.FINANCIAL_OBLIGATION
    outcome = "bad_signature" if mode == "bad_signature" else "wrong_amount"
    assert PaymentEvent.objects.filter(reference=ref, kind="ipn", outcome=outcome).exists()
    flagged = [r for r in caplog.records if "payment_bad_signature" in r.getMessage()]
    assert len(flagged) == (1 if mode == "bad_signature" else 0)
    # The platform's signed get-bill answer then settles it, with the right amount.
    assert services.payment_query(payment_id=Payment.objects.get(reference=ref).pk).status == (
        "paid"
    )


def test_a_callback_for_an_unknown_reference_is_refused(platform, live_server, world):
    msg = {
        "LoaiBanTin": "3",
        "MaLoi": "00",
        "MaDoiTac": platform.partner,
        "MaThamChieu": "DVKHONGCO",
        "SoTien": "8000",
        "MaTienTe": "VND",
        "MaGiaoDich": "X1",
        "MaNganHang": "VCB",
        "ThoiGianGD": "20261205080000",
        "ThongTinGiaoDich": "",
    }
    msg["MaXacThuc"] = dvcqg.checksum([msg[k] for k in dvcqg.CALLBACK_ORDER], platform.key)
    req = urllib.request.Request(
        f"{live_server.url}/thanh-toan/dvcqg/dpnhankqthanhtoanhs/",
        data=json.dumps(msg).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        answer = json.loads(r.read().decode())
    assert answer["MaLoi"] == "99"
    assert PaymentEvent.objects.filter(reference="DVKHONGCO", outcome="unknown_order").exists()


def test_the_checksum_is_sha256_of_the_pipe_joined_fields_and_key():
    want = hashlib.sha256(b"a|b|c|KEY").hexdigest()
    assert dvcqg.checksum(["a", "b", "c"], "KEY") == want
    cfg = dvcqg.Config("P", "KEY", "http://x", "http://y")
    body = dvcqg.init_body(
        cfg,
        reference="DV0123456789ABCDEF01",
        amount_vnd=8000,
        created_at=dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC),
        ip="10.0.0.1",
        dossier_code="H01.1-261205-0001",
        procedure_code="1.001",
        procedure_name="Đăng ký khai sinh",
        payer_name="Nguyễn Văn A",
        description="Nộp lệ phí hồ sơ",
    )
    assert body["ThoiGianGD"] == "20261205080000"  # GMT+7
    assert (
        body["MaXacThuc"]
        == hashlib.sha256(
            "|".join([*(str(body[k]) for k in dvcqg.INIT_ORDER), "KEY"]).encode()
        ).hexdigest()
    )
    assert body["ThongTinBienLai"]["MaDichVu"] == 2
    assert body["ThongTinBienLai"]["PhiLePhi"][0]["LoaiPhiLePhi"] == 2
    with pytest.raises(vnpay.ProtocolError):
        dvcqg.init_body(cfg, **{**_args(), "reference": "X" * 21})


def _args() -> dict:
    return {
        "reference": "DV1",
        "amount_vnd": 8000,
        "created_at": timezone.now(),
        "ip": "",
        "dossier_code": "",
        "procedure_code": "",
        "procedure_name": "",
        "payer_name": "",
        "description": "",
    }


def test_both_adapters_offer_one_interface(platform, settings):
    """The same three calls for either provider; the VNPay adapter is the vnpay module's
    own functions (its path and tests are unchanged)."""
    settings.MOTCUA_VNPAY_TMN_CODE = "MOTCUAT1"
    settings.MOTCUA_VNPAY_HASH_SECRET = "s3cret"
    settings.MOTCUA_VNPAY_PAY_URL = "https://gw.example/paymentv2/vpcpay.html"
    adapters: list[PaymentAdapter] = [adapter_for("vnpay"), adapter_for("dvcqg")]
    assert isinstance(adapters[0], VNPayAdapter)
    assert isinstance(adapters[1], NationalPlatformAdapter)
    now = timezone.now()
    order = Order("REF1", 8000, "Nop phi", "https://x/ret", "10.0.0.1", now, now)
    url = adapters[0].create_payment_url(order)
    cfg = adapters[0].config
    params = vnpay.payment_params(
        cfg,
        txn_ref="REF1",
        amount_vnd=8000,
        order_info="Nop phi",
        return_url="https://x/ret",
        ip_addr="10.0.0.1",
        created_at=now,
        expires_at=now,
    )
    assert url == vnpay.payment_url(cfg, params)
    assert adapter_for("counter") is None


# ------------------------------------------------------------- on the portal (Flow A)


def test_the_portal_offers_the_platform_only_when_configured(platform, world, client, settings):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    client.force_login(world.citizen)
    page = client.get(f"/ho-so/{d.pk}/")
    text = page.content.decode()
    assert "Thanh toán qua Cổng DVC quốc gia" in text
    assert f'action="/ho-so/{d.pk}/thanh-toan-quoc-gia/"' in text
    assert platform.base in page["Content-Security-Policy"]  # form-action: the redirect
    settings.MOTCUA_DVCQG_HASH_KEY = ""
    text = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert "Thanh toán qua Cổng DVC quốc gia" not in text
    # Off, the button's URL says so rather than pretending.
    r = client.post(f"/ho-so/{d.pk}/thanh-toan-quoc-gia/")
    assert r.status_code == 503 and "Chưa cấu hình" in r.content.decode()
    assert not Payment.objects.filter(dossier=d).exists()


def test_a_citizen_pays_from_the_portal_and_comes_back(platform, world, client):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    client.force_login(world.citizen)
    r = client.post(f"/ho-so/{d.pk}/thanh-toan-quoc-gia/")
    assert r.status_code == 302 and r["Location"].startswith(platform.base + "/thanhtoan?ma=")
    p = Payment.objects.get(dossier=d)
    assert (p.channel, p.status) == ("national_platform", "pending")
    status, page, _ = browse(r["Location"])
    status, page, _ = browse(
        platform.base + "/thanhtoan", {"ma": p.reference, "outcome": "success"}
    )
    back = re.search(r'href="([^"]+/thanh-toan/dvcqg/ket-qua/\?MaThamChieu=[^"]+)"', page)
    assert status == 200 and back, page
    r = client.get(back.group(1).replace("&amp;", "&"))
    assert r.status_code == 200 and "Đã thanh toán thành công" in r.content.decode()
    dd = Dossier.objects.get(pk=d.pk)
    assert (dd.status, dd.paid_online) == (Status.PROCESSING, 1)
    # Another citizen, or a made-up reference, learns nothing.
    client.force_login(world.citizen2)
    assert client.get(f"/thanh-toan/dvcqg/ket-qua/?MaThamChieu={p.reference}").status_code == 404
    assert client.post(f"/ho-so/{d.pk}/thanh-toan-quoc-gia/").status_code == 404


def test_the_return_asks_the_platform_when_the_callback_has_not_come(platform, world, client):
    platform.control("/_control/mode", {"mode": "missing"})
    d, ref = start_and_pay(world, "success")
    assert Payment.objects.get(reference=ref).status == "pending"
    client.force_login(world.citizen)
    r = client.get(f"/thanh-toan/dvcqg/ket-qua/?MaThamChieu={ref}")
    assert r.status_code == 200 and "Đã thanh toán thành công" in r.content.decode()
    assert (
        Payment.objects.get(reference=ref).verified_by,
        Dossier.objects.get(pk=d.pk).status,
    ) == (
        "query",
        Status.PROCESSING,
    )


def test_the_return_alone_never_pays(platform, world, client):
    platform.control("/_control/mode", {"mode": "missing"})
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    started = services.national_payment_start(dossier_id=d.pk, actor=world.citizen)
    client.force_login(world.citizen)
    r = client.get(f"/thanh-toan/dvcqg/ket-qua/?MaThamChieu={started.payment.reference}")
    assert r.status_code == 200 and "Chưa nhận được xác nhận" in r.content.decode()
    assert Payment.objects.get(pk=started.payment.pk).status == "pending"
    assert Dossier.objects.get(pk=d.pk).status == Status.FINANCIAL_OBLIGATION


# --------------------------------------------------- reconciliation against get bill

GMT7 = dt.timezone(dt.timedelta(hours=7))


def _today() -> dt.date:
    return timezone.now().astimezone(GMT7).date()


def _items(ref: str) -> list:
    from motcua.payments.models import ReconciliationItem

    return list(ReconciliationItem.objects.filter(reference=ref).values_list("kind", "status"))


def test_reconcile_compares_each_payment_with_the_platforms_answer(platform, world):
    _, paid = start_and_pay(world, "success")
    _, refused = start_and_pay(world, "refused")
    _, not_there = start_and_pay(world, "success")
    _, reversed_ = start_and_pay(world, "success")
    _, amount = start_and_pay(world, "success")
    platform.control("/_control/mode", {"mode": "missing"})
    d_lost, lost = start_and_pay(world, "success")  # the callback never came
    # The platform's word changed after our side recorded it.
    platform.control("/_control/transaction", {"ref": not_there, "omit": True})
    platform.control("/_control/transaction", {"ref": reversed_, "MaLoi": "51"})
    platform.control("/_control/transaction", {"ref": amount, "SoTien": "9000"})

    run = services.reconcile_national(_today(), trigger="test")
    assert run.provider == "dvcqg"
    assert (run.payments, run.lines, run.compared) == (6, 5, 6)
    assert (run.matched, run.missing_there, run.status, run.amount) == (2, 1, 1, 1)
    assert (run.missing_here, run.resolved_by_query, run.new_items) == (1, 1, 4)
    assert _items(paid) == [] and _items(refused) == []
    assert _items(not_there) == [("missing_there", "open")]
    assert _items(reversed_) == [("status", "open")]
    assert _items(amount) == [("amount", "open")]
    # What the platform says paid and we did not is settled by its verified answer, once.
    assert _items(lost) == [("missing_here", "resolved")]
    assert Payment.objects.get(reference=lost).verified_by == "query"
    assert Dossier.objects.get(pk=d_lost.pk).paid_online == 1
    # Nothing the platform said un-credits a verified payment.
    for ref in (not_there, reversed_, amount):
        assert Payment.objects.get(reference=ref).status == "paid"
    # A rerun adds nothing.
    again = services.reconcile_national(_today(), trigger="test")
    assert (again.new_items, again.matched, again.compared) == (0, 3, 6)
    # The differences are on the officers' one list, the provider named.
    from django.test import Client

    from motcua.org.tests.otp import otp_login

    c = Client()
    otp_login(c, world.a.staff["c:counter"])
    text = c.get("/can-bo/doi-soat/").content.decode()
    assert all(ref in text for ref in (not_there, reversed_, amount)) and lost not in text
    assert "Nền tảng thanh toán Cổng DVC quốc gia" in text and "9.000 đ" in text


def test_a_forged_get_bill_answer_stops_the_run(platform, world, settings):
    from motcua.core.errors import ValidationFailed
    from motcua.payments.models import ReconciliationRun

    start_and_pay(world, "success")
    settings.MOTCUA_DVCQG_HASH_KEY = platform.key + "x"  # the answers no longer verify
    with pytest.raises(ValidationFailed) as exc:
        services.reconcile_national(_today())
    assert exc.value.code == "reconciliation_bad_answer"
    assert not ReconciliationRun.objects.exists()


def test_the_command_and_the_daily_task_reconcile_the_platform(platform, world, settings):
    from io import StringIO

    from django.core.management import call_command

    from motcua.payments.models import ReconciliationRun
    from motcua.payments.tasks import reconcile_yesterday

    settings.MOTCUA_VNPAY_SETTLEMENT_URL = ""
    start_and_pay(world, "success")
    out = StringIO()
    call_command("payments", "reconcile", "--date", _today().isoformat(), stdout=out)
    assert "(reconciliation of" in out.getvalue() and "dvcqg" in out.getvalue()
    assert "Khớp (matched): 1" in out.getvalue()
    reconcile_yesterday()
    run = ReconciliationRun.objects.get(trigger="schedule")
    assert (run.provider, run.date) == ("dvcqg", _today() - dt.timedelta(days=1))


# ----------------------------------------------------- the periodic query of pending


def test_the_beat_schedule_queries_pending_attempts(platform, world, settings):
    from motcua.payments.tasks import query_pending

    entry = settings.CELERY_BEAT_SCHEDULE["payments-query-pending"]
    assert entry["task"] == "payments.query_pending"
    assert entry["schedule"] == settings.MOTCUA_QUERY_PENDING_EVERY_MINUTES * 60
    platform.control("/_control/mode", {"mode": "missing"})
    d, ref = start_and_pay(world, "success")
    settings.MOTCUA_QUERY_PENDING_AFTER_MINUTES = 10
    query_pending()  # too recent: left alone
    assert Payment.objects.get(reference=ref).status == "pending"
    Payment.objects.filter(reference=ref).update(
        created_at=timezone.now() - dt.timedelta(minutes=11)
    )
    query_pending()
    p = Payment.objects.get(reference=ref)
    assert (p.status, p.verified_by) == ("paid", "query")
    assert Dossier.objects.get(pk=d.pk).status == Status.PROCESSING
