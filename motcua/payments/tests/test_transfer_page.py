"""The VietQR on the applicant's payment card: made by a POST (which creates or re-uses the
pending transfer), shown as a PNG of this site (img-src 'self'), read back by a real QR
reader (zbarimg) to the right bank, account, amount and reference."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from motcua.dossiers.enums import Status
from motcua.dossiers.tests.conftest import advance
from motcua.payments import vietqr
from motcua.payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(settings):
    settings.MOTCUA_VIETQR_BIN = "970415"
    settings.MOTCUA_VIETQR_ACCOUNT = "113000123456"
    settings.MOTCUA_VIETQR_ACCOUNT_NAME = "TTPVHCC TINH BAC NINH"


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (zbar-tools) is not installed")
def test_the_qr_on_the_page_decodes_to_the_amount_and_reference(world, account, client, tmp_path):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    client.force_login(world.citizen)
    page = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert "Chuyển khoản bằng VietQR" in page and "qr.png" not in page
    assert not Payment.objects.filter(dossier=d).exists()  # showing the page makes nothing
    r = client.post(f"/ho-so/{d.pk}/chuyen-khoan/")
    assert r.status_code == 302
    p = Payment.objects.get(dossier=d)
    assert (p.channel, p.status) == ("vietqr_transfer", "pending")
    response = client.get(f"/ho-so/{d.pk}/")
    page = response.content.decode()
    assert "8.000" in page and "113000123456" in page and p.reference in page
    src = re.search(r'<img src="([^"]+qr\.png)"', page).group(1)
    assert src.startswith("/")  # same origin: the CSP's img-src 'self'
    assert "img-src 'self'" in response.headers["Content-Security-Policy"]
    png = client.get(src)
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    (tmp_path / "qr.png").write_bytes(png.content)
    out = subprocess.run(  # noqa: S603
        ["zbarimg", "--raw", "-q", str(tmp_path / "qr.png")],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    t = vietqr.read(out)
    assert (t.bin, t.account, t.amount_vnd, t.reference) == (
        "970415",
        "113000123456",
        8000,
        p.reference,
    )
    # A second press re-uses the transfer: one reference per obligation and amount.
    client.post(f"/ho-so/{d.pk}/chuyen-khoan/")
    assert Payment.objects.filter(dossier=d).count() == 1


def test_the_qr_is_only_for_the_applicant(world, account, client):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    client.force_login(world.citizen)
    client.post(f"/ho-so/{d.pk}/chuyen-khoan/")
    p = Payment.objects.get(dossier=d)
    client.force_login(world.citizen2)
    assert client.get(f"/ho-so/{d.pk}/chuyen-khoan/{p.pk}/qr.png").status_code == 404
    assert client.post(f"/ho-so/{d.pk}/chuyen-khoan/").status_code == 404
    assert Payment.objects.filter(dossier=d).count() == 1


def test_no_account_no_transfer_offered(world, client, settings):
    settings.MOTCUA_VIETQR_BIN = ""
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    client.force_login(world.citizen)
    assert "Chuyển khoản bằng VietQR" not in client.get(f"/ho-so/{d.pk}/").content.decode()


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (zbar-tools) is not installed")
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler) is not installed")
def test_the_request_for_payment_form_carries_the_vietqr(world, account, client, tmp_path):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    client.force_login(world.citizen)
    assert f"/giay-to/{d.pk}/payment_request.pdf" in client.get(f"/ho-so/{d.pk}/").content.decode()
    r = client.get(f"/giay-to/{d.pk}/payment_request.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    p = Payment.objects.get(dossier=d)  # the form's QR made the pending transfer
    assert (p.channel, p.status, p.amount_vnd) == ("vietqr_transfer", "pending", 8000)
    (tmp_path / "f.pdf").write_bytes(b"".join(r.streaming_content) if r.streaming else r.content)
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-r", "200", "-png", str(tmp_path / "f.pdf"), str(tmp_path / "page")],  # noqa: S607
        check=True,
    )
    out = subprocess.run(  # noqa: S603
        ["zbarimg", "--raw", "-q", *map(str, sorted(tmp_path.glob("page*.png")))],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    t = vietqr.read(out[0])
    assert (t.amount_vnd, t.reference, t.account) == (8000, p.reference, "113000123456")
    # The applicant's "Chuyển khoản" re-uses the form's transfer: one reference.
    client.post(f"/ho-so/{d.pk}/chuyen-khoan/")
    assert Payment.objects.filter(dossier=d).count() == 1
