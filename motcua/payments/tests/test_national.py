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
import secrets
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

import pytest
from django.utils import timezone

from motcua.demo.companions import _answers, free_port
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


@dataclass
class Platform:
    base: str
    partner: str
    key: str

    def control(self, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base + path, data=data, method="GET" if data is None else "POST"
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read().decode())

    def callbacks(self, ref: str) -> list[dict]:
        return [e for e in self.control("/_control/log") if e["ref"] == ref]


@pytest.fixture(scope="module")
def platform_process(live_server):
    port = free_port()
    partner, key = "MOTCUA-DVCQG", secrets.token_hex(24)
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "motcua.payments.dvcqg_simulator",
            "--port",
            str(port),
            "--partner-code",
            partner,
            "--hash-key",
            key,
            "--callback-url",
            f"{live_server.url}/thanh-toan/dvcqg/dpnhankqthanhtoanhs/",
        ]
    )
    deadline = time.monotonic() + 30
    while not _answers("127.0.0.1", port):
        assert proc.poll() is None, "the simulator exited"
        assert time.monotonic() < deadline, "the simulator does not answer"
        time.sleep(0.05)
    yield Platform(f"http://127.0.0.1:{port}", partner, key)
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def platform(platform_process, settings, transactional_db):
    p = platform_process
    settings.MOTCUA_DVCQG_PARTNER_CODE = p.partner
    settings.MOTCUA_DVCQG_HASH_KEY = p.key
    settings.MOTCUA_DVCQG_INIT_URL = p.base + "/api/khoitao"
    settings.MOTCUA_DVCQG_QUERY_URL = p.base + "/api/laybienlai"
    p.control("/_control/mode", {"mode": "normal"})
    return p


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
