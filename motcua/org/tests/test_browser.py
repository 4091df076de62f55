"""The officers' second factor in headless Chromium (Playwright) against the live server: an
officer without an authenticator enrols (QR code and secret, a code computed from the
secret shown on the page, the recovery codes), a later login asks for the code. The
enrolment and verification pages are checked with axe-core and saved as screenshots
under test-artifacts/screenshots/org/."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp

from motcua.core.tests.browser import (
    AXE,
    CHROMIUM_MISSING,
    SCREENSHOTS,
    assert_accessible,
    chromium_missing,
    launch,
    pass_second_factor,
    screenshot,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason=CHROMIUM_MISSING),
]
SHOTS = SCREENSHOTS / "org"


def check(page, name: str) -> None:
    screenshot(page, SHOTS, name)
    if not AXE.exists():
        pytest.skip("needs axe-core: npm install (node_modules/axe-core)")
    assert_accessible(page, name)


def test_officer_enrols_then_logs_in_with_a_code(transactional_db, live_server):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from motcua.dossiers.tests.factories import make_world

    make_world()
    base = live_server.url
    with launch() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page.goto(f"{base}/dang-nhap/?next=/can-bo/")
        page.fill("#id_username", "A-c-counter")
        page.fill("#id_password", "x")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(re.compile(r".*/xac-thuc-hai-lop/dang-ky/\?next=.*"))
        # The QR code is an image the page draws (CSP: img-src 'self' data:).
        assert page.evaluate("document.querySelector('img.otp-qr').naturalWidth") > 100
        check(page, "otp-01-enrol")
        # What a person types into the app: the secret shown on the page.
        secret = page.inner_text("#otp-secret").replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.fill("#id_otp", f"{totp(key):06d}")
        page.get_by_role("button", name="Xác nhận").click()
        page.wait_for_selector("#recovery-codes")
        codes = page.locator("#recovery-codes code").all_inner_texts()
        assert len(codes) == 10
        check(page, "otp-02-recovery-codes")
        page.get_by_role("link", name="Tôi đã lưu các mã, tiếp tục").click()
        page.wait_for_url(f"{base}/can-bo/")
        assert TOTPDevice.objects.get(user__username="A-c-counter").confirmed

        # A new login: the verification page, a wrong code, then the right one.
        second = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        second.goto(f"{base}/dang-nhap/?next=/can-bo/")
        second.fill("#id_username", "A-c-counter")
        second.fill("#id_password", "x")
        second.get_by_role("button", name="Đăng nhập").click()
        second.wait_for_url(re.compile(r".*/xac-thuc-hai-lop/\?next=.*"))
        check(second, "otp-03-verify")
        second.fill("#id_otp", "abcdefgh")
        second.get_by_role("button", name="Xác nhận").click()
        assert "Mã xác thực không đúng" in second.inner_text("main")
        check(second, "otp-04-wrong-code")
        # The wrong code throttles for a second; a recovery code after that.
        second.wait_for_timeout(1100)
        second.fill("#id_otp", codes[0])
        second.get_by_role("button", name="Xác nhận").click()
        second.wait_for_url(f"{base}/can-bo/")


def test_the_shared_helper_passes_the_second_factor(transactional_db, live_server):
    from motcua.dossiers.tests.factories import make_world

    make_world()
    base = live_server.url
    with launch() as browser:
        page = browser.new_page()
        for _ in range(2):  # twice in one period: the second login needs another code
            page.context.clear_cookies()
            page.goto(f"{base}/dang-nhap/?next=/can-bo/")
            page.fill("#id_username", "A-c-counter")
            page.fill("#id_password", "x")
            page.get_by_role("button", name="Đăng nhập").click()
            pass_second_factor(page, "A-c-counter")
            page.wait_for_load_state()
            assert page.url == f"{base}/can-bo/", (_, page.url, page.inner_text("main"))
