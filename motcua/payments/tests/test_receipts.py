"""Fee receipts (biên lai): issued in the transaction that makes a payment paid, numbered
per agency, template, series and year without gaps or duplicates (PostgreSQL, concurrent),
immutable, rendered as a PDF whose text carries the required fields, downloadable by whoever
may see the dossier and no one else."""

from __future__ import annotations

import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client

from motcua.documents.receipts import receipt_render, receipt_store
from motcua.dossiers import services as ds
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.conftest import advance
from motcua.org.tests.otp import otp_login
from motcua.payments import services
from motcua.payments.models import FrozenReceipt, PaymentEvent, Receipt, ReceiptSequence

from .conftest import checkout
from .test_gateway import start
from .test_transfer import account  # noqa: F401  (the collecting account's settings)


def _pay_counter(world, dossier, receipt_number="0000777", channel="counter_cash"):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        ds.dossier_confirm_payment(
            dossier_id=dossier.pk,
            actor=world.a.staff["c:counter"],
            amount_vnd=8000,
            receipt_number=receipt_number,
            channel=channel,
        )
    return Receipt.objects.filter(dossier=dossier).order_by("pk").first()


def pdf_text(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.pdf"
        path.write_bytes(content)
        out = subprocess.run(  # noqa: S603
            ["/usr/bin/pdftotext", "-layout", str(path), "-"],
            check=True,
            capture_output=True,
        )
    return out.stdout.decode()


@pytest.mark.django_db
def test_a_counter_payment_gets_its_receipt_numbered_in_sequence(world, settings):
    settings.MOTCUA_RECEIPT_TEMPLATE = "01BLP0-001"
    settings.MOTCUA_RECEIPT_SERIES = "BL-{yy}E"
    d1 = advance(world, Status.FINANCIAL_OBLIGATION)
    d2 = advance(world, Status.FINANCIAL_OBLIGATION)
    r1 = _pay_counter(world, d1, "0000777")
    r2 = _pay_counter(world, d2, "0000778", channel="counter_pos")
    assert (r1.template, r1.number, r2.number) == ("01BLP0-001", 1, 2)
    assert r1.series == f"BL-{r1.year % 100:02d}E" and r1.series == r2.series
    assert r1.agency == d1.settling_agency  # the fee collector
    assert (r1.amount_vnd, r1.amount_words) == (8000, "Tám nghìn đồng")
    assert [(x["name"], x["amount_vnd"]) for x in r1.fee_lines] == [("Lệ phí", 8000)]
    assert set(r1.fee_lines[0]) == {"name", "kind", "amount_vnd"}
    assert (r1.paper_receipt_number, r1.channel) == ("0000777", "counter_cash")
    assert r1.payer_name == d1.applicant_name and r1.payer_id_number == d1.applicant_id_number
    [ev] = PaymentEvent.objects.filter(payment=r1.payment, kind="receipt", outcome="issued")
    assert ev.params["number"] == 1
    # The PDF was stored after the commit (the confirm_payment listener), with its sha256.
    r1.refresh_from_db()
    assert r1.sha256 and r1.size > 0 and r1.file.name.startswith(f"receipts/{d1.pk}/")


@pytest.mark.django_db
def test_per_agency_series_come_from_the_settings(world, settings):
    code = world.a.settling.code
    settings.MOTCUA_RECEIPT_SERIES_BY_AGENCY = f"other=X/Y; {code}=02BLP0-009/AB-{{yy}}T"
    r = _pay_counter(world, advance(world, Status.FINANCIAL_OBLIGATION))
    assert (r.template, r.series, r.number) == ("02BLP0-009", f"AB-{r.year % 100:02d}T", 1)


@pytest.mark.django_db
def test_a_rolled_back_payment_gives_its_number_back(world):
    d1 = advance(world, Status.FINANCIAL_OBLIGATION)
    d2 = advance(world, Status.FINANCIAL_OBLIGATION)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        _pay_counter(world, d1)
        assert ReceiptSequence.objects.get().last == 1
        raise Abort
    assert not Receipt.objects.exists()
    assert _pay_counter(world, d2).number == 1
    assert _pay_counter(world, d1).number == 2


@pytest.mark.django_db
def test_an_issued_receipt_is_final(world):
    r = _pay_counter(world, advance(world, Status.FINANCIAL_OBLIGATION))
    r.refresh_from_db()
    r.amount_vnd = 1
    with pytest.raises(FrozenReceipt):
        r.save()
    with pytest.raises(FrozenReceipt):
        r.save(update_fields=["sha256"])  # the PDF is attached once only
    with pytest.raises(FrozenReceipt):
        r.delete()


@pytest.mark.django_db
def test_the_pdf_shows_the_required_fields(world, settings):
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.example.vn"
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    r = _pay_counter(world, d, "0000777")
    content = receipt_render(r)
    assert content == receipt_render(Receipt.objects.get(pk=r.pk))  # byte-identical
    assert b"/FontFile2" in content  # the fonts are embedded
    text = " ".join(pdf_text(content).split())
    for needed in (
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        f"Mẫu số: {r.template}",
        f"Ký hiệu: {r.series}",
        "Số: 0000001",
        f"Đơn vị thu: {d.settling_agency.name}",
        f"Người nộp: {d.applicant_name}",
        f"Mã hồ sơ: {d.code}",
        "Lệ phí",
        "8.000",
        "Tổng số tiền: 8.000 đồng",
        "Số tiền bằng chữ: Tám nghìn đồng",
        "Tiền mặt tại bộ phận một cửa",
        "Số biên lai giấy đã giao: 0000777",
        "https://dichvucong.example.vn/tra-cuu/",
    ):
        assert needed in text, (needed, text)


@pytest.mark.django_db
def test_a_lost_pdf_is_written_again_the_same(world):
    r = _pay_counter(world, advance(world, Status.FINANCIAL_OBLIGATION))
    r.refresh_from_db()
    sha, name = r.sha256, r.file.name
    r.file.storage.delete(name)
    again = receipt_store(receipt_id=r.pk)
    assert (again.sha256, again.file.name) == (sha, name)
    assert again.file.storage.exists(name)


@pytest.mark.django_db
def test_the_applicant_and_staff_download_it_others_do_not(world):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    r = _pay_counter(world, d)
    url = f"/giay-to/{d.pk}/bien-lai/{r.pk}.pdf"
    for user in (world.citizen, world.a.staff["s:specialist"]):
        c = Client()
        otp_login(c, user)
        resp = c.get(url)
        assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
        assert resp.content == r.file.open("rb").read()
    page = Client()
    otp_login(page, world.citizen)
    html = page.get(f"/ho-so/{d.pk}/").content.decode()
    assert url in html and "Biên lai thu phí, lệ phí" in html
    for user in (world.citizen2, world.b.staff["s:specialist"]):
        c = Client()
        otp_login(c, user)
        assert c.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


@pytest.mark.django_db
def test_the_api_lists_and_serves_receipts(world):
    from motcua.api.models import ApiToken  # noqa: F401  (the token model exists)

    d = advance(world, Status.FINANCIAL_OBLIGATION)
    r = _pay_counter(world, d)
    c = Client()
    otp_login(c, world.citizen)
    listed = c.get(f"/api/receipts/dossier/{d.pk}")
    assert listed.status_code == 200, listed.content
    [item] = listed.json()
    assert (item["number"], item["amount_words"], item["series"]) == (
        "0000001",
        "Tám nghìn đồng",
        r.series,
    )
    pdf = c.get(item["pdf"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    other = Client()
    otp_login(other, world.citizen2)
    assert other.get(f"/api/receipts/dossier/{d.pk}").status_code == 404
    assert other.get(item["pdf"]).status_code == 404


def test_an_online_payment_gets_its_receipt_with_the_gateways_number(gw, world, waiting):
    _c, url = start(world, waiting)
    ref, _ = checkout(url, "success", bank="VCB")
    r = Receipt.objects.get(dossier=waiting)
    assert r.payment.reference == ref and r.channel == "gateway"
    assert r.provider_txn_no == r.payment.provider_txn_no != ""
    text = " ".join(pdf_text(receipt_render(r)).split())
    assert f"Mã giao dịch của đơn vị thanh toán: {r.provider_txn_no}" in text
    assert "Trực tuyến qua cổng thanh toán" in text


def test_money_taken_twice_gets_two_receipts(gw, world, waiting):
    """Cash at the counter, then the gateway too (paid_unmatched): both took money, both
    have a receipt, numbered 1 and 2; the second waits for its refund."""
    _c, url = start(world, waiting)
    _pay_counter(world, waiting)
    ref, _ = checkout(url, "success")
    numbers = sorted(Receipt.objects.filter(dossier=waiting).values_list("number", flat=True))
    assert numbers == [1, 2]
    assert Receipt.objects.get(payment__reference=ref).payment.status == "paid_unmatched"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_take_numbers_without_gaps_or_duplicates(world):
    """12 counter payments at once, one thread (one connection) each; every third rolls
    back after taking its number. The committed receipts are numbered 1..8 exactly."""
    dossiers = [advance(world, Status.FINANCIAL_OBLIGATION) for _ in range(12)]
    officer = world.a.staff["c:counter"]
    barrier = threading.Barrier(len(dossiers))
    errors: list[BaseException] = []

    class Abort(Exception):
        pass

    def pay(i, d):
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                ds.dossier_confirm_payment(
                    dossier_id=d.pk, actor=officer, amount_vnd=8000, receipt_number=f"P{i}"
                )
                if i % 3 == 2:
                    raise Abort
        except Abort:
            pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(i, d)) for i, d in enumerate(dossiers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    numbers = sorted(Receipt.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 9))
    assert ReceiptSequence.objects.get().last == 8


def test_services_export_the_receipt_functions():
    assert services.issue_receipt and services.receipt_series_for


@pytest.mark.django_db
def test_the_repair_sweep_stores_a_receipt_whose_pdf_was_never_made(world):
    """A fault after the payment's commit (the listener never ran): the sweep makes it."""
    from motcua.documents.services import documents_repair

    d = advance(world, Status.FINANCIAL_OBLIGATION)
    ds.dossier_confirm_payment(  # no on-commit callbacks run here: the PDF is not made
        dossier_id=d.pk,
        actor=world.a.staff["c:counter"],
        amount_vnd=8000,
        receipt_number="0000777",
    )
    r = Receipt.objects.get(dossier=d)
    assert r.sha256 == ""
    report = documents_repair(since=None)
    r.refresh_from_db()
    assert r.sha256 and report.failed == 0
    assert r.file.open("rb").read() == receipt_render(r)


@pytest.mark.django_db
@pytest.mark.usefixtures("account")
def test_a_transfer_matched_on_the_statement_gets_its_receipt(world):
    """VietQR transfers settled from the bank's statement: one receipt each, with the bank's
    transaction id; the partial one (not settled) has none."""
    from django.core.management import call_command

    from . import test_transfer as tt

    ds_ = [tt._transfer(world, ref) for ref in tt.SAMPLE_REFS]
    call_command("payments", "import-statement", str(tt.SAMPLE))
    receipts = {r.payment.dossier_id: r for r in Receipt.objects.select_related("payment")}
    settled = [d for (d, _p), ok in zip(ds_, [True, True, False, True], strict=True) if ok]
    assert sorted(receipts) == sorted(d.pk for d in settled)
    for r in receipts.values():
        assert r.channel == "vietqr_transfer" and r.provider_txn_no.startswith("FT")
    assert sorted(r.number for r in receipts.values()) == [1, 2, 3]
