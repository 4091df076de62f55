"""A citizen pays online in headless Chromium: the dossier page's button, the gateway
simulator's checkout page (its own process), back to the portal's return page; the
dossier moved on by the gateway's IPN to the live server. The portal's pages are checked
with axe-core; the simulator's page is the gateway's, not ours."""

from __future__ import annotations

import re

import pytest

from motcua.core.tests.browser import (
    AXE,
    CHROMIUM_MISSING,
    SCREENSHOTS,
    assert_accessible,
    chromium_missing,
    launch,
    screenshot,
)
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason=CHROMIUM_MISSING),
    pytest.mark.skipif(not AXE.exists(), reason="needs axe-core: npm install"),
]


@pytest.fixture
def browser():
    with launch() as b:
        yield b


def check(page, name: str) -> None:
    screenshot(page, SCREENSHOTS, name)
    assert_accessible(page, name)


def test_a_citizen_pays_online(gw, world, live_server, browser):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page.goto(f"{base}/dang-nhap/?next=/ho-so/{d.pk}/")
    page.fill("#id_username", "citizen")
    page.fill("#id_password", "x")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/ho-so/{d.pk}/")
    assert "8.000" in page.inner_text("#pay-title + p")
    check(page, "pay-01-dossier")

    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    page.wait_for_url(re.compile(r".*/paymentv2/vpcpay\.html\?.*"))
    assert "8.000 VND" in page.inner_text("body")
    page.get_by_label("Vietcombank").check()
    page.get_by_role("button", name="Thanh toán thành công").click()

    page.wait_for_url(re.compile(r".*/thanh-toan/ket-qua/\?.*"))
    assert "Đã thanh toán thành công" in page.inner_text("main")
    check(page, "pay-02-return")
    d = Dossier.objects.get(pk=d.pk)
    assert (d.status, d.paid_online, d.fee_paid_vnd) == (Status.PROCESSING, 2, 8000)
    assert d.payments.get().bank_code == "VCB"


def test_a_citizen_pays_through_the_national_platform(platform, world, live_server, browser):
    """Flow A in the browser: the dossier page's button (a plain form POST), the platform
    simulator's checkout page (its own process; its callback reaches the live server), its
    link back to the portal's return page, which shows what the server knows."""
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    base = live_server.url
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN")  # a phone
    page.goto(f"{base}/dang-nhap/?next=/ho-so/{d.pk}/")
    page.fill("#id_username", "citizen")
    page.fill("#id_password", "x")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/ho-so/{d.pk}/")
    check(page, "pay-national-01-dossier")

    page.get_by_role("button", name="Thanh toán qua Cổng DVC quốc gia").click()
    page.wait_for_url(re.compile(r".*/thanhtoan\?ma=DV[0-9A-F]+$"))
    assert "8.000 VND" in page.inner_text("body")
    page.get_by_role("button", name="Thanh toán thành công").click()
    page.get_by_role("link", name=re.compile("Quay về Cổng dịch vụ công")).click()

    page.wait_for_url(re.compile(r".*/thanh-toan/dvcqg/ket-qua/\?MaThamChieu=DV.*"))
    assert "Đã thanh toán thành công" in page.inner_text("main")
    check(page, "pay-national-02-return")
    d = Dossier.objects.get(pk=d.pk)
    assert (d.status, d.paid_online, d.fee_paid_vnd) == (Status.PROCESSING, 1, 8000)
    p = d.payments.get()
    assert (p.channel, p.status, p.verified_by) == ("national_platform", "paid", "ipn")
